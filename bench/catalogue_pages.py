"""Catalogue pages against a bare Django view, for visitors and for signed-in customers,
and the 7digital calls a cold page makes (issue 21).

    .venv/bin/python bench/catalogue_pages.py [--requests 600] [--threads 4] [--rounds 7]
    .venv/bin/python bench/catalogue_pages.py --pages release,search --rounds 3

The same two processes as ``bench/preview_proxy.py`` (whose ``Stack`` this reuses): the
sandbox (``manage.py runsandbox``) and the site under gunicorn (the project's
``gunicorn.conf.py``: 2 threaded workers; DEBUG off, a local-memory cache per worker),
on temporary SQLite files seeded with 2,000 tracks. The site runs on one CPU of its own
and this script (the browsers) and the sandbox on the other, every round: in production
the site has its machines to itself.

1. **Throughput of warm pages** (home, release, artist, track, tag, A-Z, search; their
   7digital reads already cached) as a share of a bare view's, for two kinds of
   browser, each keeping its cookies as a browser does and accepting gzip (HTTP/1.1
   over a keep-alive socket, bodies read whole and not decompressed: see
   :class:`Browsers`):

   - **visitors**, who have no session (goal: the median of the rounds >= 0.8, and no
     round below 0.7);
   - **signed-in customers**, each thread one customer with a session (goal: the median
     >= 0.5); their bare view is asked with the same session, behind the same
     middleware.

   The bare view is honest only if everything but the page's own work is the same, so
   gunicorn serves the same project with the same settings and middleware, through a
   settings module written to a temporary folder for this run that imports
   ``config.settings.local`` and changes only ``ROOT_URLCONF``: the project's URLs plus
   ``/_bench/bare``, a view that returns "ok". The project gets no extra view.

   After a warm-up (until a whole pass asks 7digital nothing), each round measures, for
   each page in turn (its deferred sections fetched first, untimed),
   ``--requests`` views of the bare view and as many of the page (with the sections a
   view loads after it, as a browser loads them, each counted as a request), in four
   slices, A B B A (bare first in odd rounds, the page first in even ones), so that a
   drift in the machine's speed, or a burst of another process's work, falls on both
   alike, and takes the ratio of their rates. It prints each
   page's median ratio, its lowest and highest round and the verdict.

2. **The 7digital calls a cold release, artist and home page make**, counted in the
   sandbox's journal (``GET /_sandbox/journal`` before and after the page's GET).
   Before each page gunicorn is restarted, so every worker starts with an empty cache.
   Goal <= 2 per page. Sections a page loads afterwards through htmx
   (``hx-trigger="load"``) are fetched next, as the browser would, and their calls are
   shown separately: they do not hold up the page.

Every process started here is in its own process group and is killed on the way out.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from preview_proxy import (
    GUNICORN_THREADS,
    PYTHON,
    REQUEST_TIMEOUT,
    ROOT,
    Stack,
    Tally,
    cpu_seconds,
    layouts,
    pin,
    process_tree,
    run_round,
)

RELEASE = "/releases/1046/"  # "No Surprises" by Radiohead
PAGES = {
    "home": "/",
    "release": RELEASE,
    "artist": "/artists/304/",
    "track": "/tracks/9525/",
    "tag": "/tags/rock/",
    "a-z": "/artists/?letter=r",
    "search": "/search/?q=radiohead",
}
COLD_PAGES = {"release": RELEASE, "artist": "/artists/304/", "home": "/"}
BARE = "/_bench/bare"
VISITOR_GOAL = 0.8  # the median of the rounds
VISITOR_FLOOR = 0.7  # no round below
CUSTOMER_GOAL = 0.5
CALLS_GOAL = 2
LAZY_SECTION = re.compile(r'<[^>]*hx-get="([^"]+)"[^>]*hx-trigger="load"[^>]*>')

BENCH_SETTINGS = """\
from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench_catalogue_urls"
"""
BENCH_URLS = """\
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("_bench/bare", bare), *site_urlpatterns]
"""
# Run in the site's environment: as many signed-in customers as asked, their sessions.
CUSTOMERS = """\
import json, os
from django.test import Client
from accounts.models import User
keys = []
for n in range(int(os.environ["BENCH_CUSTOMERS"])):
    user = User.objects.create_user(
        email=f"bench-{n}@example.com", password="bench pass phrase 1", country="GB"
    )
    client = Client()
    client.force_login(user)
    keys.append(client.cookies["sessionid"].value)
print(json.dumps(keys))
"""


def journal_last_id(stack: Stack) -> int:
    entries = requests.get(f"{stack.sandbox_url}/_sandbox/journal", timeout=10).json()["entries"]
    return entries[-1]["id"] if entries else 0


def calls_since(stack: Stack, since: int) -> list[str]:
    response = requests.get(
        f"{stack.sandbox_url}/_sandbox/journal", params={"since": since}, timeout=10
    )
    return [entry["endpoint"] for entry in response.json()["entries"]]


def cold_calls(stack: Stack, path: str) -> tuple[list[str], list[str]]:
    """The calls of one cold GET of ``path``, then those of its deferred sections."""
    stack.start_site()  # every worker's cache empty
    before = journal_last_id(stack)
    response = requests.get(f"{stack.site_url}{path}", timeout=REQUEST_TIMEOUT)
    response.raise_for_status()
    page_calls = calls_since(stack, before)
    before = journal_last_id(stack)
    for url in LAZY_SECTION.findall(response.text):
        requests.get(
            f"{stack.site_url}{html.unescape(url)}",
            headers={"HX-Request": "true"},
            timeout=REQUEST_TIMEOUT,
        ).raise_for_status()
    return page_calls, calls_since(stack, before)


def deferred_sections(url: str) -> None:
    """Fetch the sections the page at ``url`` loads once it is on screen, as a browser
    does (the home page's charts and featured tags, a release's tags)."""
    page = requests.get(url, timeout=REQUEST_TIMEOUT)
    origin = url.split("/", 3)[:3]
    for section in LAZY_SECTION.findall(page.text):
        requests.get(
            "/".join(origin) + html.unescape(section),
            headers={"HX-Request": "true"},
            timeout=REQUEST_TIMEOUT,
        ).raise_for_status()


def signed_in_sessions(stack: Stack, count: int) -> list[str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", "shell", "-c", CUSTOMERS],
        cwd=ROOT,
        env={**stack.env(stack.settings_module), "BENCH_CUSTOMERS": str(count)},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class Browsers:
    """One browser per thread: a keep-alive connection and its own cookies, as a
    visitor's or a signed-in customer's browser has, accepting gzip.

    HTTP/1.1 spoken over a plain socket: the request's bytes written, the answer's
    headers read, its body read whole (``Content-Length`` or chunks). A ``requests``
    session spent more CPU per page than the site's bare view did, so the load, not the
    site, set the bare view's pace; this costs a few tens of microseconds a request.

    As a browser does, it loads the sections a page leaves to load once on screen
    (``hx-trigger="load"``), with ``HX-Request``, on the same connection: a page
    rendered with a section to load (the home page once its playlists' copy has
    expired) is not stored until one is loaded. Each counts as a request of the page's
    (``sections``): the page's rate is that of the requests its views make."""

    def __init__(self, sessions: list[str] | None = None) -> None:
        self.local = threading.local()
        self.sessions = list(sessions or [])
        self.lock = threading.Lock()
        self.sections = 0  # deferred sections loaded, every thread

    def _browser(self, netloc: str) -> RawBrowser:
        browser = getattr(self.local, "browser", None)
        if browser is None:
            browser = self.local.browser = RawBrowser(netloc)
            if self.sessions:
                with self.lock:
                    browser.cookies["sessionid"] = self.sessions.pop()
        return browser

    def __call__(self, url: str) -> int:
        _, _, netloc, path = url.split("/", 3)
        browser = self._browser(netloc)
        size, body, encoding = browser.get("/" + path)
        text = zlib.decompress(body, 16 + zlib.MAX_WBITS) if encoding == "gzip" else body
        if b'hx-trigger="load"' in text:
            sections = LAZY_SECTION.findall(text.decode())
            for section in sections:
                size += browser.get(html.unescape(section), section=True)[0]
            with self.lock:
                self.sections += len(sections)
        return size


class RawBrowser:
    """One keep-alive connection and a cookie jar (see :class:`Browsers`)."""

    def __init__(self, netloc: str) -> None:
        host, port = netloc.rsplit(":", 1)
        self.address = (host, int(port))
        self.netloc = netloc
        self.cookies: dict[str, str] = {}
        self.sock: socket.socket | None = None
        self.buffer = b""

    def get(self, path: str, *, section: bool = False) -> tuple[int, bytes, str]:
        """The body's size in bytes as sent, the body, its encoding; raises on anything
        but a 200. ``section``: asked as htmx asks for a page's section."""
        for attempt in (1, 2):  # the server may have closed an idle connection
            try:
                return self._get(path, section)
            except (ConnectionError, EOFError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def _get(self, path: str, section: bool) -> tuple[int, bytes, str]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=REQUEST_TIMEOUT)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {self.netloc}\r\n"
                "Accept: text/html\r\nAccept-Encoding: gzip, deflate, br\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "")
                + ("HX-Request: true\r\n" if section else "")
                + "\r\n"
            ).encode("latin-1")
        )
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._keep(value)
            else:
                headers[name] = value
        if "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = self._chunks()
        else:
            raise ConnectionError(f"{path}: an answer with neither a length nor chunks")
        if headers.get("connection", "").lower() == "close":
            self.close()
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
        return len(body), body, headers.get("content-encoding", "")

    def _keep(self, set_cookie: str) -> None:
        pair, *attributes = set_cookie.split(";")
        name, _, value = pair.strip().partition("=")
        gone = any(a.strip().lower() in ("max-age=0",) for a in attributes) or value in ('""', "")
        if gone:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def _fill(self) -> None:
        data = self.sock.recv(262144)
        if not data:
            raise EOFError("connection closed")
        self.buffer += data

    def _until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._fill()
        found, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return found

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        found, self.buffer = self.buffer[:size], self.buffer[size:]
        return found

    def _chunks(self) -> bytes:
        body = []
        while True:
            length = int(self._until(b"\r\n").split(b";")[0], 16)
            body.append(self._exactly(length + 2)[:length])
            if length == 0:
                return b"".join(body)


