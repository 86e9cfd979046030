"""Stripe Checkout, against recorded Stripe responses through the real ``stripe`` library:
the customer is sent to Stripe's page, a verified webhook (or their return) pays the
order exactly once, cancelling or expiring gives the basket back, refunds go to Stripe."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
import stripe
from django.core import mail
from django.test import Client
from django.utils import timezone

from sandbox.models import Purchase
from store.basket.models import Basket
from store.checkout import services, tasks
from store.checkout.gateways import stripe_checkout
from store.checkout.gateways.stripe_checkout import minor_units
from store.checkout.models import Order, OrderEvent, Refund
from tests.races import NEEDS_ROW_LOCKS, at_once
from tests.store.conftest import NO_SURPRISES, add, make_customer, refund_in_admin

from .stripe_recorded import RecordedStripe, recorded

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

WEBHOOK = "/checkout/stripe/webhook/"
SECRET = "whsec_recorded_test_secret"


@pytest.fixture
def stripe_api(settings, monkeypatch):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.SITE_URL = "https://shop.example.com"
    recorded = RecordedStripe(webhook_secret=SECRET)
    monkeypatch.setattr(stripe_checkout, "http_client", recorded)
    return recorded


@pytest.fixture
def started(client, customer, sandbox, stripe_api, queue):
    """The customer has pressed "Continue to payment" and is on Stripe's page."""
    add(client, release=NO_SURPRISES)
    response = client.post("/checkout/", {})
    assert response.status_code == 302
    order = Order.objects.get()
    return response, order, order.payment_reference


def webhook(client, stripe_api, kind, session_id, **extra):
    body, signature = stripe_api.event(kind, session_id)
    return client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature, **extra
    )


def test_checkout_asks_for_no_card_here_and_says_where_the_customer_pays(
    client, customer, sandbox, stripe_api
):
    add(client, release=NO_SURPRISES)

    page = client.get("/checkout/")

    assert page.status_code == 200
    assert 'name="card_number"' not in page.text
    assert "Stripe&#x27;s secure page" in page.text or "Stripe's secure page" in page.text
    assert "Continue to payment" in page.text


def test_checkout_sends_the_customer_to_a_stripe_session_for_exactly_this_order(
    started, stripe_api, customer
):
    response, order, session_id = started

    assert response.url == stripe_api.sessions[session_id]["url"]
    assert response.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    (created,) = stripe_api.calls("post", "/v1/checkout/sessions")
    params = created.params
    line = order.lines.get()
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == order.number
    assert params["customer_email"] == customer.email
    assert params["line_items[0][quantity]"] == "1"
    assert params["line_items[0][price_data][currency]"] == order.currency.lower()
    assert params["line_items[0][price_data][unit_amount]"] == str(
        minor_units(line.price, order.currency)
    )
    assert params["line_items[0][price_data][product_data][name]"] == line.title
    assert params["success_url"] == (
        f"https://shop.example.com/checkout/stripe/return/{order.number}/"
        "?session_id={CHECKOUT_SESSION_ID}"
    )
    assert (
        params["cancel_url"] == f"https://shop.example.com/checkout/stripe/cancel/{order.number}/"
    )
    assert 30 * 60 - 5 <= int(params["expires_at"]) - time.time() <= 30 * 60 + 5
    assert created.headers["Idempotency-Key"] == f"checkout-session-{order.number}"
    assert created.headers["Authorization"] == "Bearer sk_test_recorded"
    # Waiting for Stripe: not paid, nothing queued, the basket frozen meanwhile.
    assert order.status == Order.Status.PENDING_PAYMENT and not order.is_paid
    assert Basket.objects.get().status == Basket.Status.FROZEN


