"""The sandbox's play logging (reference lines 4735-4886): preview/log, catalogue/log and
user/subscription/log, their limits and rate limit, and the control API that counts
what they received."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.conf import settings
from django.db import connections
from oauthlib.oauth1.rfc5849 import signature, utils
from requests_oauthlib import OAuth1

from sandbox.models import PartnerUser, ReceivedPlayLog, Subscription
from sandbox.state import SandboxState, state
from sevendigital import errors
from sevendigital.parsing import decode
from sevendigital.resources.playlogs import CatalogueLog, PreviewLog, SubscriptionLog
from sevendigital.transport import UserAuth

from .conftest import SANDBOX_URL, make_client

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FIXTURES = Path(__file__).parent.parent / "sevendigital" / "fixtures"
PLAYED = datetime(2026, 11, 10, 14, 59, 39, tzinfo=UTC)
SUBSCRIBER = "subscriber-1"


# -- helpers -------------------------------------------------------------------------


def preview(track_id: int = 1001, **overrides) -> PreviewLog:
    values = {
        "track_id": track_id,
        "played_at": PLAYED,
        "seconds_played": 30,
        "user_agent": "Storefront/1.0",
        "user_id": "listener-1",
        "country": "GB",
    }
    return PreviewLog(**{**values, **overrides})


def catalogue_play(track_id: int = 1001, **overrides) -> CatalogueLog:
    values = {
        "track_id": track_id,
        "release_id": 5001,
        "format_id": 55,
        "played_at": PLAYED,
        "seconds_played": 200,
        "user_agent": "Radio/2.0",
        "user_id": "listener-1",
    }
    return CatalogueLog(**{**values, **overrides})


def subscription_play(track_id: int = 1001, **overrides) -> SubscriptionLog:
    values = {
        "track_id": track_id,
        "release_id": 5001,
        "format_id": 50,
        "played_at": PLAYED,
        "seconds_played": 180,
        "user_agent": "Player/3.0",
    }
    return SubscriptionLog(**{**values, **overrides})


def preview_log(**fields) -> dict:
    """One preview log as the reference's JSON example writes it; None leaves a field out."""
    log = {
        "country": "US",
        "trackId": 123456,
        "dateTimePlayed": "2014-03-13T11:39:28.8981203Z",
        "totalTimePlayed": 12,
        "userAgent": "Device version 3, App version 6",
        "userId": "135",
        "playMode": "online",
        **fields,
    }
    return {key: value for key, value in log.items() if value is not None}


def catalogue_log(**fields) -> dict:
    log = {
        "trackId": 54825860,
        "releaseId": 5424335,
        "formatId": 55,
        "dateTimePlayed": "2016-12-19T11:39:28.8981203Z",
        "totalTimePlayed": 12,
        "userAgent": "Device",
        "userId": "135",
        "endReason": "naturalEnd",
        **fields,
    }
    return {key: value for key, value in log.items() if value is not None}


def subscription_log(**fields) -> dict:
    log = {
        "trackId": 123456,
        "releaseId": 123456,
        "formatId": 50,
        "playMode": "online",
        "dateTimePlayed": "2014-03-13T11:39:28.8981203Z",
        "totalTimePlayed": 6,
        "userAgent": "Device version 3, App version 6",
        **fields,
    }
    return {key: value for key, value in log.items() if value is not None}


def signed() -> OAuth1:
    return OAuth1(settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET)


def post(
    http_session: requests.Session,
    path: str,
    body,
    *,
    content_type: str | None = "application/json",
    params: dict | None = None,
    accept: str = "application/xml",
    prefix: str = "/1.2",
) -> requests.Response:
    """A signed POST of a raw body, as any 7digital client could send it."""
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    return http_session.post(
        f"{SANDBOX_URL}{prefix}/{path}",
        params={"country": "GB"} if params is None else params,
        data=body.encode() if isinstance(body, str) else body,
        headers=headers,
        auth=signed(),
    )


def error_of(response: requests.Response) -> tuple[int | None, str | None]:
    envelope = decode(response.content, response.headers.get("Content-Type", ""))
    assert envelope.is_error, response.text
    return envelope.error_code, envelope.error_message


def control(http_session: requests.Session, method: str, path: str, **options):
    return http_session.request(method, f"{SANDBOX_URL}/_sandbox/{path}", **options)


