"""Download proxy: full tracks through the site vs straight from 7digital, and the site's
memory while it relays a large release ZIP.

    .venv/bin/python bench/download_proxy.py [--fetches 24] [--threads 8] [--rounds 3]

The same two processes as ``bench/preview_proxy.py`` (whose ``Stack`` this uses): the
sandbox standing in for media.geo.7digital.com, and the site under gunicorn (2 threaded
workers, DEBUG off), on temporary SQLite files. A customer is set up as in the shop: an
account with its 7digital partner user, a release of the sandbox's bought with
``user/deliveritem`` (a licensor that allows 355 downloads per track, so the rounds do
not run out), and a signed-in session.

**Throughput.** Side by side in one run, with the same thread pool (one keep-alive
session per thread), it downloads the release's full tracks (MP3, several MB each):

* **direct**: from the sandbox at the signed ``media/user/downloadtrack`` URL the
  7digital client builds for the customer's partner user (what a browser would fetch if
  the site handed out signed URLs; it does not: they carry a replayable signature);
* **proxy**: from the site, as the locker's Download button does it: a POST (with the
  CSRF token) to ``/locker/download/track/<release>/<track>/<format>/`` answers with a
  303 to a one-download ticket, ``/locker/fetch/<ticket>/``, which checks the session
  and the ticket, signs, fetches and streams the same bytes. The tickets of a round are
  asked for before it starts, so the figures are the bytes' (a browser's POST adds one
  small round trip to each download, a few milliseconds).

Every track is fetched once first, so the sandbox's one-off MP3 encoding is in neither
figure, and the two paths alternate round by round. Eight downloads are in flight at a
time (the site's gunicorn serves sixteen): with only a few, the ratio measures the
latency the proxy adds to each download (a few milliseconds, printed as "one download
alone") rather than how many bytes it can pass on. As in the preview benchmark, each
round runs with the site on a CPU of its own (**separate**: the goal, >= 0.9, because in
production 7digital's servers and the customers' browsers do not take the site's CPU)
and with every party on every CPU (**shared**: for information).

**Memory.** Then it downloads the whole release as a ZIP through the site, reading it
as a browser would, while a thread samples the resident set (VmRSS) of every gunicorn
worker every few milliseconds: the growth is the largest rise of any worker over its
own level just before (goal < 20 MB; a proxy that buffered would grow by the ZIP's
size, printed beside it: with the relay changed to read the body whole, this run
measured 154 MB and 89 MB for the 81 MB ZIP). Twice, so that first-use allocations show.

Every process started here is in its own process group and is killed on the way out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from preview_proxy import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PYTHON,
    REQUEST_TIMEOUT,
    ROOT,
    Fetcher,
    Stack,
    Tally,
    layouts,
    median_latency,
    process_tree,
    report,
    run_round,
    side_by_side,
)

CUSTOMER = "bench-downloads@example.com"
MAX_TRACKS = 12
MEMORY_GOAL_MB = 20
RATIO_GOAL = 0.9
LATENCY_ROUNDS = 3

# Run inside the site's settings (``manage.py shell``) with the sandbox up: a customer
# who bought one release, signed in. Prints what the benchmark needs as JSON.
SETUP = """
import json
from decimal import Decimal
from allauth.account.models import EmailAddress
from django.test import Client
from accounts.models import User
from accounts.services import partner_user_ensure
from sandbox.models import DOWNLOAD_LIMITS, PACKAGES, STANDARD_PACKAGE, Release
from integrations.sevendigital import get_uncached_client

