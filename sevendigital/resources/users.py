"""Partner users, purchasing, refunds, the locker and subscriptions.

All of these act for one user: pass a :class:`~sevendigital.transport.UserAuth`
(a partner ``user_id`` for 2-legged OAuth, or a 3-legged access token).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from ..errors import InvalidResponse
from ..models import (
    Locker,
    OfflineClient,
    OfflineStatus,
    Purchase,
    Refund,
    Subscription,
    User,
    items_of,
    section,
)
from ..transport import UserAuth
from ._base import Resource
from .subscription_rules import check_update

LOCKER_SORTS = {
    f"{column} {order}"
    for column in ("releaseTitle", "purchaseDate", "artistName")
    for order in ("asc", "desc")
}


def _user(user: UserAuth | str) -> UserAuth:
    return user if isinstance(user, UserAuth) else UserAuth(user_id=str(user))


class Users(Resource):
    def create(self, user_id: str, *, country: str | None = None) -> User:
        """``user/create`` (reference line 6453). 2003 means the user exists already."""
        if not user_id or len(user_id) > 255:
            raise ValueError("a partner user id is 1 to 255 characters")
        data = self._get(
            "1.2/user/create", user=UserAuth(user_id=user_id), country=country, cache=False
        )
        return self._one(data, "user", User.from_data)

    def details(self, user: UserAuth | str, *, country: str | None = None) -> User:
        """``user/details``: the user object described at reference line 409."""
        data = self._get("1.2/user/details", user=_user(user), country=country, cache=False)
        return self._one(data, "user", User.from_data)


class Purchasing(Resource):
    def deliver_item(
        self,
        user: UserAuth | str,
        *,
        release_id: int,
        transaction_id: str,
        track_id: int | None = None,
        package_id: int | None = None,
        retail_price: Decimal | None = None,
        post_code: str | None = None,
        email_address: str | None = None,
        country: str | None = None,
    ) -> Purchase:
        """Report a sale and put the item in the user's locker (reference line 6475).

        Never retried here: if the outcome is unknown (timeout, dropped connection)
        the caller must look in the locker before trying again, or the customer
        could be sold the item twice.
        """
        if retail_price is not None:
            if not isinstance(retail_price, Decimal):
                raise TypeError("retail_price must be a Decimal")
            if retail_price < 0 or retail_price.as_tuple().exponent < -2:
                raise ValueError("retail_price must be >= 0 with at most 2 decimal places")
        data = self._requestor.request(
            "GET",
            "api",
            "1.2/user/deliveritem",
            params={
                "releaseId": release_id,
                "trackId": track_id,
                "packageId": package_id,
                "transactionId": transaction_id,
                "retailPrice": f"{retail_price:.2f}" if retail_price is not None else None,
                "postCode": post_code,
                "emailAddress": email_address,
            },
            user=_user(user),
            country=country,
            idempotent=False,
            cache=False,
        )
        purchase = self._one(data, "purchase", Purchase.from_data)
        if not purchase.id:
            raise InvalidResponse("7digital confirmed the sale without a purchase id")
        return purchase


class Refunds(Resource):
    """Remove a refunded sale from the sales report (reference lines 6493 and 6519)."""

    def release(self, user: UserAuth | str, *, purchase_id: int, release_id: int) -> Refund:
        return self._refund(
            user, f"1.2/user/purchase/{purchase_id}/release/{release_id}", "release"
        )

    def track(self, user: UserAuth | str, *, purchase_id: int, track_id: int) -> Refund:
        return self._refund(user, f"1.2/user/purchase/{purchase_id}/track/{track_id}", "track")

    def _refund(self, user: UserAuth | str, path: str, kind: str) -> Refund:
        data = self._requestor.request(
            "GET", "api", path, user=_user(user), idempotent=False, cache=False
        )
        return Refund.from_data(section(data, kind))


class Lockers(Resource):
    def get(
        self,
        user: UserAuth | str,
        *,
        release_id: int | None = None,
        track_id: int | None = None,
        purchase_id: int | None = None,
        sort: str | None = None,
        page: int | None = None,
        page_size: int | None = None,
        country: str | None = None,
    ) -> Locker:
        """``user/locker`` (reference line 5068): purchases with download URLs."""
        if sort is not None and sort not in LOCKER_SORTS:
            raise ValueError(f"sort must be one of {sorted(LOCKER_SORTS)}")
        data = self._get(
            "1.2/user/locker",
            {
                "releaseId": release_id,
                "trackId": track_id,
                "purchaseId": purchase_id,
                "sort": sort,
                "page": page,
                "pageSize": page_size,
            },
            user=_user(user),
            country=country,
            cache=False,
        )
        return Locker.from_locker_data(section(data, "locker"))


class Subscriptions(Resource):
    """Unlimited streaming subscriptions and offline devices (reference lines 4682-6450)."""

    def get(self, user: UserAuth | str, *, country: str | None = None) -> Subscription:
        data = self._get(
            "1.2/user/unlimitedStreaming", user=_user(user), country=country, cache=False
        )
        return self._one(data, "streaming", Subscription.from_data)

    def update(
        self,
        user: UserAuth | str,
        *,
        plan_code: str,
        status: str,
        currency: str,
        recurring_fee: int,
        activated_at: datetime | str,
        current_period_start_date: datetime | str,
        expiry_date: datetime | str,
        trial_ends_at: datetime | str | None = None,
        postcode: str | None = None,
        country: str | None = None,
        now: datetime | None = None,
    ) -> Subscription:
        """Tell 7digital the subscription's state (reference line 6413).

        The reference's rules (lines 6419-6428) are checked first against ``now``
        (default: the current UTC time), raising ``ValueError`` with the parameter
        and its limit (:mod:`.subscription_rules`). Datetimes must be aware; they are
        sent as ``YYYY-MM-DDTHH:MM:SSZ``. ``recurring_fee`` is in minor units. The
        call sets the whole state, so repeating it is harmless: it is retried.
        """
        params = check_update(
            plan_code=plan_code,
            status=status,
            currency=currency,
            recurring_fee=recurring_fee,
            country=country or self._requestor.country,
            activated_at=activated_at,
            current_period_start_date=current_period_start_date,
            expiry_date=expiry_date,
            trial_ends_at=trial_ends_at,
            now=now if now is not None else datetime.now(UTC),
        )
        data = self._requestor.request(
            "POST",
            "api",
            "1.2/user/unlimitedStreaming",
            params={**params, "postcode": postcode},
            user=_user(user),
            country=params["country"],
            idempotent=True,
        )
        return self._one(data, "streaming", Subscription.from_data)

    def set_offline(
        self,
        user: UserAuth | str,
        *,
        client_id: str,
        enabled: bool,
        country: str | None = None,
    ) -> OfflineStatus:
        user = _user(user)
        body = {
            "clientId": client_id,
            "offlineEnabled": enabled,
            "country": country or self._requestor.country,
        }
        if user.user_id:
            body["userId"] = user.user_id
        data = self._requestor.request(
            "POST",
            "api",
            "1.2/user/unlimitedStreaming/offline",
            user=user,
            json_body=body,
            country=country,
            idempotent=True,
        )
        return self._one(data, "offlineStatus", OfflineStatus.from_data)

    def offline_status(
        self, user: UserAuth | str, *, client_id: str, country: str | None = None
    ) -> OfflineStatus:
        data = self._get(
            "1.2/user/unlimitedStreaming/offline",
            {"clientId": client_id},
            user=_user(user),
            country=country,
            cache=False,
        )
        return self._one(data, "offlineStatus", OfflineStatus.from_data)

    def offline_clients(
        self, user: UserAuth | str, *, country: str | None = None
    ) -> list[OfflineClient]:
        data = self._get("1.2/user/offlineclients", user=_user(user), country=country, cache=False)
        return [
            OfflineClient.from_data(c)
            for c in items_of(data.get("offlineClients"), "offlineClient", "offlineClients")
        ]
