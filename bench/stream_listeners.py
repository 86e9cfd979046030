"""Concurrent listeners of whole tracks: through the shop's stream proxy and, side by
side in the same run, straight from the sandbox.

    .venv/bin/python bench/stream_listeners.py                        # N = 50, 100, 200, 500
    .venv/bin/python bench/stream_listeners.py --listeners 500
    .venv/bin/python bench/stream_listeners.py --threads 8 --listeners 50,100  # another layout
    .venv/bin/python bench/stream_listeners.py --listeners 500 --tls  # streams over https

Starts `scripts.production.ProductionLayout`: gunicorn with `gunicorn.conf.py` (as the
image runs it; `--workers` and `--threads` set `WEB_CONCURRENCY` and `GUNICORN_THREADS`,
by default what `gunicorn.conf.py` would choose), a Celery worker and beat, production
settings from the `--no-dev` virtualenv (`make venv-production`), this machine's
PostgreSQL and Redis, and the sandbox standing in for 7digital. Then:

- it makes as many subscribers as the largest N (each with a store subscription, a
  linked 7digital partner user, the sandbox's matching subscription and a signed-in
  session), and picks `--tracks` streamable tracks of `--shortest` to `--longest` seconds;
- it warms up: every track once straight from the sandbox (its AAC is encoded and
  cached) and once through the shop (the catalogue's answers are cached);
- for each N, in two phases one after the other: N listeners start evenly over `--ramp`
  seconds, each a different subscriber on a connection of its own, each reading one
  whole track in format 56 (AAC 160 kbit/s) at a listener's pace: it starts playing at
  the first byte, plays 20,000 bytes a second, and reads no more than `--readahead`
  seconds ahead of what it has played. **proxy** asks the shop (`/stream/<id>` with the
  subscriber's session); **direct** asks the sandbox at a URL signed for it just before
  (`stream/subscription`, what a browser would do if the shop handed out signed URLs).

For each phase it prints the listeners served the whole track with their buffer never
running dry (at every whole second since the first byte, bytes received >= bytes
played), time to first byte (from connecting), the seconds their buffers ran dry, what
went wrong, and the site's memory (gunicorn's workers, resident) and threads at their
peak against before the first phase. A listener that receives nothing for
`--give-up` seconds leaves, as a person would.

The goals, checked at the largest N: every proxied listener without a stall, time to
first byte p95 < 500 ms, the site's memory growth < 200 MB, and listeners without a
stall proxy / direct >= 0.95. Exits 1 if one is missed. Everything is on loopback and
ends by itself; every process started is stopped on the way out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BYTES_PER_SECOND = 160_000 // 8  # format 56: AAC at 160 kbit/s
FORMAT = 56
RECEIVE_BUFFER = 64 * 1024
GOAL_TTFB_P95 = 0.5
GOAL_MEMORY_MB = 200
GOAL_RATIO = 0.95
STALL_SECONDS = 5  # a page this slow has the site's sockets and stacks noted


# -- the subscribers (run inside the shop's environment) ---------------------------------


def seed_subscribers(count: int) -> None:
    """Print ``count`` subscribers as JSON: their session cookie and partner user id.
    Run with the shop's settings (``--seed-subscribers``), as the layout's one-off task."""
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from accounts.models import PartnerUser, User
    from store.subscriptions.models import Plan, Subscription

    now = timezone.now()
    plan, _ = Plan.objects.get_or_create(
        slug="bench-premium", defaults={"name": "Premium", "plan_code": Plan.Code.PREMIUM}
    )
    found = []
    for number in range(count):
        user = User.objects.create_user(email=f"listener{number}@example.com")
        partner = PartnerUser.objects.create(
            user=user, country="GB", state=PartnerUser.State.LINKED, linked_at=now
        )
        Subscription.objects.create(
            user=user,
            plan=plan,
            currency="GBP",
            amount="9.99",
            country="GB",
            status=Subscription.Status.ACTIVE,
            activated_at=now - timedelta(days=3),
            current_period_start=now - timedelta(days=3),
            current_period_end=now + timedelta(days=27),
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        found.append({"session": session.session_key, "partner": partner.partner_user_id})
    print(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "subscribers": found}))


# -- one listener -------------------------------------------------------------------------


@dataclass
class Listened:
    status: int = 0
    ttfb: float | None = None
    received: int = 0
    total: int | None = None
    dry_seconds: int = 0
    error: str = ""

    @property
    def whole(self) -> bool:
        return self.status in (200, 206) and self.total is not None and self.received == self.total

    @property
    def unbroken(self) -> bool:
        return self.whole and self.dry_seconds == 0


async def listen(url: str, headers: dict[str, str], *, readahead: float, give_up: float):
    """One listener: see the module's docstring."""
    result = Listened()
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    began = time.monotonic()
    writer = None
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        # A listener's receive window, fixed before connecting (no autotuning): on
        # loopback Linux would otherwise grow it to megabytes, the whole track would sit
        # in the kernel's buffers and the server would be done with it at once. A
        # browser that has buffered enough stops reading; its socket then holds about
        # this much (Linux doubles the figure asked for, for its bookkeeping).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER // 2)
        try:
            await asyncio.wait_for(
                asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port)),
                give_up,
            )
        except BaseException:
            sock.close()
            raise
        reader, writer = await asyncio.open_connection(sock=sock, limit=16 * 1024)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), give_up)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        result.status = int(status_line.split()[1])
        found = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines if line)
        )
        if result.status not in (200, 206):
            result.error = f"status {result.status} {found.get('x-stream-refusal', '')}".strip()
            return result
        if "content-length" not in found:
            result.error = "no Content-Length"
            return result
        result.total = int(found["content-length"])
        first = await asyncio.wait_for(reader.read(64 * 1024), give_up)
        if not first:
            result.error = "closed before the first byte"
            return result
        started = time.monotonic()
        result.ttfb = started - began
        result.received = len(first)
        ahead = readahead * BYTES_PER_SECOND
        next_check = started + 1
        last_byte = started
        while result.received < result.total:
            now = time.monotonic()
            while next_check <= now:  # the buffer at each whole second of play
                if result.received < min(result.total, (next_check - started) * BYTES_PER_SECOND):
                    result.dry_seconds += 1
                next_check += 1
            if now - last_byte > give_up:
                result.error = f"nothing for {give_up:.0f} s"
                break
            wanted = (now - started) * BYTES_PER_SECOND + ahead - result.received
            if wanted < 1024:  # the buffer is full: wait until some of it is played
                await asyncio.sleep(min(next_check - now, (1024 - wanted) / BYTES_PER_SECOND))
                continue
            try:
                chunk = await asyncio.wait_for(
                    reader.read(int(min(wanted, 64 * 1024))), max(0.05, next_check - now)
                )
            except TimeoutError:
                continue
            if not chunk:
                result.error = "closed early"
                break
            result.received += len(chunk)
            last_byte = time.monotonic()
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        result.error = result.error or type(exc).__name__
    finally:
        if writer is not None:
            writer.close()
    return result


