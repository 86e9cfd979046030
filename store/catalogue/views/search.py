"""Search: one box over artists, releases and tracks.

The full results page is a plain GET (``/search/?q=...&kind=release&sort=name``): it
works without JavaScript, can be bookmarked and shared. htmx enhances it: typing,
switching tabs, changing a filter or turning a page swaps only the results region
(``#search-results``, the ``results`` partial) and pushes the URL; the header's search
box, boosted, gets the whole page.

The header's box, on every page, suggests a few artists, releases and tracks as the
visitor types (static/js/typeahead.js): a targeted swap of its listbox
(``HX-Target: site-search-suggestions``) gets the ``suggestions`` partial, made of the
same searches as the results page's tabs, so pressing Enter finds them cached.

Everything in the query string is user input: a value the selectors would refuse
(they raise ``ValueError``) falls back to its default and the page says so, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_safe

from integrations.htmx import HtmxHttpRequest, render_page, wants_partial
from integrations.http import whole_number
from store.catalogue.page_cache import page_cached
from store.catalogue.selectors import (
    PAGE_SIZE,
    RELEASE_TYPES,
    SEARCH_KINDS,
    CatalogueError,
    catalogue_search,
)

TEMPLATE = "catalogue/search.html"
MAX_QUERY_LENGTH = 200
# Fewer letters match too much of the catalogue to suggest anything useful.
MIN_SUGGESTION_LENGTH = 2
SUGGESTIONS_PER_KIND = 3
SUGGESTIONS_TARGET = "site-search-suggestions"  # the header's listbox (templates/_base.html)
MAX_PAGE = 500  # 10,000 results in: nobody pages further, and it bounds what we pass on

KIND_LABELS = {"artist": "Artists", "release": "Releases", "track": "Tracks"}
# What the visitor picks -> the API's "{column} {order}". Relevance is the API's default,
# so it sends no sort at all (and shares its cached answers with the plain search).
SORTS = {"relevance": None, "name": "name asc", "popularity": "popularity desc"}
SORT_LABELS = {"relevance": "Relevance", "name": "Name", "popularity": "Popularity"}
TYPE_LABELS = {"album": "Albums", "single": "Singles", "video": "Videos"}
HIDE_EXPLICIT = "0"  # ?explicit=0: leave out tracks with explicit content
SHOW_EXPLICIT = ("", "1")


@dataclass
class SearchParams:
    """The search as asked, each value checked against what 7digital accepts."""

    q: str = ""
    kind: str = "artist"
    sort: str = "relevance"
    type: str = ""
    hide_explicit: bool = False
    page: int = 1
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query: QueryDict) -> SearchParams:
        params = cls(q=" ".join(query.get("q", "").split())[:MAX_QUERY_LENGTH])
        kind = query.get("kind", "")
        if kind in SEARCH_KINDS:
            params.kind = kind
        elif kind:
            params.problems.append(f"There is no “{kind}” tab: showing artists.")
        sort = query.get("sort", "")
        if sort in SORTS:
            params.sort = sort
        elif sort:
            params.problems.append(f"Results cannot be sorted by “{sort}”: sorted by relevance.")
        release_type = query.get("type", "")
        if params.kind == "release" and release_type in RELEASE_TYPES:
            params.type = release_type
        elif release_type and params.kind == "release":
            params.problems.append(f"“{release_type}” is not a release type: showing all types.")
        explicit = query.get("explicit", "")
        if params.kind == "track" and explicit == HIDE_EXPLICIT:
            params.hide_explicit = True
        elif params.kind == "track" and explicit not in SHOW_EXPLICIT:
            params.problems.append(f"“{explicit}” is not an explicit filter: showing all tracks.")
        page = query.get("page", "")
        if number := whole_number(page, maximum=MAX_PAGE):
            params.page = number
        elif page:
            params.problems.append(f"There is no page “{page}”: showing the first page.")
        return params

    def query_string(self, **changes: object) -> str:
        """This search's query string (without the page), with ``changes`` applied."""
        values = {
            "q": self.q,
            "kind": self.kind,
            "sort": self.sort if self.sort != "relevance" else "",
            "type": self.type,
            "explicit": HIDE_EXPLICIT if self.hide_explicit else "",
        }
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value})


@page_cached("q", "kind", "sort", "type", "explicit", "page")
@require_safe
def search(request: HtmxHttpRequest) -> HttpResponse:
    params = SearchParams.from_query(request.GET)
    if wants_partial(request) and request.htmx.target == SUGGESTIONS_TARGET:
        context = {"params": params, "groups": _suggestions(params.q, request.country)}
        return render_page(request, TEMPLATE, context, partial="suggestions", vary=("HX-Target",))
    results = None
    if params.q:  # an empty box asks 7digital nothing: it shows a prompt instead
        results = catalogue_search(
            q=params.q,
            kind=params.kind,
            country=request.country,
            sort=SORTS[params.sort],
            type=params.type or None,
            explicit=False if params.hide_explicit else None,
            page=params.page,
            page_size=PAGE_SIZE,
        )
    url = reverse("catalogue:search")
    context = {
        "search_query": params.q,
        "params": params,
        "results": results,
        "search_url": url,
        # Tabs keep the query and the sort; type and explicit belong to one kind only.
        "tabs": [
            {
                "kind": kind,
                "label": KIND_LABELS.get(kind, kind.title()),
                "url": f"{url}?{params.query_string(kind=kind, type='', explicit='')}",
                "current": kind == params.kind,
            }
            for kind in SEARCH_KINDS
        ],
        "sorts": SORT_LABELS,
        "types": {t: TYPE_LABELS.get(t, t.title()) for t in RELEASE_TYPES},
        "hide_explicit_value": HIDE_EXPLICIT,
        "page_url": f"{url}?{params.query_string()}",
    }
    return render_page(request, TEMPLATE, context, partial="results", vary=("HX-Target",))


def _suggestions(q: str, country: str) -> list[dict[str, object]]:
    """A few items of each kind found for ``q``, by kind: nothing for fewer than two
    characters, or when 7digital fails or refuses the words (the box still searches)."""
    if len(q) < MIN_SUGGESTION_LENGTH:
        return []
    groups = []
    try:
        for kind in SEARCH_KINDS:
            # The results page's own search for this tab (page size, relevance): one
            # cached answer serves both.
            results = catalogue_search(q=q, kind=kind, country=country, page_size=PAGE_SIZE)
            items = [result.item for result in results if result.item][:SUGGESTIONS_PER_KIND]
            if items:
                label = KIND_LABELS.get(kind, kind.title())
                groups.append({"kind": kind, "label": label, "items": items})
    except CatalogueError:
        return []
    return groups
