"""Closing an account ends its subscription at once and 7digital hears ``expired``,
even once the account is gone (the row keeps the partner user id)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.services import account_delete
from sandbox.backends.subscriptions import subscriptions_backend
from store.subscriptions import services
from store.subscriptions.models import Subscription

from .conftest import at_7digital, make_plan, make_subscription

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def confirmed(subscriber, clock, sync_queue, django_capture_on_commit_callbacks):
    subscription = make_subscription(
        user=subscriber, plan=make_plan(), start=clock.now - timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.subscription_changed(subscription=subscription, kind="started", message="")
    sync_queue.send_all()
    assert at_7digital(subscription.partner_user_id).status == "active"
    return subscription


def test_closing_the_account_sends_expired(
    confirmed, subscriber, clock, sync_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=subscriber)
    # The account is gone by the time the worker sends it.
    Subscription.objects.filter(pk=confirmed.pk).update(user=None)
    sync_queue.send_all()

    confirmed.refresh_from_db()
    assert confirmed.status == "ended" and confirmed.ended_at == clock.now
    held = at_7digital(confirmed.partner_user_id)
    assert held.status == "expired" and held.expiry_date == clock.now
    assert not subscriptions_backend.has_access(held.user)
    assert confirmed.events.filter(kind="account-closed").exists()
    assert confirmed.syncs.latest("version").state == "confirmed"


def test_closing_the_account_from_its_page_sends_expired(
    client, confirmed, subscriber, sync_queue, django_capture_on_commit_callbacks
):
    from tests.store.conftest import PASSWORD

    client.force_login(subscriber)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_delete"), {"confirm": "on"})
    sync_queue.send_all()

    assert at_7digital(confirmed.partner_user_id).status == "expired"


def test_an_account_without_a_subscription_closes_as_before(subscriber, sync_queue):
    account_delete(user=subscriber)

    subscriber.refresh_from_db()
    assert not subscriber.is_active and sync_queue.syncs == []


def test_an_ended_subscription_is_not_sent_again(confirmed, subscriber, sync_queue):
    Subscription.objects.filter(pk=confirmed.pk).update(status="ended")

    account_delete(user=subscriber)

    assert confirmed.syncs.count() == 1