def received(http_session: requests.Session, **params) -> dict:
    response = control(http_session, "GET", "playlogs", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def subscribe(http_session, user_id: str = SUBSCRIBER, **options) -> requests.Response:
    response = control(http_session, "POST", "subscriptions", json={"user_id": user_id, **options})
    assert response.status_code in (200, 201), response.text
    return response


# -- preview/log -------------------------------------------------------------------------


def test_preview_logs_are_stored_with_the_query_country_and_each_logs_own(sandbox_client):
    result = sandbox_client.logging.previews(
        [preview(1001, country="US"), preview(1002, play_mode="online-cached")], country="GB"
    )

    assert result.count is None  # the reference answers an empty <response />
    logs = list(ReceivedPlayLog.objects.order_by("id"))
    assert [(log.track_id, log.country, log.request_country) for log in logs] == [
        (1001, "US", "GB"),
        (1002, "GB", "GB"),
    ]
    first = logs[0]
    assert (first.kind, first.consumer_key, first.user_id) == (
        "preview",
        settings.SEVENDIGITAL_CONSUMER_KEY,
        "listener-1",
    )
    assert (first.played_at, first.played_at_text) == (PLAYED, "2026-11-10T14:59:39Z")
    assert (first.seconds_played, first.user_agent, first.play_mode) == (
        30,
        "Storefront/1.0",
        "online",
    )
    assert (first.release_id, first.format_id, first.end_reason) == (None, None, "")
    assert logs[0].request_id == logs[1].request_id


def test_preview_log_answers_an_empty_ok_envelope_in_xml_and_a_bare_object_in_json(
    http_session,
):
    as_xml = post(http_session, "preview/log", {"logs": [preview_log()]})
    as_json = post(
        http_session, "preview/log", {"logs": [preview_log()]}, accept="application/json"
    )

    assert as_xml.status_code == 200, as_xml.text
    assert '<response status="ok" version="1.2"' in as_xml.text
    assert decode(as_xml.content, as_xml.headers["Content-Type"]).content == {}
    assert as_json.status_code == 200, as_json.text
    assert as_json.json() == {}
    assert as_json.headers["Content-Type"].startswith("application/json")


def test_the_json_client_logs_previews_too(sandbox_json_client):
    assert sandbox_json_client.logging.previews([preview()], country="GB").count is None
    assert ReceivedPlayLog.objects.filter(kind="preview").count() == 1


def test_the_references_xml_preview_example_is_accepted(http_session):
    body = (FIXTURES / "preview_log_post_request.xml").read_bytes()

    response = post(http_session, "preview/log", body, content_type="application/xml")

    assert response.status_code == 200, response.text
    log = ReceivedPlayLog.objects.get()
    assert (log.track_id, log.country, log.user_id, log.seconds_played) == (123456, "US", "135", 12)
    assert log.played_at == datetime(2014, 3, 13, 11, 39, 28, 898120, tzinfo=UTC)
    assert log.played_at_text == "2014-03-13T11:39:28.8981203Z"
    assert log.user_agent == "Device version 3, App version 6"


def test_the_references_json_preview_example_is_accepted(http_session):
    body = (FIXTURES / "preview_log_post_request.json").read_bytes()

    assert post(http_session, "preview/log", body).status_code == 200
    assert ReceivedPlayLog.objects.get().track_id == 123456


def test_the_path_works_without_the_version_prefix(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log()]}, prefix="")

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.count() == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps({"logs": [preview_log()]})),
        ("text/plain", (FIXTURES / "preview_log_post_request.xml").read_text()),
        (None, "\n  " + json.dumps({"logs": [preview_log()]})),
        ("text/xml; charset=utf-8", (FIXTURES / "preview_log_post_request.xml").read_text()),
    ],
    ids=["json-as-text", "xml-as-text", "json-untyped", "text-xml"],
)
def test_without_a_json_or_xml_type_the_body_is_recognised_by_its_first_character(
    http_session, content_type, body
):
    response = post(http_session, "preview/log", body, content_type=content_type)

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.get().track_id == 123456


def test_one_bad_log_refuses_the_whole_request(http_session):
    logs = [preview_log(), preview_log(trackId=2), preview_log(trackId=None)]

    response = post(http_session, "preview/log", {"logs": logs})

    assert response.status_code == 400
    assert error_of(response) == (1001, "Required parameter trackId is missing in log 3")
    assert ReceivedPlayLog.objects.count() == 0


@pytest.mark.parametrize(
    "field",
    ["country", "trackId", "dateTimePlayed", "totalTimePlayed", "userAgent", "userId", "playMode"],
)
def test_every_documented_preview_field_is_required(http_session, field):
    response = post(http_session, "preview/log", {"logs": [preview_log(**{field: None})]})

    assert error_of(response) == (1001, f"Required parameter {field} is missing in log 1")


def test_a_blank_field_is_a_missing_one(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log(userId="  ")]})

    assert error_of(response) == (1001, "Required parameter userId is missing in log 1")


def test_numbers_may_be_sent_as_numeric_text(http_session):
    log = preview_log(trackId="123456", totalTimePlayed="0")

    assert post(http_session, "preview/log", {"logs": [log]}).status_code == 200
    stored = ReceivedPlayLog.objects.get()
    assert (stored.track_id, stored.seconds_played) == (123456, 0)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-1, "-1"),
        ("-1", "-1"),
        (1.5, "1.5"),
        ("12s", "12s"),
        (True, "true"),
        ([12], "[12]"),
        (2**63, str(2**63)),
    ],
)
def test_play_times_must_be_whole_numbers_of_zero_or_more(http_session, value, shown):
    response = post(
        http_session, "preview/log", {"logs": [preview_log(), preview_log(totalTimePlayed=value)]}
    )

    assert error_of(response) == (
        1002,
        f"Invalid value for parameter totalTimePlayed in log 2: {shown} "
        "(a whole number, 0 or more)",
    )
    assert ReceivedPlayLog.objects.count() == 0


def test_a_play_mode_outside_the_three_documented_is_an_invalid_enumeration(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log(playMode="streaming")]})

    assert response.status_code == 400
    assert error_of(response) == (
        1006,
        "Invalid enumeration value for parameter playMode in log 1: streaming "
        "(one of online, offline, online-cached)",
    )


