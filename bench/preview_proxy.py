"""Preview proxy throughput: full 30 s clips through the site vs straight from 7digital.

    .venv/bin/python bench/preview_proxy.py [--fetches 200] [--threads 4] [--rounds 3]

Two processes, as in production: the sandbox (``manage.py runsandbox``, standing in for
previews.7digital.com) and the site under gunicorn (``config.wsgi`` with the project's
``gunicorn.conf.py``: 2 threaded workers; DEBUG off, a local-memory cache, persistent
database connections), both on loopback ports, on temporary SQLite files that
this script migrates and seeds (``seedsandbox --tracks 2000``).

Side by side, in the same run and with the same small thread pool (one keep-alive
``requests.Session`` per thread), it fetches whole clips:

* **direct**: from the sandbox, at the signed URL the 7digital client builds
  (``client.media.signed_url(client.media.clip(id))``), what a browser would do if the
  site handed out signed URLs (it does not: they carry a replayable signature);
* **proxy**: from the site's ``/previews/<id>``, which signs, fetches and streams the
  same bytes (and counts the preview for the reconciliation report).

Every clip is fetched once first, so the sandbox's one-off MP3 encoding is in neither
figure. The two paths alternate round by round so that drift on the machine hits both.

Each round runs in two layouts of the machine's CPUs:

* **separate** (the goal, >= 0.9): the site on one CPU of its own, the sandbox and this
  script on the others. In production the site runs on its own machines; 7digital's
  servers and the listeners' browsers do not take its CPU. The ratio says whether the
  proxy holds clips back.
* **shared**: all three on every CPU, printed for information. Here each millisecond the
  site spends per clip is taken from the sandbox and the load generator, so the ratio
  is bounded by their CPU per clip against the sum (all three are printed): with the
  sandbox and the load at about 11 ms a clip, the site would need under 1.3 ms to reach
  0.9, less than Django and gunicorn take to answer any request here.

Every process started here is in its own process group and is killed on the way out.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CONSUMER_KEY = "sandbox-key"
CONSUMER_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox's public default pair
STARTUP_SECONDS = 60
GUNICORN_THREADS = int(os.environ.get("GUNICORN_THREADS", "8"))  # as gunicorn.conf.py reads it
REQUEST_TIMEOUT = 30
PARTIES = ("site", "sandbox", "load")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, *, deadline: float, process: subprocess.Popen) -> None:
    """Until ``url`` answers 200; fails if the process died or the deadline passed."""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {STARTUP_SECONDS} s")


def stop(process: subprocess.Popen | None) -> None:
    """Ends the process and everything it started (its process group)."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (gunicorn's workers), from /proc (Linux)."""
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += process_tree(int(child))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Stack:
    """The sandbox and the site, each in its own process, on temporary databases.

    ``settings_module`` lets a benchmark serve the site under its own settings (which
    must import ``config.settings.local``); ``pythonpath`` is prepended for it.
    """

    def __init__(
        self,
        *,
        tracks: int = 2000,
        workers: int = 2,
        settings_module: str = "config.settings.local",
        pythonpath: list[Path] | None = None,
        database_url: str | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.tracks = tracks
        self.database_url = database_url
        self.workers = workers
        self.settings_module = settings_module
        self.pythonpath = pythonpath or []
        self.log = log
        self.folder: tempfile.TemporaryDirectory | None = None
        self.sandbox: subprocess.Popen | None = None
        self.site: subprocess.Popen | None = None
        self.sandbox_url = ""
        self.site_url = ""

    # -- environment ----------------------------------------------------------------

    def env(self, settings_module: str = "config.settings.local") -> dict[str, str]:
        folder = Path(self.folder.name)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "SANDBOX_", "SEVENDIGITAL_"))
            and key not in ("REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "ALLOWED_HOSTS")
        }
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            CONN_MAX_AGE="60",  # as production settings have it: a connection per worker
            DATABASE_URL=self.database_url or f"sqlite:///{folder / 'db.sqlite3'}",
            SANDBOX_DATABASE_URL=f"sqlite:///{folder / 'sandbox.sqlite3'}",
            SEVENDIGITAL_SANDBOX_URL=self.sandbox_url,
            SANDBOX_AUDIO_CACHE=str(folder / "audio"),
            # Nothing is queued in these runs; keep the embedded broker's file out of
            # the working tree all the same.
            CELERY_BROKER_URL="memory://",
            PYTHONPATH=os.pathsep.join(
                [*map(str, self.pythonpath), str(ROOT), env_get("PYTHONPATH")]
            ).rstrip(os.pathsep),
        )
        return env

    def manage(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )

    @property
    def sandbox_database(self) -> Path:
        return Path(self.folder.name) / "sandbox.sqlite3"

    # -- processes ------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self.folder = tempfile.TemporaryDirectory(prefix="bench-stack-")
        try:
            self.sandbox_url = f"http://127.0.0.1:{free_port()}"
            self.log(f"Migrating and seeding temporary databases ({self.tracks:,} tracks)...")
            self.manage("migrate", "--verbosity", "0")
            self.manage("migrate", "--database", "sandbox", "--verbosity", "0")
            self.manage("seedsandbox", "--tracks", str(self.tracks))
            port = self.sandbox_url.rsplit(":", 1)[1]
            self.sandbox = self._spawn(
                [PYTHON, "manage.py", "runsandbox", "--port", port], self.env()
            )
            wait_for(
                f"{self.sandbox_url}/_sandbox/health",
                deadline=time.monotonic() + STARTUP_SECONDS,
                process=self.sandbox,
            )
            self.start_site()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start_site(self) -> None:
        """(Re)start gunicorn: a restart is a cold cache in every worker."""
        stop(self.site)
        self.site_url = f"http://127.0.0.1:{free_port()}"
        command = [GUNICORN, "config.wsgi", "-b", self.site_url.removeprefix("http://")]
        command += ["-w", str(self.workers), "--timeout", "60", "--log-level", "warning"]
        self.site = self._spawn(command, self.env(self.settings_module))
        wait_for(
            f"{self.site_url}/healthz",
            deadline=time.monotonic() + STARTUP_SECONDS,
            process=self.site,
        )

    def _spawn(self, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - our own interpreter, manage.py, gunicorn
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() ends it all
        )

    def __exit__(self, *exc) -> None:
        stop(self.site)
        stop(self.sandbox)
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


