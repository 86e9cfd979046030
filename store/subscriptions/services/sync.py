"""Telling 7digital every subscription change, without a gap and without losing one.

Every change is written first (``subscription_changed``: a :class:`SubscriptionSync`
row in the caller's transaction) and sent from there by a task after commit, so a crash
or an outage loses nothing: the minute's sweep queues what is due again.

Sending is safe to repeat: ``POST user/unlimitedStreaming`` sets the whole state, and
the state is computed when it is sent (``seven_digital_state``), so only the newest
row is ever sent and older open rows become ``superseded``. As with delivery's
``outcome_unknown``, the row is marked and committed before 7digital is called (no
network call inside a transaction); a worker that dies there leaves a row the sweep
sends again once its claim lapses. A POST is then confirmed with a GET: level and
expiry must be what was sent.

Retry policy: a failure that may pass (``is_transient``: connection, timeout, 5xx,
7xxx/9xxx) puts the row back to ``pending`` with ``next_attempt_at`` growing
exponentially (``SUBSCRIPTION_SYNC_RETRY_BASE_SECONDS`` x 2^(attempts-1), capped at
``SUBSCRIPTION_SYNC_RETRY_MAX_SECONDS``, with jitter so that a recovering 7digital is
not met by every row at once), and it is never given up. A refusal (1xxx, or a state
the client's own checks refuse) would be refused again: the row is ``failed`` and an
event tells staff why, who can "sync now" once it is put right.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.exceptions import PartnerUserFailed, PartnerUserPending
from accounts.models import PartnerUser
from accounts.services import partner_user_ensure
from integrations.sevendigital import get_sender_client, get_uncached_client, is_transient
from integrations.tasks import task_queue, task_queue_on_commit
from sevendigital import errors
from sevendigital.resources.subscription_rules import check_update, iso
from store.checkout.gateways import PaymentError
from store.subscriptions import tasks
from store.subscriptions.models import Subscription, SubscriptionEvent, SubscriptionSync
from store.subscriptions.selectors import gives_offline

from .state import ROLL_AHEAD, expected_level, seven_digital_state

logger = logging.getLogger(__name__)

State = SubscriptionSync.State
ERROR_LENGTH = 2000


# -- writing a change ------------------------------------------------------------------


def _partner_user_copy(subscription: Subscription) -> None:
    """Keep the partner user id on the row, so it can be sent after the account is gone."""
    if subscription.partner_user_id or subscription.user_id is None:
        return
    partner_id = (
        PartnerUser.objects.filter(user_id=subscription.user_id)
        .values_list("partner_user_id", flat=True)
        .first()
    )
    if partner_id:
        subscription.partner_user_id = partner_id
        Subscription.objects.filter(pk=subscription.pk).update(partner_user_id=partner_id)


def _sync_request(
    subscription: Subscription, *, due: datetime | None = None, queue: bool = True
) -> SubscriptionSync:
    Subscription.objects.filter(pk=subscription.pk).update(sync_version=F("sync_version") + 1)
    subscription.sync_version = Subscription.objects.values_list("sync_version", flat=True).get(
        pk=subscription.pk
    )
    _partner_user_copy(subscription)
    now = timezone.now()
    sync = SubscriptionSync.objects.create(
        subscription=subscription,
        version=subscription.sync_version,
        state=State.PENDING,
        created_at=now,
        next_attempt_at=max(due or now, now),
    )
    if queue and sync.next_attempt_at <= now:
        task_queue_on_commit(tasks.subscription_sync_send, sync.pk)
    return sync


@transaction.atomic
def subscription_changed(
    *, subscription: Subscription, kind: str, message: str, data: dict | None = None
) -> SubscriptionSync:
    """Record a change 7digital must hear of, in the caller's transaction: bump the
    version, write the event and a pending sync, and queue its sending on commit."""
    SubscriptionEvent.objects.create(
        subscription=subscription, kind=kind, message=message, data=data or {}
    )
    return _sync_request(subscription)


# -- sending ---------------------------------------------------------------------------


def _lease() -> timedelta:
    return timedelta(seconds=settings.SUBSCRIPTION_SYNC_LEASE_SECONDS)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: between half and all of base x 2^(attempts-1)."""
    base = settings.SUBSCRIPTION_SYNC_RETRY_BASE_SECONDS
    ceiling = min(settings.SUBSCRIPTION_SYNC_RETRY_MAX_SECONDS, base * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 (jitter)


def _words(exc: BaseException) -> str:
    if isinstance(exc, errors.SevenDigitalError):
        return f"7digital answered {exc.code}: {exc}" if exc.code else f"7digital: {exc}"
    return str(exc) or exc.__class__.__name__


def _finish(sync_id: int, **changes: Any) -> SubscriptionSync | None:
    """Record an attempt's outcome, unless a newer change took the row over meanwhile."""
    with transaction.atomic():
        sync = SubscriptionSync.objects.select_for_update().get(pk=sync_id)
        if sync.state not in SubscriptionSync.OPEN:
            # Superseded while we waited for 7digital: the newest row is sent next.
            newest = _open_rows(sync.subscription_id).first()
            if newest is not None:
                task_queue_on_commit(tasks.subscription_sync_send, newest.pk)
            return sync
        for name, value in changes.items():
            setattr(sync, name, value)
        sync.claimed_until = None
        sync.save()
        if sync.state == State.FAILED:
            SubscriptionEvent.objects.create(
                subscription_id=sync.subscription_id,
                kind="sync-failed",
                message=f"7digital was not told of change {sync.version}: {sync.error}",
                data={"sync": sync.pk, "sent": sync.sent},
            )
        elif sync.state == State.CONFIRMED and _roll_schedule(sync):
            return sync  # nothing else was open; the next window is on its way
        if sync.state != State.PENDING:
            # A change written while this one was at 7digital waited for it: send it now.
            newer = _open_rows(sync.subscription_id).exclude(pk=sync.pk).first()
            if newer is not None and (
                newer.next_attempt_at is None or newer.next_attempt_at <= timezone.now()
            ):
                task_queue_on_commit(tasks.subscription_sync_send, newer.pk)
    return sync


def _retry_later(
    sync_id: int, error: str, *, count: bool = True, **changes: Any
) -> SubscriptionSync | None:
    """Back to ``pending``, due after the backoff (``attempts`` was counted at the claim)."""
    sync = SubscriptionSync.objects.get(pk=sync_id)
    attempts = sync.attempts + (1 if count else 0)
    return _finish(
        sync_id,
        state=State.PENDING,
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        error=error[:ERROR_LENGTH],
        **changes,
    )


def _open_rows(subscription_id: int):
    return SubscriptionSync.objects.filter(
        subscription_id=subscription_id, state__in=SubscriptionSync.OPEN
    ).order_by("-version", "-pk")


def _partner_user_id(subscription: Subscription) -> str:
    """The partner user to send for, created at 7digital first (user/create must come
    before, reference line 6451); raises PartnerUserPending / PartnerUserFailed."""
    if subscription.user_id is not None:
        partner = PartnerUser.objects.filter(user_id=subscription.user_id).first()
        if partner is None or partner.state != PartnerUser.State.LINKED:
            partner_user_ensure(user=subscription.user)
            partner = PartnerUser.objects.get(user_id=subscription.user_id)
            if partner.state != PartnerUser.State.LINKED:
                raise PartnerUserPending(partner.last_error or "not linked yet")
        if subscription.partner_user_id != partner.partner_user_id:
            Subscription.objects.filter(pk=subscription.pk).update(
                partner_user_id=partner.partner_user_id
            )
        return partner.partner_user_id
    if subscription.partner_user_id:
        return subscription.partner_user_id  # the account is gone; 7digital has the user
    raise PartnerUserFailed("the subscription has neither an account nor a partner user")


def _claim(subscription_id: int, now: datetime) -> SubscriptionSync | None:
    """Take the subscription's newest open row, supersede the older ones, and mark it
    ``outcome_unknown`` until ``claimed_until``; None when nothing is to be sent now."""
    with transaction.atomic():
        Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        rows = list(_open_rows(subscription_id).select_for_update())
        if not rows:
            return None
        newest, older = rows[0], rows[1:]
        if any(row.claimed_until and row.claimed_until > now for row in rows):
            return None  # another attempt is under way; its end (or the sweep) sends next
        if older:
            # Only the newest state is sent; it is due as soon as any it replaces was.
            due = [row.next_attempt_at for row in rows if row.next_attempt_at]
            newest.next_attempt_at = min(due) if due else None
            SubscriptionSync.objects.filter(pk__in=[row.pk for row in older]).update(
                state=State.SUPERSEDED, claimed_until=None
            )
        if newest.next_attempt_at and newest.next_attempt_at > now:
            newest.save(update_fields=["next_attempt_at"])
            return None
        newest.state = State.OUTCOME_UNKNOWN
        newest.attempts += 1
        newest.claimed_until = now + _lease()
        newest.sent_at = now
        newest.save()
    return newest


def subscription_sync_send(*, sync_id: int) -> SubscriptionSync | None:
    """Send the newest state of ``sync_id``'s subscription to 7digital and confirm it."""
    found = SubscriptionSync.objects.filter(pk=sync_id).select_related("subscription").first()
    if found is None or found.state not in SubscriptionSync.OPEN:
        return found
    subscription = found.subscription
    try:
        partner_id = _partner_user_id(subscription)
    except PartnerUserPending as exc:
        newest = _open_rows(subscription.pk).first()
        if newest is None:
            return None
        return _retry_later(newest.pk, f"the partner user is not created yet: {exc}")
    except PartnerUserFailed as exc:
        newest = _open_rows(subscription.pk).first()
        if newest is None:
            return None
        return _finish(newest.pk, state=State.FAILED, error=f"no partner user: {exc}")

    now = timezone.now()
    sync = _claim(subscription.pk, now)
    if sync is None:
        return None
    subscription.refresh_from_db()
    try:
        state = seven_digital_state(subscription, now=now)
        postcode = state.pop("postcode")
        sent = dict(check_update(**state, now=now))
    except (ValueError, PaymentError) as exc:
        logger.error("Subscription %s cannot be told to 7digital: %s", subscription.pk, exc)
        return _finish(sync.pk, state=State.FAILED, error=f"the shop's state breaks a rule: {exc}")
    sent["postcode"] = postcode
    SubscriptionSync.objects.filter(pk=sync.pk).update(sent=sent)

    client = get_sender_client()  # the row's backoff is the retry
    try:
        posted = client.subscriptions.update(partner_id, **state, postcode=postcode, now=now)
        got = client.subscriptions.get(partner_id, country=state["country"])
    except ValueError as exc:
        return _finish(sync.pk, state=State.FAILED, error=f"the client refused it: {exc}")
    except errors.SevenDigitalError as exc:
        if is_transient(exc):
            logger.warning("7digital away for subscription %s: %r", subscription.pk, exc)
            return _retry_later(sync.pk, _words(exc), count=False)
        logger.error("7digital refused subscription %s: %r", subscription.pk, exc)
        return _finish(sync.pk, state=State.FAILED, error=_words(exc))

    answer = {
        "post": {"level": posted.level, "expiry_date": _iso(posted.expiry_date)},
        "get": {"level": got.level, "expiry_date": _iso(got.expiry_date)},
    }
    mismatch = _mismatch(state, got, now=now)
    if mismatch:
        # Another writer, or a 7digital that lost it: sent again after the backoff.
        return _retry_later(
            sync.pk, f"7digital's GET disagrees: {mismatch}", count=False, answer=answer
        )
    confirmed = _finish(
        sync.pk, state=State.CONFIRMED, confirmed_at=timezone.now(), answer=answer, error=""
    )
    if subscription.user_id and not gives_offline(subscription, now=timezone.now()):
        # No premium access any more (a downgrade, an expiry): its offline devices go.
        task_queue_on_commit(tasks.offline_devices_disable, subscription.user_id)
    return confirmed


def _iso(value: datetime | None) -> str | None:
    return iso(value) if value else None


def _mismatch(state: dict[str, Any], got, *, now: datetime) -> str:
    """Words for how 7digital's answer differs from ``state``, or "" when it agrees."""
    level, expiry = expected_level(state), state["expiry_date"]
    said = f"{got.level} until {_iso(got.expiry_date) or 'never'}"
    if got.level != level:
        return f"7digital said {said}, the shop says {level} until {iso(expiry)}"
    if state["status"] == "expired":
        # 7digital ends access at once: it keeps the smaller of expiryDate and its now.
        if got.expiry_date is None or got.expiry_date > expiry or got.has_access(now):
            return f"7digital said {said}, the shop says {level}, expired at {iso(expiry)}"
        return ""
    if got.expiry_date != expiry:
        return f"7digital said {said}, the shop says {level} until {iso(expiry)}"
    return ""


def subscription_syncs_sweep(*, now: datetime | None = None) -> list[int]:
    """Queue every subscription whose change is due: pending past its next attempt, or
    sent by a worker whose claim lapsed (it died, or the broker lost its task)."""
    now = now or timezone.now()
    due = (
        SubscriptionSync.objects.filter(
            Q(state=State.PENDING, next_attempt_at__isnull=True)
            | Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state__in=(State.SENDING, State.OUTCOME_UNKNOWN))
            & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        )
        .order_by("subscription_id", "-version")
        .values_list("subscription_id", "pk")[:5000]
    )
    queued: dict[int, int] = {}
    for subscription_id, pk in due:
        queued.setdefault(subscription_id, pk)
    for pk in queued.values():
        # After the fresh changes: an outage's backlog must not hold them up.
        task_queue(tasks.subscription_sync_send, pk, backlog=True)
    return list(queued.values())


