"""Payment gateways behind one small interface: authorise, capture, refund.

Payment errors form one tree, as in django-oscar's payment app: :class:`PaymentError`
at its root, :class:`PaymentDeclined` and :class:`RedirectRequired` beneath it. A
decline is expected (the bank said no): its message is for the customer. A bare
:class:`PaymentError` is not (the gateway broke): it is logged, and the customer gets a
general apology. Either way nothing was taken and the basket is given back. Callers
catch the specific class before the base.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PaymentError(Exception):
    """The base of every payment failure. Caught as itself, it means the gateway failed
    in a way the customer cannot fix: log it, and apologise in general terms."""


class PaymentDeclined(PaymentError):
    """The payment was refused; the message can be shown to the customer."""


class RedirectRequired(PaymentError):
    """The customer pays on the gateway's own page (Stripe Checkout) at ``url``.

    Not a failure, but raised like one (as in django-oscar) so that it unwinds the
    checkout and every caller handles it before the base class."""

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