def test_a_logs_own_country_must_be_two_letters(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log(country="GBR")]})

    assert error_of(response) == (
        1002,
        "Invalid value for parameter country in log 1: GBR (a 2-letter ISO country code)",
    )


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2014-03-13T11:39:28.8981203Z", datetime(2014, 3, 13, 11, 39, 28, 898120, tzinfo=UTC)),
        ("2014-03-13T11:39:28Z", datetime(2014, 3, 13, 11, 39, 28, tzinfo=UTC)),
        ("2014-03-13T11:39:28.5+01:00", datetime(2014, 3, 13, 10, 39, 28, 500000, tzinfo=UTC)),
        ("2014-03-13T11:39:28-0530", datetime(2014, 3, 13, 17, 9, 28, tzinfo=UTC)),
    ],
)
def test_play_times_are_iso_8601_with_an_offset_and_up_to_seven_decimals(
    http_session, sent, stored
):
    assert post(http_session, "preview/log", {"logs": [preview_log(dateTimePlayed=sent)]}).ok

    log = ReceivedPlayLog.objects.get()
    assert (log.played_at, log.played_at_text) == (stored, sent)


@pytest.mark.parametrize(
    "sent",
    [
        "2014-03-13T11:39:28",
        "2014-03-13 11:39:28Z",
        "13/03/2014 11:39",
        "2014-02-30T11:39:28Z",
        "2014-03-13T11:39:28.89812034Z",
        "2014-03-13T11:39:28+24:00",
        "2014-03-13T11:39:28+01:60",
        "2014-03-13T11:39:28Z\n",
        1394710768,
        "9999-12-31T23:59:59-23:59",  # past the year 9999 once in UTC
        "0001-01-01T00:00:00+23:59",  # before the year 1 once in UTC
    ],
)
def test_other_play_times_are_refused(http_session, sent):
    response = post(http_session, "preview/log", {"logs": [preview_log(dateTimePlayed=sent)]})

    code, message = error_of(response)
    assert code == 1002
    assert message == (
        f"Invalid value for parameter dateTimePlayed in log 1: {sent} "
        "(ISO 8601 with an offset or Z, such as 2014-03-13T11:39:28.8981203Z)"
    )


def test_a_user_agent_over_256_characters_is_truncated_not_refused(http_session):
    long_agent = "A" * 250 + "B" * 50

    response = post(http_session, "preview/log", {"logs": [preview_log(userAgent=long_agent)]})

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.get().user_agent == "A" * 250 + "B" * 6


def test_a_user_id_over_255_characters_is_refused(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log(userId="u" * 256)]})

    code, message = error_of(response)
    assert code == 1002
    assert message.endswith("(at most 255 characters)")


# -- the body ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("application/json", '{"logs": [', "Invalid request body: malformed JSON"),
        ("application/xml", "<logs><log>", "Invalid request body: malformed XML"),
        (
            "application/json",
            "[]",
            'Invalid request body: expected a JSON object with a "logs" list',
        ),
        (
            "application/json",
            '{"playLogItem": []}',
            'Invalid request body: expected a JSON object with a "logs" list',
        ),
        (
            "application/json",
            '{"logs": {"log": {}}}',
            'Invalid request body: expected a JSON object with a "logs" list',
        ),
        ("application/json", '{"logs": [7]}', "Invalid request body: log 1 is not a JSON object"),
        (
            "application/xml",
            "<playLog><playLogItem /></playLog>",
            "Invalid request body: the root element must be <logs>, not <playLog>",
        ),
        (
            "application/xml",
            "<logs><entry /></logs>",
            "Invalid request body: unexpected <entry> in <logs>; each play log is a <log>",
        ),
        (
            "text/plain",
            "trackId=1",
            "Invalid request body: send the play logs as JSON (application/json) or XML "
            "(application/xml)",
        ),
        (
            "application/xml",
            '<!DOCTYPE logs [<!ENTITY a "aaaa">]><logs><log><userId>&a;</userId></log></logs>',
            "Invalid request body: malformed XML",
        ),
    ],
    ids=[
        "broken-json",
        "broken-xml",
        "json-array",
        "json-wrong-key",
        "json-not-a-list",
        "json-item-not-object",
        "xml-wrong-root",
        "xml-wrong-item",
        "neither",
        "xml-entities",
    ],
)
def test_a_body_that_is_not_a_list_of_logs_is_an_invalid_parameter(
    http_session, content_type, body, message
):
    response = post(http_session, "preview/log", body, content_type=content_type)

    assert response.status_code == 400
    code, received_message = error_of(response)
    assert code == 1002
    assert received_message.startswith(message)


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        (
            "application/json",
            '{"logs": []}',
            "Required parameter logs is missing: the body holds no play logs",
        ),
        (
            "application/xml",
            "<logs />",
            "Required parameter logs is missing: the body holds no play logs",
        ),
        ("application/json", "", "Required parameter logs is missing: the request body is empty"),
    ],
)
def test_no_logs_at_all_is_a_missing_parameter(http_session, content_type, body, message):
    response = post(http_session, "preview/log", body, content_type=content_type)

    assert error_of(response) == (1001, message)


def test_an_xml_field_holding_elements_is_invalid(http_session):
    fields = "".join(
        f"<{name}>{value}</{name}>" for name, value in preview_log(trackId="<id>1</id>").items()
    )
    body = f"<logs><log>{fields}</log></logs>"

    response = post(http_session, "preview/log", body, content_type="application/xml")

    code, message = error_of(response)
    assert code == 1002
    assert message.startswith("Invalid value for parameter trackId in log 1")


# -- country: the query string only ------------------------------------------------------------


def test_the_country_must_be_in_the_query_string(http_session):
    response = post(http_session, "preview/log", {"logs": [preview_log()]}, params={})

    assert response.status_code == 400
    assert error_of(response) == (
        1001,
        "Required parameter country is missing: it can only be placed in the query string, "
        "not in the POST body or the Authorization header",
    )


def test_a_country_in_a_form_body_does_not_count(http_session):
    response = http_session.post(
        f"{SANDBOX_URL}/1.2/catalogue/log", data={"country": "GB"}, auth=signed()
    )

    code, message = error_of(response)
    assert code == 1001
    assert message.startswith("Required parameter country is missing")