def measure(pool, fetch, bare_url, url_of, names, requests_per_round, rounds, site, log):
    """{page: [ratio per round]}, {page: Tally} and {page: [site CPU ratio per round]} for
    the pages, interleaved with the bare view as the module's docstring says. The CPU
    ratio is the site's CPU seconds per bare request over those per page request: what
    the throughput ratio would be if the site's CPU were the only limit."""
    ratios: dict[str, list[float]] = {name: [] for name in names}
    cpu_ratios: dict[str, list[float]] = {name: [] for name in names}
    tallies = {name: Tally() for name in [*names, "bare"]}
    busy = {name: [0.0, 0.0] for name in [*names, "bare"]}  # site CPU s, wall s
    for number in range(rounds):
        for name in names:
            # The sections the page loads once on screen, loaded as browsers load them
            # (untimed): a section's copy may have expired since the last round, and a
            # page with a section still to load is rendered, not stored.
            for _ in range(4):  # each worker has its own cache here
                deferred_sections(url_of(name))
            bare, page = Tally(), Tally()
            used = {"bare": 0.0, name: 0.0}
            first, second = ("bare", bare_url, bare), (name, url_of(name), page)
            if number % 2:
                first, second = second, first
            # In slices, A B B A: a drift in the machine's speed within the round, or a
            # burst of another process's work, falls on both alike.
            for who, path, tally in (first, second, second, first):
                before, sections = cpu_seconds(site), fetch.sections
                seconds = tally.seconds
                run_round(pool, fetch, [path] * (requests_per_round // 2), tally)
                spent = cpu_seconds(site) - before
                used[who] += spent
                tally.requests += fetch.sections - sections  # each a request of its own
                busy[who][0] += spent
                busy[who][1] += tally.seconds - seconds
            ratios[name].append(page.requests_per_second / bare.requests_per_second)
            cpu_ratios[name].append(  # per request
                (used["bare"] / bare.requests) / max(used[name] / page.requests, 1e-12)
            )
            tallies[name].add(page)
            tallies["bare"].add(bare)
        log(f"  round {number + 1}: " + " ".join(f"{n} {ratios[n][-1]:.2f}" for n in names))
    for name, (cpu, wall) in busy.items():
        tallies[name].busy = cpu / wall if wall else 0.0
    return ratios, tallies, cpu_ratios


def verdicts(label, ratios, tallies, cpu_ratios, goal, floor=None):
    """Print a table of the pages' ratios; True when every page meets the goal."""
    bare = tallies["bare"]
    print(
        f"\n{label}: bare view {bare.requests_per_second:.0f} requests/s over all rounds, "
        f"the site's CPU {bare.busy:.0%} busy meanwhile"
    )
    print(
        f"{'page':>9} {'path':<24} {'median':>6} {'lowest':>6} {'highest':>7} {'req/s':>6} "
        f"{'site CPU':>8} {'CPU ratio':>9} {'KB sent':>7}  verdict"
    )
    passed = True
    for name, values in ratios.items():
        median, low, high = statistics.median(values), min(values), max(values)
        ok = median >= goal and (floor is None or low >= floor)
        passed &= ok
        tally = tallies[name]
        print(
            f"{name:>9} {PAGES[name]:<24} {median:6.2f} {low:6.2f} {high:7.2f} "
            f"{tally.requests_per_second:6.0f} {tally.busy:8.0%} "
            f"{statistics.median(cpu_ratios[name]):9.2f} "
            f"{tally.bytes / tally.requests / 1000:7.1f}  {'PASS' if ok else 'FAIL'}"
        )
    rule = f"median >= {goal}" + (f" and no round below {floor}" if floor else "")
    print(f"{label}: {'PASS' if passed else 'FAIL'} ({rule}, every page)")
    print(
        "  (site CPU: how busy the site's CPU was during those rounds; where the bare "
        "view's is well under 100%, the load generator, not the site, set its pace)"
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="per path per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--pages", default=",".join(PAGES), help="which of " + ",".join(PAGES))
    parser.add_argument("--tracks", type=int, default=2000, help="size of the seeded catalogue")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold pages' calls")
    args = parser.parse_args()
    names = [name for name in args.pages.split(",") if name]
    unknown = set(names) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")

    def log(line: str) -> None:
        print(line, flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-urls-") as folder:
        Path(folder, "bench_catalogue_settings.py").write_text(BENCH_SETTINGS)
        Path(folder, "bench_catalogue_urls.py").write_text(BENCH_URLS)
        with Stack(
            tracks=args.tracks,
            settings_module="bench_catalogue_settings",
            pythonpath=[Path(folder)],
            log=log,
        ) as stack:
            cold = (
                {}
                if args.no_cold
                else {name: cold_calls(stack, path) for name, path in COLD_PAGES.items()}
            )
            stack.start_site()
            sessions = signed_in_sessions(stack, args.threads)
            site = process_tree(stack.site.pid)
            layout = layouts()[0]  # the site on a CPU of its own where there are two
            pin(site, layout.site)
            pin([os.getpid()], layout.others)

            def url_of(name: str) -> str:
                return f"{stack.site_url}{PAGES[name]}"

            results = {}
            for label, browsers in (
                ("visitors", Browsers()),
                ("signed-in customers", Browsers(sessions)),
            ):
                with ThreadPoolExecutor(args.threads) as pool:
                    # Warm every worker (each has its own cache) until a pass asks
                    # 7digital nothing: the pages' reads cached, connections open.
                    warm = [f"{stack.site_url}{BARE}", *map(url_of, names)] * 10
                    for _ in range(10):
                        warmed = journal_last_id(stack)
                        # The sections a browser loads after the page, enough times to
                        # reach every worker (each has its own cache here).
                        for name in names * 4:
                            deferred_sections(url_of(name))
                        run_round(pool, browsers, warm, Tally())
                        if not calls_since(stack, warmed):
                            break
                    warmed = journal_last_id(stack)
                    log(f"{label}:")
                    results[label] = measure(
                        pool,
                        browsers,
                        f"{stack.site_url}{BARE}",
                        url_of,
                        names,
                        args.requests,
                        args.rounds,
                        site,
                        log,
                    )
                    during = calls_since(stack, warmed)
                    if during:
                        log(f"  {len(during)} 7digital calls while measured: {', '.join(during)}")
            pin([*site, os.getpid()], set(range(os.cpu_count() or 1)))

    print(
        f"\n{args.requests} requests per path and round, {args.rounds} rounds, "
        f"{args.threads} threads, gunicorn 2 workers x {GUNICORN_THREADS} threads; "
        f"layout: {layout.label} (site on CPUs {sorted(layout.site)}, load on "
        f"{sorted(layout.others)}), {os.cpu_count()} CPUs"
    )
    passed = [
        verdicts("visitors", *results["visitors"], VISITOR_GOAL, VISITOR_FLOOR),
        verdicts("signed-in customers", *results["signed-in customers"], CUSTOMER_GOAL),
    ]
    print()
    for name, (page_calls, later_calls) in cold.items():
        passed.append(len(page_calls) <= CALLS_GOAL)
        later = (
            f"; then {len(later_calls)} for its deferred sections ({', '.join(later_calls)})"
            if later_calls
            else ""
        )
        print(
            f"cold {name} page {COLD_PAGES[name]}: {len(page_calls)} 7digital calls "
            f"({', '.join(page_calls) or 'none'}) (goal <= {CALLS_GOAL}) "
            f"{'PASS' if passed[-1] else 'FAIL'}{later}"
        )
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
