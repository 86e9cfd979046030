"""Accounts and their 7digital partner users.

Every account acts at 7digital as one partner user (2-legged OAuth with ``userId``,
reference lines 6450-6474). The link is written with the account, then created at
7digital by a Celery task that retries until 7digital has it, so a sign-up during an
outage still succeeds and nothing is created twice: the id is ours and permanent,
and 7digital's "2003 user already exists" means an earlier attempt got through.

Features that act for a customer at 7digital (buying, the locker, streaming) go
through :func:`partner_user_ensure`, which answers the id once 7digital has it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import tasks
from accounts.exceptions import PartnerUserFailed, PartnerUserPending
from accounts.models import PartnerUser, User
from accounts.signals import account_closing
from integrations.sevendigital import get_client, is_transient
from integrations.tasks import task_queue_on_commit
from sevendigital import errors

logger = logging.getLogger(__name__)

# A pending link whose last attempt is older than this is queued again by the sweep
# (its task was lost with a broker, or ran out of retries during a long outage).
SWEEP_AFTER = timedelta(minutes=10)
ERROR_LENGTH = 500


def _queue_link(partner_user: PartnerUser) -> None:
    task_queue_on_commit(tasks.partner_user_link, partner_user.pk)


@transaction.atomic
def partner_user_create(*, user: User, country: str | None = None) -> PartnerUser:
    """The account's partner user, recorded now and created at 7digital after commit.

    Calling it again for the same account returns the same partner user.
    """
    partner_user, created = PartnerUser.objects.get_or_create(
        user=user,
        defaults={"country": country or user.country or settings.SEVENDIGITAL_COUNTRY},
    )
    if created:
        _queue_link(partner_user)
    return partner_user


def _record_attempt(partner_user: PartnerUser, *, state: str, error: str = "", **fields) -> None:
    """Count an attempt at 7digital and what came of it (a linked one stays linked)."""
    PartnerUser.objects.filter(pk=partner_user.pk).exclude(state=PartnerUser.State.LINKED).update(
        state=state,
        attempts=F("attempts") + 1,
        last_error=error[:ERROR_LENGTH],
        last_attempt_at=timezone.now(),
        **fields,
    )


def partner_user_link(*, partner_user_id: int) -> PartnerUser:
    """Create the partner user at 7digital unless it is linked already.

    Safe to run more than once and at once (two workers, a retry and the sweep):
    7digital answers 2003 to the second, which counts as linked. No lock is held
    while 7digital is asked. Raises :class:`PartnerUserPending` for failures that
    may pass (worth retrying) and :class:`PartnerUserFailed` for a refusal.
    """
    partner_user = PartnerUser.objects.get(pk=partner_user_id)
    if partner_user.state == PartnerUser.State.LINKED:
        return partner_user
    try:
        get_client().users.create(partner_user.partner_user_id, country=partner_user.country)
    except errors.AlreadyExists:
        pass  # an earlier attempt got through (its answer was lost), or another worker's
    except errors.SevenDigitalError as exc:
        error = str(exc) or exc.__class__.__name__
        if is_transient(exc):
            _record_attempt(partner_user, state=PartnerUser.State.PENDING, error=error)
            raise PartnerUserPending(str(exc)) from exc
        logger.error("7digital refused partner user %s: %s", partner_user, exc)
        _record_attempt(partner_user, state=PartnerUser.State.FAILED, error=error)
        raise PartnerUserFailed(str(exc)) from exc
    _record_attempt(partner_user, state=PartnerUser.State.LINKED, linked_at=timezone.now())
    partner_user.refresh_from_db()
    return partner_user


def partner_user_retry(*, partner_users) -> int:
    """Staff: queue the link again for these partner users (failed or pending ones)."""
    queued = 0
    for partner_user in partner_users:
        if partner_user.state == PartnerUser.State.LINKED:
            continue
        PartnerUser.objects.filter(pk=partner_user.pk, state=PartnerUser.State.FAILED).update(
            state=PartnerUser.State.PENDING
        )
        _queue_link(partner_user)
        queued += 1
    return queued


def partner_users_sweep(*, now=None) -> int:
    """Queue again every pending link not tried for a while, and give a partner user to
    every active account without one (made before accounts had them, or by a command):
    none is left behind. Returns how many were queued."""
    now = now or timezone.now()
    count = 0
    for user in User.objects.filter(partner_user__isnull=True, is_active=True).iterator():
        partner_user_create(user=user)
        count += 1
    stale = PartnerUser.objects.filter(state=PartnerUser.State.PENDING).filter(
        Q(last_attempt_at__isnull=True, created_at__lt=now - SWEEP_AFTER)
        | Q(last_attempt_at__lt=now - SWEEP_AFTER)
    )
    for partner_user in stale.iterator():
        _queue_link(partner_user)
        count += 1
    return count


def partner_user_ensure(*, user: User) -> str:
    """The partner user id to act for ``user`` at 7digital, created there if need be.

    Every feature that needs the partner user goes through here. An account without
    a link (one made with ``createsuperuser``) gets one. A link still pending is
    tried at once, so the customer need not wait for the queue; raises
    :class:`PartnerUserPending` while 7digital cannot be reached and
    :class:`PartnerUserFailed` when it refused.
    """
    partner_user = partner_user_create(user=user)
    if partner_user.state != PartnerUser.State.LINKED:
        try:
            partner_user_link(partner_user_id=partner_user.pk)
        finally:
            partner_user.refresh_from_db()  # user.partner_user is this instance
    return partner_user.partner_user_id


def account_update(*, user: User, first_name: str, last_name: str, country: str) -> User:
    """The customer's name and country (prices, availability, and 7digital's country)."""
    user.first_name, user.last_name, user.country = first_name, last_name, country
    user.save(update_fields=["first_name", "last_name", "country"])
    return user


def account_country_set(*, user: User, country: str) -> None:
    """The country the customer switched to in the header, kept with the account."""
    if user.country != country:
        user.country = country
        user.save(update_fields=["country"])


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Close the account and erase what identifies the customer.

    What the shop owes others is kept: the partner user (the opaque id under which
    7digital holds the customer's purchases, which labels are paid from and refunds
    refer to) and, in later features, orders and play logs, which carry no personal
    data once the account is anonymous. The email may sign up again as a new
    customer, with a new partner user.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    # Apps above end what the account had (a subscription: 7digital hears "expired").
    account_closing.send(sender=User, user=user)
    for session in UserSession.objects.filter(user=user):
        session.end()  # every browser where the account is signed in
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.first_name = user.last_name = user.country = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    logger.info("Account %s closed at the customer's request", user.pk)
