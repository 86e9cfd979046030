"""The built-in test billing gateway: a real adapter whose "gateway" is a table of its
own (:class:`~store.subscriptions.models.TestBillingSubscription`), with Stripe's life
cycle driven by the clock, so that ``make run`` and the tests need no Stripe. No money
moves.

* ``checkout_start`` subscribes at once (trialing when a trial applies; the trial's
  invoice is a paid zero) and sends the customer straight back to ``success_url``.
* ``subscription_get`` brings the subscription up to ``timezone.now()`` before
  answering, as Stripe's own clock would: each period whose end has passed renews (a new
  period and a paid invoice) unless it was cancelled at period end (it ends then) or the
  card fails (:meth:`TestBillingGateway.card_fails_set`, a flag tests set, and staff with
  ``manage.py test_billing_card <email> --fails``).
  A failed renewal starts a new period that is not paid
  (``past_due``, an open invoice), and ends the subscription ``GRACE`` later unless the
  card is put right before then (the open invoice is then paid and it is active again),
  as Stripe's retries end in ``canceled``.
* ``cancel_at_period_end`` / ``resume`` flip the flag.

It decides nothing about the shop's subscription: the ``subscription_*`` services read
its answers as they read Stripe's.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sevendigital.resources.subscription_rules import add_month

from . import (
    BillingEvent,
    BillingState,
    BillingStatus,
    CheckoutStart,
    InvoiceStatus,
    PaymentError,
    WebhookNotConfigured,
    minor_units,
)

CHECKOUT_SESSION_ID = "{CHECKOUT_SESSION_ID}"  # Stripe's placeholder, filled in as Stripe does
PRICE_PREFIX = "test_price"
#: How long a renewal may stay unpaid before the subscription ends (Stripe's default
#: retry schedule spans about a week before it cancels).
GRACE = timedelta(days=7)


def period_end(start: datetime, interval: str, *, periods: int = 1) -> datetime:
    """``start`` plus one billing interval, in calendar months (a year is 12)."""
    months = 12 if interval == "year" else 1
    end = start
    for _ in range(months * periods):
        end = add_month(end)
    return end


def _invoice(row, *, status: str, amount_minor: int, at: datetime) -> dict:
    return {
        "reference": f"test_in_{secrets.token_hex(6)}",
        "status": status,
        "paid_at": at.isoformat() if status == "paid" else None,
        "created_at": at.isoformat(),
        "amount_minor": amount_minor,
        "period_start": row.current_period_start.isoformat(),
        "period_end": row.current_period_end.isoformat(),
    }


def _invoice_status(invoice: Mapping) -> InvoiceStatus:
    paid_at = invoice.get("paid_at")
    return InvoiceStatus(
        reference=invoice["reference"],
        status=invoice["status"],
        paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
        amount_minor=invoice["amount_minor"],
        hosted_url="",
        needs_action=False,
    )


class TestBillingGateway:
    name = "test"
    label = "Test subscription (no money moves)"
    __test__ = False  # not a pytest class

    # -- the protocol ------------------------------------------------------------------

    def price_create(
        self, *, product_name: str, lookup_key: str, interval: str, currency: str, amount: Decimal
    ) -> str:
        """No price is kept: the id carries what the test gateway needs to bill it."""
        return f"{PRICE_PREFIX}:{interval}:{currency.upper()}:{minor_units(amount, currency)}"

    def checkout_start(
        self,
        *,
        customer_email: str,
        customer: str,
        price_id: str,
        trial_days: int,
        client_reference: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStart:
        from store.subscriptions.models import TestBillingSubscription

        try:
            prefix, interval, currency, amount = price_id.split(":")
            amount_minor = int(amount)
            if prefix != PRICE_PREFIX or interval not in ("month", "year"):
                raise ValueError(price_id)
        except ValueError as exc:
            raise PaymentError(f"Not a test gateway price: {price_id!r}") from exc
        now = timezone.now()
        trial_end = now + timedelta(days=trial_days) if trial_days > 0 else None
        row = TestBillingSubscription(
            reference=f"test_sub_{secrets.token_hex(8)}",
            customer=customer or f"test_cus_{secrets.token_hex(6)}",
            email=customer_email,
            client_reference=client_reference,
            price_id=price_id,
            interval=interval,
            currency=currency,
            amount_minor=amount_minor,
            state=BillingState.TRIALING if trial_end else BillingState.ACTIVE,
            started_at=now,
            current_period_start=now,
            current_period_end=trial_end or period_end(now, interval),
            trial_end=trial_end,
        )
        row.invoices = [
            _invoice(row, status="paid", amount_minor=0 if trial_end else amount_minor, at=now)
        ]
        row.save()
        return CheckoutStart(
            url=success_url.replace(CHECKOUT_SESSION_ID, row.reference), reference=row.reference
        )

    def checkout_get(self, *, reference: str) -> BillingStatus | None:
        # The payment page is the subscription itself: it exists once subscribed.
        from store.subscriptions.models import TestBillingSubscription

        if not TestBillingSubscription.objects.filter(reference=reference).exists():
            return None
        return self.subscription_get(reference=reference)

    def subscription_get(self, *, reference: str) -> BillingStatus | None:
        with transaction.atomic():
            row = self._row(reference)
            self._advance(row, timezone.now())
            return self._status(row)

    def cancel_at_period_end(self, *, reference: str) -> BillingStatus:
        return self._flag(reference, cancel_at_period_end=True)

    def resume(self, *, reference: str) -> BillingStatus:
        return self._flag(reference, cancel_at_period_end=False)

    def portal_url(self, *, customer: str, return_url: str) -> str:
        return return_url  # the shop's own account page is the whole portal

    def refund_last_payment(self, *, reference: str, reason_reference: str) -> str:
        return f"test_refund_{reason_reference}"  # the same reason, the same refund

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> BillingEvent:
        raise WebhookNotConfigured("No test billing webhooks are received here.")

    # -- for tests and staff: the customer's card ---------------------------------------

    def card_fails_set(self, *, reference: str, fails: bool) -> BillingStatus:
        """From now on the card is refused (``True``) or accepted at renewals; an
        accepted card pays an open renewal at once, as Stripe retries it."""
        with transaction.atomic():
            row = self._row(reference)
            self._advance(row, timezone.now())
            row.card_fails = fails
            row.save()
            self._advance(row, timezone.now())
            return self._status(row)

    def period_end_now(self, *, reference: str) -> BillingStatus:
        """As if the time had come: the current period (or trial) ends now, so it is
        renewed, fails (a card that fails) or ends (cancelled at its end); a renewal
        already unpaid runs out of retries. For ``make run``, where a month is long."""
        with transaction.atomic():
            row = self._row(reference)
            now = timezone.now()
            self._advance(row, now)
            if row.state == BillingState.ENDED:
                raise PaymentError(f"Test subscription {reference} has ended")
            if row.state == BillingState.PAST_DUE:
                row.past_due_since = min(row.past_due_since, now - GRACE)
            else:
                row.current_period_end = now
                if row.trial_end and row.trial_end > now:
                    row.trial_end = now
            row.save()
            self._advance(row, now)
            return self._status(row)

    # -- the clock ---------------------------------------------------------------------

    def _row(self, reference: str):
        from store.subscriptions.models import TestBillingSubscription

        row = (
            TestBillingSubscription.objects.select_for_update().filter(reference=reference).first()
        )
        if row is None:
            raise PaymentError(f"No such test subscription: {reference!r}")
        return row

    def _flag(self, reference: str, *, cancel_at_period_end: bool) -> BillingStatus:
        with transaction.atomic():
            row = self._row(reference)
            self._advance(row, timezone.now())
            if row.state == BillingState.ENDED:
                raise PaymentError(f"Test subscription {reference} has ended")
            row.cancel_at_period_end = cancel_at_period_end
            row.save()
            return self._status(row)

    def _advance(self, row, now: datetime) -> None:
        """Everything that has fallen due by ``now``, in order."""
        changed = False
        while row.state != BillingState.ENDED:
            if row.state == BillingState.PAST_DUE:
                if not row.card_fails:  # the card works again: the open invoice is paid
                    row.invoices[-1].update(status="paid", paid_at=now.isoformat())
                    row.state, row.past_due_since = BillingState.ACTIVE, None
                    changed = True
                    continue
                if now >= row.past_due_since + GRACE:  # retries exhausted
                    row.invoices[-1]["status"] = "uncollectible"
                    row.state, row.ended_at = BillingState.ENDED, row.past_due_since + GRACE
                    changed = True
                break
            if row.current_period_end > now:
                break
            renewal = row.current_period_end
            if row.cancel_at_period_end:
                row.state, row.ended_at = BillingState.ENDED, renewal
                changed = True
                break
            row.current_period_start = renewal
            row.current_period_end = period_end(renewal, row.interval)
            if row.card_fails:
                row.state, row.past_due_since = BillingState.PAST_DUE, renewal
                row.invoices.append(
                    _invoice(row, status="open", amount_minor=row.amount_minor, at=renewal)
                )
            else:
                row.state = BillingState.ACTIVE
                row.invoices.append(
                    _invoice(row, status="paid", amount_minor=row.amount_minor, at=renewal)
                )
            changed = True
        if changed:
            row.save()

    def _status(self, row) -> BillingStatus:
        return BillingStatus(
            reference=row.reference,
            customer=row.customer,
            client_reference=row.client_reference,
            price_id=row.price_id,
            state=BillingState(row.state),
            cancel_at_period_end=row.cancel_at_period_end and row.state != BillingState.ENDED,
            current_period_start=row.current_period_start,
            current_period_end=row.current_period_end,
            trial_end=row.trial_end,
            started_at=row.started_at,
            ended_at=row.ended_at,
            currency=row.currency,
            amount_minor=row.amount_minor,
            latest_invoice=_invoice_status(row.invoices[-1]) if row.invoices else None,
        )

    def invoices(self, *, reference: str) -> list[InvoiceStatus]:
        """Every bill, newest first (the account page's past payments)."""
        from store.subscriptions.models import TestBillingSubscription

        row = TestBillingSubscription.objects.filter(reference=reference).first()
        return [_invoice_status(i) for i in reversed(row.invoices)] if row else []
