"""Fuzz: generated requests at every route of the site and every endpoint of the sandbox,
and the number of server errors they cause (goal 0).

    .venv/bin/python bench/fuzz.py [--cases 10000] [--seed N] [--tracks 3000] [--by-route]

The same generators as the fuzz suite (``tests/fuzz/``), from ``scripts/fuzzing.py``, with
many more cases. Everything runs in this process, as in the tests: the site through
Django's test client, the sandbox in process behind it (the site's 7digital client sends
through ``SandboxTransport``), on temporary SQLite files migrated here, the sandbox seeded
with a small catalogue (``--tracks``).

The site is visited as three people: an anonymous visitor, a customer (a 7digital partner
user, an order delivered, a line in the basket) and a superuser signed in with both
factors. The sandbox is called directly, signed (OAuth 1.0a, in the query or the header),
wrongly signed and unsigned. Each case is rolled back in both databases afterwards, so
every case meets the same shop.

Each person's share of the cases (and the sandbox's) starts with the inputs issue 16
found making server errors ("²", 5,000 digits, 2**63, NUL, ``next=x``, Ranges of
thousands of digits), tried in every parameter and path of every route; then the same
number of Hypothesis cases at every route, the first of each the page as it works; then
the rest at routes Hypothesis draws. ``--by-route`` prints what each route answered, to
see how deep the cases get.

A case fails when the answer is a 5xx (a 503 included: the sandbox is right here, so
"7digital unavailable" means something behind it broke), when an exception was raised
anywhere while serving it (the site's or the sandbox's), or when the body shows a
traceback. It prints the cases run, the server errors, and each distinct failure (who,
method, route, status, exception type) once with a request that reproduces it; it exits
1 if there was any. ERRORs logged along the way are printed for information.

Cases are the same from run to run (Hypothesis derandomised); ``--seed`` draws others.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Shares of the cases: the site as each person, and the sandbox.
SHARES = {"anonymous": 0.25, "customer": 0.25, "staff": 0.2, "sandbox": 0.3}
PROGRESS_EVERY = 1000
ACTORS = ("anonymous", "customer", "staff")


class LoggedErrors(logging.Handler):
    """Counts what is logged at ERROR or above (a 503 logs one as well as a 500), and
    keeps the rest quiet: the lines a fuzz makes Django and the shop log are not news."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.case = ""  # who is sending what, while a case runs

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "django.request":
            return  # the status code says it already
        message = f"{record.name}: {record.getMessage()[:160]}"
        self.messages[message] += 1
        self.examples.setdefault(message, self.case)