def subscription_sync_now(*, subscriptions) -> int:
    """Staff: send these subscriptions to 7digital again (after a refusal was put right,
    or to be sure)."""
    count = 0
    for subscription in subscriptions:
        subscription_changed(
            subscription=subscription, kind="sync-now", message="Staff asked to send it again."
        )
        count += 1
    return count


# -- monthly windows -------------------------------------------------------------------


ROLL_WITHIN = timedelta(days=3)


def _roll_due(subscription: Subscription, now: datetime) -> datetime | None:
    """When the next monthly window must be told, if 7digital's window ends before the
    subscription's period does (yearly plans, long trials)."""
    if subscription.status == Subscription.Status.ENDED:
        return None
    ends = seven_digital_state(subscription, now=now)["expiry_date"]
    if ends >= subscription.current_period_end.replace(microsecond=0) or ends <= now:
        return None
    due = max(ends - ROLL_AHEAD + timedelta(minutes=1), now)
    if seven_digital_state(subscription, now=due)["expiry_date"] <= ends:
        return None  # nothing new to tell then (a trial's end is the gateway's to tell)
    return due


def _roll_schedule(sync: SubscriptionSync) -> bool:
    """After a confirmed window, write the next one, due shortly before it ends (when
    that is within ``ROLL_WITHIN``; later ones are found by ``subscriptions_roll``)."""
    subscription = Subscription.objects.select_related("plan").get(pk=sync.subscription_id)
    now = timezone.now()
    try:
        due = _roll_due(subscription, now)
    except (ValueError, PaymentError):
        return False  # was sent just now; the daily roll logs it
    if due is None or due > now + ROLL_WITHIN or _open_rows(subscription.pk).exists():
        return False
    _sync_request(subscription, due=due)
    return True


