"""Moving a track within a playlist, for the studio and the customer's library alike:
where the request says to put it, and which item it then follows (7digital's ``move``
takes the item to follow, ``pos``, reference line 5656)."""

from __future__ import annotations

from collections.abc import Mapping

POSITION_MAX = 10_000  # past any playlist 7digital keeps: a position beyond is the bottom


def destination(data: Mapping[str, str]) -> int | str | None:
    """``"up"``, ``"down"``, or the 0-based place a typed ``position`` (1 is the top)
    asks for; None when the request says nothing usable."""
    direction = data.get("direction")
    if direction in ("up", "down"):
        return direction
    try:
        position = int(data.get("position", ""))
    except ValueError:
        return None
    return position - 1 if 1 <= position <= POSITION_MAX else None


def after(order: list[str], item_id: str, to: int | str) -> tuple[bool, str | None]:
    """Whether moving ``item_id`` to ``to`` in ``order`` changes anything, and the item
    it then follows (None: it goes first). ``KeyError`` if the item is not in ``order``."""
    if item_id not in order:
        raise KeyError(item_id)
    at = order.index(item_id)
    if to == "up":
        to = at - 1
    elif to == "down":
        to = at + 1
    to = min(max(int(to), 0), len(order) - 1)
    if to == at:
        return False, None
    rest = [item for item in order if item != item_id]
    return True, rest[to - 1] if to > 0 else None
