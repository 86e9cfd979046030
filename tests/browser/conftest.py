"""Browser tests: Debian's chromium, driven by Playwright, against the live site.

Playwright cannot download its own browsers here, so the tests launch the system's
chromium (``apt-get install chromium``; ``.ci/run`` installs it) and skip, saying why,
on a machine without it (in CI a skip fails: tests/prerequisites.py).

The site runs on pytest-django's ``live_server`` (a thread of this process) and talks
to a real sandbox on a free port (:class:`sandbox.server.SandboxServer`, threaded),
exactly as it would to 7digital: signed HTTP requests, previews streamed through the
site's proxy.

The databases. The session's seeded sandbox catalogue (``tests/conftest.py``) is
committed outside every test's transaction, and the sandbox server's threads read it,
so browser tests declare both databases:
``@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])`` (Django
refuses connections, threaded ones included, to a database a test did not declare).
A ``live_server`` test is transactional: pytest-django *flushes* its databases when it
ends, which wipes the catalogue every later test reads. So the catalogue is seeded
again, deterministically and in about a second, before each browser test that finds it
gone and once more when the module ends (after the last flush): the rest of the suite
finds it as the session left it, whether the browser tests run first or last.

Screenshots (full page, desktop and phone) go to ``test-results/screenshots/``, which
CI keeps as an artifact folder and git ignores.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.prerequisites import missing

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
REQUESTS_SETTLE_SECONDS = 10

# Pages fill some sections after they load (hx-trigger="load"): settled means none is
# still waiting, no htmx request is in flight and every image that the browser means to
# load now has loaded or failed (lazy ones below the fold wait until scrolled to).
SETTLED = """(everyImage) =>
    !document.querySelector('[aria-busy="true"], .lazy-section, .htmx-request')
    && [...document.images].every(
        (image) => image.complete || (!everyImage && image.loading === "lazy")
    )"""


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless; skips when it is not installed.

    Playwright's sync API runs an asyncio event loop in this thread (on greenlets) for
    as long as it is started, so Django's check for ORM calls from async code would
    refuse every database call the test makes (the flush at its end included), though
    no coroutine of ours is involved. Playwright's own advice for Django is to allow
    them; that is done only while a module of browser tests runs, and Playwright is
    stopped when it ends, so the check still guards every other test.
    """
    if not CHROMIUM.exists():
        missing(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; "
            "CHROMIUM_PATH names another binary)",
            service="chromium",
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need playwright (uv sync installs it)"
    )
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session")
def sandbox_server(django_db_setup):
    """The sandbox on a free port, serving the session's seeded catalogue."""
    from sandbox.server import SandboxServer

    with SandboxServer() as server:
        yield server


def _reseed_if_wiped() -> None:
    from sandbox.models import Release
    from sandbox.seed import seed
    from tests.conftest import TEST_CATALOGUE_TRACKS

    if not Release.objects.using("sandbox").exists():
        seed(tracks=TEST_CATALOGUE_TRACKS)


@pytest.fixture(scope="module")
def _sandbox_catalogue_kept(browser, django_db_setup, django_db_blocker):
    """After the module's last flush, the seeded catalogue is back for the next tests.

    Module-scoped, so it ends after the last test's flush; it needs ``browser`` only so
    that it ends before Playwright stops (see ``browser``)."""
    yield
    with django_db_blocker.unblock():
        _reseed_if_wiped()


@pytest.fixture
def sandbox_catalogue(_sandbox_catalogue_kept, transactional_db):
    """The seeded catalogue, put back if an earlier browser test's flush wiped it."""
    _reseed_if_wiped()


@pytest.fixture(scope="session")
def _browser_audio_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("browser-audio")


