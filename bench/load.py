"""Browsing and buying customers against the shop as production runs it.

    .venv/bin/python bench/load.py                       # 5 minutes, 50 browsing, 5 buying
    .venv/bin/python bench/load.py --image storefront:ci # the production image instead
    .venv/bin/python bench/load.py --seconds 90 --browsing 20 --buying 3

Starts `scripts.production.ProductionLayout` (gunicorn with `gunicorn.conf.py`, a
Celery worker and beat with production settings from the `--no-dev` virtualenv, on this
machine's PostgreSQL and Redis, pointed at a sandbox and a stand-in for Stripe; build
it with `make venv-production`, and collect the static files as `make production-smoke`
does), then runs, all on loopback and for a bounded time:

- browsing customers: anonymous visitors going from page to page (home, A-Z, search,
  artist, release, track, tag, a preview clip), each waiting 0.5-3 s between pages;
- buying customers: each signs up (the worker creates their 7digital partner user),
  confirms their email, then again and again opens a release, adds it to the basket,
  pays on "Stripe", waits for the order to be complete and opens the locker.

Before the customers arrive, every page the browsing customers may open is visited
once (each page's 7digital reads then cached, as most customers find a shop's pages;
Redis holds them for every worker), so their pages are *warm*.

Every request keeps its connection alive, as a browser does. It prints the requests,
their p50 / p95 latency (the browsing customers' pages apart from their preview clips,
which are 7digital's bytes relayed), server errors (5xx), connection errors (resets,
refusals, timeouts) and whether every order was credited exactly once at 7digital (the
sandbox's `user/deliveritem` sales, one per order line, none repeated), against the
goals: warm pages' p95 under 100 ms (issue 21), no server error, no connection error,
every order credited once. Exits 1 if one is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.production import (
    PRODUCTION_PYTHON,
    Customer,
    CustomerError,
    ProductionLayout,
    wait_until,
)

SANDBOX_TRACKS = 20_000  # about 2,000 releases and 400 artists
THINK_SECONDS = (0.5, 3.0)
WARM_P95_GOAL = 0.100  # seconds, the browsing customers' warm pages


class Recorder:
    """Every request's kind, latency and outcome, from every customer's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.connection_errors: list[str] = []
        self.journey_errors: list[str] = []

    def wrap(self, customer: Customer, kind: str) -> None:
        """Record every request ``customer`` makes under ``kind``."""
        original = customer.request

        def recorded(method, path, **kwargs):
            started = time.perf_counter()
            try:
                response = original(method, path, **kwargs)
            except requests.ConnectionError as exc:
                with self.lock:
                    self.connection_errors.append(f"{method} {path}: {exc!r}"[:300])
                raise
            except requests.Timeout as exc:
                with self.lock:
                    self.connection_errors.append(f"{method} {path}: timeout {exc!r}"[:300])
                raise
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies["preview" if path.startswith("/previews/") else kind].append(elapsed)
                for step in [*response.history, response]:
                    self.statuses[step.status_code] += 1
                    if step.status_code >= 500:
                        self.server_errors.append(f"{method} {step.url}: {step.status_code}")
            return response

        customer.request = recorded

    def journey_failed(self, what: str) -> None:
        with self.lock:
            self.journey_errors.append(what[:300])


class Catalogue:
    """Pages to visit, read once from the sandbox through the shop itself."""

    def __init__(self, layout: ProductionLayout) -> None:
        visitor = Customer(layout)
        home = visitor.page("/").text
        self.releases = sorted({int(x) for x in _ids(home, "releases")}) or [1046]
        self.artists = sorted({int(x) for x in _ids(home, "artists")}) or [1]
        self.tracks = [123456]
        for release in self.releases[:10]:
            self.tracks += [
                int(x) for x in _ids(visitor.page(f"/releases/{release}/").text, "tracks")
            ]
        self.tags = ["rock", "pop", "electronic"]
        self.letters = list("abcdefghijklmnopqrstuvwxyz")
        self.words = ["love", "night", "the", "blue", "fire", "heart", "dream", "time"]

    def every_page(self) -> list[str]:
        """Every page :meth:`any_page` may choose but the preview clips."""
        return [
            "/",
            *(f"/artists/?letter={letter}" for letter in self.letters),
            *(f"/search/?q={word}" for word in self.words),
            *(f"/artists/{artist}/" for artist in self.artists),
            *(f"/releases/{release}/" for release in self.releases),
            *(f"/tracks/{track}/" for track in self.tracks),
            *(f"/tags/{tag}/" for tag in self.tags),
        ]

    def any_page(self) -> str:
        kind = random.choices(  # noqa: S311 - a load mix, not security
            ["home", "artists", "search", "artist", "release", "track", "tag", "preview"],
            weights=[3, 1, 2, 2, 4, 2, 1, 1],
        )[0]
        pick = random.choice
        return {
            "home": lambda: "/",
            "artists": lambda: f"/artists/?letter={pick(self.letters)}",
            "search": lambda: f"/search/?q={pick(self.words)}",
            "artist": lambda: f"/artists/{pick(self.artists)}/",
            "release": lambda: f"/releases/{pick(self.releases)}/",
            "track": lambda: f"/tracks/{pick(self.tracks)}/",
            "tag": lambda: f"/tags/{pick(self.tags)}/",
            "preview": lambda: f"/previews/{pick(self.tracks)}",
        }[kind]()


def _ids(html: str, kind: str) -> list[str]:
    return re.findall(rf'href="/{kind}/(\d+)/"', html)


def think(stop: threading.Event) -> None:
    stop.wait(random.uniform(*THINK_SECONDS))  # noqa: S311


