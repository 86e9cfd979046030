"""Paying for a subscription: starting one, and keeping the shop's row on the gateway's
state. The gateways only report (gateways/); every decision is here.

The shop's row converges on the gateway's *current* state (``subscription_from_gateway``),
never on what an event says: a webhook only names the subscription to re-read, so a
duplicated event re-applies the same state and an old one re-reads the new. What the
row then holds is compared with what it held by what 7digital would be told
(``seven_digital_state``): only a difference there is a change 7digital must hear
(``subscription_changed``); the rest (a renewal becoming unpaid while access goes on)
is history for staff.

Two reads may still commit in the wrong order (two webhooks handled at once). A read
older than the row is recognised and ignored: a period ending earlier than the row's,
a live state for a subscription the row has seen end (an ended gateway subscription
never comes back), or a subscription the row has moved on from.

Network calls (the gateway) are made outside every transaction.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.money import currency_for

from ..emails import subscription_email_send
from ..exceptions import SubscriptionNotPossible
from ..gateways import (
    BillingEventKind,
    BillingState,
    BillingStatus,
    CheckoutStart,
    PaymentError,
    billing_gateway_get,
    from_minor_units,
)
from ..models import Plan, PlanPrice, Subscription, SubscriptionCheckout, SubscriptionEvent
from .state import seven_digital_state
from .sync import subscription_changed

logger = logging.getLogger(__name__)

Status = Subscription.Status
STRIPE = "stripe"
REFERENCE_PREFIX = "CO-"
STATUS_FOR = {
    BillingState.TRIALING: Status.TRIALING,
    BillingState.ACTIVE: Status.ACTIVE,
    BillingState.PAST_DUE: Status.PAST_DUE,
    BillingState.ENDED: Status.ENDED,
}
# A bill for a period that starts this long after the subscription did is a renewal.
RENEWAL_AFTER = timedelta(minutes=5)


def client_reference(checkout: SubscriptionCheckout) -> str:
    """The shop's name for a checkout at the gateway (Stripe: client_reference_id, and
    the subscription's metadata): every later read of the subscription carries it."""
    return f"{REFERENCE_PREFIX}{checkout.pk}"


def _checkout_pk(reference: str) -> int | None:
    number = reference.removeprefix(REFERENCE_PREFIX)
    return int(number) if reference.startswith(REFERENCE_PREFIX) and number.isdigit() else None


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "—"


# -- subscribing -----------------------------------------------------------------------


def _lookup_key(plan: Plan, currency: str) -> str:
    return f"{plan.slug}-{currency.lower()}"


@dataclass(frozen=True)
class PricesMade:
    made: list[str] = field(default_factory=list)  # currencies
    failed: dict[str, str] = field(default_factory=dict)  # currency: why


def plan_prices_create(*, plan: Plan) -> PricesMade:
    """Give every price of ``plan`` that has no gateway price id one (a new currency, or
    one whose amount or interval staff changed: the admin clears the id then), by asking
    a gateway that keeps prices (Stripe) to create it. Call it outside a transaction: it
    is a network call per currency. Returns the currencies made, and those that could
    not be and why; each id is saved once made, so a failure leaves only its own
    currency to do again."""
    result = PricesMade()
    gateway = billing_gateway_get()
    if gateway.name != STRIPE:
        return result  # the test gateway takes the amounts as they are
    for price in PlanPrice.objects.filter(plan=plan, stripe_price_id=""):
        try:
            price_id = gateway.price_create(
                product_name=plan.name,
                lookup_key=_lookup_key(plan, price.currency),
                interval=plan.interval,
                currency=price.currency,
                amount=price.amount,
            )
        except PaymentError as exc:
            logger.warning("No %s price for plan %s: %s", price.currency, plan.pk, exc)
            result.failed[price.currency] = str(exc)
            continue
        # Only where nobody entered or made one meanwhile.
        PlanPrice.objects.filter(pk=price.pk, stripe_price_id="").update(stripe_price_id=price_id)
        result.made.append(price.currency)
    return result


