"""Run the development processes together: `make run`.

Starts the web server, the 7digital sandbox, a Celery worker and Celery beat, prefixes
each line of their output with the process's name, and stops them all on Ctrl-C
(SIGINT), SIGTERM or SIGHUP, or as soon as one of them fails. A process that finishes
with status 0 (a one-shot command) leaves the others running.

Each process runs in a process group of its own, which this script signals as a whole,
so the children a process starts (Django's autoreloader, Celery's pool) stop with it.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GRACE_SECONDS = 10

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", "127.0.0.1:8000"],
    "sandbox": [PYTHON, "manage.py", "runsandbox"],
    "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "-l", "info"],
    "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "-l", "info"],
}


def sandbox_enabled():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(BASE_DIR))
    from django.conf import settings

    return settings.SANDBOX_ENABLED


def relay(name, stream, width, lock):
    for line in iter(stream.readline, ""):
        with lock:
            sys.stdout.write(f"{name:<{width}} | {line}")
            sys.stdout.flush()
    stream.close()


def start(name, command, width, lock):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603 - fixed commands, no shell
        command,
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
        process_group=0,
    )
    thread = threading.Thread(target=relay, args=(name, process.stdout, width, lock), daemon=True)
    thread.start()
    return process, thread


def signal_group(process, signum):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def main():
    names = [name for name in PROCESSES if name != "sandbox" or sandbox_enabled()]
    width = max(len(name) for name in names)
    lock = threading.Lock()
    stop_requested = threading.Event()

    def request_stop(signum, frame):
        stop_requested.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)

    running = {}
    for name in names:
        running[name] = start(name, PROCESSES[name], width, lock)

    status = 0
    while not stop_requested.is_set():
        for name, (process, _) in list(running.items()):
            code = process.poll()
            if code is None:
                continue
            with lock:
                print(f"{name:<{width}} | exited with status {code}", flush=True)
            if code != 0:
                status = code if code > 0 else 1
                stop_requested.set()
                break
            # A one-shot command that succeeded: its process group may still hold
            # children, which go with it.
            signal_group(process, signal.SIGTERM)
            del running[name]
        if not running:
            break
        stop_requested.wait(0.2)

    # SIGINT is what each of these programs expects from Ctrl-C in a terminal.
    for process, _ in running.values():
        signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    for name, (process, thread) in running.items():
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with lock:
                print(f"{name:<{width}} | did not stop in {GRACE_SECONDS}s; killing", flush=True)
        # Kill whatever is left in the group: a process that stopped may leave children.
        signal_group(process, signal.SIGKILL)
        process.wait()
        thread.join(timeout=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