def _authorization_with_country(url: str) -> str:
    """A valid OAuth header that also carries country (so it enters the signature)."""
    params = [
        ("oauth_consumer_key", settings.SEVENDIGITAL_CONSUMER_KEY),
        ("oauth_nonce", uuid.uuid4().hex),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", str(int(time.time()))),
        ("oauth_version", "1.0"),
        ("country", "GB"),
    ]
    base = signature.signature_base_string(
        "POST", signature.base_string_uri(url), signature.normalize_parameters(params)
    )
    signer = SimpleNamespace(
        client_secret=settings.SEVENDIGITAL_CONSUMER_SECRET, resource_owner_secret=""
    )
    sig = signature.sign_hmac_sha1_with_client(base, signer)
    pairs = [*params, ("oauth_signature", sig)]
    return "OAuth " + ", ".join(f'{key}="{utils.escape(value)}"' for key, value in pairs)


def test_a_country_in_the_authorization_header_does_not_count(http_session):
    url = f"{SANDBOX_URL}/1.2/preview/log"

    response = http_session.post(
        url,
        data=json.dumps({"logs": [preview_log()]}),
        headers={
            "Content-Type": "application/json",
            "Authorization": _authorization_with_country(url),
        },
    )

    assert response.status_code == 400, response.text  # signed correctly: not a 401
    code, message = error_of(response)
    assert code == 1001
    assert message.startswith("Required parameter country is missing")
    assert ReceivedPlayLog.objects.count() == 0


def test_the_query_country_must_be_one_the_sandbox_knows(http_session):
    response = post(
        http_session, "preview/log", {"logs": [preview_log()]}, params={"country": "ZZ"}
    )

    assert error_of(response) == (1002, "Invalid value for parameter country: ZZ")


def test_the_query_country_is_read_without_regard_to_case(http_session):
    assert post(http_session, "preview/log", {"logs": [preview_log()]}, params={"country": "us"}).ok

    assert ReceivedPlayLog.objects.get().request_country == "US"


# -- preview limits ---------------------------------------------------------------------------


def _compact_preview_logs(count: int) -> list[dict]:
    return [
        {
            "country": "GB",
            "trackId": n,
            "dateTimePlayed": "2026-11-10T14:59:39Z",
            "totalTimePlayed": 30,
            "userAgent": "ua",
            "userId": "u",
            "playMode": "online",
        }
        for n in range(count)
    ]


def test_a_preview_request_takes_up_to_500_logs(http_session, django_assert_max_num_queries):
    body = json.dumps({"logs": _compact_preview_logs(500)})
    assert len(body) < 100 * 1024

    # One request id, one bulk insert (SQLite splits it in batches; PostgreSQL does not).
    with django_assert_max_num_queries(15, connection=connections["sandbox"]):
        response = post(http_session, "preview/log", body)

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.count() == 500
    assert ReceivedPlayLog.objects.values("request_id").distinct().count() == 1


def test_a_preview_request_with_501_logs_is_out_of_range(http_session):
    response = post(http_session, "preview/log", {"logs": _compact_preview_logs(501)})

    assert response.status_code == 400
    assert error_of(response) == (1003, "Too many play logs in one request: at most 500, got 501")
    assert ReceivedPlayLog.objects.count() == 0


def test_the_preview_log_limit_is_a_setting(http_session, settings):
    settings.SANDBOX_PREVIEW_LOG_MAX = 2

    response = post(http_session, "preview/log", {"logs": _compact_preview_logs(3)})

    assert error_of(response) == (1003, "Too many play logs in one request: at most 2, got 3")


