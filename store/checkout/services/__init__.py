"""Everything that happens to an order, by concern: placing and paying (``orders``),
settling payments made away from the checkout (``payments``), delivering each sale to
7digital (``delivery``), refunds (``refunds``).

The names are re-exported here, so ``services.order_place(...)`` reads as before; to
replace a function in a test, patch it in the module that calls it.
"""

from store.basket.services import PriceChange
from store.checkout.exceptions import DeliveryPending

from . import delivery, orders, payments, refunds
from .delivery import (
    ATTEMPTS_BEFORE_ATTENTION,
    RECEIPT_LATE_LIMIT,
    order_line_deliver,
    order_lines_sweep,
    order_receipts_sweep,
)
from .orders import (
    POST_CODE_COUNTRIES,
    CheckoutNotPossible,
    checkout_preconditions,
    order_paid,
    order_pay,
    order_payment_failed,
    order_payment_mismatch,
    order_place,
)
from .payments import (
    order_payment_cancel,
    order_payment_confirm,
    order_payment_event_handle,
    order_payment_reconcile,
    order_payment_url,
    order_payments_sweep,
)
from .refunds import (
    REFUND_LEASE,
    REFUND_UNDER_WAY,
    STILL_DELIVERING,
    RefundOutcome,
    order_refund,
    order_refund_resume,
    order_refunds_sweep,
    refund_refusal_message,
)

__all__ = [
    "ATTEMPTS_BEFORE_ATTENTION",
    "POST_CODE_COUNTRIES",
    "RECEIPT_LATE_LIMIT",
    "REFUND_LEASE",
    "REFUND_UNDER_WAY",
    "STILL_DELIVERING",
    "CheckoutNotPossible",
    "DeliveryPending",
    "PriceChange",
    "RefundOutcome",
    "checkout_preconditions",
    "delivery",
    "order_line_deliver",
    "order_lines_sweep",
    "order_paid",
    "order_pay",
    "order_payment_cancel",
    "order_payment_confirm",
    "order_payment_event_handle",
    "order_payment_failed",
    "order_payment_mismatch",
    "order_payment_reconcile",
    "order_payment_url",
    "order_payments_sweep",
    "order_place",
    "order_receipts_sweep",
    "order_refund",
    "order_refund_resume",
    "order_refunds_sweep",
    "orders",
    "payments",
    "refund_refusal_message",
    "refunds",
]
