"""`make run` (scripts/run.py) stops itself and everything it started on SIGINT, SIGTERM
or SIGHUP, whenever the signal comes.

The script runs with a table of cheap stand-in processes instead of the real web
server, sandbox and Celery processes (it reads the module-level PROCESSES and
GRACE_SECONDS when main() starts), and is signalled many times at random moments (before
it has installed its handlers, while it starts its processes, while it watches them),
once or several times in a row. `timeout` signals the process and then its group: a
handler that called threading.Event.set() deadlocked about one time in ten when the
second signal came while the first handler held the event's lock. Each time, the script
and every process it started (and their children) must be gone within STOP_SECONDS.
Every stand-in carries a token of its own run in its command line, so a look through
/proc finds any that outlived the script.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from scripts import run as run_script

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
STOP_SECONDS = 15
GRACE_SECONDS = 1.0
RUNS = 150
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# Run the script's main() with the process table and grace period given as arguments,
# the stop signals' default actions restored first, as the script does when run as a
# script (CI found SIGHUP dropped when the suite ran under nohup).
# SIGUSR1 dumps the stacks of all its threads, to show where a stuck script waits.
HARNESS = """
import signal
for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # as scripts/run.py does first
    signal.signal(stop, signal.SIG_DFL)
import faulthandler, json, sys
faulthandler.register(signal.SIGUSR1, all_threads=True)
import scripts.run as run
run.PROCESSES = json.loads(sys.argv[1])
run.GRACE_SECONDS = float(sys.argv[2])
sys.exit(run.main())
"""

# Stops at once on SIGINT.
SLEEPER = """
import time
print("up", flush=True)
time.sleep(60)
"""

# Takes a moment to stop on SIGINT.
SLOW = """
import signal, sys, time
def stop(signum, frame):
    time.sleep(0.3)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
