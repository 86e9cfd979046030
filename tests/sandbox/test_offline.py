"""The sandbox's offline devices: POST and GET user/unlimitedStreaming/offline,
user/offlineclients and the stream host's offline/subscription (reference lines
4656-4736), with the choices of docs/sandbox-offline.md: premium plan only, a device
limit (SANDBOX_OFFLINE_DEVICE_LIMIT), registered and enabled clientId only, access on
the sandbox's clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from defusedxml import ElementTree
from django.conf import settings
from requests_oauthlib import OAuth1

from sandbox import audio
from sandbox.backends.subscriptions import subscriptions_backend
from sandbox.models import OfflineDevice, PartnerUser, Release, Track
from sandbox.state import state
from sevendigital.parsing import decode

from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NOW = datetime(2026, 11, 10, 12, 0, 0, tzinfo=UTC)
USER = "offline-1"
DEVICE = "e5ada89d-db5b-4d0e-b70b-820796d7d583"  # the reference's example (line 4686)
OTHER_DEVICES = (
    "BD0A351C-4265-49A4-A80F-D10C5F56EC3E",  # the reference's list (lines 4730-4733)
    "8B91B97A-3214-4D17-B2A4-325E8CAB88B5",
    "123",
)
OFFLINE = f"{SANDBOX_URL}/1.2/user/unlimitedStreaming/offline"
CLIENTS = f"{SANDBOX_URL}/1.2/user/offlineclients"
STREAM = f"{SANDBOX_URL}/offline/subscription"
NO_SURPRISES = 1046
SECONDS = 3  # a short track: encoding a whole song to AAC would slow the suite down


# -- helpers -------------------------------------------------------------------------


def two_legged() -> OAuth1:
    return OAuth1(settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET)


def xml_body(client_id: str = DEVICE, enabled: bool = True, user_id: str = USER) -> str:
    return (
        "<offlineStatus>"
        f"<userId>{user_id}</userId>"
        f"<clientId>{client_id}</clientId>"
        f"<offlineEnabled>{'true' if enabled else 'false'}</offlineEnabled>"
        "<country>GB</country>"
        "</offlineStatus>"
    )


def post(
    http_session: requests.Session,
    client_id: str = DEVICE,
    enabled: bool = True,
    *,
    body: str | None = None,
    content_type: str = "application/xml",
    accept: str = "application/xml",
    params: dict | None = None,
) -> requests.Response:
    """A signed POST of the reference's XML body (userId in the body, as its example)."""
    return http_session.post(
        OFFLINE,
        params=params,
        data=(body if body is not None else xml_body(client_id, enabled)).encode(),
        headers={"Content-Type": content_type, "Accept": accept},
        auth=two_legged(),
    )


def post_json(http_session: requests.Session, fields: dict, **options) -> requests.Response:
    return post(
        http_session,
        body=json.dumps(fields),
        content_type="application/json",
        accept="application/json",
        **options,
    )


def get(http_session, url: str, params: dict, *, accept="application/xml", headers=None):
    return http_session.get(
        url,
        params={"userId": USER, **params},
        headers={"Accept": accept, **(headers or {})},
        auth=two_legged(),
    )


def status_of(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    root = ElementTree.fromstring(response.content)
    assert (root.tag, root.get("status")) == ("response", "ok")
    (status,) = list(root)
    assert status.tag == "offlineStatus"
    return {child.tag: child.text for child in status}


def error_of(response: requests.Response) -> tuple[int | None, str | None]:
    envelope = decode(response.content, response.headers.get("Content-Type", ""))
    assert envelope.is_error, response.text
    return envelope.error_code, envelope.error_message


def listed(http_session) -> list[str]:
    response = get(http_session, CLIENTS, {})
    assert response.status_code == 200, response.text
    root = ElementTree.fromstring(response.content)
    return [client.findtext("clientId") for client in root.find("offlineClients")]


def stream(http_session, client_id: str = DEVICE, *, method="GET", headers=None, **params):
    query = {"trackId": track().id, "formatId": 56, "clientId": client_id, "country": "GB"}
    query.update(params)
    return http_session.request(
        method,
        STREAM,
        params={"userId": USER, **{k: v for k, v in query.items() if v is not None}},
        headers=headers,
        auth=two_legged(),
    )


def track() -> Track:
    return Track.objects.filter(release_id=NO_SURPRISES).order_by("number").first()


def subscribe(plan: str = "premium-unlimited-streaming", **fields) -> None:
    subscriptions_backend.set(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
        user_id=USER,
        fields={"plan_code": plan, "status": "active", "expiry_date": NOW + timedelta(days=30)}
        | fields,
    )


# -- fixtures --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def clock():
    state.set_now(NOW)


@pytest.fixture
def user(seeded_catalogue) -> PartnerUser:
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=NOW - timedelta(days=1))
    Track.objects.filter(id=track().id).update(duration=SECONDS)
    return PartnerUser.objects.create(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id=USER, country="GB"
    )