def subscriptions_roll(*, now: datetime | None = None) -> int:
    """Beat, daily: request the next monthly window for every live subscription whose
    window at 7digital ends within 3 days while its period goes on, so that 7digital
    never sees it expire early. Returns how many were requested."""
    now = now or timezone.now()
    count = 0
    live = Subscription.objects.exclude(status=Subscription.Status.ENDED).filter(
        current_period_end__gt=now
    )
    for subscription in live.select_related("plan").iterator():
        try:
            due = _roll_due(subscription, now)
        except (ValueError, PaymentError):
            logger.exception("Subscription %s cannot be rolled", subscription.pk)
            continue
        if due is None or due > now + ROLL_WITHIN:
            continue
        with transaction.atomic():
            if _open_rows(subscription.pk).exists():
                continue  # a change on its way is computed when sent
            SubscriptionEvent.objects.create(
                subscription=subscription,
                kind="roll",
                message=f"The next month is told to 7digital from {iso(due)}.",
            )
            _sync_request(subscription, due=due)
        count += 1
    logger.info("Subscriptions rolled to their next month: %s", count)
    return count


# -- reconciliation --------------------------------------------------------------------

RECENT = timedelta(days=2)


def subscriptions_reconcile(
    *, now: datetime | None = None, sample: int | None = None
) -> dict[str, int]:
    """Beat, daily: ask 7digital about every subscription changed in the last 2 days and
    a random sample of the others, and repair each that differs (level, or expiry to
    the second) by sending it again. Subscriptions with a change on its way are left to
    it. Returns the counts, also logged."""
    now = (now or timezone.now()).replace(microsecond=0)
    sample = settings.SUBSCRIPTIONS_RECONCILE_SAMPLE if sample is None else sample
    known = Subscription.objects.exclude(partner_user_id="").exclude(
        syncs__state__in=SubscriptionSync.OPEN
    )
    recent = list(known.filter(updated_at__gte=now - RECENT).values_list("pk", flat=True))
    others = list(known.exclude(pk__in=recent).order_by("?").values_list("pk", flat=True)[:sample])
    counts = {"checked": 0, "drifted": 0, "repaired_queued": 0, "unreachable": 0}
    client = get_uncached_client()
    for pk in [*recent, *others]:
        subscription = Subscription.objects.select_related("plan").get(pk=pk)
        try:
            state = seven_digital_state(subscription, now=now)
        except (ValueError, PaymentError):
            logger.exception("Subscription %s cannot be reconciled", pk)
            continue
        try:
            got = client.subscriptions.get(subscription.partner_user_id, country=state["country"])
        except errors.NotFound as exc:
            got, drift = None, f"7digital does not know the user ({exc.code})"
        except errors.SevenDigitalError as exc:
            if not is_transient(exc):
                logger.error("Reconciling subscription %s: %r", pk, exc)
            counts["unreachable"] += 1
            continue
        counts["checked"] += 1
        if got is not None:
            drift = _mismatch(state, got, now=now)
        if not drift:
            continue
        counts["drifted"] += 1
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=pk)
            if _open_rows(pk).exists():
                continue  # changed meanwhile: that change is on its way
            subscription_changed(
                subscription=locked,
                kind="drift",
                message=f"Reconciliation: {drift}. Sent again.",
                data={"sent": None, "said": _said(got)},
            )
        counts["repaired_queued"] += 1
    logger.info(
        "Subscriptions reconciled with 7digital: %(checked)s checked, %(drifted)s drifted, "
        "%(repaired_queued)s repairs queued, %(unreachable)s not reached",
        counts,
    )
    return counts


def _said(got) -> dict | None:
    if got is None:
        return None
    return {"level": got.level, "expiry_date": _iso(got.expiry_date)}


# -- accounts closing ------------------------------------------------------------------


@transaction.atomic
def subscription_account_closed(*, user) -> Subscription | None:
    """The account is closing: end its subscription now and tell 7digital ``expired``
    (the row keeps the partner user id, so it is sent after the account is gone)."""
    subscription = Subscription.objects.select_for_update().filter(user=user).first()
    if subscription is None:
        return None
    _partner_user_copy(subscription)
    if subscription.status == Subscription.Status.ENDED:
        return subscription
    now = timezone.now()
    subscription.status = Subscription.Status.ENDED
    subscription.ended_at = now
    subscription.cancel_at_period_end = False
    subscription.save(update_fields=["status", "ended_at", "cancel_at_period_end", "updated_at"])
    subscription_changed(
        subscription=subscription,
        kind="account-closed",
        message="The customer closed their account: the subscription ended at once.",
    )
    return subscription
