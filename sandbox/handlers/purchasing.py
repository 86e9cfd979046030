"""Purchasing and refunds (reference lines 6475-6545)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .. import exceptions
from ..backends.users import users_backend as backend
from ..context import Call
from ..models import STANDARD_PACKAGE
from ..routing import endpoint
from ..serializer import iso
from .users import partner_user

# No sign, no commas, at most two decimals, and less than the 100,000,000 a price can hold.
PRICE = re.compile(r"^\d{1,8}(\.\d{1,2})?$")
TRANSACTION_ID_LIMIT = 255
US_POST_CODE = re.compile(r"^\d{5}(-\d{4})?$")


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
    purchase = backend.deliver_item(
        user=user,
        country=country,
        currency=call.currency,
        release_id=release_id,
        track_id=track_id,
        package_id=package_id,
        transaction_id=transaction_id,
        retail_price=retail_price,
        post_code=post_code,
    )
    return {"purchase": {"@id": purchase.id, "purchaseDate": iso(purchase.purchased_at)}}


def _refund(call: Call, kind: str) -> dict:
    user = partner_user(call)
    purchase_id = call.captured["purchaseId"]
    item_id = call.captured["itemId"]
    sale = backend.refund(user=user, kind=kind, purchase_id=purchase_id, item_id=item_id)
    label = "releaseId" if kind == "release" else "trackId"
    return {kind: {"purchaseId": str(sale.id), label: item_id}}


@endpoint("GET", "user/purchase/{purchaseId}/release/{itemId}", auth="user")
def refund_release(call: Call) -> dict:
    return _refund(call, "release")


@endpoint("GET", "user/purchase/{purchaseId}/track/{itemId}", auth="user")
def refund_track(call: Call) -> dict:
    return _refund(call, "track")
