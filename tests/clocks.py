"""A clock moved on by hand, standing in for a module's ``time`` (``monkeypatch.setattr(
django.core.signing, "time", clock)``): time passes as usual, plus what the test adds."""

from __future__ import annotations

import time


class OffsetClock:
    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds
