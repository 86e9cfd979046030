"""What a handler receives: parameters (case-insensitive), country, user, paging."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from . import exceptions
from .models import CURRENCIES

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
ID_MAX = 2**63 - 1  # 7digital's ids are 64-bit; a larger number is an invalid value
SHOP_COUNTRIES = {34: "GB", 1064: "GB"}


class Params:
    """Query and form parameters, looked up without regard to case."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        for key, value in pairs:
            self._values.setdefault(key.lower(), value)

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._values

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._values.get(name.lower())
        if value and "\x00" in value:
            # No 7digital value holds a NUL byte, and PostgreSQL refuses one in any text.
            raise exceptions.InvalidParameter(f"Invalid value for parameter {name}")
        return default if value in (None, "") else value

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise exceptions.MissingParameter(f"Required parameter {name} is missing")
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        default: int | None = None,
        minimum: int | None = None,
    ) -> int | None:
        raw = self.required(name) if required else self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise exceptions.InvalidParameter(f"Invalid value for parameter {name}: {raw}") from exc
        if (minimum is not None and value < minimum) or abs(value) > ID_MAX:
            raise exceptions.InvalidParameter(f"Invalid value for parameter {name}: {raw}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.get(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise exceptions.InvalidParameter(f"Invalid value for parameter {name}: {raw}")

    def ids(self, name: str, *, limit: int) -> list[int]:
        raw = self.required(name)
        invalid = exceptions.InvalidParameter(
            f"Invalid value for parameter {name}: you must supply a comma-separated list of ids"
        )
        try:
            values = [int(v) for v in raw.split(",") if v.strip()]
        except ValueError as exc:
            raise invalid from exc
        if any(abs(value) > ID_MAX for value in values):  # no id is that large
            raise invalid
        if not values:
            raise exceptions.MissingParameter(f"Required parameter {name} is missing")
        if len(values) > limit:
            raise exceptions.OutOfRange(f"Too many ids in {name}: the maximum is {limit}")
        return values

    def as_dict(self) -> dict[str, str]:
        return dict(self._values)


@dataclass
class Call:
    """One API call as a handler sees it."""

    request: HttpRequest
    params: Params
    consumer_key: str
    captured: dict[str, str] = field(default_factory=dict)
    user_id: str | None = None
    json: bool = False
    signed: bool = True  # whether the request carried a valid OAuth signature

    @property
    def country(self) -> str:
        country = self.params.get("country")
        shop = self.params.integer("shopId")
        if country is None and shop is not None:
            country = SHOP_COUNTRIES.get(shop, "GB")
        if country is None:
            raise exceptions.MissingParameter("Required parameter country is missing")
        country = country.upper()
        if country not in CURRENCIES:
            raise exceptions.InvalidParameter(f"Invalid value for parameter country: {country}")
        return country

    @property
    def currency(self) -> str:
        return CURRENCIES[self.country]

    def paging(self, *, maximum: int = MAX_PAGE_SIZE) -> tuple[int, int]:
        """(page, page size): a larger ``pageSize`` than ``maximum`` is reduced to it."""
        page = self.params.integer("page", default=1, minimum=1)
        size = self.params.integer("pageSize", default=DEFAULT_PAGE_SIZE, minimum=1)
        return page, min(size, maximum)

    def page(
        self, total: int, items_for: Any, *, maximum: int = MAX_PAGE_SIZE
    ) -> tuple[int, int, list[Any]]:
        """(page, page size, items) for a list of ``total`` items; 1003 past the end."""
        page, size = self.paging(maximum=maximum)
        if page > 1 and (page - 1) * size >= total:
            raise exceptions.OutOfRange("Requested page out of range")
        start = (page - 1) * size
        return page, size, list(items_for(start, start + size))
