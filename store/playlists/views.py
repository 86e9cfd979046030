"""The public playlist pages: ``/playlists/`` and ``/playlists/<id>/`` (issue 20)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from integrations.htmx import HtmxHttpRequest, render_page
from integrations.http import whole_number
from store.playlists import selectors

MAX_PAGE = 1000


@require_safe
def playlists(request: HtmxHttpRequest) -> HttpResponse:
    tag = (request.GET.get("tag") or "").strip()[:100] or None
    page = whole_number(request.GET.get("page"), maximum=MAX_PAGE) or 1
    return render_page(
        request,
        "playlists/list.html",
        {
            "playlists": selectors.public_playlists_list(tag=tag, page=page),
            "tags": selectors.playlist_tags_list(),
            "tag": tag,
            "page_url": f"{request.path}?" + (f"tag={quote(tag)}" if tag else ""),
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
            "entries": entries,
            "unplayable": sum(not entry.playable for entry in entries),
            "page_url": f"{request.path}?",
        },
        partial="tracks",
    )
