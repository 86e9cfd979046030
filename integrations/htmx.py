"""One way to answer htmx: a whole page, or one named partial of it for a targeted swap.

htmx marks three kinds of request with ``HX-Request``, and they want different answers:

* a **targeted swap** (an element's own ``hx-get``/``hx-post``: a letter, a tab, a lazy
  section, a basket button) replaces one region: it gets the named partial;
* a **boosted navigation** (``HX-Boosted``: a link or form under the layout's
  ``hx-boost``) replaces the whole ``<body>``: it gets the whole page, as a browser
  without JavaScript would;
* a **history restore** (``HX-History-Restore-Request``: back or forward to an entry htmx
  keeps no copy of) also replaces the body: the whole page again.

Every view asks :func:`wants_partial` (or renders through :func:`render_page`, which
asks it), so the three can never be confused; DESIGN.md, "One way to answer htmx".
One URL then has several bodies, so each answer says which request headers chose it
(``Vary``): a cache, the browser's included, must not hand a partial to a navigation.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware (as in its example project)."""

    htmx: HtmxDetails


# The request headers that choose between the page and a partial.
VARY = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")

# Where a link in the page's main region may navigate in place (hx-boost), by URL
# namespace. The others load whole pages until their templates mark what cannot be
# fetched into the page: the locker's downloads (a file, not a page), checkout's
# hand-over to Stripe (a redirect to another site, which a background request cannot
# follow), the account pages' sign-in, sign-out and two-factor forms (they rotate the
# CSRF token and the session the layout keeps). The header's links navigate in place
# everywhere: they lead only to pages. The player's only page is a radio station's, so
# the radio plays on when a listener follows a link from it.
IN_PLACE_NAMESPACES = frozenset({"catalogue", "basket", "player"})


def wants_partial(request: HttpRequest) -> bool:
    """True for a targeted swap: htmx asked, and neither boosted nor restoring history.

    ``HX-Request`` alone does not say it: a boosted navigation and (unless htmx is told
    otherwise) a history restore send it too, and both need the whole page.
    """
    htmx = getattr(request, "htmx", None)  # absent when HtmxMiddleware did not run
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse, *extra: str) -> HttpResponse:
    """Mark ``response`` as chosen by the htmx headers (and ``extra`` ones, such as
    ``HX-Target`` for a view that picks its partial by target)."""
    patch_vary_headers(response, [*VARY, *extra])
    return response


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int | None = None,
    vary: tuple[str, ...] = (),
) -> HttpResponse:
    """``template`` whole, or ``template#partial`` for a targeted swap; ``Vary`` set."""
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, context, status=status)
    return vary_on_htmx(response, *vary)


def navigates_in_place(request: HttpRequest) -> bool:
    """Whether the links and forms of this page's main region navigate in place."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace in IN_PLACE_NAMESPACES
