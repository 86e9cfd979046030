"""Build the 7digital client from Django settings: the one place that does.

Selectors and services call :func:`get_client`; the client itself never reads
settings (it is plain Python). Each thread gets its own client, because a
``requests.Session`` should not be shared between threads; the Django cache is
shared, so catalogue responses cached by one worker serve all of them.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from sevendigital import SevenDigital, errors

_local = threading.local()

# The largest 7digital id the shop accepts: what the database stores (a URL's int
# converter and a form's IntegerField have no bound of their own).
ID_MAX = 2**63 - 1

HOST_SETTINGS = {
    "api": "SEVENDIGITAL_API_URL",
    "previews": "SEVENDIGITAL_PREVIEWS_URL",
    "media": "SEVENDIGITAL_MEDIA_URL",
    "stream": "SEVENDIGITAL_STREAM_URL",
    "feeds": "SEVENDIGITAL_FEEDS_URL",
}


def client_from_settings(**overrides) -> SevenDigital:
    """A new client configured from settings; ``overrides`` go to its constructor."""
    options = {
        "consumer_key": settings.SEVENDIGITAL_CONSUMER_KEY,
        "consumer_secret": settings.SEVENDIGITAL_CONSUMER_SECRET,
        "base_urls": {host: getattr(settings, name) for host, name in HOST_SETTINGS.items()},
        "country": settings.SEVENDIGITAL_COUNTRY,
        "shop_id": settings.SEVENDIGITAL_SHOP_ID,
        "timeout": settings.SEVENDIGITAL_TIMEOUT,
        "max_retries": settings.SEVENDIGITAL_MAX_RETRIES,
        "cache": caches["default"],
        "user_agent": "sevendigital-storefront",
    }
    options.update(overrides)
    return SevenDigital(**options)


def get_client() -> SevenDigital:
    """This thread's client, built once from settings."""
    client = getattr(_local, "client", None)
    if client is None:
        client = _local.client = client_from_settings()
    return client


def get_uncached_client() -> SevenDigital:
    """This thread's client that neither reads nor fills the cache: for the prices a
    customer is about to pay, and anything else that must be 7digital's answer now."""
    client = getattr(_local, "uncached_client", None)
    if client is None:
        client = _local.uncached_client = client_from_settings(cache=None)
    return client


def get_sender_client() -> SevenDigital:
    """This thread's client for senders whose rows keep their own retry policy (the
    subscription sync): uncached, and it does not retry by itself. A row that failed
    waits for its backoff and the sweep; a worker that waited out the client's retries
    on every row of an outage would hold up every change queued behind them."""
    client = getattr(_local, "sender_client", None)
    if client is None:
        client = _local.sender_client = client_from_settings(cache=None, max_retries=0)
    return client


def clients_forget() -> None:
    """Drop this thread's clients, so the next call builds them from settings again."""
    _local.__dict__.clear()


def is_transient(error: errors.SevenDigitalError) -> bool:
    """Failures that may pass by themselves: worth a stale copy or a retry later.

    Besides what the client retries (connection, timeout, 5xx, 429, 7003, 9xxx), an
    answer that is not an API response at all (truncated, HTML from a proxy).
    """
    return errors.is_retryable(error) or isinstance(error, errors.InvalidResponse)


@receiver(setting_changed)
def _forget_client(*, setting: str, **kwargs) -> None:
    if setting.startswith("SEVENDIGITAL_") or setting == "CACHES":
        _local.__dict__.pop("client", None)
        _local.__dict__.pop("uncached_client", None)