def test_the_verified_webhook_pays_the_order_and_queues_each_sale(
    client, started, stripe_api, queue, sandbox, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook(client, stripe_api, "checkout.session.completed", session_id)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payment_reference == stripe_api.sessions[session_id]["payment_intent"]
    assert Basket.objects.get().status == Basket.Status.SUBMITTED
    queue.deliver_all()
    assert len(sandbox.entries(endpoint="user/deliveritem")) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETE


def test_a_repeated_webhook_pays_and_delivers_once(
    client, started, stripe_api, queue, sandbox, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # Stripe delivers at least once
            assert (
                webhook(client, stripe_api, "checkout.session.completed", session_id).status_code
                == 200
            )

    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1
    assert len(queue.lines) == 1
    assert len(queue.receipts) == 1


@pytest.mark.optional_on(NEEDS_ROW_LOCKS)
@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_the_same_webhook_twice_at_the_same_moment_pays_and_delivers_once(
    race, started, stripe_api, queue, sandbox
):
    _, order, session_id = started
    stripe_api.pay(session_id)
    body, signature = stripe_api.event("checkout.session.completed", session_id)

    def stripe_sends_it():  # in a thread of its own: its own client and connection
        return (
            Client()
            .post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
            .status_code
        )

    # Both wait, at the write of a racer that found the order unpaid, for the other.
    answers = at_once(stripe_sends_it, stripe_sends_it, meet_at=[(Order, "save")])

    assert answers == [200, 200]

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1
    line = order.lines.get()
    assert queue.lines == [line.pk]
    assert queue.receipts == [order.pk]
    queue.deliver_all()
    queue.send_receipts()
    assert len(sandbox.entries(endpoint="user/deliveritem")) == 1
    assert Purchase.objects.filter(release_id=NO_SURPRISES).count() == 1
    assert [message.subject for message in mail.outbox] == [
        f"Your receipt for order {order.number}"
    ]


def test_the_customers_return_pays_the_order_before_the_webhook_arrives(
    client, started, stripe_api, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(
            f"/checkout/stripe/return/{order.number}/?session_id={session_id}", follow=True
        )
        late = webhook(client, stripe_api, "checkout.session.completed", session_id)

    assert page.redirect_chain[-1][0] == f"/orders/{order.number}/"
    assert f"Thank you: order {order.number} is paid." in page.text
    assert late.status_code == 200
    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1
    assert stripe_api.calls("get", f"/v1/checkout/sessions/{session_id}")


def test_returning_before_stripe_has_the_money_shows_the_order_waiting(client, started, stripe_api):
    _, order, session_id = started
    stripe_api.pay(session_id, payment_status="unpaid")  # a bank debit, still on its way

    page = client.get(f"/checkout/stripe/return/{order.number}/", follow=True)

    assert "We are waiting for the payment to be confirmed." in page.text
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_a_slower_payment_is_settled_by_its_own_webhooks(
    client, customer, sandbox, stripe_api, queue, django_capture_on_commit_callbacks
):
    add(client, release=NO_SURPRISES)
    client.post("/checkout/", {})
    first = Order.objects.get()
    stripe_api.pay(first.payment_reference, payment_status="unpaid")

    webhook(client, stripe_api, "checkout.session.completed", first.payment_reference)
    first.refresh_from_db()
    assert first.status == Order.Status.PENDING_PAYMENT

    webhook(client, stripe_api, "checkout.session.async_payment_failed", first.payment_reference)
    first.refresh_from_db()
    assert first.status == Order.Status.PAYMENT_FAILED
    assert Basket.objects.get().is_open  # the customer can try again

    client.post("/checkout/", {})
    second = Order.objects.exclude(pk=first.pk).get()
    stripe_api.pay(second.payment_reference, payment_status="unpaid")
    stripe_api.sessions[second.payment_reference]["payment_status"] = "paid"  # the bank paid
    with django_capture_on_commit_callbacks(execute=True):
        webhook(
            client,
            stripe_api,
            "checkout.session.async_payment_succeeded",
            second.payment_reference,
        )
    second.refresh_from_db()
    assert second.status == Order.Status.PAID
    assert len(queue.lines) == 1


def test_leaving_stripes_page_offers_the_way_back_and_changes_nothing(client, started, stripe_api):
    _, order, session_id = started

    page = client.get(f"/checkout/stripe/cancel/{order.number}/")

    assert page.status_code == 200
    assert "You have not paid yet" in page.text
    assert f'href="{stripe_api.sessions[session_id]["url"]}"' in page.text
    assert "Cancel this payment and return to my basket" in page.text
    assert stripe_api.sessions[session_id]["status"] == "open"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_cancelling_closes_the_session_and_gives_the_basket_back(client, started, stripe_api):
    _, order, session_id = started

    page = client.post(f"/checkout/stripe/cancel/{order.number}/", follow=True)

    assert page.redirect_chain[-1][0] == "/basket/"
    assert "Payment cancelled. Nothing was charged; your basket is as it was." in page.text
    assert stripe_api.sessions[session_id]["status"] == "expired"  # cannot be paid later
    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert Basket.objects.get().is_open


def test_cancelling_needs_the_customers_csrf_token(started, stripe_api, customer):
    from django.test import Client

    _, order, session_id = started
    elsewhere = Client(enforce_csrf_checks=True)
    elsewhere.force_login(customer)

    response = elsewhere.post(f"/checkout/stripe/cancel/{order.number}/")

    assert response.status_code == 403
    assert stripe_api.sessions[session_id]["status"] == "open"


def test_cancelling_a_session_already_paid_in_another_tab_keeps_the_payment(
    client, started, stripe_api, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/checkout/stripe/cancel/{order.number}/", follow=True)

    assert f"Your payment had already gone through: order {order.number} is paid." in page.text
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_cancelling_while_a_bank_payment_is_on_its_way_keeps_waiting_for_it(
    client, started, stripe_api, queue, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id, payment_status="unpaid")

    page = client.post(f"/checkout/stripe/cancel/{order.number}/", follow=True)

    assert "We are waiting for the payment to be confirmed." in page.text
    assert "Nothing was charged" not in page.text
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert Basket.objects.get().status == Basket.Status.FROZEN
    stripe_api.sessions[session_id]["payment_status"] = "paid"  # the bank paid
    with django_capture_on_commit_callbacks(execute=True):
        webhook(client, stripe_api, "checkout.session.async_payment_succeeded", session_id)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(queue.lines) == 1


def test_money_for_an_order_given_up_on_is_kept_delivered_and_flagged(
    client, started, stripe_api, queue, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    services.order_payment_failed(order_id=order.pk, message="Gateway error: timeout")
    assert Basket.objects.get().is_open  # given back to the customer
    stripe_api.pay(session_id)

    with django_capture_on_commit_callbacks(execute=True):
        webhook(client, stripe_api, "checkout.session.completed", session_id)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(queue.lines) == 1
    paid = order.events.get(kind=OrderEvent.Kind.PAID)
    assert "check the customer's other orders" in paid.message
    assert Basket.objects.get().is_open  # still the customer's, not taken for this order


def test_a_session_left_to_expire_gives_the_basket_back(client, started, stripe_api):
    _, order, session_id = started
    stripe_api.sessions[session_id]["status"] = "expired"

    response = webhook(client, stripe_api, "checkout.session.expired", session_id)

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert "not completed in time" in order.payment_error
    assert Basket.objects.get().is_open


@pytest.mark.parametrize(
    "signature",
    [
        None,  # no header at all
        "t=1795453100,v1=" + "0" * 64,  # wrong signature
        "garbage",
    ],
)
def test_a_webhook_without_a_valid_signature_is_refused_and_changes_nothing(
    client, started, stripe_api, signature
):
    _, order, session_id = started
    stripe_api.pay(session_id)
    body, _ = stripe_api.event("checkout.session.completed", session_id)
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature else {}

    response = client.post(WEBHOOK, body, content_type="application/json", **headers)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_a_webhook_where_none_is_configured_is_not_found_and_not_an_error(client, settings, caplog):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = client.post(WEBHOOK, "{}", content_type="application/json")

    assert response.status_code == 404
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_a_replayed_old_webhook_is_refused(client, started, stripe_api):
    _, order, session_id = started
    stripe_api.pay(session_id)
    body, signature = stripe_api.event(
        "checkout.session.completed", session_id, timestamp=int(time.time()) - 3600
    )

    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 400
    order.refresh_from_db()
    assert not order.is_paid


@pytest.mark.parametrize("body", ["not json", "[]", "{}", '{"object": "event", "type": "x"}'])
def test_a_signed_body_that_is_not_an_event_is_refused(client, stripe_api, body):
    import stripe

    signature = stripe.WebhookSignature.generate_signature_header(body, SECRET)

    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 400


def test_the_webhook_needs_no_csrf_token_but_only_post(stripe_api, started):
    from django.test import Client

    stripe_side = Client(enforce_csrf_checks=True)
    _, _order, session_id = started
    stripe_api.pay(session_id)

    assert (
        webhook(stripe_side, stripe_api, "checkout.session.completed", session_id).status_code
        == 200
    )
    assert stripe_side.get(WEBHOOK).status_code == 405


def test_events_the_shop_does_not_use_and_sessions_of_other_shops_are_acknowledged(
    client, started, stripe_api
):
    _, order, session_id = started
    stripe_api.pay(session_id)
    stripe_api.sessions[session_id]["client_reference_id"] = "ANOTHERSHOP"
    stripe_api.sessions[session_id]["metadata"] = {}

    assert webhook(client, stripe_api, "checkout.session.completed", session_id).status_code == 200
    assert webhook(client, stripe_api, "customer.created", session_id).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_a_payment_of_the_wrong_amount_is_held_for_staff_and_not_delivered(
    client, started, stripe_api, queue
):
    _, order, session_id = started
    stripe_api.pay(session_id)
    stripe_api.sessions[session_id]["amount_total"] = 1

    webhook(client, stripe_api, "checkout.session.completed", session_id)

    order.refresh_from_db()
    assert order.status == Order.Status.NEEDS_ATTENTION and not order.is_paid
    assert "took 1 gbp" in order.payment_error
    assert queue.lines == []
    page = client.get(order.get_absolute_url())
    assert "please do not pay again" in page.text


def test_stripe_failing_to_start_the_payment_charges_nothing_and_keeps_the_basket(
    client, customer, sandbox, stripe_api
):
    add(client, release=NO_SURPRISES)
    stripe_api.fail("post", "/v1/checkout/sessions", 500, "error_api")

    response = client.post("/checkout/", {})

    assert response.status_code == 200
    assert "a problem on our side" in response.text
    # The library retried with the same key; Stripe answered each with the saved error.
    assert len(stripe_api.calls("post", "/v1/checkout/sessions")) == 3
    assert Order.objects.get().status == Order.Status.PAYMENT_FAILED
    assert Basket.objects.get().is_open


def test_stripe_not_configured_charges_nothing(client, customer, sandbox, stripe_api, settings):
    settings.STRIPE_SECRET_KEY = ""
    add(client, release=NO_SURPRISES)

    response = client.post("/checkout/", {})

    assert "a problem on our side" in response.text
    assert stripe_api.requests == []
    assert Basket.objects.get().is_open


def test_another_customer_cannot_use_the_way_back_from_stripe(client, started, stripe_api, sandbox):
    _, order, session_id = started
    stripe_api.pay(session_id)
    client.force_login(make_customer("someone@example.com"))

    assert client.get(f"/checkout/stripe/return/{order.number}/").status_code == 404
    assert client.get(f"/checkout/stripe/cancel/{order.number}/").status_code == 404
    assert client.post(f"/checkout/stripe/cancel/{order.number}/").status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert stripe_api.sessions[session_id]["status"] == "complete"


@pytest.fixture
def paid(client, started, stripe_api, queue, django_capture_on_commit_callbacks):
    _, order, session_id = started
    stripe_api.pay(session_id)
    with django_capture_on_commit_callbacks(execute=True):
        webhook(client, stripe_api, "checkout.session.completed", session_id)
    queue.deliver_all()
    order.refresh_from_db()
    return order


def test_staff_refund_goes_to_stripe_once_for_the_lines_refunded(staff, paid, stripe_api):
    response = refund_in_admin(staff, paid)

    assert "Refunded" in response.text
    (refund,) = stripe_api.calls("post", "/v1/refunds")
    assert refund.params["payment_intent"] == paid.payment_reference
    assert refund.params["amount"] == str(minor_units(paid.total, paid.currency))
    line = paid.lines.get()
    assert refund.params["metadata[reference]"] == f"refund-{paid.number}-{line.pk}"
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    assert stripe_api.refunds[0]["id"] in paid.events.get(kind=OrderEvent.Kind.REFUNDED).message


def test_a_refund_stripe_refuses_is_shown_to_staff_and_can_be_retried(staff, paid, stripe_api):
    stripe_api.fail("post", "/v1/refunds", 400, "error_charge_already_refunded")

    refused = refund_in_admin(staff, paid)

    assert "has already been refunded" in refused.text
    paid.refresh_from_db()
    assert paid.amount_refunded == 0
    line = paid.lines.get()
    assert line.refund_reported_at is not None  # 7digital was told; not told twice

    retried = refund_in_admin(staff, paid)  # not Stripe's saved answer to the first try

    assert "Refunded" in retried.text
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    assert paid.amount_refunded == paid.total
    assert len(stripe_api.refunds) == 1


def test_a_refund_whose_answer_was_lost_is_not_made_twice(staff, paid, stripe_api):
    stripe_api.lose_replies("post", "/v1/refunds", times=3)  # the call and both retries

    lost = refund_in_admin(staff, paid)

    assert "Stripe could not refund the payment" in lost.text
    assert len(stripe_api.refunds) == 1  # Stripe made it; the shop did not hear
    paid.refresh_from_db()
    assert paid.amount_refunded == 0

    retried = refund_in_admin(staff, paid)

    assert "Refunded" in retried.text
    assert len(stripe_api.refunds) == 1
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED
    refunded = paid.events.get(kind=OrderEvent.Kind.REFUNDED)
    assert stripe_api.refunds[0]["id"] in refunded.message


def test_a_refund_cut_off_after_stripe_made_it_is_finished_by_the_sweep_without_a_second(
    staff, paid, stripe_api, monkeypatch
):
    class Crash(BaseException):
        """The process stops between Stripe's answer and the record of it."""

    monkeypatch.setattr(tasks.order_refund_resume, "delay", tasks.order_refund_resume)
    with (
        mock.patch.object(services.refunds, "_refund_finish", side_effect=Crash),
        pytest.raises(Crash),
    ):
        services.order_refund(order_id=paid.pk, line_ids=None, actor=None, reason="twice")
    assert len(stripe_api.refunds) == 1
    Refund.objects.update(lease_until=timezone.now() - timedelta(seconds=1))  # it lapses

    services.order_refunds_sweep()

    assert len(stripe_api.refunds) == 1  # found by its reference, not made again
    paid.refresh_from_db()
    assert paid.status == Order.Status.REFUNDED and paid.amount_refunded == paid.total
    refunded = paid.events.get(kind=OrderEvent.Kind.REFUNDED)
    assert stripe_api.refunds[0]["id"] in refunded.message


def test_a_refund_that_fails_later_is_written_in_the_orders_history(
    client, staff, paid, stripe_api
):
    refund_in_admin(staff, paid)
    refund = dict(stripe_api.refunds[0], status="failed", failure_reason="expired_or_canceled_card")
    body = json.dumps({**recorded("event"), "type": "refund.failed", "data": {"object": refund}})
    signature = stripe.WebhookSignature.generate_signature_header(body, SECRET)

    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 200
    failed = paid.events.get(kind=OrderEvent.Kind.REFUND_FAILED)
    assert "expired_or_canceled_card" in failed.message
    assert failed.amount == paid.total


# -- the sweep: orders left awaiting payment --------------------------------------------------


def _placed_long_ago(order, minutes=60):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_the_sweep_pays_an_order_whose_webhook_never_came(
    started, stripe_api, queue, django_capture_on_commit_callbacks
):
    _, order, session_id = started
    stripe_api.pay(session_id)
    _placed_long_ago(order)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.order_payments_sweep() == [order.number]

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert len(queue.lines) == 1


def test_the_sweep_closes_a_session_nobody_finished_and_gives_the_basket_back(started, stripe_api):
    _, order, session_id = started
    _placed_long_ago(order)

    services.order_payments_sweep()

    assert stripe_api.sessions[session_id]["status"] == "expired"
    order.refresh_from_db()
    assert order.status == Order.Status.PAYMENT_FAILED
    assert Basket.objects.get().is_open


def test_the_sweep_leaves_orders_the_customer_may_still_be_paying(started, stripe_api):
    _, order, _session_id = started
    _placed_long_ago(order, minutes=10)

    assert services.order_payments_sweep() == []
    assert stripe_api.calls("get", "/v1/checkout/sessions/") == []
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("0.79", "GBP", 79), ("12.00", "EUR", 1200), ("150", "JPY", 150), ("1.5", "USD", 150)],
)
def test_amounts_are_sent_in_the_currencys_smallest_unit(amount, currency, units):
    assert minor_units(Decimal(amount), currency) == units