def env_get(name: str) -> str:
    return os.environ.get(name, "")


# -- the measurement ------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.requests += other.requests
        self.bytes += other.bytes
        self.seconds += other.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


class Fetcher:
    """Whole bodies over one keep-alive session per thread."""

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, url: str) -> int:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        with session.get(url, timeout=REQUEST_TIMEOUT) as response:
            response.raise_for_status()
            return len(response.content)


def run_round(pool: ThreadPoolExecutor, fetch: Fetcher, urls: list[str], tally: Tally) -> None:
    started = time.perf_counter()
    sizes = list(pool.map(fetch, urls))
    tally.seconds += time.perf_counter() - started
    tally.requests += len(sizes)
    tally.bytes += sum(sizes)


def previewable_tracks(stack: Stack, client, wanted: int) -> list[int]:
    """Tracks whose clip the sandbox serves in GB, each fetched once (encoded, cached)."""
    with sqlite3.connect(stack.sandbox_database) as db:
        candidates = [row[0] for row in db.execute("SELECT id FROM sandbox_track ORDER BY id")]
    chosen = []
    for track_id in candidates[: wanted * 4]:
        url = client.media.signed_url(client.media.clip(track_id, country="GB"))
        response = requests.get(url, timeout=REQUEST_TIMEOUT)
        if response.status_code == 200 and len(response.content) > 100_000:
            chosen.append(track_id)
        if len(chosen) == wanted:
            break
    if not chosen:
        raise RuntimeError("the sandbox serves no preview in GB")
    return chosen


