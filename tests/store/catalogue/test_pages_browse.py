"""Browsing pages: home (charts, new releases by tag), artists A-Z, a tag.

Each is a full page without JavaScript and, for htmx, only the part that changes; a
cold page asks 7digital at most twice, and an outage shows a friendly page (never
seen) or the last good copy with a notice (seen before).
"""

from __future__ import annotations

import html
import re

import pytest

from sandbox.models import Artist as SandboxArtist
from store.catalogue import selectors
from store.catalogue.views import browse

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

# The sandbox's Cache-Control max-age for the catalogue: past it, the client's fresh
# copies expire while the last good copies (CATALOGUE_STALE_SECONDS) remain.
FRESH_SECONDS = 432_000
LAYOUT = '<header class="site-header"'
PLAYER = 'id="player"'
STALE_NOTICE = 'class="stale-notice"'


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def page(client, url, *, htmx=False, target=None, status=200):
    headers = {}
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if target:
        headers["HTTP_HX_TARGET"] = target
    response = client.get(url, **headers)
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def is_full_page(text: str) -> bool:
    return "<html" in text and LAYOUT in text and PLAYER in text


def is_fragment(text: str) -> bool:
    return "<html" not in text and LAYOUT not in text and PLAYER not in text


def card_titles(text: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r'<h3 class="card-title">([^<]*)', text)]


def api_calls(sandbox) -> int:
    return len(sandbox.entries())


def outage(sandbox, cache_clock):
    """7digital starts failing after the client's fresh copies have expired."""
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "temporarily unavailable" in response.content.decode()


# -- home ------------------------------------------------------------------------------


def test_a_cold_home_page_asks_7digital_at_most_twice(client, sandbox):
    response = page(client, "/")

    assert api_calls(sandbox) <= 2
    assert is_full_page(response.text)


def test_the_home_page_loads_the_charts_and_each_featured_tag_as_sections(
    client, sandbox, settings
):
    settings.CATALOGUE_FEATURED_TAGS = ["rock", "pop"]

    text = page(client, "/").text

    charts = re.search(r'<section id="charts"[^>]*>', text).group(0)
    assert 'hx-get="/?section=charts"' in charts
    assert 'hx-trigger="load"' in charts and 'hx-swap="outerHTML"' in charts
    assert 'href="/?section=charts#charts"' in text, "without JavaScript: a link"
    for tag in ("rock", "pop"):
        section = re.search(rf'<section id="new-{tag}"[^>]*>', text).group(0)
        assert f'hx-get="/?section=tag&amp;tag={tag}"' in section
        assert f'href="/tags/{tag}/?section=new#tag-new"' in text
    assert 'id="new-electronic"' not in text


def test_the_home_page_for_htmx_is_its_content_only(client, sandbox):
    text = page(client, "/", htmx=True).text

    assert is_fragment(text)
    assert 'id="charts"' in text


def test_the_charts_section_shows_positions_changes_covers_and_play_buttons(client, sandbox):
    response = page(client, "/?section=charts", htmx=True)
    charts = selectors.charts_get(country="GB", page_size=browse.CHART_SIZE)

    text = response.text
    assert is_fragment(text)
    assert text.lstrip().startswith('<section id="charts"')
    assert "hx-get" not in text.split(">", 1)[0], "a loaded section does not load again"
    for chart in ("releases", "tracks", "artists"):
        assert f'id="chart-{chart}-heading"' in text
    positions = re.findall(r'<span class="chart-position">(\d+)</span>', text)
    assert positions == [str(n) for n in range(1, browse.CHART_SIZE + 1)] * 3
    first = charts.releases[0]
    assert f'<img src="{first.item.image}" alt=""' in text
    assert f'href="/releases/{first.item.id}/"' in text
    for entry in charts.tracks:
        assert f'data-preview-track="{entry.item.id}"' in text
        assert f'<img src="{entry.item.release.image}" alt=""' in text
    assert f'<img src="{charts.artists[0].item.image}" alt=""' in text
    changes = {e.change for chart in (charts.releases, charts.tracks) for e in chart}
    labels = {
        "Up": "Up from last week",
        "Down": "Down from last week",
        "NonMover": "Same place as last week",
        "New": "New",
    }
    for change in changes:
        assert labels[change] in text, change


