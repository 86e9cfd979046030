"""Error mapping: one function turns every documented failure into a typed exception.

Codes from 7digital-api-1.2-reference.txt lines 29-61; 401 plain text from line 62.
"""

from __future__ import annotations

import pytest
import requests

from sevendigital import errors

DOCUMENTED = [
    (1001, "Required parameter missing", 400, errors.MissingParameter, errors.InvalidInput),
    (1002, "Invalid parameter value", 400, errors.InvalidParameter, errors.InvalidInput),
    (1003, "Requested page out of range", 400, errors.ParameterOutOfRange, errors.InvalidInput),
    (1006, "Invalid enumeration value", 400, errors.InvalidEnumeration, errors.InvalidInput),
    (
        1007,
        "Query string parameters are not permitted when performing HTTP Post",
        400,
        errors.QueryStringOnPost,
        errors.InvalidInput,
    ),
    (2001, "Release id not licensed for this partner", 404, errors.NotFound, errors.ResourceError),
    (
        2002,
        "Resource is not available in current context",
        404,
        errors.NotAvailable,
        errors.ResourceError,
    ),
    (2003, "User already exists", 409, errors.AlreadyExists, errors.ResourceError),
    (3001, "The user's card has expired", 402, errors.CardExpired, errors.UserRestricted),
    (3002, "The user has no card details saved", 402, errors.NoCardDetails, errors.UserRestricted),
    (
        3003,
        "Payment for this purchase has failed",
        402,
        errors.PaymentFailed,
        errors.UserRestricted,
    ),
    (
        3005,
        "This card was issued in a country that is not valid",
        402,
        errors.CardCountryNotAllowed,
        errors.UserRestricted,
    ),
    (
        3201,
        "Simultaneous stream requests from multiple devices",
        403,
        errors.ConcurrentStream,
        errors.UserRestricted,
    ),
    (7001, "Unable to perform action", 500, errors.UnableToPerformAction, errors.ApplicationError),
    (
        7002,
        "Application configuration error",
        500,
        errors.ConfigurationError,
        errors.ApplicationError,
    ),
    (7003, "Operation timed out", 504, errors.OperationTimedOut, errors.ApplicationError),
    (9001, "Unexpected internal server error", 500, errors.ServerError, errors.ServerError),
]


@pytest.mark.parametrize(
    ("code", "message", "status", "cls", "family"),
    DOCUMENTED,
    ids=[str(row[0]) for row in DOCUMENTED],
)
def test_each_documented_code_maps_to_its_exception_with_code_and_message(
    client, transport, code, message, status, cls, family
):
    for _ in range(3):  # 5xx are retried for GETs: answer every attempt the same way
        transport.error(code, message, status=status)
    with pytest.raises(cls) as caught:
        client.users.create("u-1")
    error = caught.value
    assert isinstance(error, family)
    assert isinstance(error, errors.SevenDigitalError)
    assert error.code == code
    assert error.message == message
    assert error.http_status == status
    assert error.url.startswith("http://sevendigital.test/1.2/user/create")
    assert "oauth_signature" not in error.url


def test_json_errors_map_the_same_way(json_client, transport):
    transport.reply_json(
        {
            "status": "error",
            "version": "1.2",
            "error": {"code": 2001, "errorMessage": "Artist not found"},
        },
        status=404,
    )
    with pytest.raises(errors.NotFound) as caught:
        json_client.artists.details(99)
    assert (caught.value.code, caught.value.message) == (2001, "Artist not found")


def test_an_unknown_code_falls_back_to_its_family(client, transport):
    transport.error(2999, "Something new", status=404)
    with pytest.raises(errors.ResourceError) as caught:
        client.artists.details(1)
    assert type(caught.value) is errors.ResourceError
    assert caught.value.code == 2999


def test_a_401_keeps_the_plain_text_reason(client, transport):
    transport.reply(
        "OAuth authentication error: Invalid signature", status=401, content_type="text/plain"
    )
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client.locker.get("u-1")
    assert caught.value.message == "OAuth authentication error: Invalid signature"
    assert caught.value.http_status == 401
    assert caught.value.code is None


def test_a_400_oauth_protocol_error_is_an_authentication_failure(client, transport):
    transport.reply(
        "OAuth parameter oauth_timestamp is missing", status=400, content_type="text/plain"
    )
    with pytest.raises(errors.AuthenticationFailed, match="oauth_timestamp"):
        client.locker.get("u-1")


