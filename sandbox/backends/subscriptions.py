"""Subscriptions, as far as play logging needs them: whether a partner user has, or ever
had, one (``user/subscription/log`` refuses users who never did, reference line 4779).
Tests grant them through the control API; the subscription endpoints will build on this."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from ..models import PartnerUser, Subscription
from ..state import state


class SubscriptionsBackend:
    def ever_had(self, *, consumer_key: str, user_id: str) -> bool:
        """Whether the user ever had a subscription, active or not (line 4788)."""
        return Subscription.objects.filter(
            user__consumer_key=consumer_key, user__user_id=user_id
        ).exists()

    def grant(self, *, consumer_key: str, user_id: str, status: str) -> tuple[Subscription, bool]:
        """Give the user (created if new) a subscription in ``status``; (it, created).

        Reactivating a cancelled subscription starts it again; cancelling ends it now.
        """
        now = state.now()
        with transaction.atomic(using="sandbox"):
            user, _ = PartnerUser.objects.get_or_create(consumer_key=consumer_key, user_id=user_id)
            subscription = Subscription.objects.select_for_update().filter(user=user).first()
            if subscription is None:
                ended_at = None if status == Subscription.Status.ACTIVE else now
                return Subscription.objects.create(
                    user=user, status=status, started_at=now, ended_at=ended_at
                ), True
            if subscription.status != status:
                if status == Subscription.Status.ACTIVE:
                    subscription.started_at, subscription.ended_at = now, None
                else:
                    subscription.ended_at = now
                subscription.status = status
                subscription.save(update_fields=["status", "started_at", "ended_at"])
            return subscription, False

    def subscriptions(self, *, consumer_key: str | None = None) -> QuerySet[Subscription]:
        """Every subscription, oldest first."""
        found = Subscription.objects.select_related("user").order_by("started_at", "pk")
        if consumer_key:
            found = found.filter(user__consumer_key=consumer_key)
        return found

    def reset(self) -> None:
        Subscription.objects.all().delete()


subscriptions_backend = SubscriptionsBackend()
