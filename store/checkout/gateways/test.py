"""The built-in test gateway: no money moves, and card numbers choose the outcome.

Like Stripe's test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is
declined, 4000 0000 0000 0119 fails with a processing error. Any other number that
passes the Luhn check succeeds.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from . import Authorisation, PaymentDeclined, PaymentError

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
    __test__ = False  # not a pytest class

    def authorise(
        self, *, order: Any, amount: Decimal, currency: str, payment: dict[str, Any]
    ) -> Authorisation:
        number = "".join(str(payment.get("card_number", "")).split())
        if number == DECLINED:
            raise PaymentDeclined("Your card was declined. Please use another card.")
        if number == PROCESSING_ERROR:
            raise PaymentError("test gateway: processing error (card 4000 0000 0000 0119)")
        if not luhn_valid(number):
            raise PaymentDeclined("That card number is not valid.")
        return Authorisation(reference=f"test_{secrets.token_hex(8)}")

    def capture(self, *, order: Any, authorisation: Authorisation) -> None:
        return None

    def refund(self, *, order: Any, amount: Decimal, reference: str = "") -> str:
        if amount <= 0 or amount > order.total - order.amount_refunded:
            raise PaymentError(f"test gateway: cannot refund {amount} of order {order.number}")
        return f"test_refund_{secrets.token_hex(8)}"
