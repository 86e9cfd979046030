"""``/library/playlists/``: a customer's own playlists (issue 20). Every view acts as the
signed-in customer's own 7digital user (``store.playlists.services``), so another
customer's playlist is "not found" whatever its id; every change is a POST with CSRF,
and works without JavaScript (a redirect back, with a message)."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from integrations.country import visitor_country
from integrations.htmx import render_page, vary_on_htmx, wants_partial
from store.catalogue.selectors import CatalogueNotFound, track_get
from store.playlists import (
    deletions,
    exports,
    imports,
    moderation,
    ordering,
    selectors,
    services,
)
from store.playlists.group_views import GroupForm, choices_of
from store.playlists.models import CustomerPlaylist, PlaylistImport, PlaylistReport
from store.playlists.outcomes import guarded, words
from store.playlists.services import LibraryNotReady, PlaylistNotFound, PlaylistUnavailable
from store.playlists.views import share_url

NOT_ADDED = "The track could not be added just now: check the playlist before trying again."
SHARED = "Anyone with the link can see it now."
UNSHARED = "Only you can see it now."


class PlaylistForm(forms.Form):
    name = forms.CharField(max_length=services.NAME_LIMIT, strip=True)
    visibility = forms.ChoiceField(
        choices=[("private", "Only me"), ("public", "Anyone with the link")],
        initial="private",
        required=False,
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=[(v, v) for v in services.VISIBILITIES])


class AddForm(forms.Form):
    track = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    playlist = forms.RegexField(regex=r"^[0-9a-fA-F]{24}$", required=False)
    new_name = forms.CharField(max_length=services.NAME_LIMIT, strip=True, required=False)


def _library(request) -> HttpResponse:
    return redirect("playlists:library")


def _mine(playlist_id: str) -> HttpResponse:
    return redirect("playlists:mine", playlist_id=playlist_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def library(request) -> HttpResponse:
    form = PlaylistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.customer_playlist_create(
                user=request.user,
                name=form.cleaned_data["name"],
                visibility=form.cleaned_data["visibility"] or "private",
            )
        except (PlaylistUnavailable, LibraryNotReady) as exc:
            messages.error(request, words(exc))
            return _library(request)
        messages.success(request, f"Playlist “{made.name}” made.")
        return _mine(made.id)
    try:
        leaving = deletions.pending_ids(user=request.user)
        playlists = [
            p for p in services.customer_playlists_list(user=request.user) if p.id not in leaving
        ]
        favourites = services.customer_favourites_list(user=request.user)
        groups = services.customer_groups_list(user=request.user)
        problem = None
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        playlists, favourites, groups = [], [], []
        problem = words(exc)
    return render(
        request,
        "playlists/library.html",
        {
            "playlists": playlists,
            "favourites": favourites,
            "groups": groups,
            "group_form": GroupForm(choices=choices_of(playlists, favourites), auto_id="group_%s"),
            "form": form,
            "problem": problem,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def mine(request, playlist_id: str) -> HttpResponse:
    try:
        playlist = services.customer_playlist_get(user=request.user, playlist_id=playlist_id)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of yours") from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return _library(request)
    return render(
        request,
        "playlists/mine.html",
        {
            "playlist": playlist,
            "leaving": playlist.id in deletions.pending_ids(user=request.user),
            "entries": selectors.entries_of(playlist.tracks, country=visitor_country(request)),
            "form": PlaylistForm(initial={"name": playlist.name}),
            "public": (playlist.visibility or "").lower() == "public",
            "share_url": share_url(playlist.id),
        },
    )


@login_required
@require_POST
def rename(request, playlist_id: str) -> HttpResponse:
    form = PlaylistForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A playlist needs a name of up to 100 characters.")
        return _mine(playlist_id)
    name = form.cleaned_data["name"]
    return guarded(
        request,
        lambda: services.customer_playlist_update(
            user=request.user, playlist_id=playlist_id, name=name
        ),
        done=f"Renamed to “{name}”.",
        back=_mine(playlist_id),
    )


@login_required
@require_POST
def visibility(request, playlist_id: str) -> HttpResponse:
    form = VisibilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose private or public.")
        return _mine(playlist_id)
    chosen = form.cleaned_data["visibility"]
    return guarded(
        request,
        lambda: services.customer_playlist_update(
            user=request.user, playlist_id=playlist_id, visibility=chosen
        ),
        done=SHARED if chosen == "public" else UNSHARED,
        back=_mine(playlist_id),
    )


@login_required
@require_POST
def delete(request, playlist_id: str) -> HttpResponse:
    """The playlist leaves the list at once and 7digital a few seconds later, so that an
    "Undo" can keep it (store/playlists/deletions.py)."""
    try:
        playlist = services.customer_playlist_get(user=request.user, playlist_id=playlist_id)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of yours") from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return _mine(playlist_id)
    deletions.playlist_deletion_request(
        user=request.user, playlist_id=playlist.id, name=playlist.name
    )
    messages.success(request, f"“{playlist.name}” deleted.", extra_tags=f"undo:{playlist.id}")
    return _library(request)


@login_required
@require_POST
def undo(request, playlist_id: str) -> HttpResponse:
    if not deletions.playlist_deletion_undo(user=request.user, playlist_id=playlist_id):
        messages.error(request, "Too late to undo: the playlist has been deleted.")
        return _library(request)
    messages.success(request, "The playlist is back.")
    return _mine(playlist_id)


def _tracks_changed(request, playlist_id: str, change, *, done: str) -> HttpResponse:
    """A change of the playlist's tracks, ``change()`` answering the playlist after (or
    None). For the list's own htmx request, the list re-rendered in place (focus stays
    with the track moved, static/js/reorder.js); otherwise back to the page."""
    if not wants_partial(request):
        return guarded(request, change, done=done, back=_mine(playlist_id))
    try:
        playlist = change() or services.customer_playlist_get(
            user=request.user, playlist_id=playlist_id
        )
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of yours") from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        return HttpResponse(words(exc), status=503, content_type="text/plain")
    return render(
        request,
        "playlists/partials/mine_tracks.html",
        {
            "playlist": playlist,
            "entries": selectors.entries_of(playlist.tracks, country=visitor_country(request)),
            "done": done,
        },
    )


@login_required
@require_POST
def track_remove(request, playlist_id: str, item_id: str) -> HttpResponse:
    return _tracks_changed(
        request,
        playlist_id,
        lambda: services.customer_playlist_track_remove(
            user=request.user, playlist_id=playlist_id, item_id=item_id
        ),
        done="Track removed.",
    )


@login_required
@require_POST
def track_move(request, playlist_id: str, item_id: str) -> HttpResponse:
    to = ordering.destination(request.POST)
    if to is None:
        refused = "Say where to: a position from 1 to the number of tracks."
        if wants_partial(request):
            return HttpResponse(refused, status=400, content_type="text/plain")
        messages.error(request, refused)
        return _mine(playlist_id)

    def move():
        playlist = services.customer_playlist_get(user=request.user, playlist_id=playlist_id)
        try:
            moves, follows = ordering.after(
                [t.playlist_item_id for t in playlist.tracks], item_id, to
            )
        except KeyError as exc:
            raise PlaylistNotFound(item_id) from exc
        if not moves:
            return playlist  # already there
        return services.customer_playlist_track_move(
            user=request.user, playlist_id=playlist_id, item_id=item_id, after=follows
        )

    return _tracks_changed(request, playlist_id, move, done="Moved.")


@require_http_methods(["GET", "HEAD", "POST"])
def add(request) -> HttpResponse:
    """Add a track to one of the customer's playlists, or to a new one (:func:`_add`);
    the row's menu and the page share the address, so the answer varies on htmx."""
    return vary_on_htmx(_add(request))


