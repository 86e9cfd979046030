"""The tally of proxied previews is counted in memory and written in batches."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from unittest import mock

import pytest

from store.player import tally as tally_module
from store.player.tally import ResponseTally
from store.playlogs.models import PreviewResponseTally
from tests.config.fresh_process import BASE_DIR, fresh_environment

LATE = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
NEXT_DAY = datetime(2026, 3, 2, 0, 1, tzinfo=UTC)


def _rows() -> dict[tuple[str, str], int]:
    return {
        (row.day.isoformat(), row.country): row.responses
        for row in PreviewResponseTally.objects.all()
    }


@pytest.mark.django_db
def test_counts_wait_for_the_flush_then_are_written_per_utc_day_and_country(settings):
    settings.PREVIEW_TALLY_FLUSH_SECONDS = 3600  # the timer will not fire during the test
    tally = ResponseTally()
    for country, at in [("GB", LATE), ("gb", LATE), ("US", LATE), ("GB", NEXT_DAY)]:
        tally.count(country=country, at=at)

    assert _rows() == {}, "nothing is written on the request path"
    assert tally.pending == 4

    tally.flush()

    assert _rows() == {("2026-03-01", "GB"): 2, ("2026-03-01", "US"): 1, ("2026-03-02", "GB"): 1}
    assert tally.pending == 0
    tally.count(country="GB", at=LATE)
    tally.flush()
    assert _rows()[("2026-03-01", "GB")] == 3, "later batches add to the day's row"


def test_a_batch_is_written_by_a_timer_after_the_flush_delay(settings):
    settings.PREVIEW_TALLY_FLUSH_SECONDS = 0.05
    written = []
    done = threading.Event()

    def add(**batch):
        written.append(batch)
        done.set()

    tally = ResponseTally()
    with (
        mock.patch.object(tally_module.services, "preview_responses_add", side_effect=add),
        mock.patch.object(tally_module.connections, "close_all"),
    ):
        tally.count(country="GB", at=LATE)
        tally.count(country="GB", at=LATE)
        assert done.wait(5), "the timer flushed the batch"

    assert written == [{"day": LATE.date(), "country": "GB", "responses": 2}]
    assert tally.pending == 0


@pytest.mark.django_db
def test_a_zero_delay_writes_each_count_at_once(settings):
    settings.PREVIEW_TALLY_FLUSH_SECONDS = 0
    tally = ResponseTally()

    tally.count(country="FR", at=LATE)

    assert _rows() == {("2026-03-01", "FR"): 1}


@pytest.mark.slow
def test_a_process_writes_what_it_counted_when_it_exits(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
        "PREVIEW_TALLY_FLUSH_SECONDS": "3600",  # only the exit can write it
    }
    manage = [sys.executable, "manage.py"]
    for command in (
        [*manage, "migrate", "--verbosity", "0"],
        [
            *manage,
            "shell",
            "-c",
            "from store.player.tally import tally; "
            "tally.count(country='GB'); tally.count(country='GB'); "
            "assert tally.pending == 2",
        ],
    ):
        result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            command,
            cwd=BASE_DIR,
            env=fresh_environment(env),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute("SELECT country, responses FROM playlogs_previewresponsetally").fetchall()
    assert rows == [("GB", 2)]
