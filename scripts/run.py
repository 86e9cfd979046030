"""Run the development processes together: `make run`.

Starts the web server, the 7digital sandbox, a Celery worker and Celery beat, prefixes
each line of their output with the process's name, and stops them all on Ctrl-C
(SIGINT), SIGTERM or SIGHUP, or as soon as one of them fails. A process that finishes
with status 0 (a one-shot command) leaves the others running.

Each process runs in a process group of its own, which this script signals as a whole,
so the children a process starts (Django's autoreloader, Celery's pool) stop with it.

Signals and threads: a Python signal handler runs in the main thread between any two
bytecodes, even inside another handler, so it must not take a lock. (A handler that
called threading.Event.set() deadlocked when a second signal, such as `timeout`'s
SIGTERM to the process and then to its group, landed while the first handler held the
event's lock, leaving `make run` and everything it started running for good.) Here the
handler only records the signal in a plain attribute, and the main thread sleeps on a
pipe that signal.set_wakeup_fd() writes to, so it wakes at once. Output goes through one
writer thread and a queue: the main thread never waits for a relay thread's write to a
stdout that blocks (a paused terminal, a pipe nobody reads) or breaks (a closed
terminal) before it stops the processes.
"""

import signal

if __name__ == "__main__":
    # Until StopSignals takes over, each stop signal ends the script at once (nothing
    # has been started yet that would need stopping). Python's own SIGINT handler
    # raises KeyboardInterrupt wherever the main thread is, and one raised inside a
    # weakref callback (an import lock's, during the imports below) is printed and
    # dropped: the script went on and ran for good. A signal ignored where the script
    # was started (SIGHUP under nohup) would be dropped the same way; the script
    # handles all three itself once it has started anything.
    for _stop in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(_stop, signal.SIG_DFL)

import contextlib
import os
import queue
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GRACE_SECONDS = 10
POLL_SECONDS = 0.2
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

# The process table (tests replace it with stand-ins before calling main()).
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


class StopSignals:
    """While in use, SIGINT, SIGTERM and SIGHUP ask for a stop instead of killing us."""

    def __init__(self):
        self.received = None  # the first stop signal, once one has come

    def __enter__(self):
        self._read_fd, self._write_fd = os.pipe()
        for fd in (self._read_fd, self._write_fd):
            os.set_blocking(fd, False)
        self._previous_fd = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
        self._previous = {signum: signal.signal(signum, self._handle) for signum in STOP_SIGNALS}
        return self

    def __exit__(self, *exc):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._previous_fd)
        os.close(self._read_fd)
        os.close(self._write_fd)

    def _handle(self, signum, frame):
        # No lock, no I/O, nothing that can wait: only a plain assignment.
        if self.received is None:
            self.received = signum

    def sleep(self, seconds):
        """Sleep for `seconds`, or less if a signal comes meanwhile."""
        # A signal that comes just before the select still wakes it: its byte is in
        # the pipe.
        select.select([self._read_fd], [], [], seconds)
        with contextlib.suppress(BlockingIOError):
            while os.read(self._read_fd, 512):
                pass


class Output:
    """The one writer to stdout, through a queue.

    A relay thread waits when the queue is full, so a slow stdout slows the processes
    down as a pipe would; the main thread never waits (its line is dropped if it must).
    Once stdout breaks, lines are dropped, and the relays keep draining the processes'
    pipes so that none of them blocks on a full pipe.
    """

    def __init__(self, limit=10_000):
        self._fd = sys.stdout.fileno()
        self._encoding = sys.stdout.encoding or "utf-8"
        self._lines = queue.Queue(maxsize=limit)
        self._thread = threading.Thread(target=self._write_all, daemon=True, name="output")
        self._thread.start()

    def relay(self, line):
        self._lines.put(line)

    def say(self, line):
        with contextlib.suppress(queue.Full):
            self._lines.put_nowait(line)

    def close(self, timeout=2.0):
        """Write what is waiting, for at most `timeout` seconds."""
        with contextlib.suppress(queue.Full):
            self._lines.put(None, timeout=timeout)
        self._thread.join(timeout=timeout)

    def _write_all(self):
        broken = False
        while (line := self._lines.get()) is not None:
            if broken:
                continue
            try:
                self._write(line.encode(self._encoding, "replace"))
            except OSError:
                broken = True

    def _write(self, data):
        # os.write, not sys.stdout: a write that blocks here holds no lock that Python's
        # own flush of sys.stdout at exit would wait for.
        while data:
            try:
                data = data[os.write(self._fd, data) :]
            except BlockingIOError:  # a stdout someone made non-blocking
                select.select([], [self._fd], [])


def relay(name, stream, width, output):
    for line in iter(stream.readline, ""):
        output.relay(f"{name:<{width}} | {line}")
    stream.close()


def start(name, command, width, output):
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
    thread = threading.Thread(target=relay, args=(name, process.stdout, width, output), daemon=True)
    thread.start()
    return process, thread


def signal_group(process, signum):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def watch(running, stop, output, width):
    """Wait until a stop signal comes, a process fails or none is left; the status."""
    while running and stop.received is None:
        for name, (process, _) in list(running.items()):
            code = process.poll()
            if code is None:
                continue
            output.say(f"{name:<{width}} | exited with status {code}\n")
            if code != 0:
                return code if code > 0 else 1
            # A one-shot command that succeeded: its process group may still hold
            # children, which go with it.
            signal_group(process, signal.SIGTERM)
            del running[name]
        stop.sleep(POLL_SECONDS)
    return 0


def stop_all(running, stop, output, width):
    # SIGINT is what each of these programs expects from Ctrl-C in a terminal.
    for process, _ in running.values():
        signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + GRACE_SECONDS
    while any(process.poll() is None for process, _ in running.values()):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        stop.sleep(min(left, 0.05))
    for name, (process, _) in running.items():
        if process.poll() is None:
            output.say(f"{name:<{width}} | did not stop in {GRACE_SECONDS}s; killing\n")
        # Kill whatever is left in the group: a process that stopped may leave children.
        signal_group(process, signal.SIGKILL)
        process.wait()
    for _, thread in running.values():
        thread.join(timeout=1)


def main():
    output = Output()
    try:
        with StopSignals() as stop:
            names = [name for name in PROCESSES if name != "sandbox" or sandbox_enabled()]
            width = max(len(name) for name in names)
            running = {}
            try:
                for name in names:
                    if stop.received is not None:
                        break
                    running[name] = start(name, PROCESSES[name], width, output)
                status = watch(running, stop, output, width)
            finally:
                stop_all(running, stop, output, width)
    finally:
        output.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