def median_latency(fetch: Fetcher, urls: Callable[[], list[str]], rounds: int) -> float:
    """Median seconds for one clip, fetched alone (no other request in flight)."""
    times = []
    for _ in range(rounds):
        for url in urls():
            started = time.perf_counter()
            fetch(url)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def threads_of(pids: list[int]) -> list[int]:
    """Every thread of the processes (affinity is per thread on Linux)."""
    found = []
    for pid in pids:
        try:
            found += [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
        except FileNotFoundError:
            continue
    return found


def pin(pids: list[int], cpus: set[int]) -> None:
    """Runs the processes' threads, and the threads they start later, on ``cpus`` only."""
    for tid in threads_of(pids):
        try:
            os.sched_setaffinity(tid, cpus)
        except (ProcessLookupError, PermissionError):
            continue  # a thread that just ended


@dataclass
class Layout:
    """Which CPUs each party may run on."""

    label: str
    site: set[int]
    others: set[int]  # the sandbox (7digital) and this script (the browsers)


def layouts() -> list[Layout]:
    every = set(range(os.cpu_count() or 1))
    found = [Layout("shared", every, every)]
    if len(every) >= 2:
        # In production the site has its own machines: 7digital's servers and the
        # listeners' browsers do not take its CPU. One CPU for the site, the rest for
        # the sandbox and the load, is the nearest this machine comes to that.
        site_cpu = max(every)
        found.insert(0, Layout("separate", {site_cpu}, every - {site_cpu}))
    return found


@dataclass
class Measured:
    direct: Tally
    proxy: Tally
    cpu: dict[str, float]  # seconds used during the proxy's rounds, per party
    rounds: list[float]

    @property
    def ratio(self) -> float:
        return self.proxy.megabytes_per_second / self.direct.megabytes_per_second


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def side_by_side(
    pool: ThreadPoolExecutor,
    fetch: Fetcher,
    *,
    direct: Callable[[], list[str]],
    proxied: Callable[[], list[str]],
    rounds: int,
    site: list[int],
    sandbox: list[int],
) -> dict[str, Measured]:
    """``rounds`` alternating rounds of the direct and the proxied URLs in each layout of
    the CPUs (``direct()`` is called per round: signed URLs carry a fresh nonce)."""
    measured = {
        layout.label: Measured(Tally(), Tally(), dict.fromkeys(PARTIES, 0.0), [])
        for layout in layouts()
    }
    for _ in range(rounds):
        for layout in layouts():
            pin(site, layout.site)
            pin([*sandbox, os.getpid()], layout.others)
            direct_round, proxy_round = Tally(), Tally()
            run_round(pool, fetch, direct(), direct_round)
            urls = proxied()
            before = cpu_seconds(site), cpu_seconds(sandbox), own_cpu_seconds()
            run_round(pool, fetch, urls, proxy_round)
            result = measured[layout.label]
            result.cpu["site"] += cpu_seconds(site) - before[0]
            result.cpu["sandbox"] += cpu_seconds(sandbox) - before[1]
            result.cpu["load"] += own_cpu_seconds() - before[2]
            result.rounds.append(
                proxy_round.megabytes_per_second / direct_round.megabytes_per_second
            )
            result.direct.add(direct_round)
            result.proxy.add(proxy_round)
    every = set(range(os.cpu_count() or 1))
    pin(site, every)
    pin([*sandbox, os.getpid()], every)
    return measured


def report(measured: dict[str, Measured], *, item: str, goal: float) -> bool:
    """Prints each layout's figures; True when the first layout (the goal's) meets ``goal``."""
    verdict = False
    for label, result in measured.items():
        where = (
            "the site on a CPU of its own, the sandbox and the load on the other"
            if label == "separate"
            else "the site, the sandbox and the load sharing every CPU"
        )
        print(f"\n{label}: {where}")
        for name, tally in (("direct (signed URL)", result.direct), ("proxy", result.proxy)):
            print(
                f"{name:>22}: {tally.megabytes_per_second:8.1f} MB/s  "
                f"{tally.requests_per_second:8.1f} {item}s/s"
            )
        # Where the CPU goes: every millisecond a party spends per request is taken from
        # the others when they share a CPU.
        print(
            f"CPU per proxied {item}: "
            + ", ".join(
                f"{party} {seconds / result.proxy.requests * 1000:.1f} ms"
                for party, seconds in result.cpu.items()
            )
        )
        line = f"proxy/direct throughput ratio: {result.ratio:.2f}"
        if label == next(iter(measured)):
            verdict = result.ratio >= goal
            line += f" (goal >= {goal:.2f}) {'PASS' if verdict else 'FAIL'}"
        print(f"{line}; rounds: {' '.join(f'{r:.2f}' for r in result.rounds)}")
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetches", type=int, default=200, help="clips per path per round")
    parser.add_argument("--threads", type=int, default=4)
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
        tracks = previewable_tracks(stack, client, wanted=8)
        picks = [tracks[i % len(tracks)] for i in range(args.fetches)]
        fetch = Fetcher()
        site, sandbox = process_tree(stack.site.pid), process_tree(stack.sandbox.pid)
        with ThreadPoolExecutor(args.threads) as pool:
            # Warm both paths (connections, the workers' first requests).
            run_round(pool, fetch, [f"{stack.site_url}/previews/{t}" for t in tracks], Tally())
            measured = side_by_side(
                pool,
                fetch,
                # Signed URLs carry a timestamp and a nonce: a fresh one per fetch.
                direct=lambda: [
                    client.media.signed_url(client.media.clip(t, country="GB")) for t in picks
                ],
                proxied=lambda: [f"{stack.site_url}/previews/{t}" for t in picks],
                rounds=args.rounds,
                site=site,
                sandbox=sandbox,
            )
        # One at a time (everything warm by now): what a single clip costs each path.
        latency = {
            "direct": median_latency(
                fetch,
                lambda: [
                    client.media.signed_url(client.media.clip(t, country="GB")) for t in tracks
                ],
                rounds=3,
            ),
            "proxy": median_latency(
                fetch, lambda: [f"{stack.site_url}/previews/{t}" for t in tracks], rounds=3
            ),
        }

    first = next(iter(measured.values()))
    clip_kb = first.direct.bytes / first.direct.requests / 1000
    print(
        f"{first.direct.requests} clips per path and layout ({clip_kb:.0f} KB each, "
        f"{len(tracks)} tracks), {args.threads} threads, {args.rounds} alternating rounds, "
        f"gunicorn {stack.workers} workers x {GUNICORN_THREADS} threads, {os.cpu_count()} CPUs"
    )
    print(
        f"one clip alone (median): direct {latency['direct'] * 1000:.1f} ms, "
        f"proxy {latency['proxy'] * 1000:.1f} ms"
    )
    passed = report(measured, item="clip", goal=0.9)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
