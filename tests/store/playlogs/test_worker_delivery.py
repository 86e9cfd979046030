"""Real Celery workers ship recorded plays to a real sandbox process: none lost.

Each test runs the pipeline as separate processes (scripts/playlog_pipeline.py):
the sandbox with its 5 requests per second per key, Celery workers (and beat where a
crash must be recovered from) on the Redis broker where Redis answers (REDIS_URL, or
127.0.0.1:6379) and on the embedded SQLite broker otherwise (the first test runs on
both), and databases of their own.
"""

from __future__ import annotations

import pytest

from scripts.playlog_pipeline import Pipeline
from tests.prerequisites import redis_url, require_postgres, require_redis

pytestmark = pytest.mark.slow

BATCH = 500  # preview logs per request


def broker() -> str:
    return "redis" if redis_url() else "embedded"


def assert_paced(statuses: list[int]) -> None:
    """The senders kept to 7digital's pace: requests bunched up in transit may meet a
    429 now and then (waited out and sent again), never a stream of them. A run of a
    dozen sends may meet two or three at a window's edge on a busy machine (two in 14
    were seen), so the allowance is a tenth of the sends but never fewer than three."""
    assert statuses and set(statuses) <= {200, 429}
    assert statuses.count(429) <= max(3, len(statuses) // 10)


def refusals(pipeline: Pipeline) -> list[int]:
    """The preview/log requests 7digital refused (400)."""
    return [status for status in pipeline.journal_statuses("preview/log") if status == 400]


def report(name: str, received: dict, expected: int) -> None:
    share = received["duplicates"] / expected if expected else 0
    print(
        f"\n{name}: {received['distinct']:,} of {expected:,} plays received, "
        f"{received['duplicates']:,} duplicates ({share:.3%}), {received['requests']} requests"
    )


@pytest.mark.parametrize("broker_name", ["embedded", "redis"])
def test_every_recorded_preview_is_received_exactly_once(tmp_path, broker_name):
    if broker_name == "redis":
        require_redis()
    plays = 3000
    with Pipeline(tmp_path, broker=broker_name) as pipeline:
        pipeline.start_worker()

        pipeline.insert_previews(plays)
        received = pipeline.wait_for_logs(plays, timeout=120)

        report(f"one worker, {broker_name} broker", received, plays)
        assert received["distinct"] == plays
        assert received["duplicates"] == 0
        assert received["requests"] == plays // BATCH
        statuses = pipeline.journal_statuses("preview/log")
        assert_paced(statuses)
        delivered = {"total": plays, "delivered": plays, "rejected": 0, "unsent": 0}
        assert pipeline.wait_for_outbox(delivered, timeout=30) == delivered


def test_half_the_requests_failing_still_delivers_every_play_once(tmp_path):
    plays = 2000
    settings = {"PLAYLOG_RETRY_BASE_SECONDS": "0.2", "PLAYLOG_RETRY_MAX_SECONDS": "2"}
    with Pipeline(tmp_path, broker=broker(), settings=settings) as pipeline:
        pipeline.add_fault(
            kind="status", status=503, endpoint="preview/log", probability=0.5, seed=11
        )
        pipeline.start_worker()

        pipeline.insert_previews(plays)
        received = pipeline.wait_for_logs(plays, timeout=180)

        report("50% injected 503", received, plays)
        statuses = pipeline.journal_statuses("preview/log")
        assert statuses.count(503) >= 2
        assert received["distinct"] == plays
        assert received["duplicates"] == 0


def test_a_refused_play_is_flagged_and_not_retried_forever(tmp_path):
    plays = 200
    with Pipeline(tmp_path, broker=broker()) as pipeline:
        pipeline.start_worker()
        pipeline._run(
            "-c",
            "import django; django.setup()\n"
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from tests.store.playlogs.factories import PreviewPlayFactory\n"
            # A userId 7digital refuses (over 255 characters: 1002), which only 7digital
            # checks. (SQLite stores the too-long anonymous id; this pipeline is SQLite.)
            "PreviewPlayFactory(anonymous_id='x' * 300, seconds_played=30,\n"
            "    started_at=timezone.now() - timedelta(minutes=5))\n",
        )

        pipeline.insert_previews(plays)
        received = pipeline.wait_for_logs(plays, timeout=120)
        settled = {"total": plays + 1, "delivered": plays, "rejected": 1, "unsent": 0}
        outbox = pipeline.wait_for_outbox(settled, timeout=60)

        assert received["distinct"] == plays
        assert outbox == settled
        refused = refusals(pipeline)
        # Split until the refused play was alone: a handful of requests, then no more.
        assert 1 <= len(refused) <= 10
        # The sweep finds nothing due (it would queue a shipping task for the refused
        # play if it were), and a shipping task run to its end sends nothing more.
        sweep = pipeline.send_task("store.playlogs.tasks.playlogs_sweep")
        assert pipeline.wait_for_task(sweep, timeout=60) == "[]"
        ship = pipeline.send_task("store.playlogs.tasks.playlogs_ship", "preview")
        assert pipeline.wait_for_task(ship, timeout=60) == "0"  # it delivered no play
        assert refusals(pipeline) == refused
        assert pipeline.outbox() == settled


def test_workers_killed_mid_batch_lose_no_play(tmp_path):
    plays = 12_000
    kills = 3
    settings = {"PLAYLOG_CLAIM_SECONDS": "4", "PLAYLOG_SWEEP_SECONDS": "2"}
    with Pipeline(tmp_path, broker=broker(), settings=settings) as pipeline:
        pipeline.start_beat()
        pipeline.start_worker()
        pipeline.insert_previews(plays)

        held = [
            pipeline.kill_worker_mid_batch(after_logs=BATCH * 2, delay=0.05 + 0.07 * kill)
            for kill in range(kills)
        ]

        received = pipeline.wait_for_logs(plays, timeout=240)

        report(f"{kills} workers killed with SIGKILL", received, plays)
        assert received["distinct"] == plays  # nothing lost
        # A crash can send again at most the batch it had in flight.
        assert received["duplicates"] <= kills * BATCH
        delivered = {"total": plays, "delivered": plays, "rejected": 0, "unsent": 0}
        assert pipeline.wait_for_outbox(delivered, timeout=60) == delivered
        # Each kill landed mid-batch: the worker held claimed rows not yet delivered...
        assert all(rows for rows in held), [len(rows) for rows in held]
        # ...and each of them was claimed again once the lease ran out, and delivered.
        for rows in held:
            after = pipeline.preview_rows(rows)
            taken_over = {
                row: sent and attempts > rows[row]  # a claim counts an attempt
                for row, (sent, attempts) in after.items()
            }
            assert taken_over == dict.fromkeys(rows, True)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_two_workers_at_once_never_send_a_play_twice(tmp_path, database):
    if database == "postgres":
        require_postgres()
    plays = 6000
    with Pipeline(tmp_path, broker=broker(), database=database) as pipeline:
        pipeline.start_worker("worker-1", concurrency=2)
        pipeline.start_worker("worker-2", concurrency=2)

        # Four tasks at once, so four senders claim from the same rows.
        pipeline.insert_previews(plays, ship_tasks=4)
        received = pipeline.wait_for_logs(plays, timeout=180)

        report(f"two workers on {database}", received, plays)
        assert received["distinct"] == plays
        assert received["duplicates"] == 0
        assert_paced(pipeline.journal_statuses("preview/log"))
        for name in ("worker-1", "worker-2"):
            assert "playlogs_ship" in pipeline.log(name)
