"""`manage.py runsandbox` runs the sandbox as its own process, as `make run` starts it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from defusedxml import ElementTree

from sevendigital import SevenDigital

from . import node_oauth

BASE_DIR = Path(__file__).resolve().parents[2]
# Generous: on a busy machine (the whole suite on two cores) migrating, seeding and the
# first request's imports take far longer than alone.
STARTUP_SECONDS = 120
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")
CONTROL = "Control API:"  # the banner's last line


class Output:
    """Reads a process's output as it comes, so that the process never blocks on a full
    pipe, and keeps every line."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in iter(stream.readline, ""):
            self.lines.append(line)
        stream.close()

    def text(self) -> str:
        return "".join(self.lines)

    def wait(self, timeout: float) -> str:
        """All of it, once the process has closed its end."""
        self._thread.join(timeout)
        return self.text()


@pytest.fixture(scope="module")
def runsandbox(tmp_path_factory):
    """``manage.py runsandbox --port 0`` in a folder of its own, until the module ends:
    its base URL, its output so far, and that folder."""
    folder = tmp_path_factory.mktemp("runsandbox")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{folder / 'store.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{folder / 'sandbox.sqlite3'}",
        "SANDBOX_AUDIO_CACHE": str(folder / "audio"),
        "SEVENDIGITAL_CONSUMER_KEY": "make-run-key",
        "SEVENDIGITAL_CONSUMER_SECRET": "make-run-secret",
    }
    # Port 0: the sandbox binds a port the system picks and names it in its banner, so
    # no other process can take the port between our choosing it and its binding it.
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runsandbox", "--port", "0", "--tracks", "500"],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    output = Output(process.stdout)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (listening := LISTENING.search(output.text())) or CONTROL not in output.text():
            assert process.poll() is None, output.wait(5)
            if time.monotonic() > deadline:
                pytest.fail(f"the sandbox did not start in {STARTUP_SECONDS} s:\n{output.text()}")
            time.sleep(0.1)
        base = listening[1]
        # It listens before it serves: the first request waits for the rest of the
        # start-up, and its answer for the first request's imports.
        while True:
            try:
                if requests.get(f"{base}/_sandbox/health", timeout=10).ok:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None, output.wait(5)
            if time.monotonic() > deadline:
                pytest.fail(f"the sandbox did not answer in {STARTUP_SECONDS} s:\n{output.text()}")
            time.sleep(0.3)
        yield base, output, folder
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output.wait(5)


@pytest.mark.slow
def test_runsandbox_serves_signed_requests_with_the_documented_xml(runsandbox):
    base, output, _ = runsandbox
    client = SevenDigital(
        consumer_key="make-run-key",
        consumer_secret="make-run-secret",
        base_url=base,
        timeout=30,
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
        timeout=30,
    )
    root = ElementTree.fromstring(raw.content)
    assert root.attrib == {"status": "ok", "version": "1.2"}
    assert root.find("release").get("id") == "1046"
    assert root.find("release/title").text == "No Surprises"
    text = output.text()
    assert "make-run-key / make-run-secret" in text
    assert f"listening on {base}" in text


@pytest.mark.slow
def test_runsandbox_makes_a_certificate_beside_its_database_and_names_it(runsandbox):
    base, output, folder = runsandbox
    port = base.rsplit(":", 1)[1]
    certificate = folder / ".sandbox-tls" / "cert.pem"

    assert f"HTTPS on the same port: https://127.0.0.1:{port}" in output.text()
    assert re.search(
        rf"self-signed certificate \(made now\): {re.escape(str(certificate))}$",
        output.text(),
        re.MULTILINE,
    )
    assert certificate.is_file()


@pytest.mark.slow
def test_runsandbox_answers_http_and_https_on_one_port_as_the_node_client_uses_them(
    runsandbox,
):
    base, _, folder = runsandbox
    https_base = base.replace("http://", "https://")
    trusting = requests.Session()
    trusting.trust_env = False  # else REQUESTS_CA_BUNDLE would win over verify
    trusting.verify = str(folder / ".sandbox-tls" / "cert.pem")
    # 7digital-api: catalogue calls unsigned over http, user calls signed over https.
    unsigned = trusting.get(
        f"{base}/1.2/release/details",
        params={
            "releaseId": 1046,
            "country": "GB",
            "usageTypes": "download",
            "oauth_consumer_key": "make-run-key",
        },
        timeout=30,
    )
    signed = trusting.send(
        node_oauth.signed_get(
            https_base.removeprefix("https://"),
            "/1.2/user/create",
            {"userId": "node-user", "country": "GB"},
            consumer_key="make-run-key",
            consumer_secret="make-run-secret",
        ),
        timeout=30,
    )
    over_tls = trusting.get(f"{https_base}/_sandbox/users", timeout=30)

    assert unsigned.status_code == 200, unsigned.text
    assert signed.status_code == 200, signed.text
    assert '<user id="node-user">' in signed.text
    assert "node-user" in [user["user_id"] for user in over_tls.json()["users"]]