@pytest.fixture
def premium(user) -> PartnerUser:
    subscribe()
    return user


@pytest.fixture
def device_limit(settings):
    settings.SANDBOX_OFFLINE_DEVICE_LIMIT = 2
    return 2


# -- POST and GET user/unlimitedStreaming/offline -------------------------------------


def test_a_premium_subscriber_enables_a_device_with_the_reference_xml_body(http_session, premium):
    assert status_of(post(http_session)) == {
        "offlineEnabled": "true",
        "offlineMaxTrackCount": "4000",
    }
    assert status_of(get(http_session, OFFLINE, {"clientId": DEVICE}))["offlineEnabled"] == "true"


def test_the_json_body_gets_a_json_answer(http_session, premium):
    response = post_json(
        http_session,
        {"userId": USER, "clientId": DEVICE, "offlineEnabled": True, "country": "GB"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["offlineStatus"] == {
        "offlineEnabled": True,
        "offlineMaxTrackCount": 4000,
    }
    answer = get(http_session, OFFLINE, {"clientId": DEVICE}, accept="application/json")
    assert answer.json()["offlineStatus"]["offlineEnabled"] is True


def test_a_whole_number_client_id_is_accepted_as_the_reference_types_it(http_session, premium):
    response = post_json(
        http_session, {"userId": USER, "clientId": 123, "offlineEnabled": "true", "country": "GB"}
    )

    assert response.status_code == 200, response.text
    assert status_of(get(http_session, OFFLINE, {"clientId": "0123"}))["offlineEnabled"] == "true"


def test_a_guid_is_the_same_device_in_either_case(http_session, premium):
    post(http_session, DEVICE.upper())

    assert status_of(get(http_session, OFFLINE, {"clientId": DEVICE}))["offlineEnabled"] == "true"
    assert OfflineDevice.objects.get().client_id == DEVICE.upper()


@pytest.mark.parametrize(
    "plan",
    ["standard-unlimited-streaming", "trial-unlimited-streaming"],
)
def test_plans_other_than_premium_cannot_register_a_device(http_session, user, plan):
    subscribe(plan, trial_ends_at=NOW + timedelta(days=30))

    response = post(http_session)

    assert response.status_code == 403
    code, message = error_of(response)
    assert code == 1003
    assert message == (
        "This account type cannot register offline device: offline play needs the premium "
        f"plan, not {plan}"
    )
    assert not OfflineDevice.objects.exists()


def test_no_subscription_or_an_expired_one_cannot_register_a_device(http_session, user):
    assert error_of(post(http_session)) == (
        1003,
        "This account type cannot register offline device: the user has no subscription",
    )
    subscribe(status="expired", expiry_date=NOW)

    assert error_of(post(http_session)) == (
        1003,
        "This account type cannot register offline device: the subscription has ended",
    )


def test_one_device_over_the_limit_is_refused(http_session, premium, device_limit):
    for client_id in OTHER_DEVICES[:device_limit]:
        assert status_of(post(http_session, client_id))["offlineEnabled"] == "true"

    response = post(http_session, DEVICE)

    assert response.status_code == 403
    assert error_of(response) == (
        1003,
        "Maximum number of offline devices registered: 2 devices are enabled for this user; "
        "disable one first",
    )
    assert status_of(get(http_session, OFFLINE, {"clientId": DEVICE}))["offlineEnabled"] == "false"


def test_enabling_an_enabled_device_again_at_the_limit_is_not_refused(
    http_session, premium, device_limit
):
    for client_id in OTHER_DEVICES[:device_limit]:
        post(http_session, client_id)

    assert status_of(post(http_session, OTHER_DEVICES[0]))["offlineEnabled"] == "true"
    assert OfflineDevice.objects.count() == device_limit


def test_disabling_frees_a_slot(http_session, premium, device_limit):
    for client_id in OTHER_DEVICES[:device_limit]:
        post(http_session, client_id)

    assert status_of(post(http_session, OTHER_DEVICES[0], enabled=False)) == {
        "offlineEnabled": "false",
        "offlineMaxTrackCount": "4000",
    }

    assert status_of(post(http_session, DEVICE))["offlineEnabled"] == "true"
    assert listed(http_session) == [OTHER_DEVICES[1], DEVICE]


def test_disabling_is_idempotent_and_needs_no_subscription(http_session, premium):
    post(http_session)
    subscribe("standard-unlimited-streaming")

    first = post(http_session, enabled=False)
    second = post(http_session, enabled=False)
    never_registered = post(http_session, OTHER_DEVICES[2], enabled=False)

    assert [status_of(r)["offlineEnabled"] for r in (first, second, never_registered)] == [
        "false"
    ] * 3
    assert list(OfflineDevice.objects.values_list("client_id", "enabled")) == [(DEVICE, False)]


def test_a_device_never_registered_reads_as_disabled(http_session, user):
    assert status_of(get(http_session, OFFLINE, {"clientId": DEVICE})) == {
        "offlineEnabled": "false",
        "offlineMaxTrackCount": "4000",
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"offlineEnabled": True, "country": "GB"},
            (1001, "Required parameter clientId is missing"),
        ),
        (
            {"clientId": DEVICE, "country": "GB"},
            (1001, "Required parameter offlineEnabled is missing"),
        ),
        (
            {"clientId": DEVICE, "offlineEnabled": True},
            (1001, "Required parameter country is missing"),
        ),
        (
            {"clientId": "not-a-guid", "offlineEnabled": True, "country": "GB"},
            (
                1002,
                "Invalid value for parameter clientId: not-a-guid (a whole number, or a GUID "
                "such as e5ada89d-db5b-4d0e-b70b-820796d7d583)",
            ),
        ),
        (
            {"clientId": DEVICE, "offlineEnabled": "maybe", "country": "GB"},
            (1002, "Invalid value for parameter offlineEnabled: 'maybe' (true or false)"),
        ),
        (
            {"clientId": DEVICE, "offlineEnabled": True, "country": "XX"},
            (1002, "Invalid value for parameter country: XX"),
        ),
        (
            {"clientId": DEVICE, "offlineEnabled": True, "country": "GB", "userId": "someone"},
            (
                1002,
                "Invalid value for parameter userId: someone is not the user the request is "
                "signed for",
            ),
        ),
    ],
)
def test_the_post_names_a_missing_or_invalid_field(http_session, premium, fields, expected):
    response = post_json(http_session, fields, params={"userId": USER})

    assert response.status_code == 400
    assert error_of(response) == expected


