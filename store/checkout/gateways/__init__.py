"""Payment gateways behind one small interface: authorise, capture, refund.

As in django-oscar's payment app, failures come in two kinds. A
:class:`PaymentDeclined` is expected (the bank said no): its message is for the
customer. A :class:`PaymentError` is not (the gateway broke): it is logged, and the
customer gets a general apology. Either way nothing was taken and the basket is
given back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PaymentDeclined(Exception):
    """The payment was refused; the message can be shown to the customer."""


class PaymentError(Exception):
    """The gateway failed in a way the customer cannot fix; log it."""


class RedirectRequired(Exception):
    """The customer pays on the gateway's own page (Stripe Checkout) at ``url``."""

    def __init__(self, url: str, reference: str) -> None:
        super().__init__(url)
        self.url = url
        self.reference = reference


@dataclass(frozen=True)
class Authorisation:
    reference: str


class Gateway(Protocol):
    name: str
    label: str
    collects_card: bool  # False: the customer gives card details on the gateway's page

    def authorise(
        self, *, order: Any, amount: Decimal, currency: str, payment: dict[str, Any]
    ) -> Authorisation: ...

    def capture(self, *, order: Any, authorisation: Authorisation) -> None: ...

    def refund(self, *, order: Any, amount: Decimal, reference: str = "") -> str:
        """Pay ``amount`` back; ``reference`` names this refund so a retry is not a second."""
        ...


GATEWAYS = {
    "test": "store.checkout.gateways.test.TestGateway",
    "stripe": "store.checkout.gateways.stripe_checkout.StripeGateway",
}


def gateway_get(name: str | None = None) -> Gateway:
    """The gateway named (an order's), or the one the settings choose for new orders."""
    name = name or settings.PAYMENT_GATEWAY
    try:
        return import_string(GATEWAYS[name])()
    except KeyError as exc:
        raise PaymentError(f"Unknown payment gateway {name!r}") from exc
