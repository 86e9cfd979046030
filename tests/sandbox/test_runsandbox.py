"""`manage.py runsandbox` runs the sandbox as its own process, as `make run` starts it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree

from sevendigital import SevenDigital

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_runsandbox_serves_signed_requests_with_the_documented_xml(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        "SANDBOX_AUDIO_CACHE": str(tmp_path / "audio"),
        "SEVENDIGITAL_CONSUMER_KEY": "make-run-key",
        "SEVENDIGITAL_CONSUMER_SECRET": "make-run-secret",
    }
    process = subprocess.Popen(  # noqa: S603 - this interpreter and our own manage.py
        [sys.executable, "manage.py", "runsandbox", "--port", str(port), "--tracks", "500"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/_sandbox/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
            assert process.poll() is None, process.stdout.read()
        else:
            pytest.fail("the sandbox did not answer within 90 s")

        client = SevenDigital(
            consumer_key="make-run-key", consumer_secret="make-run-secret", base_url=base
        )
        assert client.releases.details(1046).title == "No Surprises"
        assert client.users.create("make-run-user").id == "make-run-user"

        raw = requests.get(
            f"{base}/1.2/release/details",
            params={
                "releaseId": 1046,
                "country": "GB",
                "usageTypes": "download",
                "oauth_consumer_key": "make-run-key",
            },
            timeout=10,
        )
        root = ElementTree.fromstring(raw.content)
        assert root.attrib == {"status": "ok", "version": "1.2"}
        assert root.find("release").get("id") == "1046"
        assert root.find("release/title").text == "No Surprises"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
    assert "make-run-key / make-run-secret" in output
    assert f"listening on http://127.0.0.1:{port}" in output
