"""The sandbox on a socket answers plain HTTP and HTTPS on one port, as 7digital's Node
client needs (unsigned calls over http, signed calls over https, same host and port)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from django.conf import settings
from requests_oauthlib import OAuth1

from sandbox import tls
from sandbox.server import SandboxServer

from . import node_oauth

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

QUICK = 0.5  # the server's wait for a first byte and for a handshake, in these tests


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tls.Certificate:
    return tls.ensure_certificate(tmp_path_factory.mktemp("tls") / tls.DIRECTORY_NAME)


@pytest.fixture
def server(seeded_catalogue, certificate):
    with SandboxServer(
        certificate=certificate, first_byte_seconds=QUICK, handshake_seconds=QUICK
    ) as running:
        yield running


@pytest.fixture
def trusting(certificate) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify
    session.verify = str(certificate.certificate_path)
    return session


def key_params() -> dict:
    return {"country": "GB", "oauth_consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY}


def status(session: requests.Session, base: str, **options) -> requests.Response:
    return session.get(f"{base}/1.2/status", params=key_params(), timeout=10, **options)


def signed_status(session, base: str, signed_for: str) -> requests.Response:
    """A status call sent to ``base``, its signature made for the address ``signed_for``."""
    request = requests.Request(
        "GET",
        f"{signed_for}/1.2/status",
        params={"country": "GB"},
        auth=OAuth1(settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET),
    ).prepare()
    request.url = request.url.replace(signed_for, base, 1)
    return session.send(request, timeout=10)


def closed_by_server(connection: socket.socket) -> bool:
    """Whether the server closes the connection (perhaps after a TLS alert) within the
    socket's timeout; a hang raises TimeoutError."""
    with contextlib.suppress(ConnectionResetError):
        while connection.recv(1024):
            pass
    return True


def serves_both(server, trusting) -> bool:
    return (
        status(trusting, server.url).status_code == 200
        and status(trusting, server.https_url).status_code == 200
    )


def test_plain_http_and_https_answer_on_the_same_port(server, trusting):
    assert server.url.removeprefix("http://") == server.https_url.removeprefix("https://")

    plain = status(trusting, server.url)
    secure = status(trusting, server.https_url)

    assert plain.status_code == 200, plain.text
    assert secure.status_code == 200, secure.text
    assert "<serverTime>" in secure.text


def test_the_certificate_verifies_for_localhost_under_strict_checks(server, certificate):
    context = ssl.create_default_context(cafile=str(certificate.certificate_path))
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # Python 3.13's default
    port = server.httpd.server_address[1]
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as connection,
    ):
        connection.sendall(b"GET /_sandbox/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert connection.recv(64).startswith(b"HTTP/1.1 200")


def test_a_call_signed_for_https_verifies_over_tls_and_one_signed_for_http_fails(server, trusting):
    https = signed_status(trusting, server.https_url, signed_for=server.https_url)
    http = signed_status(trusting, server.https_url, signed_for=server.url)

    assert https.status_code == 200, https.text
    assert http.status_code == 401
    assert http.text == "OAuth authentication failed: invalid signature"


def test_a_call_signed_for_https_fails_over_plain_http(server, trusting):
    response = signed_status(trusting, server.url, signed_for=server.https_url)

    assert response.status_code == 401
    assert response.text == "OAuth authentication failed: invalid signature"


def test_the_node_client_s_unsigned_http_and_signed_https_calls_pass(server, trusting):
    host = server.url.removeprefix("http://")
    unsigned = status(trusting, server.url)
    signed = trusting.send(
        node_oauth.signed_get(
            host,
            "/1.2/status",
            {"country": "GB"},
            consumer_key=settings.SEVENDIGITAL_CONSUMER_KEY,
            consumer_secret=settings.SEVENDIGITAL_CONSUMER_SECRET,
        ),
        timeout=10,
    )

    assert unsigned.status_code == 200, unsigned.text
    assert signed.status_code == 200, signed.text


def test_a_client_that_sends_nothing_holds_up_no_one_and_is_let_go(server, trusting):
    port = server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as silent:
        started = time.monotonic()
        assert serves_both(server, trusting)
        assert closed_by_server(silent)
        assert time.monotonic() - started < QUICK + 5


@pytest.mark.parametrize(
    "opening",
    [
        b"\x16\x03\x01\x00\x05hello",  # a handshake record that is not one
        b"\x16",  # a handshake that stops after its first byte
    ],
)
def test_a_broken_handshake_is_dropped_and_the_server_goes_on(server, trusting, opening):
    port = server.httpd.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as broken:
        broken.sendall(opening)
        assert serves_both(server, trusting)
        assert closed_by_server(broken)

    assert serves_both(server, trusting)


def test_a_client_refusing_the_certificate_leaves_the_server_serving(server, trusting):
    with pytest.raises(requests.exceptions.SSLError):
        status(requests.Session(), server.https_url)  # the system's CAs, not ours

    assert serves_both(server, trusting)


def test_without_a_certificate_the_server_speaks_plain_http_only(seeded_catalogue):
    with SandboxServer() as plain:
        assert plain.https_url is None
        assert status(requests.Session(), plain.url).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            status(requests.Session(), plain.url.replace("http://", "https://"), verify=False)


# -- the certificate ----------------------------------------------------------------------


def test_the_certificate_is_made_once_and_found_on_the_next_start(tmp_path):
    first = tls.ensure_certificate(tmp_path / tls.DIRECTORY_NAME)
    second = tls.ensure_certificate(tmp_path / tls.DIRECTORY_NAME)

    assert first.created is True
    assert second.created is False
    assert second.certificate_path.read_bytes() == first.certificate_path.read_bytes()


def test_the_certificate_names_the_local_addresses(certificate):
    names = (
        x509.load_pem_x509_certificate(certificate.certificate_path.read_bytes())
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
        .value
    )

    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}


def test_the_key_is_private_and_the_folder_keeps_itself_out_of_git(certificate):
    folder = certificate.key_path.parent

    assert certificate.key_path.stat().st_mode & 0o777 == 0o600
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_certificate_near_its_end_is_made_anew(tmp_path):
    folder = tmp_path / tls.DIRECTORY_NAME
    tls.ensure_certificate(folder)

    later = datetime.now(UTC) + tls.VALIDITY - timedelta(days=1)
    renewed = tls.ensure_certificate(folder, now=later)

    assert renewed.created is True


def test_a_certificate_lacking_a_host_asked_for_is_made_anew(tmp_path):
    folder = tmp_path / tls.DIRECTORY_NAME
    tls.ensure_certificate(folder)

    listening_everywhere = "0.0.0.0"  # noqa: S104 - a name for the certificate, not a binding
    wider = tls.ensure_certificate(folder, tls.names_for("sandbox", listening_everywhere))

    assert wider.created is True
    names = x509.load_pem_x509_certificate(wider.certificate_path.read_bytes()).extensions
    assert "sandbox" in names.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value.get_values_for_type(x509.DNSName)


def test_the_certificate_is_kept_beside_a_sqlite_sandbox_database(tmp_path):
    beside = tls.default_directory(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "sandbox.sqlite3")},
        Path("/project"),
    )
    elsewhere = tls.default_directory(
        {"ENGINE": "django.db.backends.postgresql", "NAME": "sandbox"}, Path("/project")
    )

    assert beside == tmp_path / ".sandbox-tls"
    assert elsewhere == Path("/project/.sandbox-tls")