def test_the_charts_are_one_cached_read(client, sandbox):
    page(client, "/?section=charts", htmx=True)
    calls = api_calls(sandbox)

    page(client, "/?section=charts", htmx=True)

    assert calls == 3  # the release, track and artist charts
    assert api_calls(sandbox) == calls


def test_without_javascript_the_charts_link_shows_the_home_page_with_the_charts(client, sandbox):
    text = page(client, "/?section=charts").text

    assert is_full_page(text)
    assert '<span class="chart-position">1</span>' in text
    assert 'hx-get="/?section=charts"' not in text
    assert 'hx-get="/?section=tag&amp;tag=rock"' in text, "the other sections still load"


def test_a_featured_tag_section_shows_its_new_releases(client, sandbox):
    text = page(client, "/?section=tag&tag=rock", htmx=True).text
    expected = selectors.tag_releases_new(
        tag="rock", country="GB", page_size=browse.FEATURED_RELEASES
    )

    assert is_fragment(text)
    assert text.lstrip().startswith('<section id="new-rock"')
    assert card_titles(text) == [release.title for release in expected]
    assert 'href="/tags/rock/"' in text


def test_only_featured_tags_are_home_sections(client, sandbox):
    response = page(client, "/?section=tag&tag=jazz", htmx=True, status=404)
    assert api_calls(sandbox) == 0
    assert "We couldn&rsquo;t find that" in response.text


def test_home_prices_are_in_the_visitors_currency(client, sandbox):
    client.cookies["country"] = "US"

    text = page(client, "/?section=charts", htmx=True).text

    assert '<span class="price">$' in text
    assert "£" not in text


