"""``/account/devices/``: a premium subscriber's offline devices, listed from 7digital
with the names kept by the shop, renamed and disabled; a customer reaches only their
own; a downgrade or an expiry disables them all at 7digital."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from integrations.sevendigital import get_client
from sandbox.models import OfflineDevice as SandboxDevice
from store.subscriptions import services, tasks
from store.subscriptions.models import OfflineDevice, Plan, Subscription
from store.subscriptions.services import devices

from .conftest import make_plan, make_subscription

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

PHONE = "e5ada89d-db5b-4d0e-b70b-820796d7d583"
TABLET = "0b6f3c34-8d43-4a0e-9b1c-2f4f1e0a9c11"
PAGE = "/account/devices/"


def _premium(user) -> Subscription:
    """A premium subscription, at the shop and at 7digital (the sandbox)."""
    from sandbox.backends.subscriptions import subscriptions_backend

    plan = Plan.objects.filter(plan_code=Plan.Code.PREMIUM).first() or make_plan()
    subscription = make_subscription(user=user, plan=plan)
    subscriptions_backend.grant(
        consumer_key="sandbox-key", user_id=user.partner_user.partner_user_id, status="active"
    )
    return subscription


def _register(user, *client_ids: str) -> None:
    """The companion app registers devices (its API comes with the app work)."""
    for client_id in client_ids:
        get_client().subscriptions.set_offline(
            user.partner_user.partner_user_id, client_id=client_id, enabled=True
        )


def _enabled_at_7digital(user) -> set[str]:
    return {
        device.client_id.lower()
        for device in SandboxDevice.objects.filter(
            user__user_id=user.partner_user.partner_user_id, enabled=True
        )
    }


@pytest.fixture
def customer(sandbox, settings):
    from tests.store.conftest import make_customer

    settings.SEVENDIGITAL_CONSUMER_KEY = "sandbox-key"
    user = make_customer("devices@example.com")
    _premium(user)
    _register(user, PHONE, TABLET)
    return user


@pytest.fixture
def signed_in(customer):
    browser = Client()
    browser.force_login(customer)
    return browser


def test_a_premium_subscriber_sees_the_devices_7digital_has_enabled(signed_in):
    page = signed_in.get(PAGE).content.decode()

    assert page.count("Unnamed device") == 2
    assert page.count("Enabled for offline play") == 2
    assert "Offline play comes with the Premium plan" not in page


def test_a_device_is_renamed_and_keeps_its_name(signed_in, customer):
    response = signed_in.post(f"{PAGE}{PHONE}/rename", {"name": "  Sam's phone "})

    assert response.status_code == 302
    page = signed_in.get(PAGE).content.decode()
    assert "Sam&#x27;s phone" in page
    assert OfflineDevice.objects.get(user=customer, client_id=PHONE).name == "Sam's phone"


def test_a_name_too_long_or_empty_is_refused_in_words(signed_in):
    for name in ("", "x" * 61):
        response = signed_in.post(f"{PAGE}{PHONE}/rename", {"name": name}, follow=True)
        assert "A device&#x27;s name is 1 to 60 characters." in response.content.decode()
    assert not OfflineDevice.objects.exists()


def test_disabling_a_device_disables_it_at_7digital(signed_in, customer):
    response = signed_in.post(f"{PAGE}{PHONE}/disable", follow=True)

    assert "can no longer keep tracks to play offline" in response.content.decode()
    assert _enabled_at_7digital(customer) == {TABLET}
    page = signed_in.get(PAGE).content.decode()
    assert page.count("Enabled for offline play") == 1
    assert "Disabled on" in page


def test_a_customer_never_reaches_another_customers_devices(customer, sandbox):
    from tests.store.conftest import make_customer

    other = make_customer("other@example.com")
    _premium(other)
    intruder = Client()
    intruder.force_login(other)

    assert "Unnamed device" not in intruder.get(PAGE).content.decode()
    renamed = intruder.post(f"{PAGE}{PHONE}/rename", {"name": "Mine now"}, follow=True)
    disabled = intruder.post(f"{PAGE}{PHONE}/disable", follow=True)

    assert "No such device." in renamed.content.decode()
    assert "No such device." in disabled.content.decode()
    assert _enabled_at_7digital(customer) == {PHONE.lower(), TABLET}
    assert not OfflineDevice.objects.filter(name="Mine now").exists()


def test_a_visitor_is_asked_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_forms_need_the_csrf_token(customer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)

    assert strict.post(f"{PAGE}{PHONE}/disable").status_code == 403
    assert strict.post(f"{PAGE}{PHONE}/rename", {"name": "x"}).status_code == 403
    assert strict.get(f"{PAGE}{PHONE}/disable").status_code == 405


def test_without_premium_the_page_says_so_and_no_device_stays_enabled(signed_in, customer):
    Subscription.objects.filter(user=customer).update(
        status=Subscription.Status.ENDED, ended_at=timezone.now()
    )

    page = signed_in.get(PAGE).content.decode()

    assert "Offline play comes with the Premium plan" in page
    assert _enabled_at_7digital(customer) == set()


def test_an_expiry_confirmed_at_7digital_disables_every_device(
    customer, django_capture_on_commit_callbacks
):
    subscription = Subscription.objects.get(user=customer)
    queued: list[int] = []
    with (
        mock.patch.object(tasks.subscription_sync_send, "delay", side_effect=queued.append),
        mock.patch.object(tasks.offline_devices_disable, "delay") as disable,
    ):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            subscription.status = Subscription.Status.ENDED
            subscription.ended_at = timezone.now()
            subscription.save()
            services.subscription_changed(subscription=subscription, kind="ended", message="")
        with django_capture_on_commit_callbacks(execute=True):
            services.subscription_sync_send(sync_id=queued[0])

    disable.assert_called_once_with(customer.pk)
    assert tasks.offline_devices_disable(customer.pk) == 2
    assert _enabled_at_7digital(customer) == set()


def test_premium_again_by_the_time_the_task_runs_keeps_the_devices(customer):
    assert devices.offline_devices_disable_all(user_id=customer.pk) == 0
    assert len(_enabled_at_7digital(customer)) == 2


def test_a_downgrade_to_standard_disables_them(customer):
    standard = make_plan(slug="standard", code=Plan.Code.STANDARD)
    Subscription.objects.filter(user=customer).update(
        plan=standard, current_period_end=timezone.now() + timedelta(days=20)
    )

    assert devices.offline_devices_disable_all(user_id=customer.pk) == 2
    assert _enabled_at_7digital(customer) == set()
