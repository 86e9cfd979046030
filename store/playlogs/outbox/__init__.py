"""Shipping recorded plays to 7digital: claim, send in batches, mark, retry, reject.

7digital pays labels from these logs: a play never reported is a licence breach, one
reported twice costs the partner money. The package is split by concern:

* :mod:`.kinds`: the kinds of play, each a strategy (how its plays fall due, how a log
  is built and checked, how rows are grouped into requests, what a refusal refuses);
* :mod:`.batching`: claimed rows into requests, through their kind;
* :mod:`.claims`: which sender holds which rows, and what became of them;
* :mod:`.pacing`: one pace for every sender, and the backoff after failures;
* :mod:`.shipping`: the sender, and the staff's retry.

How the guarantees hold (claims, at-least-once delivery, retries, rejections, pace) is
told in ``docs/playlogs-outbox.md``.
"""

from store.playlogs.outbox.batching import Request, requests_for
from store.playlogs.outbox.claims import (
    has_due,
    rows_claim,
    rows_delivered,
    rows_failed,
    rows_rejected,
    rows_release,
    rows_renew,
)
from store.playlogs.outbox.kinds import (
    KINDS,
    Kind,
    catalogue_log,
    kind_get,
    kind_of,
    preview_listener_id,
    preview_log,
    subscription_log,
    whole_seconds,
)
from store.playlogs.outbox.pacing import (
    PACE_MARGIN,
    PACE_NAME,
    backoff_seconds,
    is_refusal,
    pace_wait,
)
from store.playlogs.outbox.shipping import ShipDeferred, ShipResult, playlogs_retry, playlogs_ship

__all__ = [
    "KINDS",
    "PACE_MARGIN",
    "PACE_NAME",
    "Kind",
    "Request",
    "ShipDeferred",
    "ShipResult",
    "backoff_seconds",
    "catalogue_log",
    "has_due",
    "is_refusal",
    "kind_get",
    "kind_of",
    "pace_wait",
    "playlogs_retry",
    "playlogs_ship",
    "preview_listener_id",
    "preview_log",
    "requests_for",
    "rows_claim",
    "rows_delivered",
    "rows_failed",
    "rows_rejected",
    "rows_release",
    "rows_renew",
    "subscription_log",
    "whole_seconds",
]
