"""Queueing Celery tasks from services, so that a broker away never fails a customer.

Work meant for 7digital is written to the database first and each kind has a beat
sweep that queues what was left behind (partner users, order lines, receipts, play
logs): a task that could not be queued costs only the time until its sweep. So a
broker that cannot be reached (down, or a transport that fails to import) must not turn
a sign-up or a paid order into a server error after its transaction committed.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def task_queue(task, *args) -> bool:
    """Send ``task(*args)`` now; log and return False when the broker fails."""
    try:
        task.delay(*args)
    except Exception:  # any broker or transport failure; its sweep will queue it again
        logger.warning("Could not queue %s%r; its sweep will", task.name, args, exc_info=True)
        return False
    return True


def task_queue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` once the current transaction commits (see :func:`task_queue`)."""
    transaction.on_commit(lambda: task_queue(task, *args))
