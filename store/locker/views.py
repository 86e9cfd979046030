"""The locker page and the downloads.

A download's own address (``/locker/download/...``) answers a GET with a page holding
its Download button, and a POST (CSRF-protected) with a 303 to a short-lived ticket for
the signed-in customer (``/locker/fetch/<ticket>/``, rules in ``services``): only a
ticket fetches bytes, so a link or an ``<img>`` on another site cannot spend one of the
customer's limited downloads.

The bytes are fetched server-side with a URL signed for the customer's own partner
user, so a guessed id can only reach what 7digital says that customer bought; they
stream through as they arrive (no buffering), ``Range`` passes both ways so an
interrupted download can resume, and 7digital's filename is kept. A HEAD is asked of
7digital as a HEAD and answers the headers a GET would have, with no body: it counts
nothing.
"""

from __future__ import annotations

import logging
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.selectors import partner_user_id_of
from integrations.country import visitor_country
from integrations.htmx import HtmxHttpRequest, render_page
from integrations.http import whole_number
from integrations.proxy import relay
from integrations.sevendigital import ID_MAX, get_uncached_client, is_transient
from sevendigital import errors

from . import selectors, services
from .services import DownloadTarget

logger = logging.getLogger(__name__)

PASSED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Accept-Ranges",
    "Content-Disposition",
)
RETRY_AFTER_SECONDS = 60


def _partner_user_id(request: HtmxHttpRequest) -> str | None:
    return partner_user_id_of(user=request.user)


def _problem(request: HtmxHttpRequest, title: str, message: str, status: int) -> HttpResponse:
    response = render(
        request,
        "locker/problem.html",
        {"title": title, "message": message},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def locker(request: HtmxHttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", selectors.DEFAULT_SORT)
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    partner_user_id = _partner_user_id(request)
    page_of = None
    if partner_user_id:
        try:
            page_of = selectors.locker_get(
                partner_user_id=partner_user_id,
                country=visitor_country(request),
                sort=sort,
                page=page,
            )
        except selectors.LockerUnavailable:
            return _problem(
                request,
                "Your locker is unavailable",
                "We cannot reach our music service just now. Your purchases are safe; "
                "please try again in a minute.",
                503,
            )
    entries = [
        {
            "entry": entry,
            "purchases": selectors.purchases_of(entry),
            "tracks": [
                {"bought": bought, "note": selectors.downloads_note(bought)}
                for bought in entry.tracks
            ],
        }
        for entry in (page_of.releases if page_of else ())
    ]
    response = render_page(
        request,
        "locker/locker.html",
        {"page": page_of, "entries": entries, "sort": sort, "sorts": selectors.SORTS},
    )
    response["Cache-Control"] = "private, no-store"
    return response


# A single byte range, as browsers and download managers send to resume. Anything else
# (several ranges, a suffix, a number of 5,000 digits) is ignored, as HTTP allows: the
# whole file is sent, and counted as the fresh download it is.
_SINGLE_RANGE = re.compile(r"bytes=([0-9]{1,18})-([0-9]{0,18})")


def _single_range(header: str | None) -> tuple[int, int | None] | None:
    match = _SINGLE_RANGE.fullmatch((header or "").strip())
    if not match:
        return None
    first, last = int(match[1]), int(match[2]) if match[2] else None
    if last is not None and last < first:
        return None
    return first, last


class HttpResponseSeeOther(HttpResponseRedirect):
    """After the POST, the browser GETs the ticket's address (and saves the file)."""

    status_code = 303


def _download_page(request: HtmxHttpRequest, target: DownloadTarget) -> HttpResponse:
    """What a GET of a download's address shows: its Download button. The GET never
    fetches the file, so no other site can spend a download with a link."""
    response = render(request, "locker/download.html", {"target": target})
    response["Cache-Control"] = "private, no-store"
    return response


def _download_issue(request: HtmxHttpRequest, target: DownloadTarget) -> HttpResponse:
    if request.method != "POST":
        return _download_page(request, target)
    ticket = services.download_ticket_issue(user=request.user, target=target)
    url = reverse("locker:fetch", args=[ticket])
    if request.htmx:  # a boosted form: a real navigation, which saves the file
        return HttpResponseClientRedirect(url)
    return HttpResponseSeeOther(url)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_track(request: HtmxHttpRequest, release_id: int, track_id: int, format_id: int):
    return _download_issue(
        request,
        DownloadTarget.track(release_id=release_id, track_id=track_id, format_id=format_id),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_release(request: HtmxHttpRequest, release_id: int):
    # Anything that is not a format id: the best format bought, as without one.
    format_id = whole_number(request.GET.get("format"), maximum=ID_MAX)
    return _download_issue(
        request, DownloadTarget.release(release_id=release_id, format_id=format_id)
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def download_purchase(request: HtmxHttpRequest, purchase_id: int):
    return _download_issue(request, DownloadTarget.purchase(purchase_id=purchase_id))


@login_required
@require_safe
def fetch(request: HtmxHttpRequest, ticket: str) -> HttpResponse:
    """The bytes of the download a ticket names (see ``services`` for the rules)."""
    head = request.method == "HEAD"
    wanted = _single_range(request.headers.get("Range"))
    # 7digital counts a GET whose body starts at byte 0; a resume from later, or a HEAD,
    # counts nothing (what the sandbox does; the reference is silent).
    starts = not head and (wanted is None or wanted[0] == 0)
    partner_user_id = _partner_user_id(request)
    if partner_user_id is None:
        return _problem(request, "Not in your locker", "You have no purchases yet.", 404)
    try:
        redeemed = services.download_ticket_redeem(user=request.user, ticket=ticket, starts=starts)
    except services.TicketInvalid:
        return _problem(request, "No such download", "That download link is not valid.", 404)
    except services.TicketRefused as refused:
        used = isinstance(refused, services.TicketUsed)
        response = render(
            request,
            "locker/download.html",
            {"target": refused.target, "used": used, "expired": not used},
            status=410,
        )
        response["Cache-Control"] = "private, no-store"
        return response
    client = get_uncached_client()
    passed_range = None
    if wanted is not None:
        first, last = wanted
        passed_range = f"bytes={first}-{'' if last is None else last}"
    try:
        upstream = client.media.open(
            redeemed.target.media_request(client.media, partner_user_id, visitor_country(request)),
            range=passed_range,
            method="HEAD" if head else "GET",
        )
    except errors.SevenDigitalError as exc:
        services.download_ticket_release(ticket=redeemed)
        return _refused(request, exc)
    return relay(request, upstream, passed_headers=PASSED_HEADERS)


def _refused(request: HtmxHttpRequest, exc: errors.SevenDigitalError) -> HttpResponse:
    if isinstance(exc, errors.ResourceError):  # 2002 no licences; a HEAD's bare 403/404
        return _problem(
            request,
            "This download is not available",
            "It is not in your locker, it has been refunded or withdrawn, or you have used "
            "every download of it. If you think this is wrong, please contact us.",
            404,
        )
    if isinstance(exc, errors.InvalidInput):
        return _problem(request, "No such download", "That download link is not valid.", 400)
    logger.warning("Download unavailable: %r", exc)
    response = _problem(
        request,
        "Downloads are unavailable just now",
        "We cannot reach our music service. Nothing was used up; please try again in a minute.",
        503 if is_transient(exc) else 502,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
