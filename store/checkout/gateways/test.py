"""The built-in test gateway: no money moves, and card numbers choose the outcome.

Like Stripe's test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is
declined, 4000 0000 0000 0119 fails with a processing error. Any other number that
passes the Luhn check succeeds.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from . import (
    GatewayEvent,
    PaymentDeclined,
    PaymentError,
    PaymentState,
    PaymentStatus,
    WebhookNotConfigured,
)

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
PROCESSING_ERROR = "4000000000000119"


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


class TestGateway:
    name = "test"
    label = "Test card (no money moves)"
    collects_card = True
    settles_later = False  # a payment not taken at once never will be
    __test__ = False  # not a pytest class

    def payment_create(self, *, order: Any, payment: dict[str, Any]) -> PaymentStatus:
        number = "".join(str(payment.get("card_number", "")).split())
        if number == DECLINED:
            raise PaymentDeclined("Your card was declined. Please use another card.")
        if number == PROCESSING_ERROR:
            raise PaymentError("test gateway: processing error (card 4000 0000 0000 0119)")
        if not luhn_valid(number):
            raise PaymentDeclined("That card number is not valid.")
        reference = f"test_{secrets.token_hex(8)}"
        return PaymentStatus(
            label=f"Test payment {reference}",
            reference=reference,
            order_number=order.number,
            state=PaymentState.PAID,
            captured_reference=reference,
        )

    def payment_exists(self, *, order: Any) -> bool:
        return False  # nothing is kept to be asked about later

    def payment_get(self, *, order: Any) -> PaymentStatus | None:
        return None

    def payment_close(self, *, order: Any) -> PaymentStatus | None:
        return None

    def refund(self, *, order: Any, amount: Decimal, reference: str = "") -> str:
        if amount <= 0 or amount > order.total - order.amount_refunded:
            raise PaymentError(f"test gateway: cannot refund {amount} of order {order.number}")
        return f"test_refund_{secrets.token_hex(8)}"

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        raise WebhookNotConfigured("No test gateway webhooks are received here.")