def _add(request) -> HttpResponse:
    """A page of its own without JavaScript (the track page links it). From a track row's
    "+" (htmx), a small menu in the row instead, whose form answers in the row: the
    page stays where it is, its player playing."""
    menu = wants_partial(request)  # the row's menu; a boosted link wants the whole page
    if not request.user.is_authenticated:
        if menu:  # not a redirect, which htmx would follow into the row
            return render(request, "playlists/partials/add_menu.html", {"signed_out": True})
        return redirect_to_login(request.get_full_path())
    form = AddForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404("No such track")
    country = visitor_country(request)
    try:
        track = track_get(track_id=form.cleaned_data["track"], country=country)
    except CatalogueNotFound as exc:  # 7digital failing: the middleware's 503 page
        raise Http404("No such track") from exc
    again = f"{reverse('playlists:add')}?track={track.id}"
    if request.method == "POST":
        target = form.cleaned_data["playlist"]
        new_name = form.cleaned_data["new_name"]
        problem = None
        try:
            if new_name:  # a name typed is a new playlist, whichever one is chosen
                target = services.customer_playlist_create(user=request.user, name=new_name).id
            if not target:
                problem = "Choose a playlist, or name a new one."
            else:
                playlist = services.customer_playlist_track_add(
                    user=request.user, playlist_id=target.lower(), track=track
                )
        except PlaylistNotFound as exc:
            raise Http404("No such playlist of yours") from exc
        except (PlaylistUnavailable, LibraryNotReady) as exc:
            problem = str(exc) if isinstance(exc, LibraryNotReady) else NOT_ADDED
        if problem is None:
            done = f"“{track.title}” added to “{playlist.name}”."
            if menu:
                return render(
                    request,
                    "playlists/partials/add_menu.html",
                    {"track": track, "done": done, "playlist": playlist},
                )
            messages.success(request, done)
            return _mine(playlist.id)
        if not menu:
            messages.error(request, problem)
            return redirect(again)
    else:
        problem = None
    try:
        playlists = services.customer_playlists_list(user=request.user)
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        playlists, problem = [], problem or words(exc)
    return render(
        request,
        "playlists/partials/add_menu.html" if menu else "playlists/add.html",
        {"track": track, "playlists": playlists, "problem": problem},
    )


