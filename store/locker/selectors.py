"""The customer's locker, read live from 7digital (downloads left change with every
download, so it is never cached)."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.sevendigital import get_uncached_client, is_transient
from sevendigital import errors
from sevendigital.models import Locker, LockerRelease, LockerTrack

PAGE_SIZE = 10
SORTS = {
    "title": ("releaseTitle asc", "Title"),
    "artist": ("artistName asc", "Artist"),
    "newest": ("purchaseDate desc", "Newest first"),
    "oldest": ("purchaseDate asc", "Oldest first"),
}
DEFAULT_SORT = "newest"


class LockerUnavailable(Exception):
    """7digital could not be asked just now."""


@dataclass(frozen=True)
class PurchaseDownload:
    """A purchase whose tracks on this release can be fetched as one ZIP."""

    purchase_id: int
    complete: bool


def locker_get(*, partner_user_id: str, country: str, sort: str, page: int) -> Locker:
    try:
        return get_uncached_client().locker.get(
            partner_user_id,
            sort=SORTS.get(sort, SORTS[DEFAULT_SORT])[0],
            page=page,
            page_size=PAGE_SIZE,
            country=country,
        )
    except errors.ParameterOutOfRange:
        if page == 1:
            raise LockerUnavailable("7digital refused the first page") from None
        return locker_get(partner_user_id=partner_user_id, country=country, sort=sort, page=1)
    except errors.SevenDigitalError as exc:
        if is_transient(exc):
            raise LockerUnavailable(str(exc)) from exc
        raise


def purchases_of(entry: LockerRelease) -> list[PurchaseDownload]:
    """The distinct purchases behind a release's tracks, oldest id first."""
    seen: dict[int, bool] = {}
    for bought in entry.tracks:
        if bought.purchase_id:
            seen[bought.purchase_id] = bool(bought.complete_album_purchase)
    return [PurchaseDownload(pid, complete) for pid, complete in sorted(seen.items())]


def downloads_note(bought: LockerTrack) -> str:
    """What to tell the customer about downloads left: the reference advises a warning
    when one is left and an explanation when none are, not the raw count."""
    if bought.remaining_downloads == 0:
        return "none"
    if bought.remaining_downloads == 1:
        return "last"
    return ""
