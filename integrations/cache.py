"""Django's Redis cache with one connection pool per process instead of one per thread.

Django keeps a cache object per thread (``django.core.cache.caches`` is thread-local),
and :class:`django.core.cache.backends.redis.RedisCacheClient` keeps its connection
pools on that object: every thread that ever touched the cache holds a Redis connection
of its own for as long as it lives. With a thread per stream (``gunicorn.conf.py``, up
to 1024 a worker) that was one connection per listener: 515 connections to Redis with
500 listeners (``bench/stream_listeners.py``), past the limit of many managed Redis plans.

Here every thread of a process shares one pool per server, bounded by
``max_connections`` (``REDIS_POOL_SIZE``): with ``redis.BlockingConnectionPool`` a
thread that finds every connection busy waits up to ``timeout`` seconds for one
(``REDIS_POOL_TIMEOUT``) rather than failing at once. A cache call holds a connection
for one command, so a few dozen serve hundreds of threads. redis-py's pools notice a
fork and start afresh in the child, so gunicorn's preloaded master hands none over.
"""

from __future__ import annotations

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_pools: dict[tuple, object] = {}
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (
            self._servers[index],
            self._pool_class,
            tuple(sorted((name, repr(value)) for name, value in self._pool_options.items())),
        )
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(
                        self._servers[index], **self._pool_options
                    )
        return pool


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache``, its pools shared by all threads."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