def test_the_post_refuses_an_unknown_user_or_a_malformed_body(http_session, premium):
    assert error_of(post(http_session, body=xml_body(user_id="nobody"))) == (
        2001,
        "User not found",
    )
    assert error_of(post(http_session, body="<offlineStatus><clientId>"))[0] == 1002
    assert error_of(post(http_session, body="<status/>")) == (
        1002,
        "Invalid request body: the root element must be <offlineStatus>, not <status>",
    )


def test_the_get_needs_a_valid_client_id(http_session, user):
    assert error_of(get(http_session, OFFLINE, {})) == (
        1001,
        "Required parameter clientId is missing",
    )
    assert error_of(get(http_session, OFFLINE, {"clientId": "x"}))[0] == 1002
    missing_user = http_session.get(
        OFFLINE, params={"userId": "nobody", "clientId": DEVICE}, auth=two_legged()
    )
    assert error_of(missing_user) == (2001, "User not found")


# -- user/offlineclients --------------------------------------------------------------


def test_offlineclients_lists_the_enabled_devices_in_xml_and_json(http_session, premium):
    for client_id in (DEVICE, *OTHER_DEVICES[:2]):
        post(http_session, client_id)
    post(http_session, DEVICE, enabled=False)

    assert listed(http_session) == list(OTHER_DEVICES[:2])
    answer = get(http_session, CLIENTS, {}, accept="application/json")
    assert answer.json()["offlineClients"] == [{"clientId": c} for c in OTHER_DEVICES[:2]]


def test_offlineclients_of_a_user_without_devices_is_an_empty_list(http_session, user):
    assert listed(http_session) == []
    assert get(http_session, CLIENTS, {}, accept="application/json").json()["offlineClients"] == []


# -- offline/subscription -------------------------------------------------------------