def browsing(layout, catalogue, recorder, stop) -> None:
    customer = Customer(layout)
    recorder.wrap(customer, "browse")
    while not stop.is_set():
        path = catalogue.any_page()
        with contextlib.suppress(requests.RequestException):  # recorded
            customer.get(path)
        think(stop)


def buying(layout, catalogue, recorder, stop, orders) -> None:
    customer = Customer(layout, timeout=60)
    recorder.wrap(customer, "buy")
    try:
        customer.sign_up()
        customer.confirm_email(timeout=60)
    except (CustomerError, requests.RequestException, TimeoutError) as exc:
        recorder.journey_failed(f"sign-up: {exc}")
        return
    while not stop.is_set():
        release = random.choice(catalogue.releases)  # noqa: S311
        try:
            customer.browse(f"/releases/{release}/")
            think(stop)
            customer.add_to_basket(release=release)
            number = customer.buy(timeout=120)
            orders.append((customer.email, number))
            customer.browse("/locker/")
        except (CustomerError, requests.RequestException, TimeoutError) as exc:
            recorder.journey_failed(f"purchase of {release}: {exc}")
        think(stop)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def web_memory(layout: ProductionLayout) -> int | None:
    """The resident memory (KiB) of gunicorn's workers, when they are processes here."""
    process = layout.processes.get("web")
    if layout.image or process is None:
        return None
    total = 0
    for task in Path("/proc").iterdir():
        if not task.name.isdigit():
            continue
        try:
            status = (task / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(process.pid):
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--browsing", type=int, default=50)
    parser.add_argument("--buying", type=int, default=5)
    parser.add_argument("--image", help="run web, worker and beat from this image")
    parser.add_argument("--python", default=str(PRODUCTION_PYTHON))
    parser.add_argument("--folder", help="keep the processes' logs here")
    args = parser.parse_args()

    folder = Path(args.folder or tempfile.mkdtemp(prefix="load-"))
    print(f"Load: {args.browsing} browsing and {args.buying} buying customers for "
          f"{args.seconds:.0f} s; logs in {folder}", flush=True)  # fmt: skip
    layout = ProductionLayout(
        folder,
        python=Path(args.python),
        image=args.image,
        sandbox_tracks=SANDBOX_TRACKS,
        redis_db=6,  # the smoke test uses 5
        name="load",
    )
    recorder = Recorder()
    orders: list[tuple[str, str]] = []
    with layout:
        catalogue = Catalogue(layout)
        visitor = Customer(layout)
        for path in catalogue.every_page():  # warm: see the module's docstring
            visitor.get(path)
        memory_before = web_memory(layout)
        stop = threading.Event()
        threads = [
            threading.Thread(target=browsing, args=(layout, catalogue, recorder, stop))
            for _ in range(args.browsing)
        ] + [
            threading.Thread(target=buying, args=(layout, catalogue, recorder, stop, orders))
            for _ in range(args.buying)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # customers arrive over a few seconds, not all at once
        stop.wait(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        elapsed = time.monotonic() - started
        memory_after = web_memory(layout)

        lines_sold = len(orders)  # one release per order, so one line each
        sales = wait_until(
            lambda: (s := layout.sandbox("sales")) and s["count"] >= lines_sold and s,
            timeout=120,
            what="every order's sale at the sandbox",
        )
        still_running = layout.alive()

    browse = recorder.latencies["browse"]
    every = [value for values in recorder.latencies.values() for value in values]
    requests_made = sum(recorder.statuses.values())
    print(f"\nrequests: {requests_made:,} in {elapsed:.0f} s ({requests_made / elapsed:.1f}/s)")
    print(f"statuses: {dict(sorted(recorder.statuses.items()))}")
    warm_p95 = percentile(browse, 0.95)
    print(f"latency, warm pages:     p50 {percentile(browse, 0.5) * 1000:.0f} ms, "
          f"p95 {warm_p95 * 1000:.0f} ms ({len(browse):,} pages, previews apart)")  # fmt: skip
    previews = recorder.latencies["preview"]
    print(f"latency, preview clips:  p50 {percentile(previews, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(previews, 0.95) * 1000:.0f} ms (whole clips)")  # fmt: skip
    print(f"latency, every request:  p50 {percentile(every, 0.5) * 1000:.0f} ms, "
          f"p95 {percentile(every, 0.95) * 1000:.0f} ms")  # fmt: skip
    if memory_before and memory_after:
        print(f"gunicorn workers' memory: {memory_before / 1024:.0f} MiB before, "
              f"{memory_after / 1024:.0f} MiB after")  # fmt: skip
    print(f"orders: {len(orders)} complete; sales at 7digital: {sales['count']}, "
          f"transaction ids sold more than once: {sales['repeated_transactions']}")  # fmt: skip
    for name, values in (
        ("server errors", recorder.server_errors),
        ("connection errors", recorder.connection_errors),
        ("failed journeys", recorder.journey_errors),
    ):
        print(f"{name}: {len(values)}")
        for value in values[:5]:
            print(f"  {value}")

    credited_once = sales["count"] == lines_sold and sales["repeated_transactions"] == 0 and orders
    goals = {
        f"warm pages' p95 < {WARM_P95_GOAL * 1000:.0f} ms": warm_p95 < WARM_P95_GOAL,
        "0 server errors": not recorder.server_errors,
        "0 connection errors": not recorder.connection_errors,
        "every customer's journey completed": not recorder.journey_errors,
        "every order credited exactly once": bool(credited_once),
        "web, worker and beat still running": all(still_running.values()),
    }
    print()
    for goal, met in goals.items():
        print(f"{'met ' if met else 'MISSED'}  {goal}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
