"""The site's gunicorn settings: a listener slow to read a stream holds one thread, not a
whole worker, so other visitors are still served."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.config.fresh_process import BASE_DIR, fresh_environment

pytestmark = pytest.mark.slow

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def one_worker(tmp_path):
    """gunicorn with the project's gunicorn.conf.py and a single worker process."""
    port = _free_port()
    env = fresh_environment(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            "WEB_CONCURRENCY": "1",
        }
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, "gunicorn exited"
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_slow_listener_does_not_hold_up_other_visitors(one_worker):
    host, port = one_worker.removeprefix("http://").split(":")
    # A listener whose request trickles in (as a slow phone's would): a sync worker
    # would sit on it until its timeout.
    with socket.create_connection((host, int(port)), timeout=5) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.5)

        started = time.monotonic()
        response = requests.get(f"{one_worker}/healthz", timeout=10)

        assert response.status_code == 200
        assert time.monotonic() - started < 5


def _gunicorn_settings(monkeypatch, **environment) -> dict:
    import runpy

    for name in ("GUNICORN_MAX_REQUESTS", "WEB_CONCURRENCY", "GUNICORN_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_workers_are_not_recycled_unless_asked_so_kept_alive_connections_are_not_reset(
    monkeypatch,
):
    assert _gunicorn_settings(monkeypatch)["max_requests"] == 0
    asked = _gunicorn_settings(monkeypatch, GUNICORN_MAX_REQUESTS="5000")
    assert (asked["max_requests"], asked["max_requests_jitter"]) == (5000, 500)
