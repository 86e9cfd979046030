"""Subscription sync: Stripe Billing webhooks offered at a steady rate until 7digital
(the sandbox) holds every subscriber's state, with an outage of 7digital in the middle.

    .venv/bin/python bench/subscription_sync.py [--events 10000] [--subscribers 1000]
        [--rate 20] [--outage 120] [--broker redis] [--seed 18]

The pipeline runs as in production, each part its own process on loopback
(scripts/playlog_pipeline.py): the store's web server (``manage.py runserver``), a
Celery worker of 2 processes and beat, the sandbox (``manage.py runsandbox``), the
store's database (SQLite files), and a fake Stripe (scripts/fake_stripe.py, in this
process) holding each subscription's current state, which the webhook re-reads.

The stream: each subscriber is made (``new``: a ``customer.subscription.created``),
then renewed (the period moves on a month), cancelled at the period's end, resumed,
failed (``past_due``, the period moved on), paid, and perhaps expired (``canceled``)
last; each change is set at the fake Stripe first, then its signed event is posted to
``/subscribe/stripe/webhook/`` at ``--rate`` events a second. About 10% of the events
are sent again a little later (duplicates), and about 10% arrive after the subscriber's
next event (reordered: the older event's state was set first). Periods are dated so
that each subscriber's last period holds the present (earlier ones lie in the past).

Figures:

* **rate**: webhook events answered 2xx per second of sending; 7digital syncs
  confirmed per second from the first event to the last confirmation;
* **lag**: for each subscriber, from its last change being set at Stripe (its event
  is posted at once after) to ``confirmed_at`` of its newest SubscriptionSync
  (7digital's GET confirmed it). p50 and p95 over the subscribers for whom the sandbox
  answered throughout (goal p95 < 5 s while 7digital answers); those whose lag
  overlapped the outage are shown apart;
* **drift**: once the backlog has drained (no sync pending, sending or unknown), the
  subscribers whose sandbox state (plan, status, expiry to the second) differs from
  ``seven_digital_state`` of the store's row (goal 0); and, as a check of the webhook
  path, the store rows that differ from Stripe's final state.

The outage: 503 from every ``user/*`` endpoint of the sandbox for ``--outage``
seconds, starting when half the events are sent. The worker retries with its backoff
(``SUBSCRIPTION_SYNC_RETRY_*``) and beat's sweep every minute, so the drain after the
outage takes up to a few minutes.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.fake_stripe import FakeStripe  # noqa: E402
from scripts.local_servers import postgres_url, redis_url  # noqa: E402
from scripts.playlog_pipeline import _SETUP, Pipeline  # noqa: E402
from sevendigital.resources.subscription_rules import add_month  # noqa: E402

RECORDED = ROOT / "tests/store/subscriptions/gateways/stripe_recorded"
PRICE_ID = "price_bench_premium_gbp"
WEBHOOK_SECRET = "whsec_bench"  # noqa: S105 - a loopback fake's
DUPLICATED = 0.10
REORDERED = 0.10
EXPIRE_LAST = 0.25  # share of subscribers whose last change is an expiry
SENDERS = 8
DRAIN_SECONDS = 900
OPEN_SQL = (
    "SELECT COUNT(*) FROM subscriptions_subscriptionsync "
    "WHERE state IN ('pending', 'sending', 'outcome_unknown')"
)

SEED_SCRIPT = (
    _SETUP
    + """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from store.subscriptions.models import Plan, PlanPrice, SubscriptionCheckout

count, price_id = int(sys.argv[1]), sys.argv[2]
plan = Plan.objects.create(
    name="Premium", slug="premium", plan_code=Plan.Code.PREMIUM, interval="month", trial_days=0
)
PlanPrice.objects.create(
    plan=plan, currency="GBP", amount=Decimal("9.99"), stripe_price_id=price_id
)
User = get_user_model()
User.objects.bulk_create(
    User(email=f"bench{n}@example.com", password="!", country="GB") for n in range(count)
)
users = list(User.objects.filter(email__startswith="bench").order_by("pk"))
checkouts = SubscriptionCheckout.objects.bulk_create(
    SubscriptionCheckout(
        user=user, plan=plan, currency="GBP", amount=Decimal("9.99"), country="GB",
        gateway="stripe", trial_days=0,
    )
    for user in users
)
checkouts = list(SubscriptionCheckout.objects.order_by("pk").values_list("pk", flat=True))
print(json.dumps(checkouts))
"""
)

REPORT_SCRIPT = (
    _SETUP
    + """
