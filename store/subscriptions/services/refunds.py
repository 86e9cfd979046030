"""Staff refunds of a subscription's last payment.

``subscription_refund`` works as checkout's ``order_refund`` does: the refund is
written and committed first (a :class:`SubscriptionRefund` in progress, which also
keeps a second member of staff off the same payment), then the gateway is called with
no transaction open (on SQLite one would hold the write lock through the gateway's
timeouts and retries), then its answer is recorded. The refund's ``reference`` names the
payment (the subscription and the start of the period it paid for) and is given to the
gateway as ``reason_reference``: a retry after a failure, or after an answer that never
came back, asks for the same refund, which the gateway makes once
(``BillingGateway.refund_last_payment``); a refund of a payment already refunded is
refused here.

What 7digital hears follows the status (services/state.py): with ``end_now`` the
subscription ends at once (``expired``: access stops now); otherwise access runs to the
end of the period and the subscription is cancelled at its end (``cancelled``). The
change goes through ``subscription_changed``, so it is sent and confirmed like any other.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.money import format_price, locale_for
from integrations.tasks import task_queue
from store.subscriptions import tasks
from store.subscriptions.gateways import PaymentDeclined, PaymentError, billing_gateway_get
from store.subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRefund

from .sync import subscription_changed

logger = logging.getLogger(__name__)

# How long a refund in progress keeps others off its payment: Stripe's library waits up
# to 80 s a try, three tries. After that the process is taken to have stopped, and
# staff may ask again (the same reference: the gateway makes the refund once).
REFUND_LEASE = timedelta(minutes=10)
ERROR_LENGTH = 2000


class SubscriptionRefundRefused(ValueError):
    """Nothing was asked of the gateway; the message says why, for staff."""


def refund_reference(subscription: Subscription) -> str:
    """The payment refunded: the one for the period that began at
    ``current_period_start`` (a renewal starts a new period, so a new payment)."""
    start = subscription.current_period_start.astimezone(UTC)
    return f"subscription-{subscription.pk}-{start:%Y%m%dT%H%M%SZ}"


def refund_money(refund: SubscriptionRefund) -> str:
    return format_price(refund.amount, refund.currency, locale_for(refund.subscription.country))


def refund_failure_words(exc: PaymentError) -> str:
    """The gateway's failure in words staff can act on."""
    if isinstance(exc, PaymentDeclined):
        return f"The payment provider refused the refund: {exc}"
    return (
        f"The payment provider could not refund the payment: {exc}. "
        "Nothing was refunded; try again shortly."
    )


def subscription_refund(
    *, subscription: Subscription, staff_user, end_now: bool
) -> SubscriptionRefund:
    """Refund ``subscription``'s last payment in full, and end it now (``end_now``) or
    at the period's end. Returns the refund, ``done`` or ``failed`` (``error`` in words);
    raises :class:`SubscriptionRefundRefused` when nothing may be refunded."""
    refund = _refund_open(subscription=subscription, staff_user=staff_user, end_now=end_now)
    return _refund_carry_on(refund, subscription)


def _refund_carry_on(refund: SubscriptionRefund, subscription: Subscription) -> SubscriptionRefund:
    """Ask the gateway for the refund (no transaction open) and record its answer."""
    try:
        gateway_refund_id = billing_gateway_get(subscription.gateway).refund_last_payment(
            reference=subscription.gateway_reference, reason_reference=refund.reference
        )
    except PaymentError as exc:  # declined or broken: nothing was paid back
        logger.exception("Refund %s failed at the gateway", refund.reference)
        return _refund_failed(refund, refund_failure_words(exc))
    refund = _refund_finish(refund, gateway_refund_id)
    refund.renewal_error = _renewal_stop(refund)
    return refund


