"""What every model shares: coercion of the reference's loosely typed values, and paging.

The readers are tolerant of the reference's mixed types (numbers given as strings,
``#text`` wrappers) and strict about meaning: a value that does not parse reads as
None, never as a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("#text", value.get("text"))
        if value is None:
            return None
    return str(value).strip()


def _int(value: Any) -> int | None:
    value = _text(value)
    if value in (None, ""):
        return None
    try:
        return int(Decimal(value))
    except (InvalidOperation, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Only reachable for data built by hand: the parser never makes floats.
        return Decimal(str(value))
    value = _text(value)
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    value = _text(value)
    if value in (None, ""):
        return None
    return value.lower() in ("true", "1", "yes")


def _datetime(value: Any) -> datetime | None:
    value = _text(value)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _first(data: dict[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present (and not None) in ``data``."""
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return None


def as_list(value: Any) -> list[Any]:
    """A value that may be missing, single, or a list, as a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def items_of(container: Any, *keys: str) -> list[Any]:
    """The list of items inside a wrapper, under any of the spellings in ``keys``.

    ``<releases><release/>...</releases>`` reads as ``{"release": [...]}`` while the
    JSON examples spell the same list ``"releases": [...]`` or ``"release": [...]``.
    """
    if isinstance(container, list):
        return container
    if not isinstance(container, dict):
        return []
    for key in keys:
        if key in container:
            return [item for item in as_list(container[key]) if item not in (None, "...")]
    return []


def section(data: Any, key: str) -> dict[str, Any]:
    """The wrapper ``key`` of a response, or the response itself when it is unwrapped.

    Most list responses wrap their paging in an element (``<tracks><page/>...``), but
    some JSON examples put ``page``/``pageSize``/``tracks`` at the top level.
    """
    data = _obj(data)
    value = data.get(key)
    return value if isinstance(value, dict) else data


def _obj(data: Any) -> dict[str, Any]:
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list response (``page``, ``pageSize``, ``totalItems``)."""

    items: tuple[T, ...]
    page: int = 1
    page_size: int = 10
    total_items: int = 0

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> T:
        return self.items[index]

    @property
    def total_pages(self) -> int:
        if self.page_size <= 0:
            return 0
        return max(1, -(-self.total_items // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @classmethod
    def from_data(cls, data: Any, item_keys: Sequence[str], reader: Callable[[Any], T]) -> Page[T]:
        data = _obj(data) if not isinstance(data, list) else {"items": data}
        raw = items_of(data, *item_keys, "items")
        items = tuple(reader(item) for item in raw)
        page_size = _int(_first(data, "pageSize", "itemsPerPage"))
        total = _int(data.get("totalItems"))
        return cls(
            items=items,
            page=_int(data.get("page")) or 1,
            page_size=page_size if page_size is not None else len(items),
            total_items=total if total is not None else len(items),
        )