def subscription_start(
    *,
    user,
    plan: Plan,
    country: str,
    success_url: str | None = None,
    cancel_url: str | None = None,
) -> CheckoutStart:
    """Start ``user``'s subscription to ``plan``, priced in ``country``'s currency:
    returns where to send the customer to pay (``.url``).

    What is chosen is written as a :class:`SubscriptionCheckout`; the customer's one
    Subscription row is made (or reused) only once the gateway says it is paid
    (``subscription_from_gateway``). One trial per customer: whoever ever had a
    subscription here starts paying at once. Raises SubscriptionNotPossible (words for
    the customer) or PaymentError (the gateway failed).
    """
    if not plan.active:
        raise SubscriptionNotPossible("This plan is no longer offered.")
    currency = currency_for(country)
    price = PlanPrice.objects.filter(plan=plan, currency=currency).first()
    if price is None:
        raise SubscriptionNotPossible(
            f"{plan.name} is not sold in {currency}, the currency of your country."
        )
    gateway = billing_gateway_get()
    if gateway.name == STRIPE:
        price_id = price.stripe_price_id
        if not price_id:
            raise SubscriptionNotPossible(f"{plan.name} cannot be bought in {currency} just yet.")
    else:
        price_id = gateway.price_create(
            product_name=plan.name,
            lookup_key=_lookup_key(plan, currency),
            interval=plan.interval,
            currency=currency,
            amount=price.amount,
        )

    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(user=user).first()
        if subscription is not None and subscription.status != Status.ENDED:
            raise SubscriptionNotPossible("You already have a subscription.")
        customer = (
            subscription.gateway_customer
            if subscription is not None and subscription.gateway == gateway.name
            else ""
        )
        checkout = SubscriptionCheckout.objects.create(
            user=user,
            plan=plan,
            currency=currency,
            amount=price.amount,
            country=country.upper(),
            gateway=gateway.name,
            trial_days=0 if subscription is not None else plan.trial_days,
        )

    started = gateway.checkout_start(
        customer_email=user.email,
        customer=customer,
        price_id=price_id,
        trial_days=checkout.trial_days,
        client_reference=client_reference(checkout),
        success_url=success_url
        or _absolute(reverse("subscriptions:return")) + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=cancel_url or _absolute(reverse("subscriptions:subscribe")),
    )
    SubscriptionCheckout.objects.filter(pk=checkout.pk).update(gateway_checkout=started.reference)
    return started


def subscription_checkout_confirm(*, user, reference: str) -> Subscription | None:
    """The customer is back from paying: ask the gateway now rather than wait for its
    webhook. Only the customer's own checkout is looked at."""
    checkout = (
        SubscriptionCheckout.objects.filter(user=user, gateway_checkout=reference).first()
        if reference
        else None
    )
    if checkout is not None:
        status = billing_gateway_get(checkout.gateway).checkout_get(reference=reference)
        if status is not None and status.client_reference == client_reference(checkout):
            subscription_from_gateway(status=status)
    return Subscription.objects.filter(user=user).first()


# -- converging on the gateway ------------------------------------------------------------


