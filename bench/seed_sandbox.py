"""How long seeding the sandbox catalogue takes, and how it scales.

    .venv/bin/python bench/seed_sandbox.py [--tracks 100000] [--seed 7]

Seeds N/10 and then N tracks into a temporary SQLite file, side by side in one run, and
prints rows per second and the N : N/10 time ratio (10 means linear). SANDBOX_DATABASE_URL
is pointed at the temporary file before Django starts, so no real database is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="seed-bench-") as folder:
        os.environ["SANDBOX_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'sandbox.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from sandbox.seed import seed

        call_command("migrate", database="sandbox", verbosity=0)
        small_size = max(args.tracks // 10, 1)
        small = seed(tracks=small_size, seed=args.seed)
        large = seed(tracks=args.tracks, seed=args.seed)
        connections.close_all()

    for label, stats in ((f"{small_size:,} tracks", small), (f"{args.tracks:,} tracks", large)):
        print(
            f"{label:>18}: {stats.seconds:7.2f} s  {stats.rows:>10,} rows  "
            f"{stats.rows / stats.seconds:>10,.0f} rows/s  "
            f"({stats.artists:,} artists, {stats.releases:,} releases, {stats.tracks:,} tracks)"
        )
    ratio = large.seconds / small.seconds
    print(f"{_short(args.tracks)}/{_short(small_size)} time ratio: {ratio:.1f} (linear = 10)")
    return 0


def _short(count: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= size and count % size == 0:
            return f"{count // size}{suffix}"
    return f"{count:,}"


if __name__ == "__main__":
    sys.exit(main())
