"""``/library/playlists/groups/``: a customer's playlist groups (7digital's
``user/playlists/groups``, reference lines 6054-6410), shelves that gather some of their
own playlists and the shop's playlists they keep as favourites.

Every call acts as the customer's own 7digital user, so another customer's group is
"not found" whatever its id (7digital answers 2001). A group may be given only playlists
the customer may choose: their own and their favourites (the form's choices), so no id
of another customer's private playlist is ever sent. Every change is a POST with CSRF
and works without JavaScript (a redirect back, with a message).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from store.playlists import services
from store.playlists.models import CustomerPlaylist
from store.playlists.outcomes import guarded, words
from store.playlists.services import LibraryNotReady, PlaylistNotFound, PlaylistUnavailable


def choices_of(own, favourites) -> list[tuple[str, str]]:
    """(id, name) of the playlists a customer may put in a group: their own, then the
    shop's they keep as favourites."""
    return [(p.id, p.name) for p in own] + [(p.id, f"{p.name} (a favourite)") for p in favourites]


def choosable(user) -> list[tuple[str, str]]:
    return choices_of(
        services.customer_playlists_list(user=user), services.customer_favourites_list(user=user)
    )


class GroupForm(forms.Form):
    name = forms.CharField(max_length=services.NAME_LIMIT, strip=True)
    playlists = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Playlists in it"
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["playlists"].choices = list(choices)


class AddToGroupForm(forms.Form):
    playlists = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Add")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["playlists"].choices = list(choices)


class RenameGroupForm(forms.Form):
    name = forms.CharField(max_length=services.NAME_LIMIT, strip=True)


MISSING = "No such group of yours"


def _group_page(group_id: str) -> HttpResponse:
    return redirect("playlists:group", group_id=group_id)


def _errors(form: forms.Form) -> str:
    return "; ".join(" ".join(errors) for errors in form.errors.values())


@login_required
@require_POST
def group_create(request) -> HttpResponse:
    try:
        choices = choosable(request.user)
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return redirect("playlists:library")
    form = GroupForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, f"The group was not made: {_errors(form)}")
        return redirect("playlists:library")
    try:
        group = services.customer_group_create(
            user=request.user,
            name=form.cleaned_data["name"],
            playlist_ids=form.cleaned_data["playlists"],
        )
    except PlaylistNotFound:  # one of them went meanwhile (a favourite unpublished, say)
        messages.error(request, "One of those playlists is no longer there: nothing was made.")
        return redirect("playlists:library")
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return redirect("playlists:library")
    messages.success(request, f"Group “{group.name}” made.")
    return _group_page(group.id)


@login_required
@require_safe
def group(request, group_id: str) -> HttpResponse:
    try:
        found = services.customer_group_get(user=request.user, group_id=group_id)
        choices = choosable(request.user)
    except PlaylistNotFound as exc:
        raise Http404(MISSING) from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return redirect("playlists:library")
    inside = {p.id for p in found.playlists}
    own = set(
        CustomerPlaylist.objects.filter(user=request.user, playlist_id__in=inside).values_list(
            "playlist_id", flat=True
        )
    )
    return render(
        request,
        "playlists/group.html",
        {
            "group": found,
            "own": own,
            "add_form": AddToGroupForm(choices=[c for c in choices if c[0] not in inside]),
            "rename_form": RenameGroupForm(initial={"name": found.name}),
        },
    )


@login_required
@require_POST
def group_add(request, group_id: str) -> HttpResponse:
    try:
        choices = choosable(request.user)
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return _group_page(group_id)
    form = AddToGroupForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, f"Nothing added: {_errors(form)}")
        return _group_page(group_id)
    chosen = form.cleaned_data["playlists"]
    return guarded(
        request,
        lambda: services.customer_group_add(
            user=request.user, group_id=group_id, playlist_ids=chosen
        ),
        done=f"{len(chosen)} playlist{'s' if len(chosen) != 1 else ''} added.",
        back=_group_page(group_id),
        missing=MISSING,
    )


@login_required
@require_POST
def group_remove(request, group_id: str) -> HttpResponse:
    """Take one playlist out: the group is written again without it (PUT)."""
    leaving = (request.POST.get("playlist") or "").lower()

    def remove() -> None:
        current = services.customer_group_get(user=request.user, group_id=group_id)
        kept = [p.id for p in current.playlists if p.id != leaving]
        services.customer_group_replace(
            user=request.user, group_id=group_id, name=current.name, playlist_ids=kept
        )

    return guarded(
        request, remove, done="Taken out of the group.", back=_group_page(group_id), missing=MISSING
    )


@login_required
@require_POST
def group_rename(request, group_id: str) -> HttpResponse:
    form = RenameGroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not renamed: {_errors(form)}")
        return _group_page(group_id)
    name = form.cleaned_data["name"]

    def rename() -> None:
        current = services.customer_group_get(user=request.user, group_id=group_id)
        services.customer_group_replace(
            user=request.user,
            group_id=group_id,
            name=name,
            playlist_ids=[p.id for p in current.playlists],
        )

    return guarded(
        request, rename, done=f"Renamed “{name}”.", back=_group_page(group_id), missing=MISSING
    )


@login_required
@require_POST
def group_delete(request, group_id: str) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick “Yes, delete the group” to delete it.")
        return _group_page(group_id)
    return guarded(
        request,
        lambda: services.customer_group_delete(user=request.user, group_id=group_id),
        done="Group deleted. Its playlists are still yours.",
        back=redirect("playlists:library"),
        failed=_group_page(group_id),
        missing=MISSING,
    )
