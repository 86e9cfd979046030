"""What a test needs from the machine, found in one way, and what its absence means.

Locally a missing prerequisite (no Redis, no PostgreSQL, no chromium, the reference
documents outside the checkout) skips the test, saying why, so a laptop without them
still runs the rest. CI must not go green on checks it never ran: `.ci/run` sets
``TESTS_REQUIRE_PREREQUISITES=1``, and then every skip fails the test instead
(``tests/conftest.py`` turns skips into failures), unless the test is marked
``@pytest.mark.optional_on(reason)`` for a check that cannot apply to this machine (a
digest recorded on another CPU).

Redis and PostgreSQL are found the same way everywhere: the URL the environment names
(``REDIS_URL``, a PostgreSQL ``DATABASE_URL``), else the server on this machine's
default port, when it answers.
"""

from __future__ import annotations

import os
import re

import pytest

from scripts.local_servers import postgres_url, redis_url

STRICT_VARIABLE = "TESTS_REQUIRE_PREREQUISITES"
ABSENT_VARIABLE = "TESTS_ABSENT_SERVICES"
MISSING = re.compile(r"missing prerequisite \((?P<service>[a-z]+)\)")


def strict() -> bool:
    """Whether a missing prerequisite fails the run (CI) rather than skipping."""
    return os.environ.get(STRICT_VARIABLE, "") == "1"


def missing(reason: str, *, service: str = "other"):
    """Skip the test for ``reason``; ``tests/conftest.py`` fails it instead in CI."""
    pytest.skip(f"missing prerequisite ({service}): {reason}")


def absence_allowed(skip_reason: str) -> bool:
    """Whether CI declared this skip's server absent from the machine: `.ci/run` passes
    on a machine with no PostgreSQL or Redis installed at all (the embedded defaults
    need none), naming them in TESTS_ABSENT_SERVICES; installed but down is a failure."""
    found = MISSING.search(skip_reason)
    absent = os.environ.get(ABSENT_VARIABLE, "").split(",")
    return bool(found) and found["service"] in absent


def require_redis() -> str:
    url = redis_url()
    if url is None:
        missing("no Redis answers (REDIS_URL, or 127.0.0.1:6379)", service="redis")
    return url


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        missing(
            "no PostgreSQL answers (a postgres:// DATABASE_URL, or 127.0.0.1:5432)",
            service="postgresql",
        )
    return url
