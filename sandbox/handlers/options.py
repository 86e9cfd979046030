"""Request options the catalogue's endpoints share: usage types, image sizes, packages,
release types and search order, each refused with the reference's error code."""

from __future__ import annotations

from .. import exceptions
from ..context import Call
from ..models import Release

USAGE_TYPES = ("download", "subscriptionstreaming", "adsupportedstreaming")
RELEASE_IMAGE_SIZES = (33, 50, 100, 180, 182, 200, 350, 500, 800)
ARTIST_IMAGE_SIZES = (150, 200, 300)
SORTS = {"score": "score", "name": None, "popularity": "popularity"}


def usage_types(call: Call) -> tuple[str, ...]:
    """``usageTypes`` is required where the reference says so; unknown values are 1006."""
    raw = call.params.required("usageTypes")
    values = tuple(v.strip().lower() for v in raw.split(",") if v.strip())
    unknown = [v for v in values if v not in USAGE_TYPES]
    if unknown or not values:
        raise exceptions.InvalidEnumeration(
            f"Invalid value for parameter usageTypes: {raw}. "
            f"Use one or more of {', '.join(USAGE_TYPES)}"
        )
    return values


def image_size(call: Call, allowed: tuple[int, ...], default: int) -> int:
    size = call.params.integer("imageSize")
    if size is None:
        return default
    if size not in allowed:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter imageSize: {size}. "
            f"Available sizes: {', '.join(map(str, allowed))}"
        )
    return size


def package_ids(call: Call) -> set[int] | None:
    raw = call.params.get("packageIds")
    if raw is None:
        return None
    try:
        return {int(v) for v in raw.split(",") if v.strip()}
    except ValueError as exc:
        raise exceptions.InvalidParameter(f"Invalid value for parameter packageIds: {raw}") from exc


def release_types(call: Call) -> list[str] | None:
    raw = call.params.get("type")
    if raw is None:
        return None
    types = [t.strip().capitalize() for t in raw.split(",") if t.strip()]
    allowed = {choice.value for choice in Release.Type}
    if any(t not in allowed for t in types):
        raise exceptions.InvalidEnumeration(
            f"Invalid value for parameter type: {raw}. Use album, single or video"
        )
    return types


def search_order(call: Call, name_field: str) -> list[str]:
    """``sort`` as "{column} {order}": score (default, desc), name or popularity."""
    raw = call.params.get("sort", "score desc").strip()
    column, _, order = raw.partition(" ")
    column = column.lower()
    order = (order or "asc").strip().lower()
    if column not in SORTS or order not in ("asc", "desc"):
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter sort: {raw}. "
            "Sort by score, name or popularity, asc or desc"
        )
    field = SORTS[column] or name_field
    sign = "-" if order == "desc" else ""
    return [f"{sign}{field}", "-popularity", "id"]


def tags(call: Call) -> list[str]:
    raw = call.params.required("tags")
    found = [t.strip().lower() for t in raw.split(",") if t.strip()]
    if not found:
        raise exceptions.MissingParameter("Required parameter tags is missing")
    return found
