"""Redis and PostgreSQL, found one way for the tests, the benchmarks and their harnesses:
the URL the environment names (``REDIS_URL``, a PostgreSQL ``DATABASE_URL``), else the
server on this machine's default port, when it answers."""

from __future__ import annotations

import os

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def redis_url() -> str | None:
    """REDIS_URL, or the Redis on this machine's default port, when it answers."""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def postgres_url() -> str | None:
    """The PostgreSQL server of DATABASE_URL, or the one on this machine's default port,
    when it answers: a URL whose database the caller may replace with one of its own."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_POSTGRES_URL
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=2).close()
    except Exception:
        return None
    return url
