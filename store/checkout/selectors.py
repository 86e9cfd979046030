"""Reads of checkout."""

from __future__ import annotations

import logging

from .gateways import Gateway, PaymentError, gateway_get

logger = logging.getLogger(__name__)


def payment_gateway_get() -> Gateway | None:
    """The gateway new orders are paid through (for the checkout page to say how), or
    None when the settings name one that is not available."""
    try:
        return gateway_get()
    except PaymentError:
        logger.exception("The configured payment gateway is not available")
        return None