def _body_of_size(size: int) -> bytes:
    """A valid preview body of exactly ``size`` bytes (its user agents padded)."""
    logs = _compact_preview_logs(2)
    bare = len(json.dumps({"logs": logs}).encode())
    logs[0]["userAgent"] += "x" * ((size - bare) // 2)
    logs[1]["userAgent"] += "x" * (size - bare - (size - bare) // 2)
    body = json.dumps({"logs": logs}).encode()
    assert len(body) == size
    return body


def test_a_preview_body_of_exactly_100_kib_is_accepted(http_session):
    response = post(http_session, "preview/log", _body_of_size(102_400))

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.count() == 2


def test_a_preview_body_over_100_kib_is_too_large(http_session):
    response = post(http_session, "preview/log", _body_of_size(102_401))

    assert response.status_code == 413
    assert error_of(response) == (
        1003,
        "Request body too large: the limit is 100 KiB (102400 bytes), this one has 102401 bytes",
    )
    assert ReceivedPlayLog.objects.count() == 0


# -- catalogue/log -------------------------------------------------------------------------------


def test_catalogue_logs_are_counted_and_stored(sandbox_client):
    result = sandbox_client.logging.catalogue(
        [catalogue_play(1001), catalogue_play(1002, end_reason="userSkipped")], country="US"
    )

    assert result.count == 2
    logs = list(ReceivedPlayLog.objects.order_by("id"))
    assert [(log.track_id, log.end_reason) for log in logs] == [
        (1001, "naturalEnd"),
        (1002, "userSkipped"),
    ]
    first = logs[0]
    assert (first.kind, first.release_id, first.format_id, first.user_id) == (
        "catalogue",
        5001,
        55,
        "listener-1",
    )
    assert (first.request_country, first.country, first.play_mode) == ("US", "", "")


def test_the_json_client_reads_the_catalogue_count(sandbox_json_client):
    assert sandbox_json_client.logging.catalogue([catalogue_play()], country="GB").count == 1


def test_the_references_catalogue_json_example_with_numbers_as_text_is_accepted(http_session):
    body = (FIXTURES / "catalogue_log_post_request.json").read_bytes()

    response = post(http_session, "catalogue/log", body, accept="application/json")

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "version": "1.2", "playLogs": {"count": 1}}
    log = ReceivedPlayLog.objects.get()
    assert (log.track_id, log.release_id, log.format_id, log.seconds_played) == (
        54825860,
        5424335,
        55,
        12,
    )


def test_the_references_catalogue_xml_example_is_accepted(http_session):
    body = (FIXTURES / "catalogue_log_post_request.xml").read_bytes()

    response = post(http_session, "catalogue/log", body, content_type="application/xml")

    assert response.status_code == 200, response.text
    assert decode(response.content).content == {"playLogs": {"count": "1"}}
    assert ReceivedPlayLog.objects.get().end_reason == "naturalEnd"


@pytest.mark.parametrize(
    "field",
    [
        "trackId",
        "releaseId",
        "formatId",
        "dateTimePlayed",
        "totalTimePlayed",
        "userAgent",
        "userId",
        "endReason",
    ],
)
def test_every_documented_catalogue_field_is_required(http_session, field):
    body = {"playLogItem": [catalogue_log(), catalogue_log(**{field: None})]}

    response = post(http_session, "catalogue/log", body)

    assert error_of(response) == (1001, f"Required parameter {field} is missing in log 2")
    assert ReceivedPlayLog.objects.count() == 0


def test_an_end_reason_outside_the_three_documented_is_an_invalid_enumeration(http_session):
    response = post(
        http_session, "catalogue/log", {"playLogItem": [catalogue_log(endReason="skip")]}
    )

    assert error_of(response) == (
        1006,
        "Invalid enumeration value for parameter endReason in log 1: skip "
        "(one of naturalEnd, userSkipped, other)",
    )


def test_a_catalogue_request_takes_up_to_100_logs(http_session):
    items = [catalogue_log(trackId=n) for n in range(100)]

    response = post(http_session, "catalogue/log", {"playLogItem": items})

    assert response.status_code == 200, response.text
    assert ReceivedPlayLog.objects.count() == 100


def test_a_catalogue_request_with_101_logs_is_out_of_range(http_session):
    items = [catalogue_log(trackId=n) for n in range(101)]

    response = post(http_session, "catalogue/log", {"playLogItem": items})

    assert error_of(response) == (1003, "Too many play logs in one request: at most 100, got 101")
    assert ReceivedPlayLog.objects.count() == 0


def test_a_catalogue_body_in_the_preview_shape_is_refused(http_session):
    response = post(http_session, "catalogue/log", {"logs": [preview_log()]})

    assert error_of(response) == (
        1002,
        'Invalid request body: expected a JSON object with a "playLogItem" list',
    )


# -- user/subscription/log -------------------------------------------------------------------


def test_subscription_logs_are_stored_for_the_authorised_user(http_session, sandbox_client):
    subscribe(http_session)

    result = sandbox_client.logging.subscription(
        SUBSCRIBER,
        [subscription_play(1001), subscription_play(1002, play_mode="offline")],
        country="GB",
    )

    assert result.count == 2
    logs = list(ReceivedPlayLog.objects.order_by("id"))
    assert [(log.track_id, log.play_mode) for log in logs] == [(1001, "online"), (1002, "offline")]
    assert {(log.kind, log.user_id, log.format_id, log.end_reason) for log in logs} == {
        ("subscription", SUBSCRIBER, 50, "")
    }


def test_a_user_who_never_had_a_subscription_is_out_of_range(sandbox_client):
    sandbox_client.users.create("never-subscribed", country="GB")

    with pytest.raises(errors.ParameterOutOfRange) as raised:
        sandbox_client.logging.subscription("never-subscribed", [subscription_play()], country="GB")

    assert raised.value.code == 1003
    assert raised.value.message == "User has never had a subscription"
    assert ReceivedPlayLog.objects.count() == 0


def test_a_cancelled_subscription_was_still_a_subscription(http_session, sandbox_client):
    subscribe(http_session, status="cancelled")

    assert (
        sandbox_client.logging.subscription(SUBSCRIBER, [subscription_play()], country="GB").count
        == 1
    )


def test_another_consumers_subscriber_is_unknown_to_this_key(
    http_session, sandbox_client, settings
):
    settings.SANDBOX_CONSUMERS = {**settings.SANDBOX_CONSUMERS, "other-key": "other-secret"}
    subscribe(http_session, consumer_key="other-key")

    with pytest.raises(errors.ParameterOutOfRange):
        sandbox_client.logging.subscription(SUBSCRIBER, [subscription_play()], country="GB")


def test_a_user_with_an_access_token_logs_as_the_tokens_user(http_session, settings):
    settings.SANDBOX_ACCESS_TOKENS = {"token-1": ("token-secret", "token-user")}
    subscribe(http_session, user_id="token-user")
    client = make_client()

    result = client.logging.subscription(
        UserAuth(token="token-1", token_secret="token-secret"), [subscription_play()], country="GB"
    )

    assert result.count == 1
    assert ReceivedPlayLog.objects.get().user_id == "token-user"


def test_the_references_subscription_xml_example_is_accepted(http_session):
    subscribe(http_session)
    body = (FIXTURES / "user_subscription_log_post_request.xml").read_bytes()

    response = post(
        http_session,
        "user/subscription/log",
        body,
        content_type="application/xml",
        params={"country": "GB", "userId": SUBSCRIBER},
    )

    assert response.status_code == 200, response.text
    log = ReceivedPlayLog.objects.get()
    assert (log.track_id, log.seconds_played, log.play_mode) == (123456, 12, "online")


@pytest.mark.parametrize(
    "field",
    [
        "trackId",
        "releaseId",
        "formatId",
        "playMode",
        "dateTimePlayed",
        "totalTimePlayed",
        "userAgent",
    ],
)
def test_every_documented_subscription_field_is_required(http_session, field):
    subscribe(http_session)

    response = post(
        http_session,
        "user/subscription/log",
        {"playLogItem": [subscription_log(**{field: None})]},
        params={"country": "GB", "userId": SUBSCRIBER},
    )

    assert error_of(response) == (1001, f"Required parameter {field} is missing in log 1")


def test_a_subscription_log_without_a_user_is_refused(http_session):
    response = post(http_session, "user/subscription/log", {"playLogItem": [subscription_log()]})

    assert error_of(response) == (1001, "Required parameter userId is missing")


# -- the rate limit --------------------------------------------------------------------------


@pytest.fixture
def frozen_clock():
    state.set_now(PLAYED)
    return PLAYED


def set_log_limit(http_session, value) -> dict:
    response = control(http_session, "POST", "limits", json={"log_requests_per_second": value})
    assert response.status_code == 200, response.text
    return response.json()


def test_over_the_rate_limit_a_key_gets_429_until_the_second_has_passed(http_session, frozen_clock):
    set_log_limit(http_session, 2)
    for _ in range(2):
        assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok

    refused = post(http_session, "preview/log", {"logs": [preview_log()]})

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert error_of(refused) == (
        7001,
        "Rate limit exceeded: at most 2 log requests per second per key",
    )
    assert ReceivedPlayLog.objects.count() == 2
    state.set_now(frozen_clock + timedelta(milliseconds=999))
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).status_code == 429
    state.set_now(frozen_clock + timedelta(seconds=1))
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok
    assert ReceivedPlayLog.objects.count() == 3


