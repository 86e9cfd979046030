"""Smoke-test the shop as production runs it: `.ci/run` calls this on every run.

    .venv/bin/python scripts/production_smoke.py                 # processes
    .venv/bin/python scripts/production_smoke.py --image NAME    # the production image

Starts `scripts.production.ProductionLayout` (gunicorn, a Celery worker and beat with
production settings on PostgreSQL and Redis, pointed at a sandbox and a stand-in for
Stripe) and checks what a deployment must do: `/healthz`; the worker's and beat's health
checks; a release page; a static file through WhiteNoise (hashed name, cached for
good); a sign-up whose 7digital partner user the worker creates, and its confirmation
email; a preview play that the worker ships to the sandbox's `preview/log`; a purchase
paid on "Stripe", credited once with `user/deliveritem` and found in the locker; and no
server error, no process down, at the end. Exits 1 on the first failure, with the logs.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.production import (
    PRODUCTION_PYTHON,
    Customer,
    ProductionLayout,
    wait_until,
)

RELEASE_ID = 1046  # "No Surprises", a reference example the sandbox always seeds
RELEASE_TITLE = "No Surprises"
TRACK_ID = 123456  # "Sleeping in My Car"
HASHED_CSS = re.compile(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"')


class Smoke:
    def __init__(self, layout: ProductionLayout) -> None:
        self.layout = layout
        self.customer = Customer(layout)

    def check(self, name: str, step) -> None:
        started = time.monotonic()
        try:
            detail = step()
        except Exception as exc:
            print(f"FAIL  {name} ({time.monotonic() - started:.1f} s): {exc}", flush=True)
            raise
        suffix = f": {detail}" if detail else ""
        print(f"ok    {name} ({time.monotonic() - started:.1f} s){suffix}", flush=True)

    def healthz(self):
        response = requests.get(f"{self.layout.url}/healthz", timeout=10)
        assert response.status_code == 200, response.status_code
        assert response.json() == {"status": "ok"}, response.text

    def worker(self):
        wait_until(self.layout.worker_alive, timeout=60, interval=1, what="the worker's ping")

    def beat(self):
        wait_until(self.layout.beat_alive, timeout=60, interval=1, what="beat's ping")

    def release_page(self):
        page = self.customer.browse(f"/releases/{RELEASE_ID}/")
        assert RELEASE_TITLE in page.text, "the release's title is not on its page"
        self.release_html = page.text

    def static_file(self):
        found = HASHED_CSS.search(self.release_html)
        assert found, "no hashed stylesheet linked from the page"
        response = requests.get(f"{self.layout.url}{found.group(1)}", timeout=10)
        assert response.status_code == 200, response.status_code
        assert response.headers["Content-Type"].startswith("text/css")
        assert "immutable" in response.headers.get("Cache-Control", ""), response.headers
        return found.group(1)

    def sign_up(self):
        before = self.layout.partner_users()
        self.customer.sign_up()
        created = wait_until(
            lambda: self.layout.partner_users() - before,
            timeout=60,
            what="the worker creating the partner user",
        )
        assert len(created) == 1, created
        (self.partner_user,) = created
        self.customer.confirm_email()
        return f"partner user {self.partner_user}"

    def preview_play(self):
        self.customer.play_preview(TRACK_ID, seconds=3)

        def shipped():
            logs = self.layout.sandbox("playlogs", kind="preview")["logs"]
            return [log for log in logs if log["user_id"] == self.partner_user]

        logs = wait_until(shipped, timeout=120, interval=1, what="the play at preview/log")
        assert [log["track_id"] for log in logs] == [TRACK_ID], logs
        assert logs[0]["seconds_played"] == 3, logs

    def purchase(self):
        self.customer.add_to_basket(release=RELEASE_ID)
        number = self.customer.buy(timeout=90)
        assert self.customer.owns(RELEASE_TITLE), "the release is not in the locker"
        sales = self.layout.sandbox("sales", user_id=self.partner_user)
        assert sales["count"] == 1, sales
        assert sales["repeated_transactions"] == 0, sales
        assert sales["sales"][0]["release_id"] == RELEASE_ID, sales
        return f"order {number}"

    def nothing_broke(self):
        down = [name for name, running in self.layout.alive().items() if not running]
        assert not down, f"stopped: {', '.join(down)}"
        for name in ("web", "worker", "beat"):
            log = self.layout.logs[name].read_text(errors="replace")
            for symptom in ("Internal Server Error", "Traceback", "ModuleNotFoundError"):
                assert symptom not in log, f"{symptom!r} in the {name}'s log"

    def run(self) -> None:
        self.check("/healthz answers ok", self.healthz)
        self.check("the worker answers its health check", self.worker)
        self.check("beat answers its health check", self.beat)
        self.check("a release page", self.release_page)
        self.check("a static file through WhiteNoise", self.static_file)
        self.check("a sign-up, its partner user and its email", self.sign_up)
        self.check("a preview play shipped to preview/log", self.preview_play)
        self.check("a purchase credited once and in the locker", self.purchase)
        self.check("no process down, no server error", self.nothing_broke)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", help="run web, worker and beat from this image")
    parser.add_argument("--python", default=str(PRODUCTION_PYTHON), help="production venv")
    parser.add_argument("--folder", help="keep logs here (default: a temporary folder)")
    args = parser.parse_args()

    folder = Path(args.folder or tempfile.mkdtemp(prefix="production-smoke-"))
    what = f"the image {args.image}" if args.image else f"processes ({args.python})"
    print(f"Production smoke test of {what}; logs in {folder}", flush=True)
    started = time.monotonic()
    layout = ProductionLayout(folder, python=Path(args.python), image=args.image)
    try:
        with layout:
            print(f"ok    started ({time.monotonic() - started:.1f} s)", flush=True)
            Smoke(layout).run()
    except Exception:
        traceback.print_exc()
        for name in ("web", "worker", "beat", "sandbox", "stripe"):
            tail = layout.log_tail(name)
            if tail:
                print(f"\n--- the last lines of {name}'s log ---\n{tail}", file=sys.stderr)
        return 1
    print(f"Production smoke test passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