print("up", flush=True)
time.sleep(60)
"""

# Ignores SIGINT: only the SIGKILL after the grace period stops it.
DEAF = """
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
print("up", flush=True)
time.sleep(60)
"""

# Starts a child of its own that ignores SIGINT, then stops at once on SIGINT itself,
# leaving the child in its process group.
PARENT = """
import subprocess, sys, time
grandchild = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(60)"
subprocess.Popen([sys.executable, "-c", grandchild, sys.argv[1]])
print("up", flush=True)
time.sleep(60)
"""


def stand_ins(token: str, *, deaf: bool) -> dict[str, list[str]]:
    table = {
        "sleeper": [PYTHON, "-c", SLEEPER, token],
        "slow": [PYTHON, "-c", SLOW, token],
        "parent": [PYTHON, "-c", PARENT, token],
    }
    if deaf:
        table["deaf"] = [PYTHON, "-c", DEAF, token]
    return table


def pids_with(token: str) -> list[int]:
    """The live processes whose command line holds `token` (a zombie's is empty)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if token.encode() in cmdline.split(b"\0"):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether `pid` still runs: it exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def describe(pid: int) -> str:
    """Where each thread of a stuck script waits, for the failure message: the kernel's
    view, and the Python stacks that the harness's faulthandler writes to the log."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGUSR1)
        time.sleep(0.5)
    lines = []
    for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
        try:
            wchan = (task / "wchan").read_text()
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        lines.append(f"thread {task.name}: state {state}, waiting in {wchan or '?'}")
    return "\n".join(lines)


def kill_all(pids) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_script(table: dict[str, list[str]], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 - this interpreter and our own script
            [PYTHON, "-c", HARNESS, json.dumps(table), str(GRACE_SECONDS)],
            cwd=BASE_DIR,
            env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "")},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # A group of its own, as `timeout` or a terminal's job gives it.
            process_group=0,
        )


def stop_and_check(
    rng: random.Random, tmp_path: Path, run: int, *, deaf: bool
) -> tuple[bool, str | None]:
    """One run: start the script, signal it after a random delay, and wait until it and
    all its processes are gone. Returns whether all the stand-ins had started when the
    signal was sent, and a description of the failure, if any."""
    token = f"run-py-test-{uuid.uuid4().hex}"
    table = stand_ins(token, deaf=deaf)
    log = tmp_path / f"run-{run}.log"
    # Immediately, while Python starts (no handler yet), while the script starts its
    # processes, or while it watches them.
    delay = rng.choice([0.0, rng.uniform(0, 0.15), rng.uniform(0.15, 0.8)])
    signum = rng.choice(SIGNALS)
    # To the process group (a terminal's Ctrl-C, a supervisor), to the process alone,
    # to both one after the other (`timeout`), or several times in a row (an impatient
    # user, a supervisor that repeats itself).
    targets = rng.choice(
        [["group"], ["process"], ["process", "group"], ["group"] * rng.randint(2, 5)]
    )
    script = start_script(table, log)
    try:
        time.sleep(delay)
        started = log.read_text(errors="replace").count("| up") == len(table)
        for target in targets:
            if target == "group":
                os.killpg(script.pid, signum)
            else:
                os.kill(script.pid, signum)
            time.sleep(rng.choice([0, rng.uniform(0, 0.002)]))
        how = (
            f"run {run}: {signal.Signals(signum).name} to the {' then the '.join(targets)} "
            f"after {delay:.3f} s"
        )
        deadline = time.monotonic() + STOP_SECONDS
        try:
            script.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            return started, (
                f"{how}: the script still ran after {STOP_SECONDS} s\n{describe(script.pid)}\n"
                f"output:\n{log.read_text(errors='replace')}"
            )
        left = pids_with(token)
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [pid for pid in left if alive(pid)]
        if left:
            return started, (
                f"{how}: the script exited with {script.returncode} but left {left} "
                f"running after {STOP_SECONDS} s\noutput:\n{log.read_text(errors='replace')}"
            )
        return started, None
    finally:
        script.kill()  # unless it has exited: Popen signals no pid it has reaped
        script.wait()
        kill_all(pids_with(token))


@pytest.mark.slow
def test_run_stops_everything_it_started_whenever_it_is_signalled(tmp_path):
    seed = int(os.environ.get("RUN_PY_TEST_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    all_started = 0
    for run in range(RUNS):
        # A process that ignores SIGINT costs the whole grace period: one run in four.
        started, failure = stop_and_check(rng, tmp_path, run, deaf=run % 4 == 0)
        assert failure is None, f"seed {seed} (RUN_PY_TEST_SEED to repeat): {failure}"
        all_started += started
    # Many of the signals came while the script was watching running processes.
    assert all_started >= RUNS // 10, f"seed {seed}: only {all_started} runs had started"


def pids_inheriting(token: str) -> list[int]:
    """The live processes whose environment holds RUN_PY_TEST_TOKEN=`token`."""
    needle = f"RUN_PY_TEST_TOKEN={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


@pytest.mark.slow
def test_run_stops_the_real_processes_on_sigterm(tmp_path):
    """Once, the real web server (with its autoreloader), sandbox, worker and beat, on
    databases in tmp_path and ports the system picks, stopped as `timeout` stops it."""
    token = uuid.uuid4().hex
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "RUN_PY_TEST_TOKEN": token,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        "SANDBOX_AUDIO_CACHE": str(tmp_path / "audio"),
        "SANDBOX_SEED_TRACKS": "20",
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
    }
    subprocess.run(  # noqa: S603 - this interpreter and our own manage.py
        [PYTHON, "manage.py", "migrate", "--verbosity=0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=180,
    )
    table = {
        "web": [PYTHON, "manage.py", "runserver", "127.0.0.1:0"],
        "sandbox": [PYTHON, "manage.py", "runsandbox", "--port", "0"],
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "info"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "info"],
    }
    ready = {
        "web": "Starting development server",
        "sandbox": "listening on",
        "worker": " ready.",
        "beat": "beat: Starting...",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        script = subprocess.Popen(  # noqa: S603 - this interpreter and our own script
            [PYTHON, "-c", HARNESS, json.dumps(table), str(run_script.GRACE_SECONDS)],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        deadline = time.monotonic() + 120
        waiting = set(ready)
        while waiting and time.monotonic() < deadline and script.poll() is None:
            time.sleep(0.2)
            lines = log.read_text(errors="replace").splitlines()
            waiting = {
                name
                for name in waiting
                if not any(line.startswith(name) and ready[name] in line for line in lines)
            }
        assert not waiting, f"{sorted(waiting)} not ready:\n{log.read_text(errors='replace')}"
        started = pids_inheriting(token)
        # The web server's autoreloader and the worker's pool are children of their own.
        assert len(started) > 1 + len(table), started

        os.kill(script.pid, signal.SIGTERM)
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=STOP_SECONDS)
        deadline = time.monotonic() + 5
        left = [pid for pid in started if alive(pid)]
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [pid for pid in left if alive(pid)]
        assert not left, f"left running: {left}\n{log.read_text(errors='replace')}"
        assert not pids_inheriting(token)
        assert "did not stop" not in log.read_text(errors="replace")
    finally:
        script.kill()
        script.wait()
        kill_all(pids_inheriting(token))