def test_the_window_slides_rather_than_resetting_on_the_second(http_session, frozen_clock):
    set_log_limit(http_session, 2)
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok
    state.set_now(frozen_clock + timedelta(milliseconds=600))
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok

    state.set_now(frozen_clock + timedelta(milliseconds=1100))  # the first has left the window
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok
    state.set_now(frozen_clock + timedelta(milliseconds=1500))  # the second has not
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).status_code == 429


def test_the_three_logging_endpoints_share_one_limit(http_session, sandbox_client, frozen_clock):
    set_log_limit(http_session, 2)
    subscribe(http_session)
    sandbox_client.logging.previews([preview()], country="GB")
    sandbox_client.logging.catalogue([catalogue_play()], country="GB")

    with pytest.raises(errors.UnableToPerformAction) as raised:
        sandbox_client.logging.subscription(SUBSCRIBER, [subscription_play()], country="GB")

    assert (raised.value.code, raised.value.http_status) == (7001, 429)
    assert ReceivedPlayLog.objects.filter(kind="subscription").count() == 0


def test_each_consumer_key_has_its_own_window(http_session, sandbox_client, settings, frozen_clock):
    settings.SANDBOX_CONSUMERS = {**settings.SANDBOX_CONSUMERS, "other-key": "other-secret"}
    other = make_client(consumer_key="other-key", consumer_secret="other-secret")
    set_log_limit(http_session, 1)
    sandbox_client.logging.previews([preview()], country="GB")

    other.logging.previews([preview()], country="GB")

    assert ReceivedPlayLog.objects.filter(consumer_key="other-key").count() == 1
    with pytest.raises(errors.UnableToPerformAction):
        other.logging.previews([preview()], country="GB")


def test_other_endpoints_are_not_counted(http_session, sandbox_client, frozen_clock):
    set_log_limit(http_session, 1)
    for _ in range(3):
        sandbox_client.status.get()

    assert sandbox_client.logging.previews([preview()], country="GB").count is None


def test_the_limit_defaults_to_the_setting_of_five_a_second(http_session, settings, frozen_clock):
    settings.SANDBOX_LOG_RATE_LIMIT = 5

    statuses = [
        post(http_session, "preview/log", {"logs": [preview_log()]}).status_code for _ in range(6)
    ]

    assert statuses == [200] * 5 + [429]
    assert control(http_session, "GET", "limits").json() == {"log_requests_per_second": 5}


def test_a_limit_of_zero_is_unlimited(http_session, settings, frozen_clock):
    settings.SANDBOX_LOG_RATE_LIMIT = 5
    set_log_limit(http_session, 0)

    for _ in range(12):
        assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok


def test_a_refused_request_is_journalled_and_does_not_use_up_the_window(http_session, frozen_clock):
    set_log_limit(http_session, 1)
    for _ in range(3):
        post(http_session, "preview/log", {"logs": [preview_log()]})

    journal = control(http_session, "GET", "journal", params={"endpoint": "preview/log"}).json()
    assert [entry["status"] for entry in journal["entries"]] == [200, 429, 429]
    state.set_now(frozen_clock + timedelta(seconds=1))
    assert post(http_session, "preview/log", {"logs": [preview_log()]}).ok


