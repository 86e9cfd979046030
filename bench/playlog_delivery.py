"""Play-log delivery: plays inserted into the outbox until 7digital (the sandbox) took
them all, against the 2,500 logs/s that 7digital's limits allow.

    .venv/bin/python bench/playlog_delivery.py [--plays 100000] [--kills 3] [--broker redis]

The pipeline runs as in production, each part its own process on loopback
(scripts/playlog_pipeline.py): the sandbox (``manage.py runsandbox``) limiting log
requests to 5 per second per consumer key, a Celery worker of 2 processes (Celery's
default on this 2-CPU machine; --concurrency), Celery beat, and the
store's database (SQLite files, or a fresh PostgreSQL database with ``--database
postgres``, which needs DATABASE_URL). The cap is 5 requests/s x 500 logs = 2,500/s.

Side by side in one run, each scenario on a fresh pipeline:

* **short user agent**: logs of about 200 bytes, so a request carries 500 of them and
  the count limit binds (the goal: >= 2,000 logs/s, a ratio >= 0.8 of the cap);
* **browser user agent**: a desktop Chrome's user agent (about 110 characters), so
  100 KiB fills before 500 logs and the byte limit binds: what a storefront whose
  previews are played in browsers can reach;
* **SIGKILL x N** (with ``--kills``): the short-agent run with the worker killed
  outright N times in the middle of its work and started again, beat's sweep picking
  up what each crash left once its claims ran out. Lost plays must be 0; duplicates
  are the batches that were in flight, counted.

Times run from the start of the insert (a separate process, as the site would be, in
chunks of 5,000 with a shipping task queued after each) to the sandbox having every
play. Loss and duplicates are counted by the sandbox over distinct (user, track, time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_servers import postgres_url, redis_url  # noqa: E402
from scripts.playlog_pipeline import Pipeline  # noqa: E402

CAP = 5 * 500
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BATCH = 500
# Plays arrive in chunks while earlier ones ship, each chunk followed by a shipping task.
CHUNK = 5000
# Counting distinct logs takes the sandbox's CPU too: asked four times a second, the
# times below are late by up to this much.
POLL_SECONDS = 0.25


def run(
    name: str,
    *,
    plays: int,
    broker: str,
    database: str,
    user_agent: str,
    concurrency: int,
    kills: int = 0,
) -> dict:
    settings = {"PLAYLOG_CLAIM_SECONDS": "5", "PLAYLOG_SWEEP_SECONDS": "2"}
    with (
        tempfile.TemporaryDirectory(prefix="playlog-bench-") as folder,
        Pipeline(Path(folder), broker=broker, database=database, settings=settings) as pipeline,
    ):
        if kills:
            pipeline.start_beat()
        pipeline.start_worker(concurrency=concurrency)
        started = time.monotonic()
        pipeline.insert_previews(plays, user_agent=user_agent, chunk=CHUNK)
        inserted = time.monotonic() - started
        for kill in range(kills):
            pipeline.kill_worker_mid_batch(
                after_logs=2 * BATCH,
                delay=0.03 + 0.05 * kill,
                concurrency=concurrency,
                poll=POLL_SECONDS,
            )
        pipeline.wait_for_logs(plays, timeout=600 - (time.monotonic() - started), poll=POLL_SECONDS)
        finished = time.monotonic()
        time.sleep(1)  # anything still in flight lands: the final counts
        received = pipeline.received()
        statuses = pipeline.journal_statuses("preview/log")
    total = finished - started
    return {
        "name": name,
        "plays": plays,
        "inserted": inserted,
        "seconds": total,
        "rate": received["distinct"] / total,
        "requests": received["requests"],
        "per_request": received["logs"] / max(received["requests"], 1),
        "duplicates": received["duplicates"],
        "lost": plays - received["distinct"],
        "refused": sum(1 for s in statuses if s == 429),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plays", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=3, help="0 skips the crash scenario")
    parser.add_argument("--broker", choices=["redis", "embedded"], default=None)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--concurrency", type=int, default=2, help="worker processes (Celery's default: CPUs)"
    )
    args = parser.parse_args()
    broker = args.broker or ("redis" if redis_url() else "embedded")
    if args.database == "postgres" and not postgres_url():
        parser.error("--database postgres needs DATABASE_URL pointing at a server")

    print(
        f"{args.plays:,} preview plays, broker {broker}, database {args.database}; "
        f"sandbox limit 5 requests/s per key, cap {CAP:,} logs/s\n"
    )
    common = {"plays": args.plays, "broker": broker, "database": args.database}
    common["concurrency"] = args.concurrency
    results = [
        run("short user agent", user_agent="Storefront/1.0", **common),
        run("browser user agent", user_agent=CHROME, **common),
    ]
    if args.kills:
        results.append(
            run(f"SIGKILL x {args.kills}", user_agent="Storefront/1.0", kills=args.kills, **common)
        )
    header = (
        f"{'scenario':<20} {'insert s':>8} {'total s':>8} {'logs/s':>7} {'ratio':>6} "
        f"{'requests':>8} {'logs/req':>8} {'429s':>5} "
        f"{'duplicates':>11} {'lost':>5}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        share = r["duplicates"] / r["plays"]
        print(
            f"{r['name']:<20} {r['inserted']:>8.1f} {r['seconds']:>8.1f} {r['rate']:>7,.0f} "
            f"{r['rate'] / CAP:>6.2f} {r['requests']:>8} "
            f"{r['per_request']:>8.0f} {r['refused']:>5} "
            f"{r['duplicates']:>5} ({share:.2%}) {r['lost']:>5}"
        )
    print(
        "\nratio = end-to-end logs/s / 2,500 (goal for the short user agent: >= 0.8, "
        "i.e. >= 2,000 logs/s); lost must be 0."
    )
    short = results[0]
    return 0 if short["lost"] == 0 and all(r["lost"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
