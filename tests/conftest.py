"""Fixtures shared by every test package.

Fixtures that only one package needs live in that package's own conftest.py. The
sandbox's catalogue is seeded once per session, outside every test's transaction, so
any test may read it; a test that uses it declares the sandbox database
(``@pytest.mark.django_db(databases=["default", "sandbox"])``).
"""

from __future__ import annotations

import os

import pytest

from scripts.second_factor import pass_second_factor, totp_code  # noqa: F401 - the tests' own
from tests.prerequisites import STRICT_VARIABLE, absence_allowed, strict

TEST_CATALOGUE_TRACKS = 3000
SANDBOX_URL = "http://sandbox.test"


def _sandbox_database_used(items) -> bool:
    """Whether a collected test asks for the sandbox database (pytest-django creates
    only the test databases that some test asks for)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        databases = marker.kwargs.get("databases") if marker else None
        if databases == "__all__" or "sandbox" in (databases or ()):
            return True
    return False


# Celery reads these from the environment ahead of its configuration
# (celery.app.utils.Settings), so a broker a developer exported would reach the tests
# past config/settings/test.py, which pins the in-memory one.
CELERY_ENVIRONMENT = (
    "CELERY_BROKER_URL",
    "CELERY_BROKER_READ_URL",
    "CELERY_BROKER_WRITE_URL",
    "CELERY_RESULT_BACKEND",
)


def pytest_configure(config):
    for name in CELERY_ENVIRONMENT:
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Seed a small sandbox catalogue once, outside every test's transaction.

    Only when the sandbox's test database exists: otherwise its connection still
    names the development database, which a test run must never write to.
    """
    from sandbox.seed import seed

    if not _sandbox_database_used(request.session.items):
        return
    with django_db_blocker.unblock():
        seed(tracks=TEST_CATALOGUE_TRACKS)


@pytest.fixture
def seeded_catalogue(django_db_setup):
    """Marks a test that reads the seeded sandbox catalogue."""


@pytest.fixture
def sandbox_for_store(settings, seeded_catalogue):
    """Point the storefront's 7digital client at the sandbox, in process (no socket).

    Every client ``integrations.sevendigital.get_client()`` builds during the test
    sends through the sandbox's own views, OAuth checks and serializers.
    """
    from integrations import sevendigital as integration
    from sandbox.state import state
    from sandbox.transport import SandboxTransport

    settings.SEVENDIGITAL_SANDBOX_URL = SANDBOX_URL
    for name in integration.HOST_SETTINGS.values():
        setattr(settings, name, SANDBOX_URL)
    original = integration.client_from_settings

    def sandboxed(**overrides):
        overrides.setdefault("adapter", SandboxTransport())
        overrides.setdefault("sleep", lambda seconds: None)
        return original(**overrides)

    integration.client_from_settings = sandboxed
    integration.clients_forget()
    state.reset()
    try:
        yield state
    finally:
        integration.client_from_settings = original
        integration.clients_forget()
        state.reset()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second factor staff must use."""
    pass_second_factor(client, admin_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: allauth's rate limits count in it, and a
    count left by an earlier test (same address, same user id) would refuse this one."""
    from django.core.cache import cache

    from store.catalogue.page_cache import forget_kept_pages

    cache.clear()
    forget_kept_pages()  # each process's copies of stored pages, with the cache


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (see tests/prerequisites.py), a skipped test fails: a check that never ran
    has not passed. ``@pytest.mark.optional_on(reason)`` exempts a check that cannot
    apply to this machine."""
    outcome = yield
    report = outcome.get_result()
    if not (strict() and report.skipped) or hasattr(report, "wasxfail"):
        return
    if item.get_closest_marker("optional_on") or absence_allowed(_skip_reason(report)):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"{STRICT_VARIABLE}=1 and this test skipped: {_skip_reason(report)}\n"
        "CI must provide what the test needs (see .ci/run)."
    )


def pytest_collectreport(report):
    """A whole module skipped at collection fails in CI too."""
    if strict() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{STRICT_VARIABLE}=1 and this module skipped: {_skip_reason(report)}"
