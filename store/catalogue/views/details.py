"""The artist, release and track pages.

Two 7digital calls at most for a cold release or artist page
--------------------------------------------------------------
Every selector is one API call on a cold cache, and the benchmark counts them from the
sandbox journal. The first paint gets only what it cannot do without:

* release page: ``release/details`` + ``release/tracks``;
* artist page: ``artist/details`` + ``artist/releases``;
* track page: ``track/details`` (the track carries its release's title, cover and label).

What can come a moment later (a release's tags, an artist's top tracks and tags) is a
section that htmx loads once the page is shown (``hx-trigger="load"``, answered by the
same view for ``?section=<name>`` with just that partial). Those calls then run in
parallel with the browser painting the page instead of before it. Without JavaScript
the section's link asks for the whole page again with that section filled in.

Fragments
---------
For a targeted htmx swap (``integrations.htmx.wants_partial``; a boosted
navigation or a history restore gets the whole page), a view renders one named partial
of its template: ``?section=<name>`` for the lazy sections, otherwise the page's paged
region (an artist's releases, a release's tracks) that tabs and pagination swap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from integrations.htmx import HtmxHttpRequest, render_page, wants_partial
from integrations.http import whole_number
from sevendigital.models import Page, Release, Tag, Track
from store.catalogue.artwork import artwork
from store.catalogue.page_cache import page_cached
from store.catalogue.selectors import (
    MAX_PAGE_SIZE,
    RELEASE_TYPES,
    artist_get,
    artist_releases_list,
    artist_tags_list,
    artist_top_tracks_list,
    release_get,
    release_tags_list,
    release_tracks_list,
    track_get,
)

MAX_PAGE = 500
ARTIST_RELEASES_PAGE_SIZE = 20
RELEASE_TRACKS_PAGE_SIZE = MAX_PAGE_SIZE  # one page for nearly every release

# Covers: the selectors read 7digital's default artwork (50 px releases, 150 px artists)
# so that one cached answer serves every page. 7digital's CDN names each size of an
# image "<id>_<size>.jpg", so a page that shows artwork larger asks the CDN for that
# size instead of asking the API again with imageSize (a second, separately cached
# read of the same release). Sizes are among those the API documents.
RELEASE_COVER_SIZE = 350
TRACK_COVER_SIZE = 180
ARTIST_PICTURE_SIZE = 300

# Tag pages live at /tags/<slug>/: a tag id that is not a slug is shown but not linked.
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

RELEASE_TYPE_TABS = {"all": "All", "album": "Albums", "single": "Singles", "video": "Videos"}
USAGE_TYPES = (
    ("download", "Download"),
    ("subscription_streaming", "Subscription streaming"),
    ("ad_supported_streaming", "Ad-supported streaming"),
)


@dataclass(frozen=True)
class TagLink:
    name: str
    url: str | None


@dataclass(frozen=True)
class Availability:
    """One usage type: ``state`` is "available", "pre-release" or "unavailable";
    ``usage`` is the attribute of USAGE_TYPES (the subscription row links to plans)."""

    label: str
    state: str
    date: datetime | None = None
    usage: str = ""


@dataclass(frozen=True)
class Disc:
    number: int
    tracks: list[Track]


def _page_number(query: QueryDict) -> int:
    """``?page=``, or the first page for anything that is not a page number."""
    return whole_number(query.get("page"), maximum=MAX_PAGE) or 1


def _tag_links(tags: Page[Tag]) -> list[TagLink]:
    return [
        TagLink(tag.name, reverse("catalogue:tag", args=[tag.id]) if _SLUG.match(tag.id) else None)
        for tag in tags
    ]


def _availability(item: Release | Track) -> list[Availability]:
    """Download, subscription and ad-supported streaming: open, opening on a date, or not."""
    now = timezone.now()
    rows = []
    for attribute, label in USAGE_TYPES:
        usage = getattr(item, attribute)
        if usage is None:
            rows.append(Availability(label, "unavailable", usage=attribute))
        elif usage.is_released(now):
            rows.append(Availability(label, "available", usage.release_date, attribute))
        else:
            rows.append(Availability(label, "pre-release", usage.release_date, attribute))
    return rows


def _preview_date(tracks: Page[Track]) -> datetime | None:
    """When previews of a release not out yet start (release/details does not say)."""
    for track in tracks:
        if track.download and track.download.preview_date:
            return track.download.preview_date
    return None


# -- release ----------------------------------------------------------------------------


def _tracks_context(request: HtmxHttpRequest, release_id: int, page: int) -> dict[str, Any]:
    tracks = release_tracks_list(
        release_id=release_id,
        country=request.country,
        page=page,
        page_size=RELEASE_TRACKS_PAGE_SIZE,
    )
    discs = [
        Disc(number, list(group))
        for number, group in groupby(tracks, key=lambda track: track.disc_number or 1)
    ]
    url = reverse("catalogue:release", args=[release_id])
    return {
        "release_id": release_id,
        "tracks": tracks,
        "discs": discs,
        "multi_disc": len(discs) > 1 or any(disc.number > 1 for disc in discs),
        "tracks_page_url": f"{url}?section=tracks",
    }


def _release_tags_context(request: HtmxHttpRequest, release_id: int) -> dict[str, Any]:
    tags = release_tags_list(release_id=release_id, country=request.country)
    return {"release_id": release_id, "tags": _tag_links(tags)}


@page_cached("section", "page")
@require_safe
def release(request: HtmxHttpRequest, release_id: int) -> HttpResponse:
    section = request.GET.get("section", "")
    page = _page_number(request.GET)
    if wants_partial(request):
        if section == "tags":
            context = _release_tags_context(request, release_id)
            return render_page(request, "catalogue/release.html", context, partial="tags")
        context = _tracks_context(request, release_id, page)
        return render_page(request, "catalogue/release.html", context, partial="tracks")

    item = release_get(release_id=release_id, country=request.country)
    context = _tracks_context(request, release_id, page)
    url = reverse("catalogue:release", args=[release_id])
    context.update(
        release=item,
        cover=artwork(item.image, RELEASE_COVER_SIZE),
        cover_size=RELEASE_COVER_SIZE,
        availability=_availability(item),
        preview_date=_preview_date(context["tracks"]),
        packages=item.download.packages if item.download else (),
        tags_url=f"{url}?section=tags",
        tags=None,  # loaded after the page (see the module's docstring)
    )
    if section == "tags":  # the no-JavaScript way to the lazy section
        context.update(_release_tags_context(request, release_id))
    return render_page(request, "catalogue/release.html", context)


# -- artist -----------------------------------------------------------------------------


def _releases_context(request: HtmxHttpRequest, artist_id: int) -> dict[str, Any]:
    chosen = request.GET.get("type", "") or "all"
    notice = None
    if chosen != "all" and chosen not in RELEASE_TYPES:
        notice = f"“{chosen}” is not a release type: showing all releases."
        chosen = "all"
    releases = artist_releases_list(
        artist_id=artist_id,
        country=request.country,
        type=None if chosen == "all" else chosen,
        page=_page_number(request.GET),
        page_size=ARTIST_RELEASES_PAGE_SIZE,
    )
    url = reverse("catalogue:artist", args=[artist_id])
    return {
        "artist_id": artist_id,
        "releases": releases,
        "release_type": chosen,
        "releases_notice": notice,
        "type_tabs": [
            {
                "type": value,
                "label": label,
                "url": f"{url}?type={value}",
                "current": value == chosen,
            }
            for value, label in RELEASE_TYPE_TABS.items()
        ],
        "releases_page_url": f"{url}?type={chosen}",
    }


def _top_tracks_context(request: HtmxHttpRequest, artist_id: int) -> dict[str, Any]:
    tracks = artist_top_tracks_list(artist_id=artist_id, country=request.country)
    return {"artist_id": artist_id, "top_tracks": one_per_recording(tracks)}


def one_per_recording(tracks) -> list:
    """The tracks with each recording once, in their order (the most popular first).

    7digital lists a track per release it is on: a song on a single and its second CD
    (Radiohead's "No Surprises", releases 1046 and 1047) is two tracks of one recording,
    which share the ISRC. Without an ISRC, the same title, version and length is taken
    as the same recording."""
    seen = set()
    kept = []
    for track in tracks:
        key = track.isrc or (track.title.casefold(), track.version.casefold(), track.duration)
        if key not in seen:
            seen.add(key)
            kept.append(track)
    return kept


def _artist_tags_context(request: HtmxHttpRequest, artist_id: int) -> dict[str, Any]:
    tags = artist_tags_list(artist_id=artist_id, country=request.country)
    return {"artist_id": artist_id, "tags": _tag_links(tags)}


ARTIST_SECTIONS = {"tags": _artist_tags_context, "top-tracks": _top_tracks_context}


@page_cached("section", "type", "page")
@require_safe
def artist(request: HtmxHttpRequest, artist_id: int) -> HttpResponse:
    section = request.GET.get("section", "")
    if wants_partial(request):
        if section in ARTIST_SECTIONS:
            context = ARTIST_SECTIONS[section](request, artist_id)
            partial = section.replace("-", "_")
            return render_page(request, "catalogue/artist.html", context, partial=partial)
        context = _releases_context(request, artist_id)
        return render_page(request, "catalogue/artist.html", context, partial="releases")

    item = artist_get(artist_id=artist_id, country=request.country)
    context = _releases_context(request, artist_id)
    url = reverse("catalogue:artist", args=[artist_id])
    context.update(
        artist=item,
        picture=artwork(item.image, ARTIST_PICTURE_SIZE),
        picture_size=ARTIST_PICTURE_SIZE,
        tags_url=f"{url}?section=tags",
        top_tracks_url=f"{url}?section=top-tracks",
        tags=None,  # both loaded after the page (see the module's docstring)
        top_tracks=None,
    )
    if section in ARTIST_SECTIONS:  # the no-JavaScript way to a lazy section
        context.update(ARTIST_SECTIONS[section](request, artist_id))
    return render_page(request, "catalogue/artist.html", context)


# -- track ------------------------------------------------------------------------------


@page_cached()
@require_safe
def track(request: HtmxHttpRequest, track_id: int) -> HttpResponse:
    item = track_get(track_id=track_id, country=request.country)
    on_release = item.release
    return render_page(
        request,
        "catalogue/track.html",
        {
            "track": item,
            "on_release": on_release,
            "cover": artwork(on_release.image, TRACK_COVER_SIZE) if on_release else None,
            "cover_size": TRACK_COVER_SIZE,
            "packages": item.download.packages if item.download else (),
            "availability": _availability(item),
        },
    )
