"""Signals from below (accounts must not import the store)."""

from __future__ import annotations


def account_closing(*, sender, user, **kwargs) -> None:
    """An account is closing: its subscription ends now and 7digital hears ``expired``;
    once that is committed, the gateway is told not to bill it again."""
    from integrations.tasks import task_queue_on_commit

    from . import tasks
    from .models import Subscription
    from .services import subscription_account_closed

    billed = (
        Subscription.objects.filter(user=user)
        .exclude(status=Subscription.Status.ENDED)
        .exclude(gateway_reference="")
        .values_list("pk", flat=True)
        .first()
    )
    subscription_account_closed(user=user)
    if billed is not None:
        task_queue_on_commit(tasks.subscription_renewal_stop, billed)
