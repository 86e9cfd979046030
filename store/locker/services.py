"""Download tickets: the only URLs that fetch a purchased download's bytes.

Why tickets. Downloads are limited (the licensor allows a few per track) and the
customer's cookies are ``SameSite=Lax``, so any GET URL that fetched bytes with those
cookies could be spent by another site: a link, an ``<img src>``, a prefetch. So the
download buttons POST (CSRF-protected) to the download's own address, which issues a
ticket and redirects (303) to ``/locker/fetch/<ticket>/``; a GET of the download's
address (a bookmark, a link in an email, another site) only shows a page with the
button.

A ticket is a ``django.core.signing`` token (a TimestampSigner: HMAC with the
SECRET_KEY, so it cannot be forged or guessed) carrying the customer's user id, the
download and a random nonce. It is honoured only for that customer, and:

* it **starts** a download (a GET from byte 0: no ``Range``, or one from the first
  byte, which 7digital counts) once, and only within ``START_SECONDS`` of being issued;
* it **continues** one (a ``Range`` from a later byte, which 7digital does not count:
  an interrupted download resumed by the browser or a download manager, which re-asks
  the same URL) and answers ``HEAD`` (counts nothing) for ``RESUME_SECONDS``.

One-time for what counts, reusable for what does not: a strictly one-time URL would
refuse the browser's own resume of the download it started, and a resume refused means
starting again, which spends another download. The longer window for continuations
gives away nothing an attacker could use (the ticket is bound to the customer and
secret) and lets a download interrupted by a laptop's sleep still resume.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sevendigital.resources.media import Media, MediaRequest

from .models import DownloadTicketUse

SALT = "store.locker.download-ticket"
START_SECONDS = 5 * 60
RESUME_SECONDS = 60 * 60
TICKET_MAX_LENGTH = 1000  # a real ticket is about 150 characters

Kind = Literal["track", "release", "purchase"]


@dataclass(frozen=True)
class DownloadTarget:
    """What a download fetches: one track in one format, a release's ZIP (in a format,
    or the best bought when ``format_id`` is None) or a purchase's ZIP."""

    kind: Kind
    ids: tuple[int | None, ...]

    @classmethod
    def track(cls, *, release_id: int, track_id: int, format_id: int) -> DownloadTarget:
        return cls("track", (release_id, track_id, format_id))

    @classmethod
    def release(cls, *, release_id: int, format_id: int | None) -> DownloadTarget:
        return cls("release", (release_id, format_id))

    @classmethod
    def purchase(cls, *, purchase_id: int) -> DownloadTarget:
        return cls("purchase", (purchase_id,))

    @classmethod
    def from_json(cls, value: Any) -> DownloadTarget | None:
        shapes = {"track": (False, False, False), "release": (False, True), "purchase": (False,)}
        if not isinstance(value, list) or not value or value[0] not in shapes:
            return None
        kind, ids = value[0], tuple(value[1:])
        optional = shapes[kind]
        if len(ids) != len(optional):
            return None
        for id_, may_be_none in zip(ids, optional, strict=True):
            if id_ is None and may_be_none:
                continue
            if type(id_) is not int or id_ < 1:
                return None
        return cls(kind, ids)

    def to_json(self) -> list[Any]:
        return [self.kind, *self.ids]

    def media_request(self, media: Media, user: str, country: str) -> MediaRequest:
        build: dict[str, Callable[[], MediaRequest]] = {
            "track": lambda: media.download_track(
                user,
                release_id=self.ids[0],
                track_id=self.ids[1],
                format_id=self.ids[2],
                country=country,
            ),
            "release": lambda: media.download_release(
                user, release_id=self.ids[0], format_id=self.ids[1], country=country
            ),
            "purchase": lambda: media.download_purchase(
                user, purchase_id=self.ids[0], country=country
            ),
        }
        return build[self.kind]()

    @property
    def url(self) -> str:
        """The download's own address: a GET shows its Download button, a POST issues
        a ticket."""
        if self.kind == "release":
            release_id, format_id = self.ids
            url = reverse("locker:download_release", args=[release_id])
            return f"{url}?format={format_id}" if format_id else url
        return reverse(f"locker:download_{self.kind}", args=list(self.ids))

    @property
    def label(self) -> str:
        return {
            "track": "your track",
            "release": "the release (ZIP)",
            "purchase": f"purchase {self.ids[0]} (ZIP)",
        }[self.kind]


class TicketRefused(Exception):
    """The ticket cannot fetch anything for this customer now; ``target`` is what it
    was for, when the customer may be told (their own ticket)."""

    def __init__(self, reason: str, target: DownloadTarget | None = None) -> None:
        super().__init__(reason)
        self.target = target


class TicketInvalid(TicketRefused):
    """Not a ticket of ours, altered, or another customer's: nothing to say about it."""


class TicketExpired(TicketRefused):
    """The customer's own ticket, too old for what was asked."""


class TicketUsed(TicketRefused):
    """The customer's own ticket, which has already started its download."""


@dataclass(frozen=True)
class Ticket:
    target: DownloadTarget
    nonce: str
    started: bool  # this request starts the download (and used the ticket up)


def download_ticket_issue(*, user, target: DownloadTarget) -> str:
    """A new ticket for ``user`` to fetch ``target``; also forgets tickets too old to
    start a download, which need no record any more."""
    DownloadTicketUse.objects.filter(
        started_at__lt=timezone.now() - timedelta(seconds=START_SECONDS)
    ).delete()
    payload = {"u": str(user.pk), "t": target.to_json(), "n": secrets.token_urlsafe(12)}
    return signing.dumps(payload, salt=SALT, compress=True)


def download_ticket_redeem(*, user, ticket: str, starts: bool) -> Ticket:
    """The download ``ticket`` fetches for ``user``. ``starts`` when the request counts
    (a GET from byte 0): then the ticket must be fresh and unused, and is used up."""
    if len(ticket) > TICKET_MAX_LENGTH:
        raise TicketInvalid("too long to be a ticket")
    try:
        payload = signing.loads(ticket, salt=SALT)  # the signature, whatever the age
    except signing.BadSignature:
        raise TicketInvalid("not a ticket of ours") from None
    if not isinstance(payload, dict) or payload.get("u") != str(user.pk):
        raise TicketInvalid("another customer's ticket")
    target = DownloadTarget.from_json(payload.get("t"))
    nonce = payload.get("n")
    if target is None or not isinstance(nonce, str) or not 0 < len(nonce) <= 32:
        raise TicketInvalid("not a ticket this shop issues")
    try:
        signing.loads(ticket, salt=SALT, max_age=START_SECONDS if starts else RESUME_SECONDS)
    except signing.SignatureExpired:
        raise TicketExpired("too old", target) from None
    if starts:
        # get_or_create is safe under a race: two requests cannot both create the row.
        _, created = DownloadTicketUse.objects.get_or_create(
            nonce=nonce, defaults={"started_at": timezone.now()}
        )
        if not created:
            raise TicketUsed("already started its download", target)
    return Ticket(target=target, nonce=nonce, started=starts)


def download_ticket_release(*, ticket: Ticket) -> None:
    """Give a ticket back its start: 7digital refused the download or could not be
    reached, so nothing was counted, and reloading the page may try again."""
    if ticket.started:
        DownloadTicketUse.objects.filter(nonce=ticket.nonce).delete()
