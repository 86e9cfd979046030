"""Where a warm catalogue page's time goes: a profile of requests served in this process
through Django's own WSGI handler (every middleware, as gunicorn would call it), for a
visitor or a signed-in customer.

    .venv/bin/python bench/profile_pages.py --page release [--requests 300] [--signed-in]
    .venv/bin/python bench/profile_pages.py --page home --top 40 --sort tottime
    .venv/bin/python bench/profile_pages.py --page bare --signed-in   # the yardstick
    .venv/bin/python bench/profile_pages.py --page track --callers __getattribute__

The sandbox runs in its own process (``bench/preview_proxy.py``'s ``Stack``, on
temporary SQLite files); the site is set up here with the same settings as
``bench/catalogue_pages.py`` serves it (``config.settings.local``, DEBUG off, a
local-memory cache; ``--page bare`` is the benchmark's bare view, "ok" behind the
same middleware), warmed until a request asks 7digital nothing, then profiled with
cProfile. It prints the functions by cumulative time, and the time per request spent in
the big parts: middleware before and after the view, the view's reads, template
rendering, sessions, CSRF and compression. cProfile slows Python code down several
times over: the shares are what to read, not the milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import html
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tempfile

from catalogue_pages import (
    BARE,
    BENCH_SETTINGS,
    BENCH_URLS,
    CUSTOMERS,
    LAZY_SECTION,
    PAGES,
    calls_since,
    journal_last_id,
)
from preview_proxy import Stack

# The parts of a request, by the functions whose cumulative time measures them.
PARTS = {
    "whole request (WSGIHandler.__call__)": ("django/core/handlers/wsgi.py", "__call__"),
    "the view": ("django/core/handlers/base.py", "_get_response"),
    "template rendering": ("django/template/backends/django.py", "render"),
    "{% cache %} fragments": ("django/templatetags/cache.py", "render"),
    "catalogue reads (selectors)": ("store/catalogue/selectors.py", "selector"),
    "session load": ("django/contrib/sessions/backends/base.py", "_get_session"),
    "session save": ("django/contrib/sessions/middleware.py", "process_response"),
    "CSRF token (get_token)": ("django/middleware/csrf.py", "get_token"),
    "CSRF check (process_view)": ("django/middleware/csrf.py", "process_view"),
    "user (auth)": ("django/contrib/auth/middleware.py", "get_user"),
    "compression": ("django/middleware/gzip.py", "process_response"),
    "cache reads": ("django/core/cache/backends/locmem.py", "get"),
    "database queries": ("django/db/backends/utils.py", "execute"),
}


def environ(path: str, cookie: str) -> dict:
    query = path.split("?", 1)[1] if "?" in path else ""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.split("?", 1)[0],
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


class Browser:
    """One browser asking the site in this process through Django's WSGI handler,
    keeping its cookies as a browser keeps them (the CSRF cookie, a session)."""

    def __init__(self, handler, cookies: dict[str, str] | None = None) -> None:
        self.handler = handler
        self.cookies = dict(cookies or {})

    def keep(self, status: str, headers: list[tuple[str, str]]) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair, _, attributes = value.partition(";")
                key, _, cookie = pair.strip().partition("=")
                if "max-age=0" in attributes.lower() or cookie in ("", '""'):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie

    def get(self, path: str, section: bool = False, **headers: str) -> bytes:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        wsgi = environ(path, cookie)
        wsgi.update(headers)
        if section:  # asked as htmx asks for a page's section, read as a browser reads it
            wsgi.pop("HTTP_ACCEPT_ENCODING")
            wsgi["HTTP_HX_REQUEST"] = "true"
        body = self.handler(wsgi, self.keep)
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        return content

    def warm(self, stack: Stack, path: str) -> None:
        """Ask for ``path`` until a pass asks 7digital nothing, loading the sections the
        page loads once on screen, as a browser loads them: a page with a section still
        to load is rendered, not stored."""
        for _ in range(5):
            before = journal_last_id(stack)
            page = self.get(path, HTTP_ACCEPT_ENCODING="identity").decode()
            for section in LAZY_SECTION.findall(page):
                self.get(html.unescape(section), section=True)
            for _ in range(20):
                self.get(path)
            if not calls_since(stack, before):
                break


@contextlib.contextmanager
def site(tracks: int, log=print):
    """The sandbox in its own process and the site set up in this one, as
    ``bench/catalogue_pages.py`` serves it; yields (stack, handler): the sandbox's
    ``Stack`` and Django's WSGI handler."""
    folder = Path(tempfile.mkdtemp(prefix="bench-urls-"))
    Path(folder, "bench_catalogue_settings.py").write_text(BENCH_SETTINGS)
    Path(folder, "bench_catalogue_urls.py").write_text(BENCH_URLS)
    sys.path.insert(0, str(folder))
    with Stack(tracks=tracks, log=lambda line: log(line, flush=True)) as stack:
        os.environ.update(stack.env("bench_catalogue_settings"))
        import django

        django.setup()
        from django.core.handlers.wsgi import WSGIHandler

        yield stack, WSGIHandler()


def signed_in_cookies() -> dict[str, str]:
    """A new customer's session cookie (the site set up by :func:`site`)."""
    os.environ["BENCH_CUSTOMERS"] = "1"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(CUSTOMERS, {})  # noqa: S102 - our own snippet
    return {"sessionid": out.getvalue().strip().strip('[]"')}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="release", choices=[*PAGES, "bare"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--tracks", type=int, default=2000)
    parser.add_argument(
        "--callers", metavar="FUNCTION", help="also print who calls the functions so named"
    )
    args = parser.parse_args()

    path = {**PAGES, "bare": BARE}[args.page]
    with site(args.tracks) as (stack, handler):
        browser = Browser(handler, signed_in_cookies() if args.signed_in else None)
        browser.warm(stack, path)

        def request() -> bytes:
            return browser.get(path)

        started = time.perf_counter()
        for _ in range(args.requests):
            request()
        plain = (time.perf_counter() - started) / args.requests

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            request()
        profile.disable()

    stats = pstats.Stats(profile)
    whole = None
    who = "signed-in customer" if args.signed_in else "visitor"
    print(
        f"\n{args.page} {path} as a {who}:"
        f" {plain * 1000:.2f} ms a request unprofiled, in this process"
    )
    print("Cumulative time per request, profiled (the shares are what to read):")
    for label, (file_end, function) in PARTS.items():
        total = sum(
            value[3]
            for (filename, _, name), value in stats.stats.items()
            if filename.endswith(file_end) and name == function
        )
        if whole is None:
            whole = total or 1
        print(f"  {label:<40} {total / args.requests * 1000:7.2f} ms {total / whole:6.0%}")
    print()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats(args.sort).print_stats(args.top)
    if args.callers:
        pstats.Stats(profile, stream=text).sort_stats(args.sort).print_callers(args.callers)
    print(text.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