import json
from django.utils import timezone
from store.subscriptions.models import Subscription
from store.subscriptions.services.state import seven_digital_state

now = timezone.now()
rows = {}
for row in Subscription.objects.select_related("plan").prefetch_related("syncs"):
    syncs = sorted(row.syncs.all(), key=lambda s: s.version)
    last = syncs[-1] if syncs else None
    state = seven_digital_state(row, now=now) if row.gateway_reference else None
    rows[row.gateway_reference] = {
        "partner_user_id": row.partner_user_id,
        "status": row.status,
        "cancel": row.cancel_at_period_end,
        "period_end": int(row.current_period_end.timestamp()),
        "sync_state": last.state if last else None,
        "confirmed_at": last.confirmed_at.timestamp() if last and last.confirmed_at else None,
        "created_at": last.created_at.timestamp() if last else None,
        "sent_at": last.sent_at.timestamp() if last and last.sent_at else None,
        "attempts": last.attempts if last else 0,
        "syncs": len(syncs),
        "confirmed": sum(1 for s in syncs if s.state == "confirmed"),
        "retried": sum(1 for s in syncs if s.attempts > 1),
        "told": state and {
            "planCode": state["plan_code"],
            "status": state["status"],
            "expiryDate": int(state["expiry_date"].timestamp()),
        },
    }
