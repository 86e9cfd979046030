"""The locker page and the download proxy.

Downloads are fetched server-side with a URL signed for the signed-in customer's own
partner user, so a guessed id can only reach what 7digital says that customer bought;
the bytes stream through as they arrive (no buffering), ``Range`` passes both ways so
an interrupted download can resume, and 7digital's filename is kept.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import PartnerUser
from sevendigital import errors
from store.catalogue.country import visitor_country
from store.integrations.http import whole_number
from store.integrations.proxy import relay
from store.integrations.sevendigital import ID_MAX, get_uncached_client, is_transient

from . import selectors

logger = logging.getLogger(__name__)

PASSED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Accept-Ranges",
    "Content-Disposition",
)
RETRY_AFTER_SECONDS = 60


def _partner_user_id(request: HttpRequest) -> str | None:
    link = PartnerUser.objects.filter(user=request.user, state=PartnerUser.State.LINKED).first()
    return link.partner_user_id if link else None


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
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
def locker(request: HttpRequest) -> HttpResponse:
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
    response = render(
        request,
        "locker/locker.html",
        {"page": page_of, "entries": entries, "sort": sort, "sorts": selectors.SORTS},
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _proxy(request: HttpRequest, build) -> HttpResponse:
    partner_user_id = _partner_user_id(request)
    if partner_user_id is None:
        return _problem(request, "Not in your locker", "You have no purchases yet.", 404)
    client = get_uncached_client()
    try:
        upstream = client.media.open(
            build(client.media, partner_user_id, visitor_country(request)),
            range=request.headers.get("Range"),
        )
    except errors.NotAvailable:
        return _problem(
            request,
            "This download is not available",
            "It is not in your locker, it has been refunded or withdrawn, or you have used "
            "every download of it. If you think this is wrong, please contact us.",
            404,
        )
    except errors.InvalidInput:
        return _problem(request, "No such download", "That download link is not valid.", 400)
    except errors.SevenDigitalError as exc:
        logger.warning("Download unavailable: %r", exc)
        response = _problem(
            request,
            "Downloads are unavailable just now",
            "We cannot reach our music service. Nothing was used up; please try again in a minute.",
            503 if is_transient(exc) else 502,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return relay(request, upstream, passed_headers=PASSED_HEADERS)


@login_required
@require_safe
def download_track(request: HttpRequest, release_id: int, track_id: int, format_id: int):
    return _proxy(
        request,
        lambda media, user, country: media.download_track(
            user, track_id=track_id, release_id=release_id, format_id=format_id, country=country
        ),
    )


@login_required
@require_safe
def download_release(request: HttpRequest, release_id: int):
    # Anything that is not a format id: the best format bought, as without one.
    format_id = whole_number(request.GET.get("format"), maximum=ID_MAX)
    return _proxy(
        request,
        lambda media, user, country: media.download_release(
            user, release_id=release_id, format_id=format_id, country=country
        ),
    )


@login_required
@require_safe
def download_purchase(request: HttpRequest, purchase_id: int):
    return _proxy(
        request,
        lambda media, user, country: media.download_purchase(
            user, purchase_id=purchase_id, country=country
        ),
    )