def _row_for(status: BillingStatus) -> tuple[Subscription | None, SubscriptionCheckout | None]:
    """The shop's row the status is about, and the checkout that began it (if named).
    A customer's first subscription has no row yet: a new, unsaved one."""
    rows = Subscription.objects.select_for_update().select_related("plan")
    if status.reference:
        found = rows.filter(gateway_reference=status.reference).first()
        if found is not None:
            return found, None
    pk = _checkout_pk(status.client_reference)
    checkout = (
        SubscriptionCheckout.objects.select_for_update()
        .select_related("plan")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if checkout is None:
        return None, None
    # Again under the checkout's lock: a read handled at the same time may have made it.
    found = (
        rows.filter(gateway_reference=status.reference).first()
        or rows.filter(user_id=checkout.user_id).first()
    )
    if found is None:
        now = timezone.now()
        found = Subscription(
            user_id=checkout.user_id,
            plan=checkout.plan,
            status=Status.ENDED,
            activated_at=now,
            current_period_start=now,
            current_period_end=now,
        )
    return found, checkout


def _stale(subscription: Subscription, status: BillingStatus) -> str:
    """Why ``status`` is older than what the row holds, or "" when it is not."""
    if subscription.gateway_reference == status.reference:
        if subscription.status == Status.ENDED:
            return "the row has seen this subscription end"
        if status.state is BillingState.ENDED:
            return ""  # an end is final at the gateway: no read of it is older than a live one
        if (
            status.current_period_end
            and status.current_period_end < subscription.current_period_end
        ):
            return "its period ends before the row's"
        return ""
    if not subscription.gateway_reference:
        return "" if status.state is not BillingState.ENDED else "it ended before it began"
    if subscription.status != Status.ENDED:
        return "the row follows another live subscription at the gateway"
    if status.state is BillingState.ENDED:
        return "an older subscription's end"
    if status.started_at and subscription.current_period_start > status.started_at:
        return "an older subscription"
    return ""


def _seven_digital(subscription: Subscription, now: datetime) -> dict | None:
    if not subscription.gateway_reference:
        return None  # never live: 7digital has been told nothing
    try:
        return seven_digital_state(subscription, now=now)
    except (ValueError, PaymentError):
        return None


def _what_happened(before: Subscription, after: Subscription, restarted: bool) -> tuple[str, str]:
    """A kind and words for staff."""
    plan = after.plan.name
    if restarted:
        if after.status == Status.TRIALING:
            return "started", f"Subscribed to {plan}, trial until {_when(after.trial_end)}."
        return "started", f"Subscribed to {plan} until {_when(after.current_period_end)}."
    if after.status == Status.ENDED and before.status != Status.ENDED:
        return "ended", f"The subscription ended at {_when(after.ended_at)}."
    if after.cancel_at_period_end and not before.cancel_at_period_end:
        return "cancelled", f"Cancelled: access until {_when(after.current_period_end)}."
    if before.cancel_at_period_end and not after.cancel_at_period_end:
        return "resumed", f"Resumed: renews on {_when(after.current_period_end)}."
    if after.status == Status.PAST_DUE and before.status != Status.PAST_DUE:
        return "past-due", "A renewal could not be paid; the gateway is retrying."
    if after.current_period_end > before.current_period_end:
        return "renewed", f"Renewed until {_when(after.current_period_end)}."
    if before.status == Status.PAST_DUE and after.status == Status.ACTIVE:
        return "paid", "The unpaid renewal is paid."
    if before.status == Status.TRIALING and after.status != Status.TRIALING:
        return "trial-ended", "The trial ended."
    if before.plan_id != after.plan_id:
        return "plan-changed", f"Changed plan to {plan}."
    return "updated", "The gateway's state changed."


TRACKED = (
    "status",
    "cancel_at_period_end",
    "current_period_start",
    "current_period_end",
    "trial_end",
    "ended_at",
    "plan_id",
    "amount",
    "currency",
    "gateway_reference",
    "gateway_customer",
)


@transaction.atomic
def subscription_from_gateway(*, status: BillingStatus) -> Subscription | None:
    """Bring the shop's row to the gateway's ``status`` (a fresh read), and tell 7digital
    if what it must hear changed. None when the status names no row of the shop's."""
    if status.state is BillingState.INCOMPLETE:
        return None  # not paid yet: nothing begins until it is
    subscription, checkout = _row_for(status)
    if subscription is None:
        logger.warning("Gateway subscription %s is not the shop's", status.reference)
        return None
    stale = _stale(subscription, status)
    if stale:
        logger.info(
            "Subscription %s: read of %s ignored (%s)", subscription.pk, status.reference, stale
        )
        return subscription if subscription.pk else None

    now = timezone.now()
    before = copy.copy(subscription)
    told_before = _seven_digital(subscription, now)
    restarted = subscription.gateway_reference != status.reference
    first_ever = not subscription.gateway_reference

    if restarted and checkout is not None:  # what the customer chose at checkout
        subscription.plan = checkout.plan
        subscription.currency, subscription.amount = checkout.currency, checkout.amount
        subscription.country, subscription.gateway = checkout.country, checkout.gateway
    subscription.gateway_reference = status.reference
    subscription.gateway_customer = status.customer or subscription.gateway_customer
    subscription.status = STATUS_FOR[status.state]
    subscription.cancel_at_period_end = status.cancel_at_period_end
    rewinds = (
        status.current_period_end is not None
        and status.current_period_end < subscription.current_period_end
    )
    if not rewinds or restarted:  # an end read with the period before keeps the row's
        subscription.current_period_start = (
            status.current_period_start or subscription.current_period_start
        )
        subscription.current_period_end = (
            status.current_period_end or subscription.current_period_end
        )
    subscription.trial_end = status.trial_end
    if subscription.status == Status.ENDED:
        subscription.ended_at = min(status.ended_at or now, now)
        subscription.cancel_at_period_end = False
    else:
        subscription.ended_at = None
    if first_ever:
        # activatedAt: the first activation ever, never changed afterwards.
        subscription.activated_at = min(status.started_at or now, now)
    price = (
        PlanPrice.objects.select_related("plan").filter(stripe_price_id=status.price_id).first()
        if status.price_id
        else None
    )
    if price is not None:  # a plan changed at the gateway (Stripe's portal)
        subscription.plan, subscription.currency = price.plan, price.currency
    if status.amount_minor is not None and status.currency == subscription.currency:
        subscription.amount = from_minor_units(status.amount_minor, subscription.currency)

    if subscription.pk and all(
        getattr(before, name) == getattr(subscription, name) for name in TRACKED
    ):
        return subscription  # a duplicate: nothing to do
    subscription.save()
    kind, message = _what_happened(before, subscription, restarted)
    data = {"gateway_reference": status.reference, "state": str(status.state)}
    if restarted or told_before != _seven_digital(subscription, now):
        subscription_changed(subscription=subscription, kind=kind, message=message, data=data)
    else:
        SubscriptionEvent.objects.create(
            subscription=subscription, kind=kind, message=message, data=data
        )
    return subscription


# -- the customer's own changes -------------------------------------------------------------


def _live(subscription: Subscription) -> None:
    if subscription.status == Status.ENDED or not subscription.gateway_reference:
        raise SubscriptionNotPossible("This subscription has ended.")


def subscription_cancel(*, subscription: Subscription) -> Subscription:
    """Stop renewing: access goes on until the period paid for ends."""
    _live(subscription)
    gateway = billing_gateway_get(subscription.gateway)
    status = gateway.cancel_at_period_end(reference=subscription.gateway_reference)
    return subscription_from_gateway(status=status) or subscription


def subscription_resume(*, subscription: Subscription) -> Subscription:
    """Take back a cancellation at period end: renew as before."""
    _live(subscription)
    gateway = billing_gateway_get(subscription.gateway)
    status = gateway.resume(reference=subscription.gateway_reference)
    return subscription_from_gateway(status=status) or subscription


def subscription_renewal_stop(*, subscription_id: int) -> bool:
    """The shop ended this subscription on its own (a closed account): ask the gateway
    not to bill it again. Its access is already over at 7digital; a later read of the
    gateway is ignored (the row has seen it end). Raises PaymentError to be tried again."""
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None or not subscription.gateway_reference:
        return False
    gateway = billing_gateway_get(subscription.gateway)
    status = gateway.subscription_get(reference=subscription.gateway_reference)
    if status is None:
        raise PaymentError(f"{subscription.gateway} could not be reached to stop the renewal")
    if status.state is not BillingState.ENDED and not status.cancel_at_period_end:
        gateway.cancel_at_period_end(reference=subscription.gateway_reference)
    SubscriptionEvent.objects.create(
        subscription=subscription,
        kind="renewal-stopped",
        message="The payment provider will not bill it again.",
    )
    return True


def subscription_portal_url(*, subscription: Subscription, return_url: str) -> str:
    """The gateway's self-service page (card, plan, cancellation)."""
    gateway = billing_gateway_get(subscription.gateway)
    return gateway.portal_url(customer=subscription.gateway_customer, return_url=return_url)


# -- webhooks and the test gateway's clock ------------------------------------------------


def _is_renewal(status: BillingStatus) -> bool:
    return bool(
        status.started_at
        and status.current_period_start
        and status.current_period_start >= status.started_at + RENEWAL_AFTER
    )


def subscription_event_handle(
    *, gateway: str, body: bytes, headers: Mapping[str, str]
) -> Subscription | None:
    """Act on one verified webhook of ``gateway`` (raises WebhookNotConfigured or
    WebhookInvalid): re-read the subscription it names and converge on it, then email
    the customer when a bill asks for it. Raises PaymentError when the gateway cannot
    be asked now, so that it delivers the event again later."""
    adapter = billing_gateway_get(gateway)
    event = adapter.webhook_parse(body=body, headers=headers)
    if event.kind is BillingEventKind.IGNORED or not event.subscription_reference:
        return None
    try:
        status = adapter.subscription_get(reference=event.subscription_reference)
    except PaymentError:
        logger.warning(
            "Webhook %s names unknown subscription %s", event.event_id, event.subscription_reference
        )
        return None
    if status is None:
        raise PaymentError(f"{gateway} could not be asked about {event.subscription_reference}")
    subscription = subscription_from_gateway(status=status)
    if subscription is None or subscription.gateway_reference != status.reference:
        return subscription
    invoice = event.invoice
    if event.kind is BillingEventKind.ACTION_REQUIRED and invoice and invoice.hosted_url:
        subscription_email_send(subscription=subscription, kind="action-required", invoice=invoice)
    elif event.kind is BillingEventKind.INVOICE_FAILED:
        subscription_email_send(subscription=subscription, kind="payment-failed", invoice=invoice)
    elif (
        event.kind is BillingEventKind.INVOICE_PAID
        and invoice
        and invoice.amount_minor > 0
        and _is_renewal(status)
    ):
        subscription_email_send(subscription=subscription, kind="receipt", invoice=invoice)
    return subscription


def subscriptions_test_cycle() -> int:
    """Beat (every few minutes): re-read each live test-gateway subscription, whose
    gateway moves with the clock, and converge on it, so renewals, failed renewals and
    expiries reach 7digital and the customer as time passes. Returns how many were read."""
    gateway = billing_gateway_get("test")
    live = Subscription.objects.filter(gateway=Subscription.Gateway.TEST).exclude(
        status=Status.ENDED
    )
    count = 0
    for subscription in live.exclude(gateway_reference="").iterator():
        try:
            status = gateway.subscription_get(reference=subscription.gateway_reference)
            subscription = subscription_from_gateway(status=status) or subscription
            invoice = status.latest_invoice
            if invoice and invoice.status == "open":
                subscription_email_send(
                    subscription=subscription, kind="payment-failed", invoice=invoice
                )
            elif (
                invoice
                and invoice.status == "paid"
                and invoice.amount_minor > 0
                and _is_renewal(status)
            ):
                subscription_email_send(subscription=subscription, kind="receipt", invoice=invoice)
        except Exception:  # one subscription's trouble must not stop the others
            logger.exception(
                "Test subscription %s could not be brought up to date", subscription.pk
            )
            continue
        count += 1
    return count
