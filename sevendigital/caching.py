"""The client's cache of answers, which follows the API's ``Cache-Control``.

Reference lines 63-78: cacheable methods answer "Cache-Control: private,
max-age=432000", the others "no-cache, no-store".
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

if TYPE_CHECKING:
    from .transport import UserAuth


class Cache(Protocol):
    """The subset of Django's cache API the client uses; Django's cache plugs in as is."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> None: ...


class MemoryCache:
    """A small in-process cache honouring timeouts (for scripts and tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[float, Any]] = {}
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return default
        expires, value = entry
        if expires <= self._clock():
            del self._data[key]
            return default
        return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._data[key] = (self._clock() + (timeout or 0), value)

    def clear(self) -> None:
        self._data.clear()


def cache_max_age(cache_control: str | None) -> int | None:
    """Seconds a response may be cached for, or None when it must not be."""
    if not cache_control:
        return None
    directives = {}
    for part in cache_control.lower().split(","):
        name, _, value = part.strip().partition("=")
        directives[name] = value.strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    try:
        age = int(directives.get("max-age", ""))
    except ValueError:
        return None
    return age if age > 0 else None


@dataclass
class Freshness:
    """How long the answers read inside :meth:`Requestor.freshness` may be reused.

    ``seconds`` is the shortest ``Cache-Control: max-age`` among the answers 7digital
    sent (0 when one may not be cached at all), or None when nothing was sent or some
    answer came from the client's cache, whose remaining lifetime is not known.
    """

    max_age: int | None = None  # the shortest of the answers sent; None before any
    from_cache: bool = False

    def note_sent(self, max_age: int | None) -> None:
        age = max_age or 0
        self.max_age = age if self.max_age is None else min(self.max_age, age)

    @property
    def seconds(self) -> int | None:
        return None if self.from_cache else self.max_age


def cache_key(
    response_format: str, url: str, values: Mapping[str, str], user: UserAuth | None
) -> str:
    """The key of a GET's answer: its format, URL and parameters, and who asked."""
    values = dict(values)
    if user:
        values["@user"] = f"{user.user_id or ''}|{user.token or ''}"
    query = urlencode(sorted(values.items()))
    raw = f"{response_format} {url.lower()}?{query}"
    return "7d:" + hashlib.sha256(raw.encode()).hexdigest()