def subscription_refund_resume(*, refund_id: int) -> SubscriptionRefund | None:
    """Carry on a refund whose process stopped (a crash, a deploy, an answer lost)
    between writing it and recording the gateway's answer; the sweep queues this. The
    gateway is asked again under the same reference, so it refunds once; the outcome
    reaches the history (and 7digital) as if staff had waited for it. None when there
    was nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        refund = (
            SubscriptionRefund.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=refund_id)
            .first()
        )
        if refund is None or refund.state != SubscriptionRefund.State.IN_PROGRESS:
            return None
        if refund.lease_until and refund.lease_until > now:
            return None  # its own process may still be at it
        refund.lease_until = now + REFUND_LEASE
        refund.save(update_fields=["lease_until"])
    subscription = refund.subscription
    if refund_reference(subscription) != refund.reference:
        # Renewed since: "the last payment" is another one now, and a refund made
        # before the process stopped would not be found on it. Staff must look.
        return _refund_failed(
            refund,
            "The subscription renewed before this refund was finished, so it was not asked "
            "again: check at the payment provider whether the earlier payment was refunded.",
        )
    logger.warning("Resuming refund %s, left in progress", refund.reference)
    return _refund_carry_on(refund, subscription)


def subscription_refunds_sweep(*, now=None) -> list[int]:
    """Refunds left in progress past their lease: each is resumed by a task."""
    now = now or timezone.now()
    stale = list(
        SubscriptionRefund.objects.filter(state=SubscriptionRefund.State.IN_PROGRESS)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)[:200]
    )
    for pk in stale:
        task_queue(tasks.subscription_refund_resume, pk, backlog=True)
    return stale


def _renewal_stop(refund: SubscriptionRefund) -> str:
    """Ask the gateway not to bill the refunded subscription again (after the refund is
    recorded: never inside a transaction); "" when done, else words for staff."""
    subscription = refund.subscription
    if not subscription.gateway_reference:
        return ""
    try:
        billing_gateway_get(subscription.gateway).cancel_at_period_end(
            reference=subscription.gateway_reference
        )
    except PaymentError as exc:
        logger.exception("Renewal of subscription %s not stopped", subscription.pk)
        words = f"The payment provider may bill it again: stopping renewal failed ({exc})."
        SubscriptionEvent.objects.create(
            subscription=subscription,
            kind="renewal-not-stopped",
            message=words,
            data={"refund": refund.pk},
        )
        return words
    return ""


@transaction.atomic
def _refund_open(*, subscription: Subscription, staff_user, end_now: bool) -> SubscriptionRefund:
    """Check and write the refund. The subscription's row lock makes two members of
    staff refunding at once take turns: the second finds the refund under way or done."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    now = timezone.now()
    if not subscription.gateway_reference:
        raise SubscriptionRefundRefused("This subscription has no payment at the gateway.")
    if subscription.trial_end and subscription.trial_end > now:
        raise SubscriptionRefundRefused("This subscription is in its free trial: nothing was paid.")
    reference = refund_reference(subscription)
    refund = SubscriptionRefund.objects.select_for_update().filter(reference=reference).first()
    if refund is not None and refund.state == SubscriptionRefund.State.DONE:
        raise SubscriptionRefundRefused(
            f"This payment was refunded already, on {refund.finished_at:%Y-%m-%d %H:%M} UTC "
            f"by {refund.staff_email or 'staff'}."
        )
    if (
        refund is not None
        and refund.state == SubscriptionRefund.State.IN_PROGRESS
        and refund.lease_until
        and refund.lease_until > now
    ):
        raise SubscriptionRefundRefused(
            "A refund of this payment is under way: its outcome will be in the history."
        )
    if refund is None:
        refund = SubscriptionRefund(subscription=subscription, reference=reference)
    # A refund that failed, or whose process stopped, is asked again under its reference.
    refund.staff = staff_user
    refund.staff_email = getattr(staff_user, "email", "")
    refund.end_now = end_now
    refund.amount, refund.currency = subscription.amount, subscription.currency
    refund.state = SubscriptionRefund.State.IN_PROGRESS
    refund.error = ""
    refund.lease_until, refund.finished_at = now + REFUND_LEASE, None
    refund.save()
    return refund


@transaction.atomic
def _refund_failed(refund: SubscriptionRefund, message: str) -> SubscriptionRefund:
    refund = SubscriptionRefund.objects.select_for_update().get(pk=refund.pk)
    if refund.state != SubscriptionRefund.State.IN_PROGRESS:
        return refund  # finished meanwhile by another run
    refund.state = SubscriptionRefund.State.FAILED
    refund.error = message[:ERROR_LENGTH]
    refund.lease_until, refund.finished_at = None, timezone.now()
    refund.save()
    SubscriptionEvent.objects.create(
        subscription_id=refund.subscription_id,
        kind="refund-failed",
        message=f"Refund of {refund_money(refund)} asked by {refund.staff_email or 'staff'} "
        f"failed: {message}",
        data={"refund": refund.pk, "reference": refund.reference},
    )
    return refund


@transaction.atomic
def _refund_finish(refund: SubscriptionRefund, gateway_refund_id: str) -> SubscriptionRefund:
    subscription = Subscription.objects.select_for_update().get(pk=refund.subscription_id)
    refund = SubscriptionRefund.objects.select_for_update().get(pk=refund.pk)
    if refund.state != SubscriptionRefund.State.IN_PROGRESS:
        return refund  # finished meanwhile by another run
    now = timezone.now()
    refund.state = SubscriptionRefund.State.DONE
    refund.gateway_refund_id = gateway_refund_id
    refund.lease_until, refund.finished_at = None, now
    refund.save()

    message = f"Refunded {refund_money(refund)} by {refund.staff_email or 'staff'}"
    data = {"refund": refund.pk, "reference": refund.reference, "gateway_refund": gateway_refund_id}
    if subscription.status == Subscription.Status.ENDED:
        # 7digital was told ``expired`` when it ended: nothing new to tell.
        SubscriptionEvent.objects.create(
            subscription=subscription, kind="refunded", message=f"{message}.", data=data
        )
        return refund
    if refund.end_now:
        subscription.status = Subscription.Status.ENDED
        subscription.ended_at = now
        subscription.cancel_at_period_end = False
        message += "; access ended now (7digital: expired)."
    else:
        subscription.cancel_at_period_end = True
        message += (
            f"; access until {subscription.current_period_end:%Y-%m-%d %H:%M} UTC, "
            "not renewed (7digital: cancelled)."
        )
    subscription.save(update_fields=["status", "ended_at", "cancel_at_period_end", "updated_at"])
    subscription_changed(subscription=subscription, kind="refunded", message=message, data=data)
    return refund
