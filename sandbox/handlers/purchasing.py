"""Purchasing and refunds (reference lines 6475-6545)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .. import exceptions
from ..catalogue import get_release
from ..context import ID_MAX, Call
from ..models import PREMIUM_PACKAGE, STANDARD_PACKAGE, Purchase, Track
from ..routing import endpoint
from ..serializer import iso
from ..state import state
from .users import partner_user

# No sign, no commas, at most two decimals, and less than the 100,000,000 a price can hold.
PRICE = re.compile(r"^\d{1,8}(\.\d{1,2})?$")
TRANSACTION_ID_LIMIT = 255
US_POST_CODE = re.compile(r"^\d{5}(-\d{4})?$")
# Refunds of a month's sales are taken until this day of the next month (line 6503:
# "In January the reporting period is 1st January to 4th February").
LAST_REFUND_DAY = 4


def _retail_price(call: Call) -> Decimal | None:
    raw = call.params.get("retailPrice")
    if raw is None:
        return None
    if not PRICE.match(raw):
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter retailPrice: {raw} (a price such as 7.99, not "
            "negative, at most two decimal places, no commas)"
        )
    try:
        return Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter retailPrice: {raw}"
        ) from exc


def _post_code(call: Call, country: str) -> str:
    raw = call.params.get("postCode")
    if raw is None or country != "US":
        return ""  # "currently only valid when country is US"
    if not US_POST_CODE.match(raw):
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter postCode: {raw} (12345 or 12345-6789)"
        )
    return raw


@endpoint("GET", "user/deliveritem", auth="user")
def deliver_item(call: Call) -> dict:
    user = partner_user(call)
    country = call.country
    release_id = call.params.integer("releaseId", required=True)
    track_id = call.params.integer("trackId")
    package_id = call.params.integer("packageId", default=STANDARD_PACKAGE)
    transaction_id = call.params.required("transactionId")
    if len(transaction_id) > TRANSACTION_ID_LIMIT:
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter transactionId: longer than {TRANSACTION_ID_LIMIT} "
            "characters"
        )
    retail_price = _retail_price(call)
    post_code = _post_code(call, country)
    release = get_release(call, release_id)  # 2001 unless sold in this country
    if package_id not in (STANDARD_PACKAGE, PREMIUM_PACKAGE) or (
        package_id == PREMIUM_PACKAGE and not release.has_premium
    ):
        raise exceptions.InvalidParameter(
            f"Invalid value for parameter packageId: {package_id} is not offered for this item"
        )
    track = None
    if track_id is not None:
        track = Track.objects.filter(id=track_id, release=release).first()
        if track is None:
            raise exceptions.NotFound(f"Track {track_id} is not on release {release_id}")
    purchase = Purchase.objects.create(
        user=user,
        transaction_id=transaction_id,
        country=country,
        release=release,
        track=track,
        package_id=package_id,
        retail_price=retail_price,
        currency=call.currency,
        post_code=post_code,
        purchased_at=state.now(),
    )
    return {"purchase": {"@id": purchase.id, "purchaseDate": iso(purchase.purchased_at)}}


def _refund_period_open(purchased_at: datetime, now: datetime) -> bool:
    """Whether a sale may still leave the sales report: its month, until the 4th after."""
    sold = purchased_at.astimezone(UTC)
    now = now.astimezone(UTC)
    months_after = (now.year - sold.year) * 12 + (now.month - sold.month)
    return months_after == 0 or (months_after == 1 and now.day <= LAST_REFUND_DAY)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= ID_MAX


def _refund(call: Call, kind: str) -> dict:
    user = partner_user(call)
    purchase_id = call.captured["purchaseId"]
    item_id = call.captured["itemId"]
    label = "releaseId" if kind == "release" else "trackId"
    not_found = exceptions.NotFound(
        f"Cannot find sale with purchaseId {purchase_id} and {label} {item_id}"
    )
    # ASCII digits of an id that can exist: "²".isdigit() is true, and int() of
    # thousands of digits raises.
    if not (_is_id(purchase_id) and _is_id(item_id)):
        raise not_found
    sales = Purchase.objects.filter(id=int(purchase_id), user=user, refunded_at__isnull=True)
    if kind == "release":
        sales = sales.filter(release_id=int(item_id), track__isnull=True)
    else:
        sales = sales.filter(track_id=int(item_id))
    sale = sales.first()
    if sale is None:
        raise not_found
    now = state.now()
    if not _refund_period_open(sale.purchased_at, now):
        raise exceptions.NotAvailable(
            f"Cannot exclude sale with purchaseId {purchase_id} and {label} {item_id}"
        )
    sale.refunded_at = now
    sale.save(update_fields=["refunded_at"])
    return {kind: {"purchaseId": str(sale.id), label: item_id}}


@endpoint("GET", "user/purchase/{purchaseId}/release/{itemId}", auth="user")
def refund_release(call: Call) -> dict:
    return _refund(call, "release")


@endpoint("GET", "user/purchase/{purchaseId}/track/{itemId}", auth="user")
def refund_track(call: Call) -> dict:
    return _refund(call, "track")