def test_an_html_502_page_is_a_server_error_with_a_clear_message(client, transport):
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    for _ in range(3):
        transport.reply(page, status=502, content_type="text/html")
    with pytest.raises(errors.ServerError) as caught:
        client.artists.details(1)
    assert caught.value.http_status == 502
    assert "HTTP 502" in caught.value.message
    assert "text/html" in caught.value.message
    assert caught.value.code is None


def test_an_html_page_with_status_200_is_an_invalid_response(client, transport):
    transport.reply("<html><body>Captive portal</body></html>", content_type="text/html")
    with pytest.raises(errors.InvalidResponse, match=r"HTTP 200 with .*text/html"):
        client.artists.details(1)


def test_truncated_xml_is_an_invalid_response_not_a_crash(client, transport):
    transport.reply('<?xml version="1.0"?><response status="ok" version="1.2"><artist id="1"><na')
    with pytest.raises(errors.InvalidResponse, match="malformed XML"):
        client.artists.details(1)


def test_an_empty_body_is_an_invalid_response(client, transport):
    transport.reply(b"")
    with pytest.raises(errors.InvalidResponse, match="empty body"):
        client.artists.details(1)


def test_malformed_json_is_an_invalid_response(json_client, transport):
    transport.reply('{"status": "ok", "artist": {', content_type="application/json")
    with pytest.raises(errors.InvalidResponse, match="malformed JSON"):
        json_client.artists.details(1)


def test_an_xml_document_that_is_not_a_response_is_rejected(client, transport):
    transport.reply("<error>nope</error>")
    with pytest.raises(errors.InvalidResponse, match="unexpected XML document <error>"):
        client.artists.details(1)


def test_a_response_without_the_expected_object_is_an_invalid_response(client, transport):
    transport.reply('<response status="ok" version="1.2"></response>')
    with pytest.raises(errors.InvalidResponse, match="no artist"):
        client.artists.details(1)


def test_xml_entity_expansion_is_refused(client, transport):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<response status="ok" version="1.2"><artist id="1"><name>&lol2;</name></artist>'
        "</response>"
    )
    transport.reply(bomb)
    with pytest.raises(errors.InvalidResponse):
        client.artists.details(1)


def test_a_timeout_is_an_api_timeout(client, transport):
    for _ in range(3):
        transport.fail(requests.ReadTimeout("read timed out"))
    with pytest.raises(errors.APITimeout) as caught:
        client.artists.details(1)
    assert isinstance(caught.value, errors.APIConnectionError)
    assert "did not answer within 10.0s" in caught.value.message


def test_a_refused_connection_is_an_api_connection_error(client, transport):
    for _ in range(3):
        transport.fail(requests.ConnectionError("connection refused"))
    with pytest.raises(errors.APIConnectionError, match="Could not reach 7digital"):
        client.artists.details(1)


def test_error_messages_never_show_oauth_parameters(client, transport):
    transport.error(2001, "Not found", status=404)
    with pytest.raises(errors.NotFound) as caught:
        client.locker.get("u-1")
    assert "oauth" not in caught.value.url.lower()
    assert "userId=u-1" in caught.value.url


def test_errors_render_code_message_and_status():
    error = errors.NotFound("Track not found", code=2001, http_status=404, url="http://x/")
    assert str(error) == "[2001] Track not found (HTTP 404)"
    assert "NotFound" in repr(error)


def test_a_bare_json_list_answer_does_not_crash_a_caller_expecting_an_object(
    json_client, transport
):
    transport.reply_json([{"unexpected": "shape"}])
    with pytest.raises(errors.InvalidResponse, match="no artist"):
        json_client.artists.details(1)
    transport.reply_json([])
    with pytest.raises(errors.InvalidResponse, match="no playlist"):
        json_client.playlists.get("p1")


def test_a_sale_confirmed_without_a_purchase_id_is_not_taken_as_delivered(client, transport):
    from decimal import Decimal

    transport.reply(
        '<response status="ok" version="1.2"><purchase><purchaseDate>'
        "2009-11-10T14:59:39Z</purchaseDate></purchase></response>"
    )
    with pytest.raises(errors.InvalidResponse, match="without a purchase id"):
        client.purchasing.deliver_item(
            "u", release_id=1, transaction_id="t", retail_price=Decimal("0.99")
        )