def test_the_control_api_sets_and_restores_the_limit(http_session, settings):
    settings.SANDBOX_LOG_RATE_LIMIT = 5

    assert set_log_limit(http_session, 20) == {"log_requests_per_second": 20}
    assert control(http_session, "GET", "limits").json() == {"log_requests_per_second": 20}
    assert set_log_limit(http_session, None) == {"log_requests_per_second": 5}
    set_log_limit(http_session, 20)
    control(http_session, "POST", "reset")
    assert control(http_session, "GET", "limits").json() == {"log_requests_per_second": 5}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"log_requests_per_second": -1},
            "log_requests_per_second must be a whole number, 0 or more (0: unlimited), "
            "or null for the setting",
        ),
        (
            {"log_requests_per_second": "5"},
            "log_requests_per_second must be a whole number, 0 or more (0: unlimited), "
            "or null for the setting",
        ),
        ({"requests_per_day": 5}, "unknown limits: requests_per_day"),
    ],
)
def test_bad_limits_are_refused_with_a_reason(http_session, body, error):
    response = control(http_session, "POST", "limits", json=body)

    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_the_window_admits_exactly_the_limit_under_concurrent_requests():
    sandbox = SandboxState()
    sandbox.set_now(PLAYED)
    admitted: list[bool] = []
    barrier = threading.Barrier(20)

    def ask():
        barrier.wait()
        admitted.append(sandbox.admit_log_request("key", 5))

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert admitted.count(True) == 5


# -- faults ----------------------------------------------------------------------------------


def add_fault(http_session, **fault) -> None:
    response = control(http_session, "POST", "faults", json=fault)
    assert response.status_code == 201, response.text


def test_a_503_fault_stores_nothing(http_session, sandbox_client):
    add_fault(http_session, kind="status", endpoint="preview/log", status=503, times=1)

    with pytest.raises(errors.ServerError) as raised:
        sandbox_client.logging.previews([preview()], country="GB")

    assert raised.value.http_status == 503
    assert ReceivedPlayLog.objects.count() == 0
    assert received(http_session)["count"] == 0


def test_a_processed_reset_fault_stores_the_logs_then_drops_the_connection(
    http_session, sandbox_client
):
    add_fault(http_session, kind="processed_reset", endpoint="preview/log", times=1)

    with pytest.raises(errors.APIConnectionError):
        sandbox_client.logging.previews([preview(1), preview(2)], country="GB")

    assert received(http_session)["count"] == 2
    # The client cannot know: a retry of the same logs is a duplicate.
    sandbox_client.logging.previews([preview(1), preview(2)], country="GB")
    assert received(http_session, kind="preview")["duplicates"] == 2


# -- control API: received play logs -----------------------------------------------------------


def test_received_logs_are_listed_oldest_first_with_every_field(http_session, sandbox_client):
    state.set_now(PLAYED + timedelta(minutes=5))
    sandbox_client.logging.previews([preview(1001)], country="GB")

    body = received(http_session)

    log = body["logs"][0]
    assert log == {
        "id": log["id"],
        "kind": "preview",
        "consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY,
        "user_id": "listener-1",
        "track_id": 1001,
        "release_id": None,
        "format_id": None,
        "played_at": "2026-11-10T14:59:39Z",
        "seconds_played": 30,
        "country": "GB",
        "request_country": "GB",
        "user_agent": "Storefront/1.0",
        "play_mode": "online",
        "end_reason": "",
        "request_id": str(ReceivedPlayLog.objects.get().request_id),
        "received_at": "2026-11-10T15:04:39+00:00",
    }
    assert (body["count"], body["distinct"], body["duplicates"]) == (1, 1, 0)


def test_a_second_log_of_the_same_play_is_a_duplicate(http_session, sandbox_client):
    sandbox_client.logging.previews([preview(1), preview(2)], country="GB")
    sandbox_client.logging.previews([preview(1)], country="GB")  # sent again
    sandbox_client.logging.previews([preview(1, user_id="listener-2")], country="GB")
    sandbox_client.logging.catalogue([catalogue_play(1)], country="GB")

    previews = received(http_session, kind="preview")
    everything = received(http_session)

    assert (previews["count"], previews["distinct"], previews["duplicates"]) == (4, 3, 1)
    assert (everything["count"], everything["distinct"], everything["duplicates"]) == (5, 4, 1)


def test_the_same_moment_written_differently_is_not_a_duplicate(http_session):
    logs = [
        preview_log(dateTimePlayed="2026-11-10T14:59:39Z"),
        preview_log(dateTimePlayed="2026-11-10T14:59:39+00:00"),
    ]
    post(http_session, "preview/log", {"logs": logs})

    assert received(http_session)["duplicates"] == 0


def test_since_and_limit_page_through_the_logs(http_session, sandbox_client):
    sandbox_client.logging.previews([preview(n) for n in range(1, 6)], country="GB")
    ids = [log["id"] for log in received(http_session)["logs"]]

    page = received(http_session, since=ids[1], limit=2)

    assert page["count"] == 3
    assert [log["track_id"] for log in page["logs"]] == [3, 4]
    assert received(http_session, limit=0)["logs"] == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"kind": "radio"}, "kind must be one of preview, catalogue, subscription"),
        ({"limit": "10001"}, "limit must be a whole number from 0 to 10000"),
        ({"limit": "many"}, "limit must be a whole number from 0 to 10000"),
        ({"since": "-1"}, f"since must be a whole number from 0 to {2**63 - 1}"),
    ],
)
def test_bad_play_log_queries_are_refused_with_a_reason(http_session, params, error):
    response = control(http_session, "GET", "playlogs", params=params)

    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_the_summary_counts_logs_plays_duplicates_and_requests_per_kind(
    http_session, sandbox_client
):
    subscribe(http_session)
    sandbox_client.logging.previews([preview(1), preview(2)], country="GB")
    sandbox_client.logging.previews([preview(2)], country="GB")
    sandbox_client.logging.catalogue([catalogue_play(1)], country="GB")

    summary = control(http_session, "GET", "playlogs/summary").json()

    assert summary == {
        "preview": {"logs": 3, "distinct": 2, "duplicates": 1, "requests": 2},
        "catalogue": {"logs": 1, "distinct": 1, "duplicates": 0, "requests": 1},
        "subscription": {"logs": 0, "distinct": 0, "duplicates": 0, "requests": 0},
    }


