"""Proxy and CA settings come from the environment, as with any requests client, read
once per host rather than on every call."""

from __future__ import annotations

import pytest

from sevendigital import SevenDigital

from .fakes import BASE_URL, CONSUMER_KEY, CONSUMER_SECRET

PROXY = "http://proxy.internal:3128"


def _client(transport) -> SevenDigital:
    return SevenDigital(
        consumer_key=CONSUMER_KEY,
        consumer_secret=CONSUMER_SECRET,
        base_url=BASE_URL,
        adapter=transport,
    )


@pytest.fixture(autouse=True)
def _no_proxy_settings(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_calls_go_through_the_proxy_the_environment_names(transport, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    transport.reply_fixture("release_details.xml")

    _client(transport).releases.details(1046)

    assert PROXY in transport.send_options[-1]["proxies"].values()


def test_hosts_in_no_proxy_are_reached_directly(transport, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", BASE_URL.split("://", 1)[1].split("/")[0].split(":")[0])
    transport.reply_fixture("release_details.xml")

    _client(transport).releases.details(1046)

    assert PROXY not in transport.send_options[-1]["proxies"].values()


def test_a_ca_bundle_from_the_environment_verifies_tls(transport, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    transport.reply_fixture("release_details.xml")

    _client(transport).releases.details(1046)

    assert transport.send_options[-1]["verify"] == str(bundle)


def test_the_environment_is_read_once_per_host_not_per_call(transport, monkeypatch):
    from requests import sessions

    reads = []
    original = sessions.Session.merge_environment_settings

    def counted(self, url, *args):
        reads.append(url)
        return original(self, url, *args)

    monkeypatch.setattr(sessions.Session, "merge_environment_settings", counted)
    transport.reply_fixture("release_details.xml").reply_fixture("release_details.xml")
    client = _client(transport)

    client.releases.details(1046)
    client.releases.details(1047)

    assert len(reads) == 1
    assert len(transport.requests) == 2