def test_the_charts_never_seen_during_an_outage_are_unavailable(client, sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    assert_unavailable(client.get("/?section=charts"))
    assert page(client, "/").status_code == 200, "the page itself needs no 7digital"


def test_charts_seen_before_are_shown_stale_during_an_outage(
    client, sandbox, cache_clock, queued_refreshes
):
    seen = page(client, "/?section=charts", htmx=True).text
    outage(sandbox, cache_clock)

    fragment = page(client, "/?section=charts", htmx=True).text
    full = page(client, "/?section=charts").text

    assert STALE_NOTICE in fragment, "a swapped-in section carries its own notice"
    assert fragment.count(STALE_NOTICE) == 1
    assert full.count(STALE_NOTICE) == 1, "the layout's notice, not a second one"
    positions = re.findall(r'class="chart-position">(\d+)', fragment)
    assert positions == re.findall(r'class="chart-position">(\d+)', seen)


# -- artists A-Z -----------------------------------------------------------------------


def sandbox_names(prefix: str) -> set[str]:
    return set(
        SandboxArtist.objects.filter(sort_name__istartswith=prefix).values_list("name", flat=True)
    )


def test_the_artists_page_lists_the_artists_of_the_letter_a_by_default(client, sandbox):
    text = page(client, "/artists/").text

    assert is_full_page(text)
    assert api_calls(sandbox) == 1
    names = card_titles(text)
    assert names and set(names) == sandbox_names("a")
    assert '<a href="/artists/?letter=a"' in text
    assert re.search(r'href="/artists/\?letter=a"[^>]*aria-current="page"', text)
    assert len(re.findall(r'aria-current="page"', text)) == 1


@pytest.mark.parametrize("letter", ["q", "X", "qu"])
def test_every_artist_shown_starts_with_the_letter(client, sandbox, letter):
    text = page(client, f"/artists/?letter={letter}").text

    names = card_titles(text)
    assert names and set(names) == sandbox_names(letter)
    assert all(name.lower().startswith(letter.lower()) for name in names)


def test_a_longer_prefix_marks_its_letter_as_the_current_group(client, sandbox):
    text = page(client, "/artists/?letter=qu").text

    assert re.search(r'href="/artists/\?letter=q"[^>]*aria-current="true"', text)
    assert 'aria-current="page"' not in text


def test_the_letters_swap_the_letters_and_the_grid_and_push_the_url(client, sandbox):
    text = page(client, "/artists/?letter=b").text

    link = re.search(r'<a href="/artists/\?letter=k"[^>]*>', text).group(0)
    assert 'hx-get="/artists/?letter=k"' in link
    assert 'hx-target="#artists-browse"' in link
    assert 'hx-push-url="true"' in link

    fragment = page(client, "/artists/?letter=k", htmx=True, target="artists-browse").text
    assert is_fragment(fragment)
    assert fragment.lstrip().startswith('<div id="artists-browse"')
    assert re.search(r'href="/artists/\?letter=k"[^>]*aria-current="page"', fragment)
    assert set(card_titles(fragment)) == sandbox_names("k")


def test_the_pagination_keeps_the_letter_and_swaps_only_the_grid(client, sandbox, monkeypatch):
    monkeypatch.setattr(browse, "ARTISTS_PAGE_SIZE", 1)
    names = sandbox_names("x")
    assert len(names) >= 2, "the seed has two artists under X"

    first = page(client, "/artists/?letter=x").text
    next_link = re.search(r'<a rel="next"[^>]*>', first).group(0)
    assert 'href="/artists/?letter=x&page=2"' in next_link
    assert 'hx-get="/artists/?letter=x&page=2"' in next_link
    assert 'hx-target="#artist-grid"' in next_link
    assert 'hx-push-url="true"' in next_link

    second = page(client, "/artists/?letter=x&page=2", htmx=True, target="artist-grid").text
    assert is_fragment(second)
    assert second.lstrip().startswith('<section id="artist-grid"')
    assert "letter-nav" not in second
    assert 'href="/artists/?letter=x&page=1"' in second
    shown = card_titles(first) + card_titles(second)
    assert len(shown) == 2 and set(shown) <= names and shown[0] != shown[1]

    full = page(client, "/artists/?letter=x&page=2").text
    assert is_full_page(full) and card_titles(full) == card_titles(second)


@pytest.mark.parametrize("digit", ["0", "5", "9"])
def test_the_0_to_9_bucket_browses_artists_by_their_first_digit(client, sandbox, digit):
    text = page(client, f"/artists/?letter={digit}").text

    names = card_titles(text)
    assert names and set(names) == sandbox_names(digit)
    assert re.search(r'href="/artists/\?letter=0"[^>]*aria-current="true"[^>]*>0\u20139</a>', text)
    digits = re.search(r'<nav class="letter-nav letter-nav-digits".*?</nav>', text, re.S).group(0)
    for d in "0123456789":
        assert f'href="/artists/?letter={d}"' in digits
    assert re.search(rf'href="/artists/\?letter={digit}"[^>]*aria-current="page"', digits)


def test_the_digit_links_show_only_while_browsing_a_digit(client, sandbox):
    assert "letter-nav-digits" not in page(client, "/artists/?letter=a").text


@pytest.mark.parametrize("letter", ["", "abcd", "<b>", "a_", "%25", "a b"])
def test_a_letter_that_is_not_one_to_three_letters_or_digits_shows_the_letter_a(
    client, sandbox, letter
):
    text = page(client, f"/artists/?letter={letter}").text

    assert re.search(r'href="/artists/\?letter=a"[^>]*aria-current="page"', text)
    assert set(card_titles(text)) == sandbox_names("a")


@pytest.mark.parametrize("number", ["x", "0", "-3", "1.5", "", "9" * 5000])
def test_a_page_that_is_not_a_positive_number_is_the_first_page(client, sandbox, number):
    text = page(client, f"/artists/?letter=a&page={number}").text

    assert set(card_titles(text)) == sandbox_names("a")


def test_a_page_past_the_end_is_the_friendly_404(client, sandbox):
    response = page(client, "/artists/?letter=a&page=999", status=404)
    assert "We couldn&rsquo;t find that" in response.text


def test_an_absurd_page_is_a_404_without_asking_7digital(client, sandbox):
    page(client, f"/artists/?letter=a&page={browse.MAX_PAGE + 1}", status=404)
    assert api_calls(sandbox) == 0


def test_artists_never_seen_during_an_outage_are_unavailable(client, sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    assert_unavailable(client.get("/artists/?letter=k"))


def test_artists_seen_before_are_shown_stale_during_an_outage(
    client, sandbox, cache_clock, queued_refreshes
):
    seen = page(client, "/artists/?letter=k").text
    outage(sandbox, cache_clock)

    again = page(client, "/artists/?letter=k").text

    assert STALE_NOTICE in again and STALE_NOTICE not in seen
    assert card_titles(again) == card_titles(seen)


# -- a tag -----------------------------------------------------------------------------


def test_a_cold_tag_page_shows_its_top_releases_in_two_calls(client, sandbox):
    text = page(client, "/tags/rock/").text
    calls = api_calls(sandbox)
    expected = selectors.tag_releases_top(
        tag="rock", country="GB", page_size=browse.TAG_SECTION_SIZE
    )

    assert calls <= 2
    assert is_full_page(text)
    assert '<h1 class="page-title">Rock</h1>' in text
    top = re.search(r'<section id="tag-releases".*?</section>', text, re.S).group(0)
    assert card_titles(top) == [release.title for release in expected]


def test_the_tag_pages_new_releases_and_top_artists_load_as_sections(client, sandbox):
    text = page(client, "/tags/rock/").text

    for section, name in (("new", "new"), ("artists", "artists")):
        opening = re.search(rf'<section id="tag-{name}"[^>]*>', text).group(0)
        assert f'hx-get="/tags/rock/?section={section}"' in opening
        assert 'hx-trigger="load"' in opening
        assert f'href="/tags/rock/?section={section}#tag-{name}"' in text


def test_the_top_artists_section_shows_the_tags_top_artists(client, sandbox):
    text = page(client, "/tags/rock/?section=artists", htmx=True).text
    expected = selectors.tag_artists_top(
        tag="rock", country="GB", page_size=browse.TAG_SECTION_SIZE
    )

    assert is_fragment(text)
    assert text.lstrip().startswith('<section id="tag-artists"')
    assert card_titles(text) == [artist.name for artist in expected]


def test_the_new_releases_section_shows_the_tags_new_releases(client, sandbox):
    response = page(client, "/tags/rock/?section=new", htmx=True)
    calls = api_calls(sandbox)
    expected = selectors.tag_releases_new(
        tag="rock", country="GB", page_size=browse.TAG_SECTION_SIZE
    )

    assert calls == 1, "a section does not read the tag again"
    assert is_fragment(response.text)
    assert card_titles(response.text) == [release.title for release in expected]


def test_without_javascript_a_section_link_shows_the_page_with_that_section(client, sandbox):
    text = page(client, "/tags/rock/?section=new").text

    assert is_full_page(text)
    assert 'hx-get="/tags/rock/?section=new"' not in text
    new = re.search(r'<section id="tag-new".*?</section>', text, re.S).group(0)
    assert card_titles(new)
    assert 'hx-get="/tags/rock/?section=artists"' in text


def test_the_tag_page_for_htmx_is_its_content_only(client, sandbox):
    text = page(client, "/tags/rock/", htmx=True).text

    assert is_fragment(text)
    assert '<h1 class="page-title">Rock</h1>' in text


def test_an_unknown_tag_is_the_friendly_404(client, sandbox):
    response = page(client, "/tags/no-such-tag/", status=404)

    assert "We couldn&rsquo;t find that" in response.text
    assert LAYOUT in response.text


def test_tag_prices_are_in_the_visitors_currency(client, sandbox):
    client.cookies["country"] = "US"

    text = page(client, "/tags/rock/").text

    assert '<span class="price">$' in text
    assert "£" not in text


def test_a_tag_never_seen_during_an_outage_is_unavailable(client, sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    assert_unavailable(client.get("/tags/pop/"))


def test_a_tag_seen_before_is_shown_stale_during_an_outage(
    client, sandbox, cache_clock, queued_refreshes
):
    seen = page(client, "/tags/pop/").text
    outage(sandbox, cache_clock)

    again = page(client, "/tags/pop/").text

    assert STALE_NOTICE in again and STALE_NOTICE not in seen
    assert card_titles(again) == card_titles(seen)


# -- every page ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/artists/", "/tags/rock/"])
def test_every_page_varies_on_htmx_and_answers_only_safe_methods(client, sandbox, url):
    assert "HX-Request" in page(client, url)["Vary"]
    assert client.post(url).status_code == 405
