"""Lighthouse scores of the pages a visitor lands on, on a desktop and on a phone.

    .venv/bin/python bench/lighthouse.py [--pages home,release,search] [--tracks 300]

Goal (issues 16 and 21): performance, accessibility, best practices and SEO >= 95 for
home, release and search, on desktop and mobile. Under each page, its layout shift
(CLS), total blocking time and number of elements, what issue 21 watches. Performance
is the noisy one on a shared two-core machine (Lighthouse's mobile run slows the CPU
four times over): run it on a quiet machine.

The site runs as ``bench/preview_proxy.py``'s ``Stack`` runs it: the sandbox
(``manage.py runsandbox``) and the site under gunicorn with DEBUG off, on temporary
SQLite files seeded with ``--tracks`` tracks. Static files are served by WhiteNoise
from the finders (a settings module written to a temporary folder adds only that), so
nothing needs collecting first. Each page is fetched once before Lighthouse sees it,
so its 7digital reads are warm, as most visitors find them.

Lighthouse 12 is pinned in ``bench/lighthouse/package.json`` and its lock file;
``npm ci`` installs it there on first use (npm's registry is the only network used).
It drives Debian's chromium (``CHROMIUM_PATH``, default ``/usr/bin/chromium``) with the
flags that work on this machine. Each page's full report is written as JSON to
``test-results/lighthouse/`` for the audits behind a score.

Every process started here is in its own process group and is killed on the way out.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from preview_proxy import REQUEST_TIMEOUT, Stack

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-results" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update"
)
ATTEMPTS = 3  # of one audit, as Lighthouse's own error asks
RUN_SECONDS = 180
GOAL = 95
GOAL_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORIES = GOAL_CATEGORIES
PAGES = {
    "home": "/",
    "release": "/releases/1046/",  # "No Surprises" by Radiohead
    "search": "/search/?q=radiohead",
}
FORM_FACTORS = {"desktop": ["--preset=desktop"], "mobile": []}

BENCH_SETTINGS = """\
from config.settings.local import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
"""


def install_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    print("Installing the pinned Lighthouse (npm ci)...")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],  # noqa: S607 - npm from PATH, our own lock file
        cwd=TOOLS,
        check=True,
        timeout=600,
    )


def audit(url: str, form_factor: str, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
        *FORM_FACTORS[form_factor],
    ]
    for attempt in range(1, ATTEMPTS + 1):
        run = subprocess.run(  # noqa: S603 - the pinned lighthouse installed above
            command,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            timeout=RUN_SECONDS,
        )
        if run.returncode == 0:
            return json.loads(report.read_text())
        # Lighthouse now and then fails to record the trace of a load ("NO_NAVSTART")
        # and asks to be run again.
        print(f"  Lighthouse failed on {url} ({form_factor}), attempt {attempt} of {ATTEMPTS}")
    raise RuntimeError(f"Lighthouse failed {ATTEMPTS} times on {url} ({form_factor})")


def scores(result: dict) -> dict[str, int]:
    return {name: round(100 * (result["categories"][name]["score"] or 0)) for name in CATEGORIES}


def shortfalls(result: dict) -> list[str]:
    """The audits that cost a goal category points, worst first."""
    lines = []
    for name in GOAL_CATEGORIES:
        category = result["categories"][name]
        for ref in category["auditRefs"]:
            audit_result = result["audits"][ref["id"]]
            score = audit_result.get("score")
            if ref["weight"] and score is not None and score < 1:
                lines.append(f"      {name}: {ref['id']} - {audit_result['title']}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated names")
    parser.add_argument("--tracks", type=int, default=300, help="size of the seeded catalogue")
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in args.pages.split(",")}

    install_lighthouse()
    REPORTS.mkdir(parents=True, exist_ok=True)
    met = True
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as folder:
        Path(folder, "bench_lighthouse_settings.py").write_text(BENCH_SETTINGS)
        with Stack(
            tracks=args.tracks,
            settings_module="bench_lighthouse_settings",
            pythonpath=[Path(folder)],
        ) as stack:
            print(f"\n{'page':10} {'form':8} " + " ".join(f"{c:>15}" for c in CATEGORIES))
            for name, path in pages.items():
                url = f"{stack.site_url}{path}"
                requests.get(url, timeout=REQUEST_TIMEOUT).raise_for_status()  # warm
                for form_factor in FORM_FACTORS:
                    result = audit(url, form_factor, REPORTS / f"{name}-{form_factor}.json")
                    got = scores(result)
                    print(
                        f"{name:10} {form_factor:8} "
                        + " ".join(f"{got[c]:>15}" for c in CATEGORIES)
                    )
                    shift, blocking, elements = (
                        result["audits"][audit_id]["numericValue"]
                        for audit_id in (
                            "cumulative-layout-shift",
                            "total-blocking-time",
                            "dom-size",
                        )
                    )
                    print(
                        f"{'':19} layout shift {shift:.3f}, blocking {blocking:.0f} ms, "
                        f"{elements:.0f} elements"
                    )
                    if any(got[c] < GOAL for c in GOAL_CATEGORIES):
                        met = False
                    for line in shortfalls(result):
                        print(line)
    print(
        f"\nGoal: {', '.join(GOAL_CATEGORIES)} >= {GOAL} on every page and form factor: "
        + ("met" if met else "NOT met")
        + f". Reports: {REPORTS.relative_to(ROOT)}/"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
