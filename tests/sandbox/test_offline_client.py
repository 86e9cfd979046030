"""The project's own client and the sandbox agree on offline devices (reference lines
4656-4736): ``Subscriptions.set_offline`` / ``offline_status`` / ``offline_clients`` and
``Media.offline_subscription``, in XML and JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from sandbox import audio
from sandbox.backends.subscriptions import subscriptions_backend
from sandbox.models import PartnerUser, Release, Track
from sandbox.state import state
from sevendigital import SevenDigital, errors
from sevendigital.models import OfflineClient, OfflineStatus

from .conftest import make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NOW = datetime(2027, 1, 10, 10, 0, 0, tzinfo=UTC)
USER = "offline-client-1"
DEVICE = "e5ada89d-db5b-4d0e-b70b-820796d7d583"
SECOND_DEVICE = "8B91B97A-3214-4D17-B2A4-325E8CAB88B5"
NO_SURPRISES = 1046
SECONDS = 3


@pytest.fixture(autouse=True)
def clock():
    state.set_now(NOW)


@pytest.fixture(params=["xml", "json"])
def client(request) -> SevenDigital:
    return make_client(response_format=request.param)


@pytest.fixture
def track(seeded_catalogue) -> Track:
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=NOW - timedelta(days=1))
    track = Track.objects.filter(release_id=NO_SURPRISES).order_by("number").first()
    Track.objects.filter(id=track.id).update(duration=SECONDS)
    return track


def subscribe(plan: str = "premium-unlimited-streaming", **fields) -> None:
    subscriptions_backend.set(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
        user_id=USER,
        fields={"plan_code": plan, "status": "active", "expiry_date": NOW + timedelta(days=30)}
        | fields,
    )


@pytest.fixture
def premium(track) -> PartnerUser:
    user = PartnerUser.objects.create(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=USER, country="GB"
    )
    subscribe()
    return user


def test_the_client_registers_lists_and_disables_devices(client, premium):
    assert client.subscriptions.set_offline(USER, client_id=DEVICE, enabled=True) == (
        OfflineStatus(enabled=True, max_track_count=4000)
    )
    client.subscriptions.set_offline(USER, client_id=SECOND_DEVICE, enabled=True)

    assert client.subscriptions.offline_status(USER, client_id=DEVICE).enabled
    assert client.subscriptions.offline_clients(USER) == [
        OfflineClient(DEVICE),
        OfflineClient(SECOND_DEVICE),
    ]

    for _ in range(2):  # idempotent
        assert not client.subscriptions.set_offline(USER, client_id=DEVICE, enabled=False).enabled
    assert not client.subscriptions.offline_status(USER, client_id=DEVICE).enabled
    assert client.subscriptions.offline_clients(USER) == [OfflineClient(SECOND_DEVICE)]


def test_the_client_raises_1003_for_a_standard_plan_and_the_device_limit(client, premium, settings):
    settings.SANDBOX_OFFLINE_DEVICE_LIMIT = 1
    client.subscriptions.set_offline(USER, client_id=DEVICE, enabled=True)

    with pytest.raises(errors.ParameterOutOfRange) as over:
        client.subscriptions.set_offline(USER, client_id=SECOND_DEVICE, enabled=True)
    subscribe("standard-unlimited-streaming")
    with pytest.raises(errors.ParameterOutOfRange) as standard:
        client.subscriptions.set_offline(USER, client_id=SECOND_DEVICE, enabled=True)

    assert (over.value.code, over.value.http_status) == (1003, 403)
    assert over.value.message.startswith("Maximum number of offline devices registered")
    assert standard.value.message.startswith("This account type cannot register offline device")


def test_the_client_caches_a_track_on_a_registered_device(client, premium, track):
    client.subscriptions.set_offline(USER, client_id=DEVICE, enabled=True)
    request = client.media.offline_subscription(
        USER, track_id=track.id, format_id=56, client_id=DEVICE, country="GB"
    )

    response = client.media.open(request)
    body = response.content
    response.close()
    part = client.media.open(request, range="bytes=0-99")
    head = client.media.open(request, method="HEAD")

    assert response.headers["Content-Type"] == "audio/mp4"
    assert body == audio.full_track(
        track.id, SECONDS, audio.FORMAT_ENCODINGS[56], cache_dir=settings.SANDBOX_AUDIO_CACHE
    )
    assert (part.status_code, part.content) == (206, body[:100])
    assert head.headers["Content-Length"] == str(len(body))
    part.close()
    head.close()


def test_the_client_sees_2002_once_the_subscription_has_expired(client, premium, track):
    client.subscriptions.set_offline(USER, client_id=DEVICE, enabled=True)
    request = client.media.offline_subscription(
        USER, track_id=track.id, format_id=55, client_id=DEVICE, country="GB"
    )
    state.set_now(NOW + timedelta(days=31))

    with pytest.raises(errors.NotAvailable) as refused:
        client.media.open(request)

    assert refused.value.code == 2002