limit = max(DOWNLOAD_LIMITS)
releases = (
    Release.objects.using("sandbox")
    .filter(taken_down=False, standard_tier__isnull=False, track_count__gte=8)
    .select_related("licensor", "standard_tier")
    .order_by("-duration", "id")
)
release = next(
    r for r in releases
    if r.licensor.download_limit == limit and r.licensed_in("GB")
    and r.standard_tier.amount("GBP") is not None
)
tracks = list(release.tracks.using("sandbox").order_by("disc_number", "number"))
user = User.objects.create_user(email=EMAIL, password="a long passphrase 7", country="GB")
EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
partner_user_id = partner_user_ensure(user=user)
purchase = get_uncached_client().purchasing.deliver_item(
    partner_user_id, release_id=release.id, transaction_id="bench-1",
    package_id=STANDARD_PACKAGE, country="GB",
)
browser = Client()
browser.force_login(user)
print(json.dumps({
    "session": browser.cookies["sessionid"].value,
    "partner_user_id": partner_user_id,
    "release_id": release.id,
    "title": release.title,
    "track_ids": [t.id for t in tracks],
    "format_id": PACKAGES[STANDARD_PACKAGE][1][0][0],
    "limit": limit,
    "purchase": str(purchase),
}))
"""


def customer_setup(stack: Stack) -> dict:
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", "shell", "-c", SETUP.replace("EMAIL", repr(CUSTOMER))],
        cwd=ROOT,
        env=stack.env(),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


class PeakRss:
    """Samples the processes' resident sets until stopped; keeps each one's peak."""

    def __init__(self, pids: list[int], interval: float = 0.002) -> None:
        self.pids = pids
        self.interval = interval
        self.before = {pid: rss_bytes(pid) for pid in pids}
        self.peak = dict(self.before)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._done.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_bytes(pid))
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return max(self.peak[pid] - self.before[pid] for pid in self.pids)


class CustomerFetcher(Fetcher):
    """Whole bodies, each thread's keep-alive session carrying the customer's cookie."""

    def __init__(self, cookies: dict[str, str]) -> None:
        super().__init__()
        self.cookies = cookies

    def __call__(self, url: str) -> int:
        if getattr(self.local, "session", None) is None:
            self.local.session = requests.Session()
            self.local.session.cookies.update(self.cookies)
        return super().__call__(url)


class TicketDesk:
    """Asks the site for download tickets as the locker's Download buttons do: the
    download's page for the CSRF token once, then a POST per download, answered by a
    303 to the ticket's address."""

    def __init__(self, site_url: str, cookies: dict[str, str]) -> None:
        self.site_url = site_url
        self.session = requests.Session()
        self.session.cookies.update(cookies)
        self.token: str | None = None

    def __call__(self, path: str) -> str:
        url = self.site_url + path
        if self.token is None:
            page = self.session.get(url, timeout=REQUEST_TIMEOUT)
            page.raise_for_status()
            self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        issued = self.session.post(
            url,
            {"csrfmiddlewaretoken": self.token},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        if issued.status_code != 303:
            raise RuntimeError(f"the site answered {issued.status_code} to a download's POST")
        return self.site_url + issued.headers["Location"]


def download_streaming(session: requests.Session, url: str) -> int:
    """Reads the body a megabyte at a time, as a browser saving to disk would."""
    size = 0
    with session.get(url, stream=True, timeout=REQUEST_TIMEOUT) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            size += len(chunk)
    return size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=24, help="tracks per path per round")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracks", type=int, default=2000, help="size of the seeded catalogue")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from sevendigital import SevenDigital

    with Stack(tracks=args.tracks) as stack:
        client = SevenDigital(
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            base_url=stack.sandbox_url,
            country="GB",
        )
        bought = customer_setup(stack)
        release, fmt = bought["release_id"], bought["format_id"]
        tracks = bought["track_ids"][:MAX_TRACKS]
        # Every download counts against the licensor's limit: the rounds, the two warm-up
        # passes and the three ZIPs must stay within it.
        downloads = (
            args.rounds * len(layouts()) * args.fetches + (1 + LATENCY_ROUNDS) * len(tracks)
        ) * 2
        downloads_per_track = -(-downloads // len(tracks)) + 3
        if downloads_per_track > bought["limit"]:
            parser.error(
                f"{downloads_per_track} downloads per track would pass the licensor's "
                f"limit of {bought['limit']}: fewer --fetches or --rounds"
            )
        user = bought["partner_user_id"]
        signed_in = {"sessionid": bought["session"]}

        def signed(track: int) -> str:
            return client.media.signed_url(
                client.media.download_track(
                    user, track_id=track, release_id=release, format_id=fmt, country="GB"
                )
            )

        desk = TicketDesk(stack.site_url, signed_in)

        def proxied(track: int) -> str:
            return desk(f"/locker/download/track/{release}/{track}/{fmt}/")

        fetch = CustomerFetcher(signed_in)
        picks = [tracks[i % len(tracks)] for i in range(args.fetches)]
        site, sandbox = process_tree(stack.site.pid), process_tree(stack.sandbox.pid)
        with ThreadPoolExecutor(args.threads) as pool:
            # Encode every track once (the sandbox caches it), and warm the site's path.
            run_round(pool, fetch, [signed(t) for t in tracks], Tally())
            run_round(pool, fetch, [proxied(t) for t in tracks], Tally())
            measured = side_by_side(
                pool,
                fetch,
                direct=lambda: [signed(t) for t in picks],
                proxied=lambda: [proxied(t) for t in picks],
                rounds=args.rounds,
                site=site,
                sandbox=sandbox,
            )

        # One at a time (everything warm by now): what a single download costs each path.
        latency = {
            "direct": median_latency(fetch, lambda: [signed(t) for t in tracks], LATENCY_ROUNDS),
            "proxy": median_latency(fetch, lambda: [proxied(t) for t in tracks], LATENCY_ROUNDS),
        }

        # Memory: the whole release as one ZIP, built by the sandbox first (direct).
        zip_direct = client.media.signed_url(
            client.media.download_release(user, release_id=release, format_id=fmt, country="GB")
        )
        zip_proxied = f"/locker/download/release/{release}/?format={fmt}"
        with requests.Session() as session:
            zip_size = download_streaming(session, zip_direct)
            session.cookies.update(signed_in)
            workers = [pid for pid in process_tree(stack.site.pid) if pid != stack.site.pid]
            growths = []
            for _ in range(2):
                ticket = desk(zip_proxied)
                with PeakRss(workers) as sampler:
                    size = download_streaming(session, ticket)
                if size != zip_size:
                    raise RuntimeError(f"the proxy sent {size} bytes of a {zip_size}-byte ZIP")
                growths.append(sampler.growth)

    first = next(iter(measured.values()))
    track_mb = first.direct.bytes / first.direct.requests / 1e6
    print(
        f"“{bought['title']}”: {len(tracks)} tracks, {track_mb:.1f} MB a track on average; "
        f"{first.direct.requests} downloads per path and layout, {args.threads} threads, "
        f"{args.rounds} alternating rounds, gunicorn {stack.workers} workers, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"one download alone (median): direct {latency['direct'] * 1000:.1f} ms, "
        f"proxy {latency['proxy'] * 1000:.1f} ms"
    )
    verdict = report(measured, item="download", goal=RATIO_GOAL)

    worst = max(growths) / 1e6
    passed = worst < MEMORY_GOAL_MB
    verdict &= passed
    print(
        f"\nmemory: release ZIP of {zip_size / 1e6:.1f} MB through the proxy; largest rise of "
        f"a worker's resident set: {', '.join(f'{g / 1e6:.1f} MB' for g in growths)} "
        f"(goal < {MEMORY_GOAL_MB} MB) {'PASS' if passed else 'FAIL'}"
    )
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
