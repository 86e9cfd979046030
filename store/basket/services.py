"""Writes to baskets: add, remove, merge on sign-in, re-price.

Prices come from 7digital for the customer's country. A line keeps the price it was
added at so the basket can show it; :func:`basket_prices_refresh` checks every line
again (at checkout with an uncached client) and says what changed, so a customer is
never charged a price they were not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from integrations.sevendigital import get_uncached_client
from sevendigital import errors
from sevendigital.models import Release, Track
from store.catalogue import selectors

from .models import STANDARD_PACKAGE, Basket, BasketLine, item_key


class BasketItemUnavailable(Exception):
    """The item cannot be bought: unknown, not on sale in the country, or not in that package."""


class BasketUnavailable(Exception):
    """7digital could not be asked about prices just now."""


@dataclass(frozen=True)
class Offer:
    release_id: int
    track_id: int | None
    package_id: int
    package_name: str
    title: str
    artist_name: str
    price: Decimal
    currency: str


@dataclass(frozen=True)
class PriceChange:
    title: str
    old: Decimal | None  # None: the line was removed
    new: Decimal | None
    currency: str
    reason: str = ""


def _offer(item: Release | Track, *, track_id: int | None, package_id: int) -> Offer:
    download = item.download
    package = download.package(package_id) if download else None
    kind = "track" if track_id is not None else "release"
    if download is None or not download.packages:
        raise BasketItemUnavailable(f"This {kind} is not on sale as a download in your country.")
    if package is None:
        raise BasketItemUnavailable(f"This {kind} is not sold in that package.")
    if package.price is None or not package.price.sold_separately:
        raise BasketItemUnavailable(
            "This track is sold only with its release."
            if track_id is not None
            else "This release is sold only as separate tracks."
        )
    if not download.is_released():
        raise BasketItemUnavailable(f"This {kind} is not released yet.")
    if track_id is not None:
        release_id = item.release.id if item.release else 0
        if not release_id:
            raise BasketItemUnavailable("This track cannot be bought on its own.")
    else:
        release_id = item.id
    return Offer(
        release_id=release_id,
        track_id=track_id,
        package_id=package.id,
        package_name=package.description,
        title=item.title + (f" ({item.version})" if item.version else ""),
        artist_name=(item.artist.appears_as or item.artist.name) if item.artist else "",
        price=package.price.amount,
        currency=package.price.currency,
    )


def offer_get(
    *, release_id: int | None, track_id: int | None, package_id: int, country: str
) -> Offer:
    """What 7digital sells this item for in ``country`` (through the catalogue's cache)."""
    try:
        if track_id is not None:
            item = selectors.track_get(track_id=track_id, country=country)
        else:
            item = selectors.release_get(release_id=release_id, country=country)
    except selectors.CatalogueNotFound as exc:
        raise BasketItemUnavailable("This item is not available in your country.") from exc
    except selectors.CatalogueUnavailable as exc:
        raise BasketUnavailable from exc
    return _offer(item, track_id=track_id, package_id=package_id)


@transaction.atomic
def basket_item_add(
    *,
    basket: Basket,
    release_id: int | None = None,
    track_id: int | None = None,
    package_id: int = STANDARD_PACKAGE,
    country: str,
) -> BasketLine:
    """Put a release or a track in the basket; the other package of it is replaced."""
    if not basket.is_open:
        raise BasketItemUnavailable("This basket is being paid for and cannot change.")
    offer = offer_get(
        release_id=release_id, track_id=track_id, package_id=package_id, country=country
    )
    line, _ = BasketLine.objects.update_or_create(
        basket=basket,
        item_key=item_key(release_id=offer.release_id, track_id=offer.track_id),
        defaults={
            "release_id": offer.release_id,
            "track_id": offer.track_id,
            "package_id": offer.package_id,
            "package_name": offer.package_name,
            "title": offer.title,
            "artist_name": offer.artist_name,
            "price": offer.price,
            "currency": offer.currency,
        },
    )
    basket.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def basket_line_remove(*, basket: Basket, line_id: int) -> bool:
    """Remove a line of this basket (a line of another basket is not found)."""
    if not basket.is_open:
        return False
    deleted, _ = BasketLine.objects.filter(basket=basket, pk=line_id).delete()
    return bool(deleted)


@transaction.atomic
def basket_merge(*, source_id: int, user) -> Basket | None:
    """Move an anonymous basket's lines into ``user``'s open basket (on sign-in).

    A line for an item the customer already has keeps the customer's line: what they
    chose while signed in wins over what they chose before.
    """
    source = (
        Basket.objects.select_for_update()
        .filter(pk=source_id, owner__isnull=True, status=Basket.Status.OPEN)
        .first()
    )
    if source is None:
        return None
    target = basket_for_user(user=user)
    basket_lines_move(source=source, target=target)
    return target


def basket_lines_move(*, source: Basket, target: Basket) -> None:
    """Move ``source``'s lines into ``target`` (keeping ``target``'s line for an item in
    both) and mark ``source`` merged. The caller holds the transaction."""
    existing = set(target.lines.values_list("item_key", flat=True))
    source.lines.exclude(item_key__in=existing).update(basket=target)
    source.status = Basket.Status.MERGED
    source.save(update_fields=["status", "updated_at"])


def basket_for_user(*, user) -> Basket:
    basket, _ = Basket.objects.get_or_create(owner=user, status=Basket.Status.OPEN)
    return basket


def _fresh_items(lines: list[BasketLine], country: str) -> dict[str, Release | Track]:
    """The basket's releases and tracks, asked of 7digital now: no cached copy."""
    client = get_uncached_client()
    release_ids = [line.release_id for line in lines if line.track_id is None]
    track_ids = [line.track_id for line in lines if line.track_id is not None]
    found: dict[str, Release | Track] = {}
    try:
        if release_ids:
            for release in client.releases.details_batch(release_ids, country=country):
                found[f"release:{release.id}"] = release
        if track_ids:
            for track in client.tracks.details_batch(track_ids, country=country):
                found[f"track:{track.id}"] = track
    except errors.SevenDigitalError as exc:
        raise BasketUnavailable from exc
    return found


def basket_prices_refresh(*, basket: Basket, country: str) -> list[PriceChange]:
    """Price every line again for ``country``; lines no longer on sale are removed.

    Returns what changed, for the customer to see before paying anything.
    """
    lines = list(basket.lines.all())
    if not lines:
        return []
    items = _fresh_items(lines, country)
    changes: list[PriceChange] = []
    with transaction.atomic():
        for line in lines:
            item = items.get(line.item_key)
            try:
                if item is None:
                    raise BasketItemUnavailable("It is not available in your country.")
                offer = _offer(item, track_id=line.track_id, package_id=line.package_id)
            except BasketItemUnavailable as exc:
                line.delete()
                changes.append(PriceChange(line.title, line.price, None, line.currency, str(exc)))
                continue
            if (offer.price, offer.currency) != (line.price, line.currency):
                changes.append(PriceChange(line.title, line.price, offer.price, offer.currency))
                line.price, line.currency = offer.price, offer.currency
                line.save(update_fields=["price", "currency"])
    return changes
