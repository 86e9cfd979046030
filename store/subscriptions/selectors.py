"""Reads for the customer's pages: the plans on sale in their currency, their own
subscription, its bills, and whether 7digital has confirmed its latest change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from integrations.money import currency_for

from .gateways import InvoiceStatus, PaymentError, billing_gateway_get
from .models import Plan, Subscription, SubscriptionSync

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    currency: str
    amount: Decimal | None  # None: not sold in this currency


def plans_offered(*, country: str) -> list[PlanOffer]:
    """The active plans, each with its price in ``country``'s currency (if it has one)."""
    currency = currency_for(country)
    offers = []
    for plan in Plan.objects.filter(active=True).prefetch_related("prices"):
        price = next((p for p in plan.prices.all() if p.currency == currency), None)
        offers.append(PlanOffer(plan, currency, price.amount if price else None))
    return offers


def plan_on_sale(*, slug: str) -> Plan | None:
    return Plan.objects.filter(active=True, slug=slug).first()


def subscription_of(*, user) -> Subscription | None:
    """The customer's subscription, if they ever had one (a checkout never paid is not)."""
    return Subscription.objects.select_related("plan").filter(user=user).first()


def subscription_sync_latest(*, subscription: Subscription) -> SubscriptionSync | None:
    return subscription.syncs.order_by("-version", "-pk").first()


def subscription_invoices(*, subscription: Subscription) -> list[InvoiceStatus]:
    """Past bills, newest first: every one the test gateway kept, or Stripe's latest
    (the portal shows them all). Empty when the gateway cannot be asked just now."""
    try:
        gateway = billing_gateway_get(subscription.gateway)
        every = getattr(gateway, "invoices", None)
        if every is not None:
            return every(reference=subscription.gateway_reference)
        status = gateway.subscription_get(reference=subscription.gateway_reference)
    except PaymentError:
        logger.warning("Bills of subscription %s could not be read", subscription.pk)
        return []
    return [status.latest_invoice] if status and status.latest_invoice else []
