"""The sandbox's purchasing and refunds, as the reference documents them (lines 6475-6545),
through the project's own client: XML and JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from sandbox.models import Purchase
from sandbox.models import Release as SandboxRelease
from sandbox.state import state
from sevendigital import errors
from sevendigital.transport import UserAuth

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
USER = "buyer-1"


@pytest.fixture(params=["xml", "json"])
def client(request, sandbox_client, sandbox_json_client, seeded_catalogue):
    chosen = sandbox_client if request.param == "xml" else sandbox_json_client
    chosen.users.create(USER, country="GB")
    return chosen


def _track_of(release_id: int) -> int:
    return SandboxRelease.objects.get(id=release_id).tracks.order_by("number").first().id


def _deliver(client, **options):
    options.setdefault("release_id", NO_SURPRISES)
    options.setdefault("transaction_id", "order-1-line-1")
    options.setdefault("country", "GB")
    return client.purchasing.deliver_item(USER, **options)


def test_delivering_a_release_records_a_sale_with_a_purchase_id(client):
    state.set_now(datetime(2026, 11, 10, 14, 59, 39, tzinfo=UTC))

    purchase = _deliver(client, retail_price=Decimal("2.49"))

    assert purchase.id > 0
    assert purchase.purchase_date == datetime(2026, 11, 10, 14, 59, 39, tzinfo=UTC)
    sale = Purchase.objects.get(id=purchase.id)
    assert (sale.release_id, sale.track_id, sale.package_id) == (NO_SURPRISES, None, 2)
    assert (sale.retail_price, sale.currency, sale.transaction_id) == (
        Decimal("2.49"),
        "GBP",
        "order-1-line-1",
    )


def test_delivering_a_track_needs_the_release_it_is_on(client):
    track_id = _track_of(NO_SURPRISES)

    purchase = _deliver(client, track_id=track_id)

    assert Purchase.objects.get(id=purchase.id).track_id == track_id
    other_release = SandboxRelease.objects.exclude(id=NO_SURPRISES).first()
    with pytest.raises(errors.NotFound):
        _deliver(client, release_id=other_release.id, track_id=track_id)


def test_a_repeated_transaction_id_is_another_sale_as_at_7digital(client):
    first, second = _deliver(client), _deliver(client)

    assert first.id != second.id
    assert Purchase.objects.filter(transaction_id="order-1-line-1").count() == 2


@pytest.mark.parametrize("price", ["-1.00", "7.999", "1,000.00", "free"])
def test_a_retail_price_must_be_a_plain_amount(client, price):
    # Sent as the raw text the reference forbids (the client itself refuses such Decimals).
    with pytest.raises(errors.InvalidInput) as raised:
        client.requestor.request(
            "GET",
            "api",
            "1.2/user/deliveritem",
            params={"releaseId": NO_SURPRISES, "transactionId": "t", "retailPrice": price},
            user=UserAuth(user_id=USER),
            country="GB",
            idempotent=False,
            cache=False,
        )
    assert raised.value.code == 1002
    assert "retailPrice" in raised.value.message


def test_a_free_item_is_reported_at_zero(client):
    purchase = _deliver(client, retail_price=Decimal("0"))

    assert Purchase.objects.get(id=purchase.id).retail_price == Decimal("0.00")


def test_a_us_post_code_is_checked_and_kept(client):
    purchase = _deliver(client, country="US", post_code="12345-6789")
    assert Purchase.objects.get(id=purchase.id).post_code == "12345-6789"

    with pytest.raises(errors.InvalidInput):
        _deliver(client, country="US", post_code="SW1A 1AA")
    # Only valid in the US: elsewhere it is not kept.
    elsewhere = _deliver(client, country="GB", post_code="SW1A 1AA")
    assert Purchase.objects.get(id=elsewhere.id).post_code == ""


def test_missing_parameters_and_unknown_users_are_refused(client):
    with pytest.raises(errors.InvalidInput) as raised:
        client.requestor.request(
            "GET",
            "api",
            "1.2/user/deliveritem",
            params={"releaseId": NO_SURPRISES},
            user=UserAuth(user_id=USER),
            country="GB",
            idempotent=False,
            cache=False,
        )
    assert raised.value.code == 1001
    with pytest.raises(errors.NotFound):
        client.purchasing.deliver_item(
            "never-created", release_id=NO_SURPRISES, transaction_id="t", country="GB"
        )


def test_a_release_not_sold_in_the_country_cannot_be_delivered(client):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(territories=",US,")

    with pytest.raises(errors.NotFound):
        _deliver(client, country="GB")


def test_a_premium_package_only_where_the_release_has_one(client):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(has_premium=False)

    with pytest.raises(errors.InvalidInput):
        _deliver(client, package_id=9)
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(has_premium=True)
    assert Purchase.objects.get(id=_deliver(client, package_id=9).id).package_id == 9


def test_refunding_a_release_removes_the_sale_once(client):
    purchase = _deliver(client)

    refund = client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)

    assert (refund.purchase_id, refund.release_id) == (purchase.id, NO_SURPRISES)
    assert Purchase.objects.get(id=purchase.id).refunded_at is not None
    with pytest.raises(errors.NotFound) as raised:
        client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)
    assert raised.value.message == (
        f"Cannot find sale with purchaseId {purchase.id} and releaseId {NO_SURPRISES}"
    )


def test_refunding_a_track(client):
    track_id = _track_of(NO_SURPRISES)
    purchase = _deliver(client, track_id=track_id)

    with pytest.raises(errors.NotFound):  # the sale is of the track, not the release
        client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)
    refund = client.refunds.track(USER, purchase_id=purchase.id, track_id=track_id)

    assert (refund.purchase_id, refund.track_id) == (purchase.id, track_id)


@pytest.mark.parametrize("purchase_id", [2**63, 10**30])
def test_a_purchase_id_too_large_for_any_sale_is_not_found(client, purchase_id):
    _deliver(client)

    with pytest.raises(errors.NotFound):
        client.refunds.release(USER, purchase_id=purchase_id, release_id=NO_SURPRISES)
    with pytest.raises(errors.NotFound):
        client.refunds.track(USER, purchase_id=1, track_id=purchase_id)


def test_another_users_sale_cannot_be_refunded(client):
    purchase = _deliver(client)
    client.users.create("buyer-2", country="GB")

    with pytest.raises(errors.NotFound):
        client.refunds.release("buyer-2", purchase_id=purchase.id, release_id=NO_SURPRISES)


@pytest.mark.parametrize(
    ("sold", "refunded", "allowed"),
    [
        ("2026-01-31T23:00:00Z", "2026-01-31T23:30:00Z", True),  # the same month
        ("2026-01-10T10:00:00Z", "2026-02-04T23:59:00Z", True),  # until the 4th after
        ("2026-01-10T10:00:00Z", "2026-02-05T00:00:00Z", False),  # the 5th: too late
        ("2025-12-20T10:00:00Z", "2026-01-03T10:00:00Z", True),  # across the year
        ("2025-11-20T10:00:00Z", "2026-01-03T10:00:00Z", False),  # two months on
    ],
)
def test_refunds_only_within_the_reporting_period(client, sold, refunded, allowed):
    state.set_now(datetime.fromisoformat(sold))
    purchase = _deliver(client)
    state.set_now(datetime.fromisoformat(refunded))

    if allowed:
        client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)
    else:
        with pytest.raises(errors.NotAvailable) as raised:
            client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)
        assert raised.value.code == 2002
        assert raised.value.message == (
            f"Cannot exclude sale with purchaseId {purchase.id} and releaseId {NO_SURPRISES}"
        )


def test_the_control_api_sets_and_frees_the_clock(settings):
    settings.ROOT_URLCONF = "sandbox.urls"
    http = Client()

    set_to = http.post(
        "/_sandbox/clock", {"now": "2026-12-05T10:00:00Z"}, content_type="application/json"
    ).json()
    assert set_to == {"now": "2026-12-05T10:00:00+00:00", "frozen": True}
    assert state.now() == datetime(2026, 12, 5, 10, tzinfo=UTC)
    naive = http.post(
        "/_sandbox/clock", {"now": "2026-12-05T10:00"}, content_type="application/json"
    )
    assert naive.status_code == 400
    assert http.delete("/_sandbox/clock").json()["frozen"] is False
    assert abs((state.now() - datetime.now(UTC)).total_seconds()) < 5


@pytest.mark.parametrize(
    "options",
    [
        {"transaction_id": "t" * 256},  # the column holds 255
        {"retail_price": Decimal("123456789.00")},  # a price holds less than 10^8
    ],
)
def test_a_sale_the_sandbox_could_not_store_is_refused_as_invalid(client, options):
    with pytest.raises(errors.InvalidInput):
        _deliver(client, **options)
    assert not Purchase.objects.exists()


def test_a_parameter_holding_a_nul_byte_is_refused_as_invalid(client):
    with pytest.raises(errors.InvalidInput):
        _deliver(client, transaction_id="order-1\x00")
    assert not Purchase.objects.exists()