def _split(cases: int) -> dict[str, int]:
    counts = {name: int(cases * share) for name, share in SHARES.items()}
    counts["sandbox"] += cases - sum(counts.values())
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="draw other cases than the default")
    parser.add_argument("--tracks", type=int, default=3000, help="size of the seeded catalogue")
    parser.add_argument(
        "--by-route", action="store_true", help="also print the statuses each route answered"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fuzz-bench-") as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'default.sqlite3'}"
        os.environ["SANDBOX_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'sandbox.sqlite3'}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings

        settings.SANDBOX_AUDIO_CACHE = Path(folder) / "audio"
        return fuzz(args)


def fuzz(args) -> int:
    from django.core.management import call_command

    from sandbox.seed import seed
    from scripts import fuzzing

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    seed(tracks=args.tracks)
    logged = LoggedErrors()
    logging.getLogger().addHandler(logged)
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("django", "django.request", "django.security"):
        logging.getLogger(name).handlers = [logged]
        logging.getLogger(name).propagate = False

    failures = fuzzing.Failures()
    statuses: Counter[str] = Counter()
    by_route: dict[tuple[str, str], Counter[int]] = {}
    counts = _split(args.cases)
    done: Counter[str] = Counter()

    with fuzzing.site_pointed_at_sandbox(), fuzzing.catching_exceptions() as catcher:
        shop = fuzzing.prepare_shop()
        print(
            f"setup (migrate, seed {args.tracks:,} tracks, shop): "
            f"{time.monotonic() - started:.1f} s",
            flush=True,
        )
        site_routes = fuzzing.url_routes()
        sandbox_routes = fuzzing.sandbox_api_routes() + fuzzing.url_routes("sandbox.urls")
        session = fuzzing.sandbox_session()

        def record(who: str, case, outcome) -> None:
            done[who] += 1
            statuses[f"{outcome.status // 100}xx" if outcome.status else "not sent"] += 1
            by_route.setdefault((who, case.route), Counter())[outcome.status] += 1
            if outcome.failed:
                failures.add(who, case, outcome)
            if done.total() % PROGRESS_EVERY == 0:
                print(
                    f"  {done.total():,} cases, {failures.total} server errors, "
                    f"{time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )

        def site_runner(who: str):
            def site_case(case) -> None:
                logged.case = f"[{who}] {case.describe(120)}"
                with fuzzing.rolled_back():
                    outcome = fuzzing.run_site_case(shop.actors[who], case, catcher)
                record(who, case, outcome)

            return site_case

        def sandbox_case(case) -> None:
            logged.case = f"[sandbox] {case.describe(120)}"
            with fuzzing.rolled_back():
                outcome = fuzzing.run_sandbox_case(session, case, catcher)
            record("sandbox", case, outcome)

        fuzz_started = time.monotonic()
        for who in (*ACTORS, "sandbox"):
            if who == "sandbox":
                routes = sandbox_routes
                issue_16 = [
                    case
                    for route in fuzzing.sandbox_api_routes()
                    for case in fuzzing.issue_16_sandbox_cases(route, shop.known)
                ]
                strategies = [fuzzing.sandbox_cases(route, shop.known) for route in routes]
                across = fuzzing.any_sandbox_case(routes, shop.known)
                check = sandbox_case
            else:
                routes = site_routes
                issue_16 = [
                    case
                    for route in fuzzing.issue_16_routes(routes, who)
                    for case in fuzzing.issue_16_cases(route, shop.known)
                ]
                strategies = [fuzzing.site_cases(route, shop.known) for route in routes]
                across = fuzzing.any_site_case(routes, shop.known)
                check = site_runner(who)
            # First the inputs issue 16 found, everywhere; then route by route, so that
            # each route gets its share (Hypothesis drawing the route would favour a
            # few), the first case of each the simplest (the page as it works); the
            # rest at routes Hypothesis draws.
            for case in issue_16[: counts[who]]:
                check(case)
            left = max(0, counts[who] - len(issue_16))
            per_route = left // len(strategies)
            if per_route:
                fuzzing.sweep(strategies, per_route, check, seed=args.seed)
            fuzzing.explore(across, left - per_route * len(strategies), check, seed=args.seed)
        elapsed = time.monotonic() - fuzz_started

    total = done.total()
    print(
        f"cases: {total:,} (site: "
        + ", ".join(f"{who} {done[who]:,}" for who in ACTORS)
        + f"; sandbox {done['sandbox']:,}) in {elapsed:.0f} s "
        f"({elapsed / max(total, 1) * 1000:.1f} ms a case); routes: {len(site_routes)} site, "
        f"{len(sandbox_routes)} sandbox"
    )
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    if args.by_route:
        for (who, route), answered in sorted(by_route.items()):
            print(
                f"  {who:9} {route}: " + ", ".join(f"{k} x{v}" for k, v in sorted(answered.items()))
            )
    print(f"server errors: {failures.total} (goal 0)")
    if failures.total:
        print(f"distinct failures: {len(failures.seen)}")
        print(failures.report())
    if logged.messages:
        print(f"logged at ERROR (for information): {sum(logged.messages.values())}")
        for message, count in logged.messages.most_common(20):
            print(f"  {count:>5}  {message}\n         e.g. {logged.examples[message]}")
    return 1 if failures.total else 0


if __name__ == "__main__":
    sys.exit(main())
