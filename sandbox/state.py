"""What the sandbox remembers between requests outside its database.

The journal of received requests, injected faults, used OAuth nonces, the daily
request counters per consumer key and the one-second windows of play-log requests. It
is per process (the standalone server and the in-process transport each hold one) and
guarded by a lock: the threaded server answers several requests at once.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

JOURNAL_SIZE = 1000
FAULT_KINDS = (
    "status",
    "error",
    "latency",
    "malformed",
    "truncated",
    "reset",  # the connection is dropped before the request is processed
    "processed_reset",  # the request is processed (a sale is made), then the connection dropped
)


@dataclass
class Fault:
    """A misbehaviour to inject into matching requests.

    ``endpoint`` is a glob over the normalised path (``artist/*``, ``clip/*``, ``*``);
    ``times`` limits it to the next N matching calls (None: until cleared);
    ``probability`` applies it to a seeded random share of calls.
    """

    id: int
    kind: str
    endpoint: str = "*"
    method: str = "*"
    status: int = 500
    code: int | None = None
    message: str | None = None
    latency_ms: int = 0
    times: int | None = None
    probability: float | None = None
    seed: int = 0
    hits: int = 0
    _random: random.Random | None = field(default=None, repr=False, compare=False)

    def matches(self, method: str, endpoint: str) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        return fnmatch.fnmatch(endpoint, self.endpoint.lower().strip("/"))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_random")
        return data


class SandboxState:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_SIZE)
        self.faults: list[Fault] = []
        self.nonces: dict[tuple[str, str, str], float] = {}
        self.counters: dict[tuple[str, str], int] = {}
        self._fault_ids = 0
        self._journal_ids = 0
        self.frozen_now: datetime | None = None
        # Play-log requests admitted in the last second, per consumer key (as timestamps
        # of the sandbox's clock), and a limit set through the control API (None: the
        # SANDBOX_LOG_RATE_LIMIT setting).
        self.log_windows: dict[str, deque[float]] = {}
        self.log_rate_limit: int | None = None

    # -- the clock -------------------------------------------------------------

    def now(self) -> datetime:
        """The sandbox's time: the real one, unless a test set it (control API)."""
        with self.lock:
            return self.frozen_now or datetime.now(UTC)

    def set_now(self, moment: datetime | None) -> None:
        """Stop the clock at ``moment`` (aware), or let it run again with None."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("the sandbox's clock needs an aware datetime")
        with self.lock:
            self.frozen_now = moment.astimezone(UTC) if moment else None

    # -- reset -----------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.journal.clear()
            self.faults.clear()
            self.nonces.clear()
            self.counters.clear()
            self.frozen_now = None
            self.log_windows.clear()
            self.log_rate_limit = None

    # -- journal ---------------------------------------------------------------

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._journal_ids += 1
            entry = {"id": self._journal_ids, "at": datetime.now(UTC).isoformat(), **entry}
            self.journal.append(entry)
            return entry

    def entries(
        self, *, endpoint: str | None = None, method: str | None = None, since: int = 0
    ) -> list[dict[str, Any]]:
        with self.lock:
            items = list(self.journal)
        return [
            e
            for e in items
            if e["id"] > since
            and (endpoint is None or fnmatch.fnmatch(e["endpoint"], endpoint.lower()))
            and (method is None or e["method"] == method.upper())
        ]

    # -- faults ----------------------------------------------------------------

    def add_fault(self, **options: Any) -> Fault:
        kind = options.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        with self.lock:
            self._fault_ids += 1
            fault = Fault(id=self._fault_ids, **options)
            if fault.probability is not None:
                fault._random = random.Random(fault.seed)  # noqa: S311 - reproducible, not secret
            self.faults.append(fault)
            return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, method: str, endpoint: str) -> Fault | None:
        """The first fault that applies to this call, counting it as used."""
        with self.lock:
            for fault in list(self.faults):
                if not fault.matches(method, endpoint):
                    continue
                if fault._random is not None and fault._random.random() >= fault.probability:
                    continue
                fault.hits += 1
                if fault.times is not None and fault.hits >= fault.times:
                    self.faults.remove(fault)
                return fault
        return None

    # -- OAuth nonces ----------------------------------------------------------

    def use_nonce(self, key: str, timestamp: str, nonce: str, window: int) -> bool:
        """False if this nonce was already used with this key and timestamp."""
        now = time.time()
        with self.lock:
            if len(self.nonces) > 10_000:
                for stale in [k for k, exp in self.nonces.items() if exp < now]:
                    del self.nonces[stale]
            token = (key, timestamp, nonce)
            if token in self.nonces and self.nonces[token] >= now:
                return False
            self.nonces[token] = now + 2 * window
            return True

    # -- rate limits -----------------------------------------------------------

    def count_request(self, key: str) -> tuple[int, int]:
        """Count a request for ``key`` today; return (count, seconds until reset)."""
        now = datetime.now(UTC)
        day = now.strftime("%Y-%m-%d")
        with self.lock:
            self.counters[(key, day)] = current = self.counters.get((key, day), 0) + 1
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp() + 86400
        return current, int(midnight - now.timestamp())

    def admit_log_request(self, key: str, limit: int) -> bool:
        """Whether one more play-log request from ``key`` fits in the sliding one-second
        window of at most ``limit`` requests (0: no limit). Only admitted requests count:
        a client that waits a second is served again, however often it was refused."""
        if limit <= 0:
            return True
        moment = self.now().timestamp()
        with self.lock:
            window = self.log_windows.setdefault(key, deque())
            while window and window[0] <= moment - 1.0:
                window.popleft()
            if len(window) >= limit:
                return False
            window.append(moment)
            return True


state = SandboxState()
