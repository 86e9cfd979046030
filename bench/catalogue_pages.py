"""Catalogue pages: warm release page throughput against a bare view, and the 7digital
calls a cold page makes.

    .venv/bin/python bench/catalogue_pages.py [--requests 200] [--threads 4] [--rounds 3]

The same two processes as ``bench/preview_proxy.py`` (whose ``Stack`` this reuses): the
sandbox (``manage.py runsandbox``) and the site under gunicorn (the project's
``gunicorn.conf.py``: 2 threaded workers; DEBUG off, a local-memory cache per worker),
on temporary SQLite files seeded with 2,000 tracks.

1. Throughput of the warm release page (``/releases/1046/``, its 7digital reads already
   in the cache, and the part of it every visitor sees rendered once and reused from
   the ``{% cache %}`` fragment, as ``CATALOGUE_FRAGMENT_SECONDS`` has it in production)
   as a share of a bare Django view's, measured side by side in alternating rounds with
   the same thread pool. Goal >= 0.5.

   Each round runs twice, as ``bench/preview_proxy.py`` does: **separate** (the goal),
   the site on one CPU of its own and this script (the browsers) on the other; and
   **shared**, both on every CPU, for information. Sharing flatters the page: the load
   generator's own cost per request caps the bare view's rate more than the page's.

   The bare view is honest only if everything but the page's own work is the same, so
   it is not a different server or app: gunicorn serves the same project, with the same
   settings and middleware (sessions, CSRF, country, htmx, ...), through a settings
   module written to a temporary folder for this run that imports
   ``config.settings.local`` and changes one thing, ``ROOT_URLCONF``: the project's URLs
   plus ``/_bench/bare``, a view that returns "ok". The project gets no extra view;
   ``/healthz`` is not used because it queries the database, which the release page
   does not. The ratio is then the cost of the page's selectors (cache reads) and
   templates over the framework's floor.

2. The 7digital calls a cold release, artist and home page make, counted in the
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
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from preview_proxy import (
    GUNICORN_THREADS,
    REQUEST_TIMEOUT,
    Fetcher,
    Stack,
    Tally,
    layouts,
    pin,
    process_tree,
    run_round,
)

RELEASE = "/releases/1046/"  # "No Surprises" by Radiohead
COLD_PAGES = {"release": RELEASE, "artist": "/artists/304/", "home": "/"}
BARE = "/_bench/bare"
THROUGHPUT_GOAL = 0.5
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per path per round")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=2000, help="size of the seeded catalogue")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-urls-") as folder:
        Path(folder, "bench_catalogue_settings.py").write_text(BENCH_SETTINGS)
        Path(folder, "bench_catalogue_urls.py").write_text(BENCH_URLS)
        with Stack(
            tracks=args.tracks,
            settings_module="bench_catalogue_settings",
            pythonpath=[Path(folder)],
        ) as stack:
            cold = {name: cold_calls(stack, path) for name, path in COLD_PAGES.items()}

            stack.start_site()
            fetch = Fetcher()
            page, bare = Tally(), Tally()
            with ThreadPoolExecutor(args.threads) as pool:
                # Warm every worker (each has its own cache) until a round asks
                # 7digital nothing: the release's reads cached, connections open.
                warm = [f"{stack.site_url}{RELEASE}", f"{stack.site_url}{BARE}"] * 20
                for _ in range(5):
                    warmed = journal_last_id(stack)
                    run_round(pool, fetch, warm, Tally())
                    if not calls_since(stack, warmed):
                        break
                warmed = journal_last_id(stack)
                site = process_tree(stack.site.pid)
                measured = {layout.label: (Tally(), Tally(), []) for layout in layouts()}
                for _ in range(args.rounds):
                    for layout in layouts():
                        pin(site, layout.site)
                        pin([os.getpid()], layout.others)
                        bare, page, per_round = measured[layout.label]
                        bare_round, page_round = Tally(), Tally()
                        run_round(
                            pool, fetch, [f"{stack.site_url}{BARE}"] * args.requests, bare_round
                        )
                        run_round(
                            pool, fetch, [f"{stack.site_url}{RELEASE}"] * args.requests, page_round
                        )
                        per_round.append(
                            page_round.requests_per_second / bare_round.requests_per_second
                        )
                        bare.add(bare_round)
                        page.add(page_round)
                        time.sleep(0.1)
                everywhere = set(range(os.cpu_count() or 1))
                pin([*site, os.getpid()], everywhere)
                during = calls_since(stack, warmed)

    print(
        f"{args.requests * args.rounds} requests per path and layout, {args.threads} threads, "
        f"{args.rounds} alternating rounds, gunicorn 2 workers x {GUNICORN_THREADS} threads, "
        f"{os.cpu_count()} CPUs; {len(during)} 7digital calls while measured"
        f"{': ' + ', '.join(during) if during else ''}"
    )
    results = []
    for label, (bare, page, per_round) in measured.items():
        where = (
            "the site on a CPU of its own, the load on the other"
            if label == "separate"
            else "the site and the load sharing every CPU"
        )
        print(f"\n{label}: {where}")
        print(f"{'bare Django view':>28}: {bare.requests_per_second:8.1f} requests/s")
        print(
            f"{'warm release page ' + RELEASE:>28}: {page.requests_per_second:8.1f} requests/s "
            f"({page.bytes / page.requests / 1000:.1f} KB each)"
        )
        ratio = page.requests_per_second / bare.requests_per_second
        line = f"release page/bare view throughput ratio: {ratio:.2f}"
        if label == next(iter(measured)):
            results.append(ratio >= THROUGHPUT_GOAL)
            line += f" (goal >= {THROUGHPUT_GOAL}) {'PASS' if results[-1] else 'FAIL'}"
        print(f"{line}; rounds: {' '.join(f'{r:.2f}' for r in per_round)}")
    print()
    for name, (page_calls, later_calls) in cold.items():
        results.append(len(page_calls) <= CALLS_GOAL)
        later = (
            f"; then {len(later_calls)} for its deferred sections ({', '.join(later_calls)})"
            if later_calls
            else ""
        )
        print(
            f"cold {name} page {COLD_PAGES[name]}: {len(page_calls)} 7digital calls "
            f"({', '.join(page_calls) or 'none'}) (goal <= {CALLS_GOAL}) "
            f"{'PASS' if results[-1] else 'FAIL'}{later}"
        )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
