"""How the customer's playlist views answer a change that 7digital made or refused: the
one place that turns the services' exceptions into a 404, or a message and a way back."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse

from store.playlists.services import LibraryNotReady, PlaylistNotFound, PlaylistUnavailable

UNAVAILABLE = "Playlists are unavailable at the moment: nothing was changed. Try again shortly."


def words(exc: Exception) -> str:
    """What to tell the customer when a change could not be made."""
    return str(exc) if isinstance(exc, LibraryNotReady) else UNAVAILABLE


def guarded(
    request,
    action,
    *,
    done: str,
    back: HttpResponse,
    failed: HttpResponse | None = None,
    missing: str = "No such playlist of yours",
) -> HttpResponse:
    """Run a change; say what happened; go ``back`` (or to ``failed`` when it could not
    be made). What is not the customer's to change (another's, or gone) is a 404."""
    try:
        action()
    except PlaylistNotFound as exc:
        raise Http404(missing) from exc
    except (PlaylistUnavailable, LibraryNotReady) as exc:
        messages.error(request, words(exc))
        return failed if failed is not None else back
    if done:
        messages.success(request, done)
    return back
