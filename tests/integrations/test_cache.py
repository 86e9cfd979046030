"""The Redis cache shares one bounded pool per process among its threads
(integrations/cache.py): a thread per stream must not mean a Redis connection each."""

from __future__ import annotations

import threading

import pytest
import redis
from django.core.cache import caches

from integrations import cache as shared_cache

REDIS_CACHE = {
    "default": {
        "BACKEND": "integrations.cache.RedisCache",
        # Never connected to: pools connect on a command, and none is sent here.
        "LOCATION": "redis://127.0.0.1:1/9",
        "OPTIONS": {
            "pool_class": "redis.BlockingConnectionPool",
            "max_connections": 7,
            "timeout": 3,
        },
    }
}


@pytest.fixture
def redis_cache(settings, monkeypatch):
    monkeypatch.setattr(shared_cache, "_pools", {})
    settings.CACHES = REDIS_CACHE
    yield
    caches["default"].close()


def _pool_of_this_thread():
    return caches["default"]._cache.get_client(write=True).connection_pool


def test_every_thread_uses_the_same_bounded_pool(redis_cache):
    pools = []

    def use():
        pools.append(_pool_of_this_thread())

    threads = [threading.Thread(target=use) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pools.append(_pool_of_this_thread())

    assert len({id(pool) for pool in pools}) == 1
    (pool,) = {id(pool): pool for pool in pools}.values()
    assert isinstance(pool, redis.BlockingConnectionPool)
    assert pool.max_connections == 7 and pool.timeout == 3