class RequestsInFlight:
    """Requests the live server's threads are answering (Django's request signals), and a
    gate that refuses new ones once the test has ended.

    A browser closed at the end of a test may still send a last request (the player's
    report of a play as the page goes away, a suggestion asked for as it closed), which a
    server thread would answer on the test's database connection (the live server shares
    it) while the flush that ends the test runs: SQLite then refuses the flush's
    transaction, or a foreign key, and the connection is left unusable for every later
    test. So the flush waits for the requests in flight, and a request that arrives
    after the gate closed fails before it reaches the database. The closed gate stays
    connected through the flush (which comes after this fixture ends) until the next
    browser test opens its own; it judges only requests to the live server's port, so
    the test client and the sandbox's own server pass."""

    def __init__(self, port: int) -> None:
        self.port = str(port)
        self.threads: set[int] = set()  # the server threads answering one of its requests
        self.closed = False
        self.changed = threading.Condition()

    def _mine(self, environ) -> bool:
        return environ is not None and str(environ.get("SERVER_PORT")) == self.port

    def started(self, environ=None, **kwargs) -> None:
        if not self._mine(environ):
            return
        with self.changed:
            if self.closed:
                raise RuntimeError("the browser test has ended: no more requests")
            self.threads.add(threading.get_ident())

    def finished(self, **kwargs) -> None:
        # request_finished names no request; a server thread finishes what it started.
        with self.changed:
            self.threads.discard(threading.get_ident())
            self.changed.notify_all()

    def close_and_wait(self, timeout: float) -> bool:
        with self.changed:
            self.closed = True
            return self.changed.wait_for(lambda: not self.threads, timeout)

    def connect(self) -> None:
        from django.core.signals import request_finished, request_started

        request_started.connect(self.started)
        request_finished.connect(self.finished)

    def disconnect(self) -> None:
        from django.core.signals import request_finished, request_started

        request_started.disconnect(self.started)
        request_finished.disconnect(self.finished)


# The gate of the latest browser test, left closed after it (see RequestsInFlight).
_gates: list[RequestsInFlight] = []


@pytest.fixture
def storefront(
    live_server, sandbox_server, sandbox_catalogue, settings, _browser_audio_cache
) -> str:
    """The live site's URL, its 7digital client pointed at the sandbox server."""
    from django.core.cache import cache

    from integrations import sevendigital as integration
    from sandbox.state import state

    settings.SEVENDIGITAL_SANDBOX_URL = sandbox_server.url
    for name in integration.HOST_SETTINGS.values():
        setattr(settings, name, sandbox_server.url)
    settings.SANDBOX_AUDIO_CACHE = _browser_audio_cache
    settings.SANDBOX_ARTWORK_URL = f"{sandbox_server.url}/static/img"  # as `make run` has it
    # A cache of its own: nothing cached here leaks into other tests, or theirs in here.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "browser-tests",
        }
    }
    cache.clear()
    state.reset()
    while _gates:
        _gates.pop().disconnect()
    in_flight = RequestsInFlight(port=live_server.thread.port)
    in_flight.connect()
    _gates.append(in_flight)
    try:
        yield live_server.url
    finally:
        # The pages' browsers are closed by now (their fixtures end first); a request
        # they still send is refused, during the flush too.
        in_flight.close_and_wait(timeout=REQUESTS_SETTLE_SECONDS)
        cache.clear()
        state.reset()


def _stay_offline(context) -> None:
    """Only loopback is reachable (artwork included: the sandbox draws it)."""

    def elsewhere(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.hostname not in LOCAL_HOSTS

    context.route(elsewhere, lambda route: route.abort())


def _page(browser, base_url: str, viewport: dict, *, phone: bool = False, script: bool = True):
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale="en-GB",
        java_script_enabled=script,
    )
    context.set_default_timeout(15_000)
    _stay_offline(context)
    return context, context.new_page()


@contextlib.contextmanager
def opened_page(browser, base_url: str, viewport: dict, **options):
    """A page of a browser context of its own (see ``_page``), closed on the way out."""
    context, page = _page(browser, base_url, viewport, **options)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def desktop(browser, storefront):
    """A page in a 1280 px wide window."""
    with opened_page(browser, storefront, DESKTOP) as page:
        yield page


@pytest.fixture
def desktop_without_javascript(browser, storefront):
    """A page in a 1280 px wide window of a browser with JavaScript turned off."""
    with opened_page(browser, storefront, DESKTOP, script=False) as page:
        yield page


@pytest.fixture
def phone(browser, storefront):
    """A page on a 375 px wide phone screen."""
    with opened_page(browser, storefront, PHONE, phone=True) as page:
        yield page


def settle(page, *, every_image: bool = False) -> None:
    """Wait until the page's late sections are in and its images have loaded."""
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED, arg=every_image)


def screenshot(page, name: str) -> Path:
    """Save the whole page as ``test-results/screenshots/<name>-<width>px.png``.

    The player is fixed to the bottom of the window, so a plain full-page capture would
    pin it over the middle of a long page: the window is first made as tall as the page,
    which shows the page as a visitor scrolling to its end sees it.
    """
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    try:
        settle(page, every_image=True)  # the whole page is in the window now
        path = SCREENSHOTS / f"{name}-{viewport['width']}px.png"
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path