print(json.dumps(rows))
"""
)


# -- the stream --------------------------------------------------------------------------


@dataclass
class Subscriber:
    checkout: int
    reference: str
    ops: list[str] = field(default_factory=list)
    base: datetime | None = None
    # Replayed while sending:
    period: int = 0
    status: str = "active"
    cancel: bool = False
    ended_at: int | None = None
    final_step: int = 0  # index in the actions of its last change
    final_set: float | None = None  # when it was set at Stripe (its event follows)
    object: dict = field(default_factory=dict)


def plan_ops(rng: random.Random, changes: int) -> list[str]:
    """``changes`` changes of one subscriber, each one that 7digital hears except ``pay``
    (a paid renewal after a failure: the same access), never ``pay`` last."""
    ops = ["new"]
    status, cancel = "active", False
    expire = changes > 1 and rng.random() < EXPIRE_LAST
    while len(ops) < changes - (1 if expire else 0):
        last = len(ops) == changes - 1 - (1 if expire else 0)
        choices = []
        if cancel:
            choices += ["resume"] * 3
        else:
            choices += ["cancel"] * 2
            choices += ["renew"] * 3 if status == "active" else []
            choices += ["fail"] * 1 if status == "active" else []
            choices += ["pay"] * 3 if status == "past_due" and not last else []
            if status == "past_due" and last:
                choices += ["renew"]  # paid with the period moved on: a change 7digital hears
        op = rng.choice(choices)
        if op == "cancel":
            cancel = True
        elif op == "resume":
            cancel = False
        elif op == "fail":
            status = "past_due"
        elif op in ("renew", "pay"):
            status = "active"
        ops.append(op)
    if expire:
        ops.append("expire")
    return ops


def build(rng: random.Random, checkouts: list[int], events: int) -> tuple[list, dict]:
    """The actions in order: ("apply", reference, op) sets a change at Stripe, ("send",
    reference, kind) posts its event; duplicates are ("send", ..., "duplicate")."""
    subscribers = {}
    changes_total = max(len(checkouts), round(events / (1 + DUPLICATED)))
    per = [1] * len(checkouts)
    for _ in range(changes_total - len(checkouts)):
        per[rng.randrange(len(checkouts))] += 1
    now = datetime.now(UTC).replace(microsecond=0)
    for n, (checkout, changes) in enumerate(zip(checkouts, per, strict=True)):
        reference = f"sub_bench{n:06d}"
        sub = Subscriber(checkout=checkout, reference=reference, ops=plan_ops(rng, changes))
        periods = sum(1 for op in sub.ops if op in ("renew", "fail"))
        # The last period holds the present: it began 1-25 days ago.
        base = now - timedelta(days=rng.uniform(1, 25))
        for _ in range(periods):
            base = _sub_month(base)
        sub.base = base.replace(microsecond=0)
        subscribers[reference] = sub
    # Interleave: each subscriber's changes in its order, the subscribers shuffled.
    order = [ref for ref, sub in subscribers.items() for _ in sub.ops]
    rng.shuffle(order)
    taken = dict.fromkeys(subscribers, 0)
    changes = []
    for ref in order:
        changes.append((ref, subscribers[ref].ops[taken[ref]]))
        taken[ref] += 1
    # Each change: set at Stripe, then its event. A reordered one's event waits until
    # just after the subscriber's next event.
    last_of = {ref: position for position, (ref, _) in enumerate(changes)}
    eligible = sum(1 for p, (ref, op) in enumerate(changes) if op != "new" and p < last_of[ref])
    share = min(1.0, REORDERED * events / max(eligible, 1))
    actions: list[list] = []
    late: dict[str, list] = {}
    for position, (ref, op) in enumerate(changes):
        actions.append(["apply", ref, op])
        has_next = position < last_of[ref]
        if op != "new" and has_next and rng.random() < share:
            late.setdefault(ref, []).append(["send", ref, op, "reordered"])
            continue
        actions.append(["send", ref, op, ""])
        actions.extend(late.pop(ref, []))
    for held in late.values():
        actions.extend(held)
    # Duplicates: an event sent again 1-50 events later.
    sends = [a for a in actions if a[0] == "send"]
    extra = events - len(sends)
    for _ in range(max(extra, 0)):
        index = rng.randrange(len(actions))
        while actions[index][0] != "send":
            index = rng.randrange(len(actions))
        later = min(len(actions), index + 1 + rng.randrange(1, 100))
        actions.insert(later, ["send", actions[index][1], actions[index][2], "duplicate"])
    return actions, subscribers


def composition(actions: list) -> str:
    sends = [a for a in actions if a[0] == "send"]
    ops: dict[str, int] = {}
    for action in sends:
        if not action[3]:
            ops[action[2]] = ops.get(action[2], 0) + 1
    late = sum(1 for a in sends if a[3] == "reordered")
    again = sum(1 for a in sends if a[3] == "duplicate")
    kinds = ", ".join(f"{op} {count:,}" for op, count in sorted(ops.items()))
    return f"events: {len(sends):,} ({kinds}; reordered {late:,}; duplicated {again:,})\n"


def _sub_month(value: datetime) -> datetime:
    """One calendar month earlier (add_month's inverse, near enough for a start date)."""
    month = value.month - 1 or 12
    year = value.year - (value.month == 1)
    for day in range(value.day, 27, -1):
        try:
            return value.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return value.replace(year=year, month=month, day=min(value.day, 28))


def stripe_object(template: dict, sub: Subscriber) -> dict:
    start = sub.base
    for _ in range(sub.period):
        start = add_month(start)
    end = add_month(start)
    obj = copy.deepcopy(template)
    obj.pop("current_period_start", None)
    obj.pop("current_period_end", None)
    item = obj["items"]["data"][0]
    item.update(
        current_period_start=int(start.timestamp()),
        current_period_end=int(end.timestamp()),
        subscription=sub.reference,
    )
    item["price"].update(id=PRICE_ID, currency="gbp", unit_amount=999)
    item["plan"].update(id=PRICE_ID, currency="gbp", amount=999)
    obj.update(
        id=sub.reference,
        customer=f"cus_bench{sub.checkout}",
        metadata={"client_reference": f"CO-{sub.checkout}"},
        status=sub.status,
        cancel_at_period_end=sub.cancel,
        cancel_at=int(end.timestamp()) if sub.cancel else None,
        canceled_at=sub.ended_at,
        ended_at=sub.ended_at,
        start_date=int(sub.base.timestamp()),
        created=int(sub.base.timestamp()),
        currency="gbp",
        latest_invoice=None,
        trial_start=None,
        trial_end=None,
    )
    return obj


def apply(sub: Subscriber, op: str) -> None:
    if op in ("renew", "fail"):
        sub.period += 1
    if op == "cancel":
        sub.cancel = True
    elif op == "resume":
        sub.cancel = False
    elif op == "fail":
        sub.status = "past_due"
    elif op in ("renew", "pay"):
        sub.status = "active"
    elif op == "expire":
        sub.status, sub.cancel, sub.ended_at = "canceled", False, int(time.time())


EVENT_TYPE = {
    "new": "customer.subscription.created",
    "expire": "customer.subscription.deleted",
}


# -- the run -----------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=20.0, help="events offered per second")
    parser.add_argument("--outage", type=float, default=120.0, help="seconds; 0: none")
    parser.add_argument("--broker", choices=["redis", "embedded"], default=None)
    parser.add_argument(
        "--database",
        choices=["postgres", "sqlite"],
        default=None,
        help="the store's database (default: PostgreSQL when it answers, as in production)",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    broker = args.broker or ("redis" if redis_url() else "embedded")
    database = args.database or ("postgres" if postgres_url() else "sqlite")
    if args.events < args.subscribers:
        parser.error("--events must be at least --subscribers (one 'new' each)")
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible stream
    print("command: " + " ".join([sys.executable, *sys.argv]))
    print(
        f"{args.events:,} events over {args.subscribers:,} subscribers at {args.rate:g}/s, "
        f"outage {args.outage:g} s, broker {broker}, database {database}, "
        f"worker concurrency {args.concurrency}, seed {args.seed}\n",
        flush=True,
    )

    fake = FakeStripe(0, "", WEBHOOK_SECRET).start()
    template = json.loads((RECORDED / "subscription_active.json").read_text())
    settings = {
        "BILLING_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_API_BASE": fake.url,
        "STRIPE_BILLING_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }
    try:
        with (
            tempfile.TemporaryDirectory(prefix="subscription-bench-") as folder,
            Pipeline(Path(folder), broker=broker, database=database, settings=settings) as pipeline,
        ):
            checkouts = json.loads(
                pipeline._run("-c", SEED_SCRIPT, str(args.subscribers), PRICE_ID)
            )
            actions, subscribers = build(rng, checkouts, args.events)
            print(composition(actions), flush=True)
            pipeline.start_worker(concurrency=args.concurrency)
            pipeline.start_beat()
            web = pipeline.start_web(path="/subscribe/")
            result = stream(pipeline, fake, template, web, actions, subscribers, args)
            drained, drain_seconds = drain(pipeline)
            time.sleep(1)
            rows = json.loads(pipeline._run("-c", REPORT_SCRIPT))
            sandbox = requests.get(f"{pipeline.sandbox_url}/_sandbox/subscriptions", timeout=60)
            sandbox.raise_for_status()
            held = {s["user_id"]: s for s in sandbox.json()["subscriptions"]}
    finally:
        fake.stop()
    return report(args, result, subscribers, rows, held, drained, drain_seconds, fake)


def stream(pipeline, fake, template, web, actions, subscribers, args) -> dict:
    url = f"{web}/subscribe/stripe/webhook/"
    local = threading.local()
    answers: list[tuple[float, float, int]] = []  # sent, seconds, status
    lock = threading.Lock()
    # The last change of each subscriber: its index among the actions.
    for index, action in enumerate(actions):
        if action[0] == "apply":
            subscribers[action[1]].final_step = index

    def post(payload: str) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        sent = time.time()
        try:
            response = session.post(
                url,
                data=payload.encode(),
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": fake.sign(payload),
                },
                timeout=60,
            )
            status = response.status_code
        except requests.RequestException:
            status = 0
        with lock:
            answers.append((sent, time.time() - sent, status))

    outage_at = args.events // 2 if args.outage > 0 else None
    outage: dict[str, float] = {}
    sends = 0
    started = last_send = time.time()
    with ThreadPoolExecutor(SENDERS) as pool:
        for index, action in enumerate(actions):
            kind, ref = action[0], action[1]
            sub = subscribers[ref]
            # Paced at the next event's time: a change is set at Stripe just before it.
            time.sleep(max(0.0, started + sends / args.rate - time.time()))
            if kind == "apply":
                apply(sub, action[2])
                if index == sub.final_step:
                    sub.final_set = time.time()
                sub.object = stripe_object(template, sub)
                fake.subscription_set(sub.object)
                continue
            if outage_at is not None and sends == outage_at:
                requests.post(
                    f"{pipeline.sandbox_url}/_sandbox/faults",
                    json={"kind": "status", "status": 503, "endpoint": "user/*"},
                    timeout=10,
                ).raise_for_status()
                outage["start"] = time.time()
            if (
                "start" in outage
                and "end" not in outage
                and time.time() - outage["start"] >= args.outage
            ):
                pipeline.clear_faults()
                outage["end"] = time.time()
            event = fake.template("event")
            event.update(
                id=f"evt_bench{index:07d}",
                type=EVENT_TYPE.get(action[2], "customer.subscription.updated"),
                created=int(time.time()),
            )
            event["data"]["object"] = sub.object
            pool.submit(post, json.dumps(event))
            sends += 1
            last_send = time.time()
        if "start" in outage and "end" not in outage:
            time.sleep(max(0.0, outage["start"] + args.outage - time.time()))
            pipeline.clear_faults()
            outage["end"] = time.time()
    return {"answers": answers, "started": started, "finished": last_send, "outage": outage}


def drain(pipeline) -> tuple[bool, float]:
    started = time.monotonic()
    deadline = started + DRAIN_SECONDS
    while time.monotonic() < deadline:
        ((open_rows,),) = pipeline._query(OPEN_SQL)
        if open_rows == 0:
            return True, time.monotonic() - started
        for name in pipeline.processes:
            pipeline._check_alive(name)
        time.sleep(1)
    return False, time.monotonic() - started


def report(args, result, subscribers, rows, held, drained, drain_seconds, fake) -> int:
    answers = result["answers"]
    sending = result["finished"] - result["started"]
    accepted = sum(1 for _, _, status in answers if 200 <= status < 300)
    refused = len(answers) - accepted
    outage = result["outage"]
    down = (outage.get("start", 0.0), outage.get("end", 0.0))

    # While 7digital answers: from the last change's event to its confirmation, the
    # sandbox was up throughout. The others are the outage's, counted apart.
    lags, lags_before, lags_after, lags_outage, unconfirmed = [], [], [], [], 0
    held_already = 0
    # Where the lag after the outage went: the event to its sync row, the row to its
    # last send, that send to the confirmation; and the sends it took.
    to_row, to_send, to_confirm, attempts_after = [], [], [], []
    confirmed_times = []
    for ref, sub in subscribers.items():
        row = rows.get(ref)
        if row and row["confirmed_at"]:
            confirmed_times.append(row["confirmed_at"])
        if sub.final_set is None:
            continue
        if not row or row["sync_state"] != "confirmed" or not row["confirmed_at"]:
            unconfirmed += 1
            continue
        # Confirmed before the last change: that change left 7digital's state as it was
        # (a cancel and a resume both set before either's event was read): no wait.
        lag = max(0.0, row["confirmed_at"] - sub.final_set)
        held_already += row["confirmed_at"] < sub.final_set
        if sub.final_set <= down[1] and sub.final_set + lag >= down[0]:
            lags_outage.append(lag)
            continue
        lags.append(lag)
        (lags_before if sub.final_set < down[0] else lags_after).append(lag)
        if sub.final_set >= down[0] and row["created_at"] and row["created_at"] >= sub.final_set:
            to_row.append(row["created_at"] - sub.final_set)
            if row["sent_at"]:
                to_send.append(row["sent_at"] - row["created_at"])
                to_confirm.append(row["confirmed_at"] - row["sent_at"])
            attempts_after.append(row["attempts"])
    syncs_confirmed = sum(r["confirmed"] for r in rows.values())
    sync_rows = sum(r["syncs"] for r in rows.values())
    confirm_span = (max(confirmed_times) - result["started"]) if confirmed_times else 0

    drift, store_vs_stripe, missing = [], [], 0
    for ref in subscribers:
        row = rows.get(ref)
        final = fake.subscriptions.get(ref)
        if row is None:
            missing += 1
            continue
        expected_status = {"canceled": "ended"}.get(final["status"], final["status"])
        if (
            row["status"] != expected_status
            or row["cancel"] != final["cancel_at_period_end"]
            or row["period_end"] != final["items"]["data"][0]["current_period_end"]
        ):
            store_vs_stripe.append(ref)
        told, got = row["told"], held.get(row["partner_user_id"])
        if told is None or got is None:
            drift.append(ref)
            continue
        expiry = datetime.fromisoformat(got["expiryDate"].replace("Z", "+00:00"))
        if (got["planCode"], got["status"], int(expiry.timestamp())) != (
            told["planCode"],
            told["status"],
            told["expiryDate"],
        ):
            drift.append(ref)

    def seconds(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}"

    p95 = percentile(lags, 0.95)
    print(f"{'figure':<52} {'value':>12}")
    print("-" * 65)
    lines = [
        ("events offered", f"{len(answers):,}"),
        ("  answered 2xx / other", f"{accepted:,} / {refused:,}"),
        ("sending time, s", f"{sending:.1f}"),
        ("rate offered, events/s", f"{len(answers) / sending:.2f}"),
        ("rate sustained, events answered 2xx/s", f"{accepted / sending:.2f}"),
        (
            "webhook answer p50 / p95, s",
            f"{seconds(percentile([a[1] for a in answers], 0.5))}"
            f" / {seconds(percentile([a[1] for a in answers], 0.95))}",
        ),
        ("sync rows written / confirmed", f"{sync_rows:,} / {syncs_confirmed:,}"),
        ("sync rows tried more than once", f"{sum(r['retried'] for r in rows.values()):,}"),
        (
            "syncs confirmed/s (first event to last confirm)",
            f"{syncs_confirmed / confirm_span:.2f}" if confirm_span else "—",
        ),
        (
            f"lag p50 (7digital up throughout, n={len(lags)}), s",
            seconds(percentile(lags, 0.5)),
        ),
        ("lag p95, s", seconds(p95)),
        (
            f"  before the outage (n={len(lags_before)}) p50 / p95, s",
            f"{seconds(percentile(lags_before, 0.5))} / {seconds(percentile(lags_before, 0.95))}",
        ),
        (
            f"  after the outage (n={len(lags_after)}) p50 / p95, s",
            f"{seconds(percentile(lags_after, 0.5))} / {seconds(percentile(lags_after, 0.95))}",
        ),
        (
            f"    event -> row / row -> last send / send -> confirmed (n={len(to_row)}), p95 s",
            f"{seconds(percentile(to_row, 0.95))} / {seconds(percentile(to_send, 0.95))}"
            f" / {seconds(percentile(to_confirm, 0.95))}",
        ),
        (
            "    their newest row: sent once / more than once",
            f"{sum(1 for a in attempts_after if a <= 1)} / "
            f"{sum(1 for a in attempts_after if a > 1)}",
        ),
        (
            f"  overlapping the outage (n={len(lags_outage)}) p50 / p95, s",
            f"{seconds(percentile(lags_outage, 0.5))} / {seconds(percentile(lags_outage, 0.95))}",
        ),
        ("  newest sync not confirmed", f"{unconfirmed}"),
        ("  last change left 7digital's state as it was (lag 0)", f"{held_already}"),
        ("backlog drained / seconds after the stream", f"{drained} / {drain_seconds:.0f}"),
        ("drift: 7digital != store after the drain", f"{len(drift)}"),
        ("store != Stripe (webhook check)", f"{len(store_vs_stripe)} (+{missing} rows missing)"),
    ]
    for name, value in lines:
        print(f"{name:<52} {value:>12}")
    lag_ok = p95 is not None and p95 < 5 and unconfirmed == 0
    drift_ok = drained and not drift and not missing
    print()
    print(f"lag p95 < 5 s while 7digital answers: {'PASS' if lag_ok else 'FAIL'}")
    print(f"drift 0 after a {args.outage:g} s outage: {'PASS' if drift_ok else 'FAIL'}")
    if drift:
        print(f"  drifted (first 10): {', '.join(drift[:10])}")
    if store_vs_stripe:
        print(f"  store != Stripe (first 10): {', '.join(store_vs_stripe[:10])}")
    return 0 if lag_ok and drift_ok else 1


if __name__ == "__main__":
    sys.exit(main())