@login_required
@require_POST
def favourite(request, playlist_id: str) -> HttpResponse:
    """Favourite (``on=1``) or unfavourite one of the shop's playlists."""
    on = request.POST.get("on") == "1"
    back = redirect("playlists:detail", playlist_id=playlist_id)
    try:
        services.customer_playlist_favourite(user=request.user, playlist_id=playlist_id, on=on)
    except services.NotFavourable:
        messages.error(request, "Only the shop's own playlists can be kept as favourites.")
        return back
    except PlaylistNotFound as exc:
        raise Http404("No such playlist") from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return back
    messages.success(
        request,
        "Added to your favourites." if on else "Removed from your favourites.",
    )
    return back


EXPORTS = {
    "xspf": ("application/xspf+xml", exports.xspf),
    "m3u": ("audio/x-mpegurl", exports.m3u),
}


@login_required
@require_safe
def export(request, playlist_id: str, kind: str) -> HttpResponse:
    """The customer's playlist as an XSPF or M3U file, to download."""
    try:
        playlist = services.customer_playlist_get(user=request.user, playlist_id=playlist_id)
    except PlaylistNotFound as exc:
        raise Http404("No such playlist of yours") from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return _mine(playlist_id)
    content_type, write = EXPORTS[kind]
    entries = selectors.entries_of(playlist.tracks, country=visitor_country(request))
    body = write(
        name=playlist.name,
        entries=entries,
        page_url=lambda track_id: (
            f"{settings.SITE_URL.rstrip('/')}{reverse('catalogue:track', args=[track_id])}"
        ),
    )
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    filename = re.sub(r"[^\w .-]+", "", playlist.name).strip() or "playlist"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ImportForm(forms.Form):
    file = forms.FileField(help_text="XSPF, M3U or CSV (isrc, or artist and title columns)")
    name = forms.CharField(max_length=services.NAME_LIMIT, strip=True, required=False)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_playlist(request) -> HttpResponse:
    """A new playlist from a file: read now, its tracks found by a task, which the
    job's page follows (``import_status``)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "max_rows": imports.MAX_ROWS}
    if request.method != "POST" or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "playlists/import.html", context, status=status)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > imports.MAX_BYTES:
            raise imports.ImportProblem("The file is larger than 1 MB.")
        title, rows = imports.rows_of(upload.read(imports.MAX_BYTES + 1), filename=upload.name)
    except imports.ImportProblem as exc:
        context["problem"] = str(exc)
        return render(request, "playlists/import.html", context, status=400)
    name = form.cleaned_data["name"] or title[: services.NAME_LIMIT] or "Imported playlist"
    job = imports.playlist_import_request(
        user=request.user, name=name, rows=rows, country=visitor_country(request)
    )
    return redirect("playlists:import_status", import_id=job.pk)


@login_required
@require_safe
def import_status(request, import_id: int) -> HttpResponse:
    """Where an import stands; the customer's own only. htmx asks again every few
    seconds while the tracks are being found (the answer without its trigger stops it)."""
    job = PlaylistImport.objects.filter(pk=import_id, user=request.user).first()
    if job is None:
        raise Http404("No such import of yours")
    return render_page(
        request,
        "playlists/import_status.html",
        {
            "job": job,
            "waiting": job.status
            in (
                PlaylistImport.Status.QUEUED,
                PlaylistImport.Status.WORKING,
                PlaylistImport.Status.CREATING,
            ),
        },
        partial="status",
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=PlaylistReport.Reason.choices, widget=forms.RadioSelect, label="What is wrong?"
    )
    details = forms.CharField(
        max_length=moderation.DETAILS_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, playlist_id: str) -> HttpResponse:
    """A customer reports a public playlist to staff (once; not their own)."""
    playlist = selectors.public_playlist_get(playlist_id=playlist_id)  # 404 unless public
    back = redirect("playlists:detail", playlist_id=playlist.id)
    if CustomerPlaylist.objects.filter(playlist_id=playlist.id, user=request.user).exists():
        messages.error(request, "This is your own playlist: change it in your library.")
        return back
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moderation.playlist_report(
            user=request.user,
            playlist_id=playlist.id,
            name=playlist.name,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Thank you: our staff will look at it.")
        return back
    return render(
        request,
        "playlists/report.html",
        {"playlist": playlist, "form": form},
        status=400 if form.is_bound else 200,
    )
