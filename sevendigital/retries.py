"""Retries: which calls are tried again, how often and after how long.

Only idempotent calls are retried (a POST whose outcome is unknown could be a
second sale: its caller reconciles it), and only on the errors
:func:`~sevendigital.errors.is_retryable` names transient, with exponential backoff
and jitter so that many clients do not retry in step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from . import errors

logger = logging.getLogger("sevendigital")


def with_retries(
    call: Callable[[], Any],
    *,
    attempts: int,
    backoff: float,
    max_backoff: float,
    sleep: Callable[[float], None],
) -> Any:
    """``call()``, tried up to ``attempts`` times while it fails transiently."""
    retrying = Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=backoff, max=max_backoff, jitter=backoff),
        retry=retry_if_exception(errors.is_retryable),
        sleep=sleep,
        reraise=True,
        before_sleep=lambda state: logger.warning(
            "7digital call failed (%s), retrying (attempt %d of %d)",
            state.outcome.exception() if state.outcome else "?",
            state.attempt_number + 1,
            attempts,
        ),
    )
    return retrying(call)
