"""A real `celery -A config worker` consumes a task sent through a real broker."""

import contextlib
import os
import signal
import subprocess
import sys
import uuid

import pytest
from celery import Celery
from django.conf import settings

from tests.config.fresh_process import BASE_DIR, fresh_environment
from tests.prerequisites import require_redis

pytestmark = pytest.mark.slow

STARTUP_AND_TASK_TIMEOUT = 60
SHUTDOWN_TIMEOUT = 15


def embedded_broker(tmp_path):
    # The embedded broker of the settings, moved from the checkout into tmp_path.
    return settings.EMBEDDED_BROKER_URL.replace(str(settings.BASE_DIR), str(tmp_path))


def redis_broker(tmp_path):
    return require_redis()


@pytest.fixture
def worker(tmp_path, request):
    """Start a worker on its own queue; yield (broker URL, queue); always stop it."""
    broker_url = request.param(tmp_path)
    queue = f"worker-test-{uuid.uuid4().hex}"
    env = fresh_environment(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": f"db+sqlite:///{tmp_path / 'results.sqlite3'}",
        }
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=info",
                "--concurrency=1",
                f"--queues={queue}",
                f"--hostname={queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield broker_url, env["CELERY_RESULT_BACKEND"], queue
    finally:
        # The whole process group, so the pool's children go too.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        print(log_path.read_text())


@pytest.mark.parametrize(
    "worker", [embedded_broker, redis_broker], ids=["embedded", "redis"], indirect=True
)
def test_a_worker_consumes_a_task_from_the_broker(worker):
    broker_url, result_backend, queue = worker
    client = Celery("worker-test", broker=broker_url, backend=result_backend)

    try:
        result = client.send_task("celery.accumulate", args=(1, 2), queue=queue)

        assert result.get(timeout=STARTUP_AND_TASK_TIMEOUT) == [1, 2]
    finally:
        client.close()
