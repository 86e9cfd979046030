"""Queueing Celery tasks from services, so that a broker away never fails a customer.

Work meant for 7digital is written to the database first and each kind has a beat
sweep that queues what was left behind (partner users, order lines, receipts, play
logs): a task that could not be queued costs only the time until its sweep. So a
broker that cannot be reached (down, or a transport that fails to import) must not turn
a sign-up or a paid order into a server error after its transaction committed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# Redis (kombu's transport) keeps a list per priority step (0, 3, 6, 9) and takes from
# the lowest number first; tasks sent without one have 0. So a sweep's backlog, sent at
# 9, waits while anything fresh is queued, and is taken as soon as nothing is. Other
# brokers ignore it (RabbitMQ only honours priorities on queues declared with a maximum,
# and reads them the other way round).
BACKLOG_PRIORITY = 9


def _backlog_priority() -> int | None:
    broker = getattr(settings, "CELERY_BROKER_URL", "") or ""
    redis = broker.startswith(("redis://", "rediss://", "redis+socket://"))
    return BACKLOG_PRIORITY if redis else None


def task_queue(task, *args, backlog: bool = False) -> bool:
    """Send ``task(*args)`` now; log and return False when the broker fails.

    ``backlog``: a sweep's catching up, taken after fresh work (see BACKLOG_PRIORITY),
    so that a backlog after an outage does not hold up the changes made meanwhile."""
    try:
        priority = _backlog_priority() if backlog else None
        if priority is None:
            task.delay(*args)
        else:
            task.apply_async(args, priority=priority)
    except Exception:  # any broker or transport failure; its sweep will queue it again
        logger.warning("Could not queue %s%r; its sweep will", task.name, args, exc_info=True)
        return False
    return True


def task_queue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` once the current transaction commits (see :func:`task_queue`)."""
    transaction.on_commit(lambda: task_queue(task, *args))