def test_a_registered_device_caches_the_whole_track_as_aac(http_session, premium):
    post(http_session)
    expected = audio.full_track(
        track().id, SECONDS, audio.FORMAT_ENCODINGS[56], cache_dir=settings.SANDBOX_AUDIO_CACHE
    )

    response = stream(http_session)

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "audio/mp4"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Cache-Control"] == "no-cache, no-store"
    assert response.content == expected


def test_offline_subscription_serves_ranges_and_head(http_session, premium):
    post(http_session)
    whole = stream(http_session, formatId=55).content

    part = stream(http_session, formatId=55, headers={"Range": "bytes=10-19"})
    head = stream(http_session, method="HEAD", formatId=55)
    past_the_end = stream(http_session, formatId=55, headers={"Range": f"bytes={len(whole)}-"})

    assert (part.status_code, part.content) == (206, whole[10:20])
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole)}"
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["Content-Length"] == str(len(whole))
    assert past_the_end.status_code == 416


def test_an_unregistered_or_disabled_device_is_refused(http_session, premium):
    unregistered = stream(http_session)
    post(http_session)
    post(http_session, enabled=False)
    disabled = stream(http_session)

    for response in (unregistered, disabled):
        assert response.status_code == 403
        assert error_of(response) == (
            1003,
            f"Client {DEVICE} is not registered for offline playback: register it with "
            "user/unlimitedStreaming/offline first",
        )


def test_a_registered_device_of_an_expired_subscriber_gets_2002(http_session, premium):
    post(http_session)
    state.set_now(NOW + timedelta(days=30))

    response = stream(http_session)

    assert response.status_code == 403
    assert error_of(response) == (
        2002,
        "Pre-release or subscription availability: the user does not have a valid "
        "subscription account",
    )
    state.set_now(NOW + timedelta(days=30) - timedelta(seconds=1))
    assert stream(http_session).status_code == 200


def test_a_registered_device_after_a_downgrade_gets_1003(http_session, premium):
    post(http_session)
    subscribe("standard-unlimited-streaming")

    assert error_of(stream(http_session)) == (
        1003,
        "This account type cannot register offline device: offline play needs the premium "
        "plan, not standard-unlimited-streaming",
    )


def test_an_unknown_user_gets_2002_at_the_stream_host(http_session, user):
    response = http_session.get(
        STREAM,
        params={
            "userId": "nobody",
            "trackId": track().id,
            "formatId": 56,
            "clientId": DEVICE,
            "country": "GB",
        },
        auth=two_legged(),
    )
    assert error_of(response)[0] == 2002


def test_offline_subscription_checks_its_parameters_and_the_track(http_session, premium):
    post(http_session)

    assert error_of(stream(http_session, clientId=None)) == (
        1001,
        "Required parameter clientId is missing",
    )
    assert error_of(stream(http_session, formatId=17)) == (
        1002,
        "Invalid value for parameter formatId: 17 (offline streams are format 55, AAC 64, "
        "or 56, AAC 160)",
    )
    assert error_of(stream(http_session, trackId=999_999_999))[0] == 2001
    Release.objects.filter(id=NO_SURPRISES).update(streaming_date=NOW + timedelta(days=1))
    assert error_of(stream(http_session)) == (
        2002,
        "Pre-release or subscription availability: the track is not available for streaming "
        "until 2026-11-11",
    )


# -- the control API -------------------------------------------------------------------


def test_the_control_api_lists_devices_and_reset_forgets_them(http_session, premium):
    post(http_session)
    post(http_session, OTHER_DEVICES[2])
    post(http_session, OTHER_DEVICES[2], enabled=False)

    response = http_session.get(f"{SANDBOX_URL}/_sandbox/offline", params={"user_id": USER})

    assert response.status_code == 200
    body = response.json()
    assert body["device_limit"] == settings.SANDBOX_OFFLINE_DEVICE_LIMIT
    assert [(d["clientId"], d["enabled"], d["user_id"]) for d in body["devices"]] == [
        (DEVICE, True, USER),
        (OTHER_DEVICES[2], False, USER),
    ]
    assert body["devices"][0]["registeredAt"] == "2026-11-10T12:00:00Z"

    assert http_session.post(f"{SANDBOX_URL}/_sandbox/reset").status_code == 200
    assert not OfflineDevice.objects.exists()


def test_a_nul_byte_or_an_overlong_user_id_in_the_body_is_invalid(http_session, premium):
    for user_id in ("a\x00b", "u" * 256):
        response = post_json(
            http_session,
            {"userId": user_id, "clientId": DEVICE, "offlineEnabled": True, "country": "GB"},
        )
        assert error_of(response) == (1002, "Invalid value for parameter userId")
