"""The public playlist pages: ``/playlists/`` and ``/playlists/<id>/`` (issue 20)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from integrations.htmx import HtmxHttpRequest, render_page
from integrations.http import whole_number
from store.playlists import selectors

MAX_PAGE = 1000


@require_safe
def playlists(request: HtmxHttpRequest) -> HttpResponse:
    tag = (request.GET.get("tag") or "").strip()[:100] or None
    page = whole_number(request.GET.get("page"), maximum=MAX_PAGE) or 1
    sort = request.GET.get("sort")
    sort = sort if sort in selectors.SORTS else selectors.SORTS[0]
    read = (
        selectors.public_playlists_by_favourites
        if sort == "favourites"
        else selectors.public_playlists_list
    )
    tagged = f"tag={quote(tag)}&" if tag else ""
    return render_page(
        request,
        "playlists/list.html",
        {
            "playlists": read(tag=tag, page=page),
            "tags": selectors.playlist_tags_list(),
            "tag": tag,
            "sort": sort,
            "sorts": [
                {
                    "label": label,
                    "url": f"{request.path}?{tagged}sort={value}",
                    "current": value == sort,
                }
                for value, label in (("newest", "Newest"), ("favourites", "Most favourited"))
            ],
            "page_url": f"{request.path}?{tagged}sort={sort}",
        },
        partial="results",
    )


@require_safe
def playlist(request: HtmxHttpRequest, playlist_id: str) -> HttpResponse:
    page = whole_number(request.GET.get("page"), maximum=MAX_PAGE) or 1
    found = selectors.public_playlist_get(playlist_id=playlist_id.lower())
    items, entries = selectors.playlist_entries(
        playlist_id=found.id, country=request.country, page=page
    )
    return render_page(
        request,
        "playlists/playlist.html",
        {
            "playlist": found,
            "items": items,
            # The kept fragment's key: this page of items as read (the items are kept
            # a minute apart from the details, so lastUpdated alone could pair new
            # details with old items).
            "items_key": hashlib.blake2b(repr(items.items).encode(), digest_size=8).hexdigest(),
            "entries": entries,
            "unplayable": sum(not entry.playable for entry in entries),
            "page_url": f"{request.path}?",
            "share_url": share_url(found.id),
            "favourited": _favourited(request, found.id),
        },
        partial="tracks",
    )


def share_url(playlist_id: str) -> str:
    """The playlist's public address, on the shop's own host (``SITE_URL``)."""
    return f"{settings.SITE_URL.rstrip('/')}{reverse('playlists:detail', args=[playlist_id])}"


def _favourited(request, playlist_id: str) -> bool | None:
    """Whether this customer keeps the playlist as a favourite; None for a visitor, or
    when it cannot be told just now (the button then offers to add it)."""
    from store.playlists import services

    if not request.user.is_authenticated:
        return None
    try:
        return playlist_id in services.customer_favourite_ids(user=request.user)
    except (services.PlaylistUnavailable, services.LibraryNotReady):
        return None


HOME_PLACEHOLDER_CARDS = 6


@require_safe
def home_section(request: HtmxHttpRequest) -> HttpResponse:
    """The home page's playlists section, loaded after the page (``hx-get``)."""
    response = render_page(
        request,
        "playlists/partials/home_section.html",
        {
            "home_playlists": selectors.home_playlists(),
            "placeholder_cards": range(HOME_PLACEHOLDER_CARDS),
        },
    )
    return response