def test_deleting_the_logs_clears_them(http_session, sandbox_client):
    sandbox_client.logging.previews([preview(1), preview(2)], country="GB")

    response = control(http_session, "DELETE", "playlogs")

    assert response.json() == {"deleted": 2}
    assert received(http_session)["count"] == 0


def test_reset_forgets_received_logs_and_subscriptions(http_session, sandbox_client):
    subscribe(http_session)
    sandbox_client.logging.subscription(SUBSCRIBER, [subscription_play()], country="GB")

    control(http_session, "POST", "reset")

    assert ReceivedPlayLog.objects.count() == 0
    assert Subscription.objects.count() == 0
    assert control(http_session, "GET", "subscriptions").json() == {"subscriptions": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "limits"),
        ("GET", "subscriptions"),
        ("GET", "playlogs"),
        ("DELETE", "playlogs"),
        ("GET", "playlogs/summary"),
    ],
)
def test_the_new_control_calls_need_the_control_token_when_one_is_set(
    http_session, settings, method, path
):
    settings.SANDBOX_CONTROL_TOKEN = "let-me-in"

    refused = control(http_session, method, path)
    allowed = control(http_session, method, path, headers={"X-Sandbox-Token": "let-me-in"})

    assert refused.status_code == 403
    assert allowed.status_code == 200


# -- control API: subscriptions --------------------------------------------------------------


def test_granting_a_subscription_creates_the_partner_user(http_session, frozen_clock):
    response = subscribe(http_session, "new-subscriber")

    assert response.status_code == 201
    assert response.json() == {
        "subscription": {
            "consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY,
            "user_id": "new-subscriber",
            "status": "active",
            "started_at": "2026-11-10T14:59:39+00:00",
            "ended_at": None,
        }
    }
    assert PartnerUser.objects.filter(
        consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY, user_id="new-subscriber"
    ).exists()


def test_an_existing_partner_user_is_given_the_subscription(http_session, sandbox_client):
    sandbox_client.users.create(SUBSCRIBER, country="GB")

    subscribe(http_session)

    assert PartnerUser.objects.get(user_id=SUBSCRIBER).subscription.status == "active"


def test_cancelling_ends_a_subscription_and_reactivating_starts_it_again(
    http_session, frozen_clock
):
    subscribe(http_session)
    state.set_now(frozen_clock + timedelta(days=30))

    cancelled = subscribe(http_session, status="cancelled")

    assert cancelled.status_code == 200
    assert cancelled.json()["subscription"]["ended_at"] == "2026-12-10T14:59:39+00:00"
    assert cancelled.json()["subscription"]["started_at"] == "2026-11-10T14:59:39+00:00"
    state.set_now(frozen_clock + timedelta(days=40))
    renewed = subscribe(http_session, status="active").json()["subscription"]
    assert (renewed["started_at"], renewed["ended_at"]) == ("2026-12-20T14:59:39+00:00", None)
    assert Subscription.objects.count() == 1


def test_subscriptions_are_listed_and_narrowed_by_consumer_key(http_session, settings):
    settings.SANDBOX_CONSUMERS = {**settings.SANDBOX_CONSUMERS, "other-key": "other-secret"}
    subscribe(http_session, "first")
    subscribe(http_session, "second", consumer_key="other-key", status="cancelled")

    everyone = control(http_session, "GET", "subscriptions").json()["subscriptions"]
    others = control(
        http_session, "GET", "subscriptions", params={"consumer_key": "other-key"}
    ).json()["subscriptions"]

    assert [(s["user_id"], s["status"]) for s in everyone] == [
        ("first", "active"),
        ("second", "cancelled"),
    ]
    assert [s["user_id"] for s in others] == ["second"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "user_id must be text of 1 to 255 characters"),
        ({"user_id": ""}, "user_id must be text of 1 to 255 characters"),
        ({"user_id": "u", "status": "paused"}, "status must be one of active, cancelled"),
        (
            {"user_id": "u", "consumer_key": "nobody"},
            "consumer_key 'nobody' is not one the sandbox accepts",
        ),
        ({"user_id": "u", "plan": "gold"}, "unknown subscription options: plan"),
        (
            {"user_id": "u", "consumer_key": ["x"]},
            "consumer_key ['x'] is not one the sandbox accepts",
        ),
    ],
)
def test_bad_subscriptions_are_refused_with_a_reason(http_session, body, error):
    response = control(http_session, "POST", "subscriptions", json=body)

    assert response.status_code == 400
    assert response.json() == {"error": error}


@pytest.mark.parametrize("track_id", ["9" * 5000, 9 * 10**30, "92233720368547758070"])
def test_numbers_too_long_for_any_id_are_refused_not_a_server_error(http_session, track_id):
    body = json.dumps({"logs": [preview_log(trackId=0)]}).replace(
        '"trackId": 0', f'"trackId": {json.dumps(track_id)}'
    )

    response = post(http_session, "preview/log", body)

    code, message = error_of(response)
    assert response.status_code == 400
    assert code == 1002
    assert "trackId" in message or "not valid JSON" in message
