"""One pace for every sender, and how long to wait after failures.

Every sender, in every process, takes its turn from one row in the database
(:class:`~store.playlogs.models.DeliveryPace`), so all of them together stay under
7digital's requests per second per consumer key. Transient failures (connection errors,
timeouts, 5xx, 429, non-1xxx API errors) wait ``PLAYLOG_RETRY_BASE_SECONDS`` *
2^(failures - 1), jittered and capped.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sevendigital import errors
from store.playlogs.models import DeliveryPace

PACE_NAME = "sevendigital-logs"
# Requests leave a little further apart than the limit asks: two requests that left
# exactly 1/limit apart can arrive closer together than that.
PACE_MARGIN = 1.03
# A 429 all the same: wait out the window (7digital's is one second) and send again.
RATE_LIMITED_WAIT_SECONDS = 1.0
RATE_LIMITED_TRIES = 3


def pace_wait(*, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait for this sender's turn to send a log request, shared with every process.

    Each turn moves the row's ``next_at`` on by one interval with a compare-and-set
    update, so two senders can never take the same turn.
    """
    interval = timedelta(seconds=PACE_MARGIN / settings.PLAYLOG_REQUESTS_PER_SECOND)
    while True:
        now = timezone.now()
        pace, _ = DeliveryPace.objects.get_or_create(name=PACE_NAME, defaults={"next_at": now})
        turn = max(now, pace.next_at)
        if DeliveryPace.objects.filter(name=PACE_NAME, next_at=pace.next_at).update(
            next_at=turn + interval
        ):
            break
    delay = (turn - timezone.now()).total_seconds()
    if delay > 0:
        sleep(delay)


def backoff_seconds(failures: int, *, rng: random.Random | None = None) -> float:
    """base * 2^(failures - 1), capped, with "equal jitter": between half and all of it."""
    ceiling = min(
        settings.PLAYLOG_RETRY_MAX_SECONDS,
        settings.PLAYLOG_RETRY_BASE_SECONDS * math.pow(2, max(failures, 1) - 1),
    )
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def is_refusal(error: errors.SevenDigitalError) -> bool:
    """A 1xxx error: 7digital refuses what was sent, and sending it again cannot help.
    (A 400 that is not an API answer, from a proxy say, is no refusal: it is retried.)"""
    return error.code is not None and 1000 <= error.code < 2000


def rate_limited(error: errors.SevenDigitalError) -> bool:
    return error.http_status == 429
