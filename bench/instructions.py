"""Instructions per request of each warm catalogue page and of the bare view, counted
under callgrind, for visitors and for signed-in customers (issue 21).

    .venv/bin/python bench/instructions.py [--requests 40] [--pages release,home]
    .venv/bin/python bench/instructions.py --save bench/instructions.json   # a baseline
    .venv/bin/python bench/instructions.py --against bench/instructions.json

Wall-clock throughput on a shared machine swings from one run to the next
(``bench/catalogue_pages.py`` holds its goals as medians of interleaved rounds); the
number of instructions a request runs does not, so a change that costs a few percent
shows here when it hides in the noise there.

The site is set up in one process, as ``bench/profile_pages.py`` sets it up (the
sandbox in a process of its own, the site through Django's WSGI handler with every
middleware, ``config.settings.local`` with DEBUG off), and that process runs under
valgrind's callgrind with instrumentation off. Each page is warmed (its 7digital reads
kept, its deferred sections loaded, the page stored) before instrumentation is turned
on (``callgrind_control -i on``) for ``--requests`` requests and then for twice as many,
each window dumped apart: the difference of the two, divided by ``--requests``, is one
request's instructions, without what turning instrumentation on and off costs; the
median of three such pairs is kept, as a collection of Python's garbage now and then
falls in one window and not the other (the warm-up's objects are frozen out of the
collector's way first). The hash seed is fixed, so that dictionaries are built alike
from one run to the next.

It prints each page's instructions per request, the bare view's over the page's (the
ratio the throughput goals are about, with the server's own work left out), and, with
``--against``, the change from a saved baseline, flagging a page 5% or more above it.
A baseline is comparable only on the same Python, Django and machine architecture
(``bench/instructions.json`` says which it was counted on). Needs valgrind
(``apt-get install valgrind``).
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalogue_pages import BARE, PAGES

REPEATS = 3  # pairs of windows, of which the median: a collection of the garbage now
# and then falls in one window and not the other
REGRESSION = 0.05  # a page this much above its baseline is flagged
KINDS = ("visitor", "signed-in")
LABELS = {"visitor": "visitors", "signed-in": "signed-in customers"}


def callgrind(*args: str) -> None:
    subprocess.run(  # noqa: S603 - our own arguments
        ["callgrind_control", *args, str(os.getpid())],  # noqa: S607 - valgrind's tool
        check=True,
        capture_output=True,
    )


def dumped(folder: Path, seen: set[Path]) -> int:
    """The instructions in the dump callgrind has just written."""
    (new,) = set(folder.glob("callgrind.out.*")) - seen
    seen.add(new)
    for line in new.read_text().splitlines():
        if line.startswith("totals:"):  # ("summary:" is 0 in a dump's part)
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {new}")


def counted(request, count: int, folder: Path, seen: set[Path]) -> int:
    """Instructions of ``count`` calls of ``request``, plus the toggles' own."""
    callgrind("-i", "on")
    for _ in range(count):
        request()
    callgrind("-i", "off")
    callgrind("-d")
    return dumped(folder, seen)


def inside(args: argparse.Namespace) -> int:
    """Under callgrind: count, and write {kind: {page: instructions}} as JSON."""
    from profile_pages import Browser, signed_in_cookies, site

    folder = Path(args.folder)
    seen = set(folder.glob("callgrind.out.*"))
    results: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
    with site(args.tracks, log=lambda *a, **k: print(*a, file=sys.stderr, **k)) as (
        stack,
        handler,
    ):
        browsers = {"visitor": Browser(handler), "signed-in": Browser(handler, signed_in_cookies())}
        for kind, browser in browsers.items():
            for name in ["bare", *args.pages]:
                path = BARE if name == "bare" else PAGES[name]
                browser.warm(stack, path)
                request = functools.partial(browser.get, path)
                gc.collect()
                gc.freeze()  # what the warm-up made: no collection walks it again
                differences = []
                for _ in range(REPEATS):
                    once = counted(request, args.requests, folder, seen)
                    twice = counted(request, 2 * args.requests, folder, seen)
                    differences.append((twice - once) / args.requests)
                results[kind][name] = round(statistics.median(differences))
                print(f"  {kind} {name}: {results[kind][name]:,}", file=sys.stderr, flush=True)
    Path(args.out).write_text(json.dumps(results))
    return 0


def environment_now() -> dict[str, str]:
    """What instruction counts depend on besides the code."""
    import platform

    import django

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": platform.machine(),
    }


def report(results: dict, baseline: dict | None) -> bool:
    """Print the table; False when a page is flagged against the baseline."""
    fine = True
    for kind in KINDS:
        counts = results[kind]
        print(f"\n{LABELS[kind]}: instructions per request")
        against = "   baseline" if baseline else ""
        print(f"{'page':>9} {'instructions':>13} {'bare/page':>9}{against}")
        for name, count in counts.items():
            row = f"{name:>9} {count:13,} {counts['bare'] / count:9.2f}"
            before = (baseline or {}).get(kind, {}).get(name)
            if before:
                change = count / before - 1
                flagged = change >= REGRESSION
                fine &= not flagged
                row += f"   {change:+6.1%}{'  REGRESSION' if flagged else ''}"
            print(row)
    return fine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="per window (then twice)")
    parser.add_argument("--pages", default=",".join(PAGES), help="which of " + ",".join(PAGES))
    parser.add_argument("--tracks", type=int, default=2000, help="size of the seeded catalogue")
    parser.add_argument("--save", help="write the counts to this JSON file (a baseline)")
    parser.add_argument("--against", help="compare with a baseline written by --save")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.pages = [name for name in args.pages.split(",") if name]
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.inside:
        return inside(args)
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        parser.error("valgrind is not installed (apt-get install valgrind)")

    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as folder:
        out = Path(folder, "counts.json")
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out.%p",
            sys.executable,  # the venv's (a link to the interpreter, not a script)
            __file__,
            "--inside",
            f"--folder={folder}",
            f"--out={out}",
            f"--requests={args.requests}",
            f"--pages={','.join(args.pages)}",
            f"--tracks={args.tracks}",
        ]
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        print("Counting under callgrind (a few minutes)...", flush=True)
        subprocess.run(command, check=True, env=environment, stdout=sys.stderr)  # noqa: S603
        results = json.loads(out.read_text())

    results["environment"] = environment_now()
    baseline = json.loads(Path(args.against).read_text()) if args.against else None
    if baseline and baseline.get("environment") != results["environment"]:
        print(
            f"\nThe baseline was counted on {baseline.get('environment')}, this on "
            f"{results['environment']}: the counts may differ for that alone."
        )
    fine = report(results, baseline)
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nSaved to {args.save}")
    if baseline is not None:
        verdict = "PASS" if fine else "FAIL"
        print(f"\n{verdict}: no page {REGRESSION:.0%} or more above the baseline")
    return 0 if fine else 1


if __name__ == "__main__":
    sys.exit(main())
