"""``/studio/playlists/``: the editors' workspace for the shop's playlists (issue 20).

Editors only (the Editors group, with a second factor: the ``studio`` namespace is a
staff one, accounts/middleware.py). Each form carries the playlist's ``lastUpdated`` as
the page showed it; a change made meanwhile by another editor refuses the stale one
(store/playlists/studio.py) and shows the playlist as it is now.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from integrations.country import visitor_country
from integrations.htmx import wants_partial
from sevendigital import errors
from store.catalogue.selectors import (
    CatalogueError,
    CatalogueNotFound,
    CatalogueUnavailable,
    catalogue_search,
    tracks_get_many,
)
from store.playlists import ordering, selectors, studio
from store.playlists.services import PlaylistNotFound, PlaylistUnavailable

STALE = (
    "Another editor changed this playlist after you opened it: nothing was saved. "
    "Here it is as it is now."
)
UNAVAILABLE = "7digital did not answer: nothing was saved. Try again shortly."


def editor_required(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not studio.is_editor(request.user):
            raise PermissionDenied("The studio is for editors")
        return view(request, *args, **kwargs)

    return guarded


ADD_MAX = 50  # tracks added at once (a page of search results)
ANNOTATION_KEY = re.compile(r"[^=\s][^=\r\n]{0,63}")  # anything but "=" and line breaks
ANNOTATION_VALUE_MAX = 500
ANNOTATIONS_MAX = 50


class NameForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True)


class DetailsForm(forms.Form):
    seen = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=100, strip=True)
    description = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    image_url = forms.URLField(max_length=1000, required=False, assume_scheme="https")
    tags = forms.CharField(
        max_length=300, required=False, help_text="Separated by commas, e.g. rock, chill"
    )
    home = forms.BooleanField(required=False, label="Show on the home page")
    annotations = forms.CharField(
        required=False,
        max_length=5000,
        label="Annotations",
        help_text="Anything else to keep with the playlist, one per line: key = value",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_annotations(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["annotations"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not ANNOTATION_KEY.fullmatch(key):
                raise forms.ValidationError(
                    f"Line {number}: write key = value, the key up to 64 characters."
                )
            if key.lower() in studio.RESERVED_ANNOTATIONS:
                raise forms.ValidationError(
                    f"Line {number}: “{key}” is set by its own field above."
                )
            if len(value) > ANNOTATION_VALUE_MAX:
                raise forms.ValidationError(
                    f"Line {number}: a value is at most {ANNOTATION_VALUE_MAX} characters."
                )
            found[key] = value
        if len(found) > ANNOTATIONS_MAX:
            raise forms.ValidationError(f"At most {ANNOTATIONS_MAX} annotations.")
        return found


def _seen(request) -> datetime | None:
    try:
        return datetime.fromisoformat(request.POST.get("seen", ""))
    except ValueError:
        return None


def _edit(playlist_id: str) -> HttpResponse:
    return redirect("studio:playlist", playlist_id=playlist_id)


def _change(request, playlist_id: str, action, *, done: str) -> HttpResponse:
    try:
        action()
    except studio.StaleEdit:
        messages.error(request, STALE)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of the shop's") from exc
    except PlaylistUnavailable:
        messages.error(request, UNAVAILABLE)
    else:
        if done:
            messages.success(request, done)
    return _edit(playlist_id)


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def playlists(request) -> HttpResponse:
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = studio.studio_playlist_create(name=form.cleaned_data["name"])
        except PlaylistUnavailable:
            messages.error(request, UNAVAILABLE)
            return redirect("studio:playlists")
        messages.success(request, f"Draft “{made.name}” made.")
        return _edit(made.id)
    try:
        found, problem = studio.studio_playlists_list(), None
    except PlaylistUnavailable:
        found, problem = [], UNAVAILABLE
    return render(
        request,
        "playlists/studio/list.html",
        {"playlists": found, "form": form, "problem": problem},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@editor_required
def playlist(request, playlist_id: str) -> HttpResponse:
    try:
        found = studio.studio_playlist_get(playlist_id=playlist_id)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of the shop's") from exc
    except PlaylistUnavailable:
        messages.error(request, UNAVAILABLE)
        return redirect("studio:playlists")
    q = (request.GET.get("q") or "").strip()[:200]
    results = []
    if q:
        try:
            page = catalogue_search(q=q, kind="track", country=visitor_country(request))
            results = [r.item for r in page if r.item is not None]
        except CatalogueNotFound:
            results = []
    seen = _seen_of(found)
    studio.order_remember(found)
    return render(
        request,
        "playlists/studio/playlist.html",
        {
            "playlist": found,
            "seen": seen,
            "published": (found.status or "") == studio.PUBLISHED,
            "form": DetailsForm(
                initial={
                    "seen": seen,
                    "name": found.name,
                    "description": found.description or "",
                    "image_url": found.image or "",
                    "tags": ", ".join(tag.name for tag in found.tags),
                    "home": found.annotations.get(studio.HOME_ANNOTATION) == "1",
                    "annotations": "\n".join(
                        f"{key} = {value}"
                        for key, value in found.annotations.items()
                        if key.lower() not in studio.RESERVED_ANNOTATIONS
                    ),
                }
            ),
            "q": q,
            "results": results,
        },
    )


@editor_required
@require_POST
def details(request, playlist_id: str) -> HttpResponse:
    form = DetailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + "; ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        ))  # fmt: skip
        return _edit(playlist_id)
    data = form.cleaned_data
    chosen = studio.Details(
        name=data["name"],
        description=data["description"],
        image_url=data["image_url"],
        tags=[tag for tag in (t.strip() for t in data["tags"].split(",")) if tag],
        home=data["home"],
        annotations=data["annotations"],
    )
    return _change(
        request,
        playlist_id,
        lambda: studio.studio_playlist_details_save(
            playlist_id=playlist_id, seen=_seen(request), details=chosen
        ),
        done="Saved.",
    )


@editor_required
@require_POST
def publish(request, playlist_id: str) -> HttpResponse:
    on = request.POST.get("publish") == "1"
    return _change(
        request,
        playlist_id,
        lambda: studio.studio_playlist_publish(
            playlist_id=playlist_id, seen=_seen(request), publish=on
        ),
        done="Published: customers see it now." if on else "Unpublished: back to a draft.",
    )


def _tracks_changed(request, playlist_id: str, action, *, done: str) -> HttpResponse:
    """A change of the track list: for htmx, the list re-rendered from the playlist the
    change answered with (no further read); otherwise back to the page."""
    if not wants_partial(request):
        return _change(request, playlist_id, action, done=done)
    problem = None
    try:
        found = action()
    except studio.StaleEdit:
        problem = STALE
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of the shop's") from exc
    except PlaylistUnavailable:
        problem = UNAVAILABLE
    if problem is not None:
        try:
            found = studio.studio_playlist_get(playlist_id=playlist_id)
        except PlaylistNotFound as exc:  # deleted meanwhile
            raise Http404("No such playlist of the shop's") from exc
        except PlaylistUnavailable:
            # Not swapped by htmx: static/js/reorder.js shows the words (text, not HTML).
            return HttpResponse(UNAVAILABLE, status=503, content_type="text/plain")
    studio.order_remember(found)
    return render(
        request,
        "playlists/studio/partials/tracks.html",
        {
            "playlist": found,
            "seen": _seen_of(found),
            "problem": problem,
            "done": "" if problem else done,
        },
    )


def _seen_of(playlist) -> str:
    return playlist.last_updated.isoformat() if playlist.last_updated else ""


@editor_required
@require_POST
def track_add(request, playlist_id: str) -> HttpResponse:
    """Add one search result (its own "Add" button, ``track``) or the results ticked
    (``tracks``), their metadata read in one ``track/details/batch`` call, in one call."""
    chosen = request.POST.getlist("track")[:1] or request.POST.getlist("tracks")
    words = "Choose a track of the catalogue to add."
    try:
        ids = [n for n in dict.fromkeys(int(value) for value in chosen) if 0 < n < 2**63]
        tracks = tracks_get_many(track_ids=ids[:ADD_MAX], country=visitor_country(request))
    except ValueError:
        tracks = []
    except (errors.InvalidInput, errors.ResourceError):
        tracks = []
    except (errors.SevenDigitalError, CatalogueError):
        tracks, words = [], UNAVAILABLE
    if not tracks:
        if wants_partial(request):
            status = 503 if words == UNAVAILABLE else 400
            return HttpResponse(words, status=status, content_type="text/plain")
        messages.error(request, words)
        return _edit(playlist_id)
    done = f"“{tracks[0].title}” added." if len(tracks) == 1 else f"{len(tracks)} tracks added."
    return _tracks_changed(
        request,
        playlist_id,
        lambda: studio.studio_tracks_add(
            playlist_id=playlist_id, seen=_seen(request), tracks=tracks
        ),
        done=done,
    )


@editor_required
@require_POST
def track_remove(request, playlist_id: str, item_id: str) -> HttpResponse:
    return _tracks_changed(
        request,
        playlist_id,
        lambda: studio.studio_track_remove(
            playlist_id=playlist_id, seen=_seen(request), item_id=item_id
        ),
        done="Removed.",
    )


@editor_required
@require_POST
def track_move(request, playlist_id: str, item_id: str) -> HttpResponse:
    to = ordering.destination(request.POST)
    if to is None:
        words = "Say where to: a position from 1 to the number of tracks."
        if wants_partial(request):
            return HttpResponse(words, status=400, content_type="text/plain")
        messages.error(request, words)
        return _edit(playlist_id)
    return _tracks_changed(
        request,
        playlist_id,
        lambda: studio.studio_track_move(
            playlist_id=playlist_id, seen=_seen(request), item_id=item_id, to=to
        ),
        done="Moved.",
    )


@editor_required
@require_POST
def delete(request, playlist_id: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick “Yes, delete it” to delete the playlist.")
        return _edit(playlist_id)
    try:
        studio.studio_playlist_delete(playlist_id=playlist_id, seen=_seen(request))
    except studio.StaleEdit:
        messages.error(request, STALE)
        return _edit(playlist_id)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of the shop's") from exc
    except PlaylistUnavailable:
        messages.error(request, UNAVAILABLE)
        return _edit(playlist_id)
    messages.success(request, "Playlist deleted.")
    return redirect("studio:playlists")


TAGS_MAX = 200  # tags on the order page (the form's fields), far past any shop's


@editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def tags(request) -> HttpResponse:
    """The order of the shop's playlist tags on ``/playlists/``, and which are hidden.

    Each tag has a position box (and a "hidden" box): saving sorts the tags by the
    positions typed, ties kept in the order shown. Works without JavaScript."""
    try:
        found = selectors.playlist_tags_all()[:TAGS_MAX]
    except (CatalogueNotFound, CatalogueUnavailable):
        messages.error(request, UNAVAILABLE)
        return redirect("studio:playlists")
    if request.method == "POST":
        known = {tag.name for tag in found}
        rows = []
        for index in range(TAGS_MAX):
            name = request.POST.get(f"tag-{index}")
            if name is None:
                break
            if name not in known:
                continue  # a tag gone since the page was made
            try:
                position = int(request.POST.get(f"position-{index}", ""))
            except ValueError:
                position = index + 1
            rows.append((position, index, name, request.POST.get(f"hidden-{index}") == "on"))
        order: list[tuple[str, bool]] = []
        for _, _, name, hidden in sorted(rows):
            if name not in dict(order):  # each tag once, at its first place
                order.append((name, hidden))
        order += [(tag.name, bool(tag.hidden)) for tag in found if tag.name not in dict(order)]
        try:
            studio.studio_tags_save(order)
        except PlaylistUnavailable:
            messages.error(request, UNAVAILABLE)
        else:
            messages.success(request, "The tags' order is saved: /playlists/ shows it now.")
        return redirect("studio:tags")
    return render(
        request,
        "playlists/studio/tags.html",
        {"tags": found, "at_7digital": settings.SEVENDIGITAL_SHOP_ID is not None},
    )
