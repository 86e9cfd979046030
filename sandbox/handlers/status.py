from __future__ import annotations

from datetime import UTC, datetime

from ..context import Call
from ..routing import endpoint


@endpoint("GET", "status")
def status(call: Call) -> dict:
    """Reference line 431: the current server time."""
    call.country  # noqa: B018 - required, as documented
    return {"serviceStatus": {"serverTime": datetime.now(UTC)}}