# -- the site's memory and threads --------------------------------------------------------


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def site_footprint(pid: int) -> tuple[int, int]:
    """(resident KiB, threads) of gunicorn's workers."""
    memory = threads = 0
    for worker in workers_of(pid):
        try:
            status = Path(f"/proc/{worker}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        memory += int(fields.get("VmRSS", "0 kB").split()[0])
        threads += int(fields.get("Threads", "0"))
    return memory, threads


class Sampler(threading.Thread):
    """The peak of the site's footprint while it runs, and, twice a second, how long a
    visitor browsing meanwhile waits for a page (``page_url``, on a connection kept
    alive as a browser's)."""

    def __init__(
        self, pid: int, page_url: str, redis_url: str | None = None, folder: Path | None = None
    ) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.page_url = page_url
        self.peak_memory = self.peak_threads = 0
        self.pages: list[float] = []
        self.page_failures: Counter = Counter()
        self.failed_at: list[float] = []
        self.peak_redis_clients = 0
        self.redis_url = redis_url
        self.folder = folder
        self.diagnosed = False
        self.stopping = threading.Event()

    def run(self) -> None:
        import requests

        with requests.Session() as browser:
            while not self.stopping.wait(0.5):
                memory, threads = site_footprint(self.pid)
                self.peak_memory = max(self.peak_memory, memory)
                self.peak_threads = max(self.peak_threads, threads)
                self.peak_redis_clients = max(self.peak_redis_clients, self.redis_clients())
                began = time.monotonic()
                watch = threading.Timer(STALL_SECONDS, self.diagnose)
                watch.daemon = True
                watch.start()
                try:
                    page = browser.get(self.page_url, timeout=30)
                except requests.RequestException as exc:
                    self.page_failures[type(exc).__name__] += 1
                    # When it was asked for, to find it in the site's request log.
                    self.failed_at.append(time.time() - (time.monotonic() - began))
                    continue
                finally:
                    watch.cancel()
                if page.status_code == 200:
                    self.pages.append(time.monotonic() - began)
                else:
                    self.page_failures[f"status {page.status_code}"] += 1

    def diagnose(self) -> None:
        """A page has waited ``STALL_SECONDS``: note the site's sockets and, with py-spy on
        the PATH, every thread's stack in the workers (once a phase, into ``folder``)."""
        if self.diagnosed or not self.folder:
            return
        self.diagnosed = True
        import shutil
        import subprocess

        stamp = time.strftime("%H%M%S", time.gmtime())
        port = urlsplit(self.page_url).port
        commands = {"sockets": ["ss", "-tnoip", f"( sport = :{port} or dport = :{port} )"]}
        if shutil.which("py-spy"):
            for worker in workers_of(self.pid):
                commands[f"stacks-{worker}"] = ["py-spy", "dump", "--pid", str(worker)]
        for name, argv in commands.items():
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
            (self.folder / f"stall-{stamp}-{name}.txt").write_text(done.stdout + done.stderr)

    def redis_clients(self) -> int:
        """Connections Redis has (every client of that server, this bench's included)."""
        if not self.redis_url:
            return 0
        import redis

        try:
            with redis.Redis.from_url(self.redis_url, socket_timeout=2) as connection:
                return int(connection.info("clients")["connected_clients"])
        except redis.RedisError:
            return 0

    def stop(self) -> None:
        self.stopping.set()
        self.join()


# -- a phase --------------------------------------------------------------------------------


@dataclass
class Phase:
    path: str
    listeners: int
    results: list[Listened] = field(default_factory=list)
    peak_memory_kib: int = 0
    peak_threads: int = 0
    pages: list[float] = field(default_factory=list)
    page_failures: Counter = field(default_factory=Counter)
    failed_at: list[float] = field(default_factory=list)
    peak_redis_clients: int = 0
    seconds: float = 0.0

    def unbroken(self) -> int:
        return sum(result.unbroken for result in self.results)

    def ttfbs(self) -> list[float]:
        return [result.ttfb for result in self.results if result.ttfb is not None]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


async def run_phase(phase: Phase, opener, *, ramp: float, readahead: float, give_up: float):
    async def one(number: int) -> Listened:
        await asyncio.sleep(ramp * number / phase.listeners)
        url, headers = opener(number)
        return await listen(url, headers, readahead=readahead, give_up=give_up)

    began = time.monotonic()
    phase.results = await asyncio.gather(*(one(number) for number in range(phase.listeners)))
    phase.seconds = time.monotonic() - began


def report(phase: Phase, baseline_kib: int) -> None:
    ttfb = phase.ttfbs()
    dry = [result.dry_seconds for result in phase.results if result.dry_seconds]
    errors = Counter(result.error for result in phase.results if result.error)
    line = (
        f"  {phase.path:6} N={phase.listeners:<4} unbroken {phase.unbroken():>4}/{phase.listeners}"
        f"  whole {sum(r.whole for r in phase.results):>4}"
        f"  TTFB p50 {percentile(ttfb, 0.5) * 1000:5.0f} ms"
        f" p95 {percentile(ttfb, 0.95) * 1000:5.0f} ms"
        f"  dry: {len(dry)} listeners, {sum(dry)} s"
    )
    if phase.path == "proxy":
        growth = (phase.peak_memory_kib - baseline_kib) / 1024
        line += f"  site +{growth:.0f} MiB, {phase.peak_threads} threads"
        line += f", Redis {phase.peak_redis_clients} connections"
        line += (
            f"; a page meanwhile p95 {percentile(phase.pages, 0.95) * 1000:.0f} ms"
            f" ({sum(phase.page_failures.values())} failed"
            + "".join(f", {n} x {why}" for why, n in phase.page_failures.most_common())
            + ")"
        )
    print(line + f"  ({phase.seconds:.0f} s)", flush=True)
    if os.environ.get("BENCH_TTFBS"):
        print("      TTFBs:", [round(t * 1000) for t in ttfb], flush=True)
    for error, count in errors.most_common(4):
        print(f"      {count} x {error}", flush=True)
    for moment in phase.failed_at:
        stamp = time.strftime("%H:%M:%S", time.gmtime(moment)) + f"{moment % 1:.3f}"[1:]
        print(f"      a page asked for at {stamp} UTC failed (see requests.log)", flush=True)


# -- the run ---------------------------------------------------------------------------------


def pick_tracks(sandbox_db: Path, *, count: int, shortest: int, longest: int) -> list[int]:
    """Tracks subscribers may stream in GB now, of the given lengths, shortest first."""
    with sqlite3.connect(sandbox_db) as db:
        rows = db.execute(
            """
            SELECT track.id FROM sandbox_track AS track
            JOIN sandbox_release AS release ON release.id = track.release_id
            WHERE track.duration BETWEEN ? AND ?
              AND release.streaming_date <= datetime('now')
              AND release.territories LIKE '%,GB,%'
            ORDER BY track.duration, track.id LIMIT ?
            """,
            (shortest, longest, count),
        ).fetchall()
    return [row[0] for row in rows]


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--seed-subscribers":
        seed_subscribers(int(sys.argv[2]))
        return 0

    import requests

    from scripts.production import (
        CONSUMER_KEY,
        CONSUMER_SECRET,
        PRODUCTION_PYTHON,
        ProductionLayout,
    )

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", default="50,100,200,500", help="N for each round")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (gunicorn.conf.py's)")
    parser.add_argument("--ramp", type=float, default=60)
    parser.add_argument("--readahead", type=float, default=10, help="seconds of audio")
    parser.add_argument("--give-up", type=float, default=30)
    parser.add_argument("--tracks", type=int, default=12)
    parser.add_argument("--shortest", type=int, default=80, help="seconds")
    parser.add_argument("--longest", type=int, default=110, help="seconds")
    parser.add_argument("--paths", default="proxy,direct")
    parser.add_argument("--python", default=str(PRODUCTION_PYTHON))
    parser.add_argument("--folder", help="keep the processes' logs here")
    parser.add_argument(
        "--tls",
        action="store_true",
        help="the shop reaches the sandbox's streams over https, as it reaches 7digital's",
    )
    args = parser.parse_args()
    rounds = [int(n) for n in args.listeners.split(",")]
    paths = args.paths.split(",")

    folder = Path(args.folder or tempfile.mkdtemp(prefix="streams-"))
    web = {}
    if args.workers:
        web["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        web["GUNICORN_THREADS"] = str(args.threads)
    layout = ProductionLayout(
        folder,
        python=Path(args.python),
        redis_db=7,  # the smoke test uses 5, bench/load.py 6
        name="streams",
        settings={
            "LOG_LEVEL": "WARNING",
            # The project's gunicorn.conf.py, and a real connection's send buffer.
            "GUNICORN_CMD_ARGS": "--config bench/stream_listeners_gunicorn.py",
            "BENCH_REQUEST_LOG": str(folder / "requests.log"),
            **web,
        },
    )
    if args.tls:
        # The sandbox answers https on its port with a certificate it makes on its first
        # start beside its database (sandbox/tls.py); the shop's client trusts it by file.
        layout.env["SEVENDIGITAL_STREAM_URL"] = layout.sandbox_url.replace("http:", "https:")
        layout.env["REQUESTS_CA_BUNDLE"] = str(folder / ".sandbox-tls" / "cert.pem")
    # ProductionLayout sets the layout's own defaults; let gunicorn.conf.py choose unless asked.
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS"):
        if name not in web:
            layout.env.pop(name, None)
    print(f"Stream listeners: N = {rounds}, ramp {args.ramp:.0f} s, format {FORMAT} at "
          f"{BYTES_PER_SECOND * 8 // 1000} kbit/s, read-ahead {args.readahead:.0f} s; "
          f"logs in {folder}", flush=True)  # fmt: skip

    # The pages the sampler asks for need the static files' manifest, as in the image.
    import subprocess

    subprocess.run(  # noqa: S603 - the production virtualenv's manage.py, fixed arguments
        [args.python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.build"},
        check=True,
    )
    phases: list[Phase] = []
    with layout:
        web_pid = layout.processes["web"].pid
        gunicorn = dict(
            line.split("=", 1) for line in layout.exec(
                "web", ["python", "-c", "import runpy; s = runpy.run_path('gunicorn.conf.py'); "
                        "print(f\"workers={s['workers']}\\nthreads={s['threads']}\")"]
            ).stdout.split()
        )  # fmt: skip
        print(f"site: gunicorn {gunicorn['workers']} workers x {gunicorn['threads']} threads "
              f"(gunicorn.conf.py)", flush=True)  # fmt: skip
        seeded = json.loads(
            layout.run_once(
                "seed",
                ["python", "bench/stream_listeners.py", "--seed-subscribers", str(max(rounds))],
            )
        )
        cookie = seeded["cookie"]
        subscribers = seeded["subscribers"]
        for subscriber in subscribers:
            requests.post(
                f"{layout.sandbox_url}/_sandbox/subscriptions",
                json={"user_id": subscriber["partner"], "consumer_key": CONSUMER_KEY},
                timeout=30,
            ).raise_for_status()
        tracks = pick_tracks(
            folder / "sandbox.sqlite3",
            count=args.tracks,
            shortest=args.shortest,
            longest=args.longest,
        )
        if len(tracks) < args.tracks:
            raise SystemExit(f"only {len(tracks)} tracks of {args.shortest}-{args.longest} s")

        from sevendigital import SevenDigital

        client = SevenDigital(
            consumer_key=CONSUMER_KEY,
            consumer_secret=CONSUMER_SECRET,
            base_url=layout.sandbox_url,
            country="GB",
            cache=None,
        )

        def direct(number: int) -> tuple[str, dict]:
            media = client.media.stream_subscription(
                subscribers[number]["partner"],
                track_id=tracks[number % len(tracks)],
                format_id=FORMAT,
                client_id=f"bench-direct-{number}",
                country="GB",
            )
            return client.media.signed_url(media), {}

        def proxy(number: int) -> tuple[str, dict]:
            track = tracks[number % len(tracks)]
            session = subscribers[number]["session"]
            return f"{layout.url}/stream/{track}", {"Cookie": f"{cookie}={session}"}

        openers = {"proxy": proxy, "direct": direct}
        page_url = f"{layout.url}/tracks/{tracks[0]}/"
        print(f"warming up {len(tracks)} tracks of {args.shortest}-{args.longest} s...",
              flush=True)  # fmt: skip
        for number in range(len(tracks)):
            for path in ("direct", "proxy"):
                url, headers = openers[path](number)
                got = requests.get(url, headers=headers, timeout=300)
                if got.status_code != 200:
                    raise SystemExit(f"warm-up {path} {url}: {got.status_code} {got.text[:300]}")
        time.sleep(2)
        baseline_kib, baseline_threads = site_footprint(web_pid)
        print(f"site before: {baseline_kib / 1024:.0f} MiB, {baseline_threads} threads\n",
              flush=True)  # fmt: skip

        for listeners in rounds:
            for path in paths:
                phase = Phase(path, listeners)
                sampler = Sampler(web_pid, page_url, layout.redis_url, folder)
                sampler.start()
                asyncio.run(
                    run_phase(
                        phase,
                        openers[path],
                        ramp=args.ramp,
                        readahead=args.readahead,
                        give_up=args.give_up,
                    )
                )
                sampler.stop()
                phase.peak_memory_kib = sampler.peak_memory
                phase.peak_threads = sampler.peak_threads
                phase.pages, phase.page_failures = sampler.pages, sampler.page_failures
                phase.peak_redis_clients = sampler.peak_redis_clients
                phase.failed_at = sampler.failed_at
                phases.append(phase)
                report(phase, baseline_kib)
        still_running = layout.alive()

    largest = max(rounds)
    print()
    print(f"{'N':>5} {'proxy unbroken':>15} {'direct unbroken':>16} {'ratio':>6} "
          f"{'proxy TTFB p95':>15} {'site growth':>12}")  # fmt: skip
    verdicts = {}
    for listeners in rounds:
        by_path = {p.path: p for p in phases if p.listeners == listeners}
        proxied, straight = by_path.get("proxy"), by_path.get("direct")
        ratio = (
            proxied.unbroken() / straight.unbroken()
            if proxied and straight and straight.unbroken()
            else float("nan")
        )
        p95 = percentile(proxied.ttfbs(), 0.95) if proxied else float("nan")
        growth = (proxied.peak_memory_kib - baseline_kib) / 1024 if proxied else float("nan")
        print(f"{listeners:>5} {proxied.unbroken() if proxied else '-':>15} "
              f"{straight.unbroken() if straight else '-':>16} {ratio:>6.2f} "
              f"{p95 * 1000:>12.0f} ms {growth:>8.0f} MiB")  # fmt: skip
        if listeners == largest and proxied:
            verdicts = {
                f"every one of {largest} proxied listeners without a stall": proxied.unbroken()
                == largest,
                f"time to first byte p95 < {GOAL_TTFB_P95 * 1000:.0f} ms": p95 < GOAL_TTFB_P95,
                f"site memory growth < {GOAL_MEMORY_MB} MB": growth * 1024 * 1024
                < GOAL_MEMORY_MB * 1_000_000,
                f"unbroken proxy / direct >= {GOAL_RATIO}": ratio >= GOAL_RATIO,
            }
    verdicts["web, worker and beat still running"] = all(still_running.values())
    print()
    for goal, met in verdicts.items():
        print(f"{'PASS' if met else 'FAIL'}  {goal}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
