"""Browsing the catalogue: the home page, artists A-Z and a tag's page.

Each view serves its full page and, for a targeted htmx swap, only the part that changes
(``integrations.htmx``); every page works without JavaScript.

Why some sections load on their own: a page that nobody has seen for a while must
not keep the visitor waiting on many 7digital calls in a row (the budget is two per
cold page). A section that would exceed it is rendered as a placeholder that asks for
``?section=<name>`` of the same URL as soon as it is on screen (``hx-trigger="load"``):
those requests run side by side and are cached like any other read. The placeholder
holds a plain link to the same URL, which without JavaScript shows the page with that
section filled in. The home page asks 7digital nothing itself, so it shows in place
every section whose data is already kept (``cached_read``): only a cold section is a
placeholder, and crawlers and browsers without JavaScript see the music.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from integrations.htmx import HtmxHttpRequest, render_page, wants_partial
from sevendigital.models import Page, Release
from store.catalogue.page_cache import page_cached, page_incomplete
from store.catalogue.selectors import (
    CatalogueNotFound,
    artists_browse,
    cached_read,
    charts_get,
    tag_artists_top,
    tag_get,
    tag_releases_new,
    tag_releases_top,
)

CHART_SIZE = 10
FEATURED_RELEASES = 6
ARTISTS_PAGE_SIZE = 24
TAG_SECTION_SIZE = 12
# No letter holds this many pages of artists: a larger number is a made-up URL, not
# worth a call to 7digital.
MAX_PAGE = 10_000
DEFAULT_LETTER = "a"
# One to three letters or digits of any script ("a", "the", "ö", "7"); 7digital's
# browse matches the start of the artist's sort name.
LETTER = re.compile(r"[^\W_]{1,3}")


def _page_number(raw: str | None) -> int:
    """``?page=``: anything but a positive whole number means the first page.

    A page past the end is a 404 (7digital says so for pages it has not got; we say it
    for absurd numbers without asking).
    """
    try:
        page = int(raw or 1)
    except ValueError:
        return 1
    if page < 1:
        return 1
    if page > MAX_PAGE:
        raise CatalogueNotFound(f"No page {page}")
    return page


# -- home ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeaturedTag:
    """A featured tag on the home page; ``releases`` is None until its section loads."""

    id: str
    releases: Page[Release] | None = None

    @property
    def name(self) -> str:
        # The tag's id, not its 7digital name: asking for the name would cost a call.
        return self.id.replace("-", " ")


@page_cached("section", "tag")
@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    """This week's release, track and artist charts, and new releases for a few tags.

    The page itself asks 7digital nothing: the three charts are three calls
    (``charts_get`` reads them together, one cached read), and each featured tag is
    one more. A section whose read is kept (fresh, or the last good copy while
    7digital fails) comes with the page; any other loads as its own section (see the
    module's docstring): ``?section=charts`` and ``?section=tag&tag=<id>``, run in
    parallel once the page is on screen. Without JavaScript the charts' placeholder
    links to ``?section=charts`` (this page with the charts in it), a tag's to its tag
    page.
    """
    country = request.country
    section = request.GET.get("section")
    if section in ("charts", "tag") and wants_partial(request):
        # A section's own request: the rest of the page is not rendered.
        context: dict = {"charts": None, "featured": []}
    else:
        context = _home_sections_kept(country)
        if context["charts"] is None or any(tag.releases is None for tag in context["featured"]):
            page_incomplete(request)  # a visitor a moment later gets them in the page
    context["placeholder_cards"] = range(FEATURED_RELEASES)  # a loading tag's room
    partial = "home"
    if section == "charts":
        context["charts"] = charts_get(country=country, page_size=CHART_SIZE)
        partial = "charts"
    elif section == "tag":
        tag_id = request.GET.get("tag", "")
        if tag_id not in settings.CATALOGUE_FEATURED_TAGS:
            raise CatalogueNotFound(f"{tag_id!r} is not a featured tag")
        releases = tag_releases_new(tag=tag_id, country=country, page_size=FEATURED_RELEASES)
        loaded = FeaturedTag(tag_id, releases)
        context["featured"] = [loaded if tag.id == tag_id else tag for tag in context["featured"]]
        context["featured_tag"] = loaded
        partial = "featured-tag"
    return render_page(request, "catalogue/home.html", context, partial=partial)


def _home_sections_kept(country: str) -> dict:
    """The home page's sections as far as their data is kept: the charts (or None)
    and each featured tag (its ``releases`` None when not kept). No call to 7digital."""
    return {
        "charts": cached_read(charts_get, country=country, page_size=CHART_SIZE),
        "featured": [
            FeaturedTag(
                tag,
                cached_read(
                    tag_releases_new, tag=tag, country=country, page_size=FEATURED_RELEASES
                ),
            )
            for tag in settings.CATALOGUE_FEATURED_TAGS
        ],
    }


# -- artists A-Z -----------------------------------------------------------------------


def _letter(raw: str | None) -> str:
    """``?letter=``: one to three letters or digits, lower-cased; anything else shows
    the default letter rather than an error, as a mistyped link still lands
    somewhere useful."""
    letter = (raw or "").strip().lower()
    return letter if LETTER.fullmatch(letter) else DEFAULT_LETTER


def _current(letter: str, link: str) -> str | None:
    """``aria-current`` of the link to ``link``: "page" for this very list, "true"
    for the group the list is in (the "q" link while showing "qu")."""
    if letter == link:
        return "page"
    if letter.startswith(link):
        return "true"
    return None


def _letter_links(letter: str) -> tuple[list[dict], list[dict]]:
    """The A-Z and "0-9" links, and the 0-9 links shown while browsing a digit.

    7digital browses by prefix, so "0-9" as one list would take ten calls and could
    not be paged as one. "0-9" opens the artists starting with 0, with a second row
    of links to each digit: one call per page, like any letter.
    """
    letters = [
        {"label": c.upper(), "url": _letter_url(c), "current": _current(letter, c)}
        for c in string.ascii_lowercase
    ]
    on_digit = letter[0] in string.digits
    letters.append(
        {"label": "0\N{EN DASH}9", "url": _letter_url("0"), "current": "true" if on_digit else None}
    )
    digits = []
    if on_digit:
        digits = [
            {"label": d, "url": _letter_url(d), "current": _current(letter, d)}
            for d in string.digits
        ]
    return letters, digits


def _letter_url(letter: str) -> str:
    return f"{reverse('catalogue:artists')}?{urlencode({'letter': letter})}"


@page_cached("letter", "page")
@require_safe
def artists(request: HtmxHttpRequest) -> HttpResponse:
    """Artists whose sort name starts with ``?letter=`` (default "a"), paged.

    htmx: the pagination swaps only the grid (``HX-Target: artist-grid``); a letter
    link swaps the letter navigation and the grid (``artists-browse``).
    """
    letter = _letter(request.GET.get("letter"))
    page = _page_number(request.GET.get("page"))
    found = artists_browse(
        letter=letter, country=request.country, page=page, page_size=ARTISTS_PAGE_SIZE
    )
    letters, digits = _letter_links(letter)
    context = {
        "letter": letter,
        "artists": found,
        "letters": letters,
        "digits": digits,
        "page_url": _letter_url(letter),
    }
    partial = "artist-grid" if request.htmx.target == "artist-grid" else "artists-browse"
    return render_page(
        request, "catalogue/artists.html", context, partial=partial, vary=("HX-Target",)
    )


# -- a tag -----------------------------------------------------------------------------

# Section name -> (context name, selector). The first loads with the page.
TAG_SECTIONS = {
    "releases": ("top_releases", tag_releases_top),
    "new": ("new_releases", tag_releases_new),
    "artists": ("top_artists", tag_artists_top),
}


@page_cached("section")
@require_safe
def tag(request: HtmxHttpRequest, tag: str) -> HttpResponse:
    """A tag's top releases, new releases and top artists.

    The page reads the tag (its name, and a 404 for an unknown one: one call for the
    list of tags, shared by every tag page) and its top releases: two calls. New
    releases and top artists load as sections (see the module's docstring).
    """
    tag_id = tag.lower()
    country = request.country
    section = request.GET.get("section")
    if section not in TAG_SECTIONS:
        section = None
    context: dict = {
        "tag_url": reverse("catalogue:tag", args=[tag_id]),
        **{name: None for name, _ in TAG_SECTIONS.values()},
    }

    def load(name: str) -> None:
        key, read = TAG_SECTIONS[name]
        context[key] = read(tag=tag_id, country=country, page_size=TAG_SECTION_SIZE)

    if section and wants_partial(request):
        # Only a page that showed the tag asks for its sections: no need to read it again.
        load(section)
        return render_page(request, "catalogue/tag.html", context, partial=f"tag-{section}")
    context["tag"] = tag_get(tag_id=tag_id, country=country)
    load("releases")
    if section and section != "releases":
        load(section)  # without JavaScript, a placeholder's link asks for its section
    return render_page(request, "catalogue/tag.html", context, partial="tag")
