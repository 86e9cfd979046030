"""Partner users, the sales reported for them and their refunds (reference lines 6447-6545)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from .. import exceptions
from ..context import ID_MAX
from ..models import PREMIUM_PACKAGE, STANDARD_PACKAGE, PartnerUser, Purchase, Track
from ..state import state
from .catalogue import catalogue_backend

# Refunds of a month's sales are taken until this day of the next month (line 6503:
# "In January the reporting period is 1st January to 4th February").
LAST_REFUND_DAY = 4


def refund_period_open(purchased_at: datetime, now: datetime) -> bool:
    """Whether a sale may still leave the sales report: its month, until the 4th after."""
    sold = purchased_at.astimezone(UTC)
    now = now.astimezone(UTC)
    months_after = (now.year - sold.year) * 12 + (now.month - sold.month)
    return months_after == 0 or (months_after == 1 and now.day <= LAST_REFUND_DAY)


def _is_id(text: str) -> bool:
    # ASCII digits of an id that can exist: "²".isdigit() is true, and int() of
    # thousands of digits raises.
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= ID_MAX


class UsersBackend:
    # -- partner users ---------------------------------------------------------------

    def partner_user(self, *, consumer_key: str, user_id: str | None) -> PartnerUser:
        """The partner user a call acts for; 2001 if it was never created."""
        try:
            return PartnerUser.objects.get(consumer_key=consumer_key, user_id=user_id)
        except PartnerUser.DoesNotExist as exc:
            raise exceptions.NotFound("User not found") from exc

    def create_user(
        self, *, consumer_key: str, user_id: str, email: str, country: str
    ) -> PartnerUser:
        try:
            with transaction.atomic(using="sandbox"):
                return PartnerUser.objects.create(
                    consumer_key=consumer_key, user_id=user_id, email=email, country=country
                )
        except IntegrityError as exc:
            raise exceptions.AlreadyExists("User already exists") from exc

    # -- sales and refunds -----------------------------------------------------------

    def deliver_item(
        self,
        *,
        user: PartnerUser,
        country: str,
        currency: str,
        release_id: int,
        track_id: int | None,
        package_id: int,
        transaction_id: str,
        retail_price: Decimal | None,
        post_code: str,
    ) -> Purchase:
        """Record a sale. 7digital logs ``transactionId`` without refusing repeats."""
        release = catalogue_backend.release(release_id=release_id, country=country)
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
        return Purchase.objects.create(
            user=user,
            transaction_id=transaction_id,
            country=country,
            release=release,
            track=track,
            package_id=package_id,
            retail_price=retail_price,
            currency=currency,
            post_code=post_code,
            purchased_at=state.now(),
        )

    def refund(self, *, user: PartnerUser, kind: str, purchase_id: str, item_id: str) -> Purchase:
        """Take a ``kind`` ("release" or "track") sale out of the sales report, while its
        reporting period is open; ids as the path gave them."""
        label = "releaseId" if kind == "release" else "trackId"
        not_found = exceptions.NotFound(
            f"Cannot find sale with purchaseId {purchase_id} and {label} {item_id}"
        )
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
        if not refund_period_open(sale.purchased_at, now):
            raise exceptions.NotAvailable(
                f"Cannot exclude sale with purchaseId {purchase_id} and {label} {item_id}"
            )
        sale.refunded_at = now
        sale.save(update_fields=["refunded_at"])
        return sale

    # -- control ---------------------------------------------------------------------

    def count(self) -> int:
        return PartnerUser.objects.count()

    def reset(self) -> None:
        """Forget every partner user, and with them their sales and downloads."""
        PartnerUser.objects.all().delete()

    def users(self, *, consumer_key: str | None = None) -> QuerySet[PartnerUser]:
        """The partner users created so far, oldest first."""
        found = PartnerUser.objects.order_by("created_at", "pk")
        if consumer_key:
            found = found.filter(consumer_key=consumer_key)
        return found

    def sales(self, *, user_id: str | None = None) -> tuple[QuerySet[Purchase], int]:
        """The sales reported, oldest first, and how many ``transactionId`` values were
        sold more than once (7digital takes a repeat as another sale)."""
        found = Purchase.objects.select_related("user").order_by("pk")
        if user_id:
            found = found.filter(user__user_id=user_id)
        repeated = (
            found.order_by()
            .values("user__consumer_key", "transaction_id")
            .annotate(times=Count("id"))
            .filter(times__gt=1)
            .count()
        )
        return found, repeated


users_backend = UsersBackend()
