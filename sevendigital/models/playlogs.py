"""The answer to a play-log POST (reference lines 4735-4886)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import _int, _obj


@dataclass(frozen=True, slots=True)
class LogResult:
    """How many play logs 7digital accepted from one POST."""

    count: int | None

    @classmethod
    def from_data(cls, data: Any) -> LogResult:
        data = _obj(data)
        logs = _obj(data.get("playLogs", data))
        return cls(count=_int(logs.get("count")))
