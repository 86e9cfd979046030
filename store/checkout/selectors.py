"""Reads of checkout."""

from __future__ import annotations

import logging

from django.db.models import QuerySet

from .gateways import Gateway, PaymentError, gateway_get
from .models import Order

logger = logging.getLogger(__name__)


def payment_gateway_get() -> Gateway | None:
    """The gateway new orders are paid through (for the checkout page to say how), or
    None when the settings name one that is not available."""
    try:
        return gateway_get()
    except PaymentError:
        logger.exception("The configured payment gateway is not available")
        return None


def orders_of(*, user, gateway: str | None = None) -> QuerySet[Order]:
    """The customer's own orders, newest first (``gateway``: only those paid through it).
    Every page that names an order looks it up in here, so another customer's order
    number is simply not found."""
    orders = Order.objects.filter(user=user)
    return orders.filter(gateway=gateway) if gateway else orders
