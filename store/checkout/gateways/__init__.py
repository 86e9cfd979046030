"""Payment gateways: adapters behind one small interface, deciding nothing.

A gateway creates a payment, reads its state, closes it, refunds it and reads its
webhooks, and answers in the plain values below; what that means for an order (paid,
failed, held for staff) is decided by the ``order_*`` services
(``store.checkout.services.payments``). A new way to pay (Stripe Billing for the
subscriptions) is another adapter.

Payment errors form one tree, as in django-oscar's payment app: :class:`PaymentError`
at its root, :class:`PaymentDeclined` and :class:`RedirectRequired` beneath it. A
decline is expected (the bank said no): its message is for the customer. A bare
:class:`PaymentError` is not (the gateway broke): it is logged, and the customer gets a
general apology. Either way nothing was taken and the basket is given back. Callers
catch the specific class before the base.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from babel.numbers import get_currency_precision
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


class WebhookError(Exception):
    """A webhook this shop does not accept (not a payment failure: nothing was paid);
    ``str()`` is the answer for its sender."""


class WebhookNotConfigured(WebhookError):
    """Nothing listens for this gateway's webhooks here (answered 404)."""


class WebhookInvalid(WebhookError):
    """A bad signature, or a body that is not an event (answered 400)."""


class PaymentState(enum.StrEnum):
    PAID = "paid"  # the money is taken
    OPEN = "open"  # the customer may still pay (on the gateway's page, at ``url``)
    PROCESSING = "processing"  # paid by a slower method whose money is on its way
    FAILED = "failed"  # the slower method did not go through
    EXPIRED = "expired"  # closed unpaid: it can never be paid


@dataclass(frozen=True)
class PaymentStatus:
    """What a gateway says of one payment, as plain values."""

    label: str  # what staff call it: "Stripe session cs_..."
    reference: str  # the payment attempt at the gateway (Stripe: the Checkout Session)
    order_number: str  # the order it names, as the gateway has it
    state: PaymentState
    amount_minor: int | None = None  # taken, in the currency's smallest unit
    currency: str = ""
    captured_reference: str = ""  # the payment itself, once taken (Stripe: the PaymentIntent)
    url: str = ""  # where the customer pays, while it is open


@dataclass(frozen=True)
class RefundFailure:
    """A refund the gateway made that failed afterwards (the card was closed)."""

    label: str  # "Stripe refund re_..."
    order_number: str
    amount_minor: int
    reason: str


@dataclass(frozen=True)
class GatewayEvent:
    """A verified webhook: news of a payment, of a refund that failed, or of nothing
    this shop acts on (acknowledged and ignored)."""

    payment: PaymentStatus | None = None
    refund_failure: RefundFailure | None = None


class Gateway(Protocol):
    name: str
    label: str
    collects_card: bool  # False: the customer gives card details on the gateway's page
    # True: the outcome may come later (a redirect, a webhook), so an order left awaiting
    # payment is asked about; False: a payment not taken at once never will be.
    settles_later: bool

    def payment_create(self, *, order: Any, payment: dict[str, Any]) -> PaymentStatus:
        """Take the payment (PAID), or open one for the customer to pay at ``url``
        (OPEN). Raises PaymentDeclined or PaymentError."""
        ...

    def payment_exists(self, *, order: Any) -> bool:
        """Whether the order's payment reference names a payment to ask about."""
        ...

    def payment_get(self, *, order: Any) -> PaymentStatus | None:
        """The payment's state; None if the gateway could not be reached."""
        ...

    def payment_close(self, *, order: Any) -> PaymentStatus | None:
        """Close an open payment so it can never be paid, and say its state (a payment
        completed meanwhile stays so); None if the gateway could not be reached."""
        ...

    def refund(self, *, order: Any, amount: Decimal, reference: str = "") -> str:
        """Pay ``amount`` back; ``reference`` names this refund so a retry is not a second."""
        ...

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Verify a webhook and say what it reports. Raises WebhookError."""
        ...


def minor_units(amount: Decimal, currency: str) -> int:
    """Gateways count in the currency's smallest unit: pence for GBP, yen for JPY."""
    scaled = amount.scaleb(get_currency_precision(currency.upper()))
    if scaled != scaled.to_integral_value():
        raise PaymentError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def from_minor_units(units: int, currency: str) -> Decimal:
    """The smallest units back to an amount: 79 GBP pence is 0.79."""
    return Decimal(units).scaleb(-get_currency_precision(currency.upper()))


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
