"""The storefront builds its 7digital client from settings, and only from settings."""

from __future__ import annotations

from django.core.cache import caches

from integrations.sevendigital import get_client


def test_the_client_follows_the_sevendigital_settings(settings):
    settings.SEVENDIGITAL_CONSUMER_KEY = "partner-key"
    settings.SEVENDIGITAL_COUNTRY = "DE"
    settings.SEVENDIGITAL_SHOP_ID = 1064
    settings.SEVENDIGITAL_API_URL = "http://api.example"
    settings.SEVENDIGITAL_PREVIEWS_URL = "http://previews.example"
    settings.SEVENDIGITAL_MEDIA_URL = "http://media.example"
    settings.SEVENDIGITAL_STREAM_URL = "http://stream.example"
    settings.SEVENDIGITAL_FEEDS_URL = "http://feeds.example"
    settings.SEVENDIGITAL_TIMEOUT = 3.5
    settings.SEVENDIGITAL_MAX_RETRIES = 5
    client = get_client()
    requestor = client.requestor
    assert requestor.consumer_key == "partner-key"
    assert client.country == "DE"
    assert requestor.shop_id == 1064
    assert requestor.base_urls == {
        "api": "http://api.example",
        "previews": "http://previews.example",
        "media": "http://media.example",
        "stream": "http://stream.example",
        "feeds": "http://feeds.example",
    }
    assert requestor.timeout == 3.5
    assert requestor.max_retries == 5
    assert requestor.cache is caches["default"]


def test_the_client_is_reused_within_a_thread_and_rebuilt_when_settings_change(settings):
    first = get_client()
    assert get_client() is first
    settings.SEVENDIGITAL_COUNTRY = "FR"
    second = get_client()
    assert second is not first
    assert second.country == "FR"


def test_each_thread_has_its_own_client():
    import threading

    clients = []
    thread = threading.Thread(target=lambda: clients.append(get_client()))
    thread.start()
    thread.join()
    assert clients[0] is not get_client()


def test_outside_production_every_host_defaults_to_the_sandbox(settings):
    from django.conf import settings as live

    sandbox = live.SEVENDIGITAL_SANDBOX_URL
    assert {
        live.SEVENDIGITAL_API_URL,
        live.SEVENDIGITAL_PREVIEWS_URL,
        live.SEVENDIGITAL_MEDIA_URL,
        live.SEVENDIGITAL_STREAM_URL,
        live.SEVENDIGITAL_FEEDS_URL,
    } == {sandbox}
