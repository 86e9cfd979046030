"""The play-log pipeline as separate processes, for the worker tests and the benchmark.

The sandbox runs as ``manage.py runsandbox`` on a free loopback port (its rate limit set
as asked), Celery workers and beat as ``celery -A config worker|beat``, all on databases
of their own: SQLite files in a temporary folder, or a fresh PostgreSQL database when
asked. Plays are inserted by a separate Python process, the way the web server would.
Every process is started in its own process group, and all are killed on the way out.

    with Pipeline(tmp_path, broker="embedded") as pipeline:
        pipeline.start_worker()
        pipeline.insert_previews(1000)
        pipeline.wait_for_logs(1000)

The store's database is read directly (``sqlite3``, or ``psycopg`` for PostgreSQL) for
what a test asks of the outbox, so that it can be asked many times a second while
the pipeline runs, and read at the instant a worker is killed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests

from scripts.local_servers import postgres_url, redis_url

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
STARTUP_SECONDS = 90

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Pipeline:
    def __init__(
        self,
        folder: Path,
        *,
        broker: str = "embedded",
        database: str = "sqlite",
        sandbox_rate: int = 5,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.sandbox_port = free_port()
        self.sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self._pg_database: str | None = None
        self._pg_admin_url: str | None = None
        self.database = database
        # Claim tokens of workers killed earlier: their rows are not the next one's.
        self._dead_claims: set[str] = set()
        if broker == "redis":
            broker_url = redis_url()
            if broker_url is None:
                raise RuntimeError("Redis does not answer at REDIS_URL")
        else:
            broker_url = f"sqla+sqlite:///{self.folder / 'broker.sqlite3'}"
        if database == "postgres":
            self._pg_admin_url = postgres_url()
            if self._pg_admin_url is None:
                raise RuntimeError("PostgreSQL does not answer at DATABASE_URL")
            self._pg_database = f"playlogs_{uuid.uuid4().hex[:12]}"
            database_url = self._pg_admin_url.rsplit("/", 1)[0] + f"/{self._pg_database}"
        else:
            database_url = f"sqlite:///{self.folder / 'db.sqlite3'}"
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", str(self.folder)),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "SANDBOX_DATABASE_URL": f"sqlite:///{self.folder / 'sandbox.sqlite3'}",
            "SANDBOX_AUDIO_CACHE": str(self.folder / "audio"),
            "SEVENDIGITAL_SANDBOX_URL": self.sandbox_url,
            "CELERY_BROKER_URL": broker_url,
            # A queue of its own on a shared Redis: another run's worker (or one left
            # behind by a run that was killed) must not take this one's tasks.
            "CELERY_TASK_DEFAULT_QUEUE": f"pipeline-{uuid.uuid4().hex[:12]}",
            "SANDBOX_LOG_RATE_LIMIT": str(sandbox_rate),
            "PLAYLOG_REQUESTS_PER_SECOND": str(sandbox_rate or 1000),
            **(settings or {}),
        }

    # -- processes ---------------------------------------------------------------------

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        with log.open("a") as out:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def _run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(  # noqa: S603
            [PYTHON, *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def __enter__(self) -> Pipeline:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self._pg_database:
            self._pg_execute(f'CREATE DATABASE "{self._pg_database}"')
        self._run("manage.py", "migrate", "--verbosity=0")
        self._start(
            "sandbox",
            [
                PYTHON,
                "manage.py",
                "runsandbox",
                "--host=127.0.0.1",
                f"--port={self.sandbox_port}",
                "--tracks=20",
            ],
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.sandbox_url}/_sandbox/health", timeout=2).ok:
                    break
            self._check_alive("sandbox")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start:\n{self.log('sandbox')}")
            time.sleep(0.2)

    def start_worker(self, name: str = "worker", *, concurrency: int = 1) -> None:
        """A worker; returns once it is ready to take tasks."""
        self._start(
            name,
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=info",
                f"--concurrency={concurrency}",
                f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )
        self._wait_for_line(name, " ready.")

    def start_web(self, *, path: str = "/") -> str:
        """The store's web server (``manage.py runserver --noreload``, threaded) on a free
        loopback port; returns its base URL once ``path`` answers."""
        port = free_port()
        self.web_url = f"http://127.0.0.1:{port}"
        self._start(
            "web",
            [PYTHON, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.web_url}{path}", timeout=5).status_code < 500:
                    return self.web_url
            self._check_alive("web")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web server did not start:\n{self.log('web')}")
            time.sleep(0.2)

    def start_beat(self) -> None:
        schedule = self.folder / "beat-schedule"
        self._start(
            "beat",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "beat",
                "--loglevel=info",
                "-s",
                str(schedule),
            ],
        )
        self._wait_for_line("beat", "beat: Starting...")

    def _signal(self, name: str, signum: int) -> None:
        """Send ``signum`` to the process and its whole group."""
        os.killpg(self.processes[name].pid, signum)

    def kill(self, name: str) -> None:
        """SIGKILL the process and its whole group (a worker's pool goes with it)."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def close(self) -> None:
        for name in list(self.processes):
            self.kill(name)
        if self._pg_database:
            with contextlib.suppress(Exception):
                self._pg_execute(f'DROP DATABASE IF EXISTS "{self._pg_database}" WITH (FORCE)')

    def _pg_execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self._pg_admin_url, autocommit=True) as db:
            db.execute(statement)

    def log(self, name: str) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace") if path and path.exists() else ""

    def _check_alive(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log(name)}")

    def _wait_for_line(self, name: str, text: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while text not in self.log(name):
            self._check_alive(name)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{self.log(name)}")
            time.sleep(0.2)

    # -- plays and logs ------------------------------------------------------------------

    def insert_previews(
        self,
        count: int,
        *,
        user_agent: str = "Storefront/1.0",
        ship_tasks: int = 1,
        chunk: int | None = None,
    ) -> None:
        """Insert ``count`` finished preview plays, each a distinct play, then queue
        ``ship_tasks`` shipping tasks, as the site would after recording them. With
        ``chunk``, plays go in that many at a time, a shipping task queued after each
        (as plays keep arriving while earlier ones are shipped)."""
        chunk = chunk or count
        self._run("-c", INSERT_SCRIPT, str(count), user_agent, str(ship_tasks), str(chunk))

    def send_task(self, name: str, *args: str) -> str:
        """Queue task ``name``; returns its id (for :meth:`wait_for_task`)."""
        return self._run("-c", SEND_SCRIPT, name, *args).strip()

    def summary(self) -> dict:
        response = requests.get(f"{self.sandbox_url}/_sandbox/playlogs/summary", timeout=10)
        response.raise_for_status()
        return response.json()

    def received(self, kind: str = "preview") -> dict:
        return self.summary().get(kind, {"logs": 0, "distinct": 0, "duplicates": 0})

    def wait_for_logs(
        self, distinct: int, *, timeout: float, kind: str = "preview", poll: float = 0.1
    ) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            received = self.received(kind)
            if received["distinct"] >= distinct or time.monotonic() > deadline:
                return received
            for name in self.processes:
                self._check_alive(name)
            time.sleep(poll)

    def kill_worker_mid_batch(
        self, *, after_logs: int, delay: float, concurrency: int = 1, poll: float = 0.05
    ) -> dict[str, int]:
        """Once ``after_logs`` more logs have arrived (the worker is in its stride), wait
        ``delay`` seconds, SIGKILL the worker in the middle of its work (while it holds
        claimed rows), start another.

        Returns the rows the killed worker held claimed and undelivered at that instant,
        each with its ``attempts`` (a claim counts one): the rows its crash leaves for
        another claim once the lease runs out.
        """
        seen = self.received()["logs"]
        while self.received()["logs"] < seen + after_logs:
            time.sleep(poll)
        time.sleep(delay)
        # Stopped (SIGSTOP), the worker writes nothing: what it holds is read exactly as
        # the kill will leave it. Between two claims it holds nothing: go on a moment.
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            self._signal("worker", signal.SIGSTOP)
            held = self.claimed_rows()
            if held:
                break
            self._signal("worker", signal.SIGCONT)
            if time.monotonic() > deadline:
                raise TimeoutError("the worker never held a claim to be killed in")
            time.sleep(0.002)
        self.kill("worker")
        self._dead_claims |= {token for token, _ in held.values()}
        self.start_worker(concurrency=concurrency)
        return {row: attempts for row, (_, attempts) in held.items()}

    def journal_statuses(self, endpoint: str) -> list[int]:
        response = requests.get(
            f"{self.sandbox_url}/_sandbox/journal", params={"endpoint": endpoint}, timeout=10
        )
        return [entry["status"] for entry in response.json()["entries"]]

    def add_fault(self, **fault) -> None:
        requests.post(f"{self.sandbox_url}/_sandbox/faults", json=fault, timeout=10)

    def clear_faults(self) -> None:
        requests.delete(f"{self.sandbox_url}/_sandbox/faults", timeout=10)

    def wait_for_task(self, task_id: str, *, worker: str = "worker", timeout: float) -> str:
        """Wait for the worker to log that task ``task_id`` succeeded; return what the
        task returned, as logged. Raises if it failed, or did not finish in time."""
        # Whole lines only (a line being written has no newline yet).
        pattern = re.compile(rf"\[{re.escape(task_id)}\] (succeeded in [\d.e-]+s: (.*)|.*)\n")

        def finished() -> re.Match | None:
            for match in pattern.finditer(self.log(worker)):
                if match.group(2) is not None:
                    return match
                if " raised " in match.group(0) or " retry: " in match.group(0):
                    raise RuntimeError(f"task {task_id} did not succeed: {match.group(0)}")
            return None

        return self.wait_until(finished, timeout=timeout, what=f"task {task_id}").group(2)

    def wait_until(
        self, check: Callable[[], T], *, timeout: float, poll: float = 0.1, what: str = ""
    ) -> T:
        """Ask ``check`` until it answers something true; return that answer. Raises
        once ``timeout`` seconds have passed, or as soon as a process has died."""
        deadline = time.monotonic() + timeout
        while True:
            answer = check()
            if answer:
                return answer
            for name in self.processes:
                self._check_alive(name)
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout}s for {what or check}; last: {answer!r}")
            time.sleep(poll)

    # -- the store's database, read directly ---------------------------------------------

    def _query(self, sql: str) -> list[tuple]:
        url = self.env["DATABASE_URL"]
        if self.database == "postgres":
            import psycopg

            with psycopg.connect(url, autocommit=True) as db:
                return db.execute(sql).fetchall()
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)) as db:
            return db.execute(sql).fetchall()

    def outbox(self) -> dict:
        """Counts of the store's preview plays: total, delivered, unsent, rejected."""
        ((total, delivered, rejected),) = self._query(
            "SELECT COUNT(*), COUNT(delivered_at), "
            "COALESCE(SUM(CASE WHEN rejected THEN 1 ELSE 0 END), 0) FROM playlogs_previewplay"
        )
        return {
            "total": total,
            "delivered": delivered,
            "rejected": rejected,
            "unsent": total - delivered - rejected,
        }

    def wait_for_outbox(self, expected: dict, *, timeout: float) -> dict:
        """Wait until :meth:`outbox` counts ``expected`` (the last rows' marks trail the
        sandbox's answers); return the last counts, equal or not."""
        with contextlib.suppress(TimeoutError):
            self.wait_until(lambda: self.outbox() == expected, timeout=timeout)
        return self.outbox()

    def claimed_rows(self) -> dict[str, tuple[str, int]]:
        """Preview rows held claimed and not delivered, by a worker not killed: each
        row's id, with its claim's token and its attempts."""
        rows = self._query(
            "SELECT id, claimed_by, attempts FROM playlogs_previewplay "
            "WHERE claimed_by IS NOT NULL AND delivered_at IS NULL"
        )
        return {
            str(row): (str(token), attempts)
            for row, token, attempts in rows
            if str(token) not in self._dead_claims
        }

    def preview_rows(self, ids) -> dict[str, tuple[bool, int]]:
        """Whether each of these preview rows is delivered, and its attempts."""
        wanted = set(ids)
        rows = self._query(
            "SELECT id, delivered_at IS NOT NULL, attempts FROM playlogs_previewplay"
        )
        return {
            str(row): (bool(delivered), attempts)
            for row, delivered, attempts in rows
            if str(row) in wanted
        }


_SETUP = """
import sys
import django
django.setup()
"""

INSERT_SCRIPT = (
    _SETUP
    + """
from datetime import timedelta
from decimal import Decimal
from django.utils import timezone
from store.playlogs.models import PreviewPlay
from store.playlogs.tasks import playlogs_ship

count, user_agent, tasks, chunk = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
start = timezone.now() - timedelta(minutes=5)
for first in range(0, count, chunk):
    PreviewPlay.objects.bulk_create(
        (
            PreviewPlay(
                track_id=1_000_000 + n,
                anonymous_id=f"{n % 997:032x}",
                country="GB",
                user_agent=user_agent,
                started_at=start + timedelta(microseconds=n),
                seconds_played=Decimal(30),
                reported_at=start,
            )
            for n in range(first, min(first + chunk, count))
        ),
        batch_size=2000,
    )
    if first + chunk < count:
        playlogs_ship.delay("preview")
for _ in range(tasks):
    playlogs_ship.delay("preview")
"""
)

SEND_SCRIPT = (
    _SETUP
    + """
from config.celery import app
print(app.send_task(sys.argv[1], args=sys.argv[2:]).id)
"""
)
