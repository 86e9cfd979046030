"""The release, artist and track pages: what they show, their htmx fragments, and the
7digital calls a cold page may make (two at most)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from integrations.country import COOKIE_NAME
from sandbox.models import Release as SandboxRelease
from sandbox.models import Track as SandboxTrack
from store.catalogue.views import details

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

HTMX = {"HTTP_HX_REQUEST": "true"}
FRESH_SECONDS = 432_000  # the sandbox's Cache-Control max-age for the catalogue
RADIOHEAD = 304
NO_SURPRISES = 1046
NO_SURPRISES_TRACK = 9525
RELEASE_URL = reverse("catalogue:release", args=[NO_SURPRISES])
ARTIST_URL = reverse("catalogue:artist", args=[RADIOHEAD])


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def _endpoints(sandbox) -> list[str]:
    return [entry["endpoint"] for entry in sandbox.entries()]


def _api_params(sandbox, endpoint: str) -> list[dict[str, str]]:
    return [dict(entry["params"]) for entry in sandbox.entries(endpoint=endpoint)]


def _hrefs(html: str) -> set[str]:
    return {unescape(href) for href in re.findall(r'href="([^"]*)"', html)}


def _text(html: str) -> str:
    """The page's words, without tags and with whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _buy_panel(html: str) -> str:
    """The words of the release's buy panel."""
    return _text(re.search(r'<section class="release-buy".*?</section>', html, re.S).group(0))


def _assert_fragment(html: str, element_id: str) -> None:
    html = html.strip()
    assert "<html" not in html
    assert "site-header" not in html
    assert re.match(rf'<section id="{element_id}"', html), html[:200]
    assert html.endswith("</section>")


def _release_only_in(country: str, not_in: str) -> SandboxRelease:
    release = (
        SandboxRelease.objects.filter(territories__contains=f",{country},", taken_down=False)
        .exclude(territories__contains=f",{not_in},")
        .first()
    )
    assert release is not None, "the seed has releases unavailable in some countries"
    return release


# -- the release page -----------------------------------------------------------------


def test_the_release_page_shows_the_release_in_the_site_layout(client, sandbox):
    response = client.get(RELEASE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site-header"' in html
    text = _text(html)
    assert "No Surprises" in text
    assert "by Radiohead" in text
    assert "Label Parlophone UK" in text
    assert "Year 1997" in text
    assert f"/artists/{RADIOHEAD}/" in _hrefs(html)


def test_the_cover_is_shown_at_350_px(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    cover = re.search(r'<img class="cover cover-large"[^>]*>', html).group(0)
    assert re.search(r'src="http://artwork-cdn\.7static\.com/[^"]*/0000001046_350\.jpg"', cover)
    assert 'width="350" height="350"' in cover
    assert 'alt="Cover of No Surprises"' in cover


def test_the_artwork_size_is_rewritten_only_in_7digital_style_urls():
    url = "http://artwork-cdn.7static.com/static/img/sleeveart/00/000/010/0000001046_50.jpg"
    assert details.artwork(url, 350).endswith("/0000001046_350.jpg")
    assert details.artwork("https://example.com/cover.jpg", 350) == "https://example.com/cover.jpg"
    assert details.artwork(None, 350) is None


def test_the_track_list_has_disc_numbers_titles_durations_and_preview_buttons(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    tracks = re.findall(r'<li class="track-row release-track">.*?</li>', html, re.S)
    assert len(tracks) == 3
    first = _text(tracks[0])
    assert first.startswith("1 ")
    assert "No Surprises" in first and "3:49" in first  # 229 seconds
    assert 'data-preview-track="9525"' in tracks[0]
    assert "/tracks/9525/" in _hrefs(tracks[0])
    assert [_text(t).split()[0] for t in tracks] == ["1", "2", "3"]
    assert "Disc 1" not in html, "a single disc needs no disc headings"


def test_a_release_on_several_discs_shows_each_disc(client, sandbox):
    release = SandboxTrack.objects.filter(disc_number__gt=1).values_list("release_id", flat=True)[0]

    html = client.get(reverse("catalogue:release", args=[release])).content.decode()

    assert '<h3 class="disc-heading">Disc 1</h3>' in html
    assert '<h3 class="disc-heading">Disc 2</h3>' in html


def test_packages_show_their_formats_and_price_in_the_visitors_currency(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    buy = _buy_panel(html)
    assert "Standard MP3 320 AAC 320 £2.49" in buy
    assert "Premium FLAC 16-bit 44.1kHz" in buy


def test_prices_follow_the_visitors_country(client, sandbox):
    client.cookies[COOKIE_NAME] = "US"

    html = client.get(RELEASE_URL).content.decode()

    buy = _buy_panel(html)
    assert "$" in buy
    assert "£" not in html


def test_the_country_chosen_in_the_session_applies_too(client, sandbox):
    client.post(reverse("catalogue:country"), {"country": "DE"})

    html = client.get(RELEASE_URL).content.decode()

    assert "€" in html


# What every visitor of a release sees (all but the tags) is rendered once per country
# and page of tracks, then reused for CATALOGUE_FRAGMENT_SECONDS.

SHARED_PART = "catalogue/partials/availability.html"  # rendered only with that part


def _rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def _main(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_the_part_every_visitor_sees_is_rendered_once_and_reused(client, sandbox):
    first = client.get(RELEASE_URL)
    again = client.get(RELEASE_URL)

    assert SHARED_PART in _rendered(first)
    assert SHARED_PART not in _rendered(again)
    # Only the buy panel's CSRF tokens differ: it is rendered for each visit.
    assert _without_tokens(_main(again)) == _without_tokens(_main(first))


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_reused_part_is_the_visitors_countrys(client, sandbox):
    client.get(RELEASE_URL)
    client.cookies[COOKIE_NAME] = "US"

    html = client.get(RELEASE_URL).content.decode()

    assert "$" in _buy_panel(html)
    assert "£" not in html


def test_the_reused_part_is_the_page_of_tracks_asked_for(client, sandbox, monkeypatch):
    monkeypatch.setattr(details, "RELEASE_TRACKS_PAGE_SIZE", 1)
    client.get(RELEASE_URL)

    html = client.get(RELEASE_URL, {"page": "2"}).content.decode()

    assert 'data-preview-track="9526"' in html
    assert 'data-preview-track="9525"' not in html


def test_the_reused_part_is_rendered_again_once_it_expires(client, sandbox, cache_clock, settings):
    client.get(RELEASE_URL)
    cache_clock.advance(settings.CATALOGUE_FRAGMENT_SECONDS + 1)

    later = client.get(RELEASE_URL)

    assert SHARED_PART in _rendered(later)
    assert _endpoints(sandbox).count("release/details") == 1, "the data itself is still fresh"


def test_a_track_sold_only_with_its_release_says_so(client, sandbox):
    track = SandboxTrack.objects.filter(
        standard_tier__isnull=True, release__territories__contains=",GB,"
    ).first()

    html = client.get(reverse("catalogue:release", args=[track.release_id])).content.decode()

    rows = re.findall(r'<li class="track-row release-track">.*?</li>', html, re.S)
    (row,) = [row for row in rows if f'data-preview-track="{track.id}"' in row]
    assert "Not sold separately" in row
    assert 'class="basket-add' not in row, "nothing to add: the track is not sold alone"


def test_add_to_basket_is_a_form_per_package_and_per_track_each_with_a_csrf_token(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    package_forms = re.findall(r'<form method="post" action="/basket/add/".*?</form>', html, re.S)
    assert len(package_forms) == 1 + 1  # the standard package, and the tracks' shared form
    assert all("csrfmiddlewaretoken" in form for form in package_forms)
    assert '<input type="hidden" name="release" value="1046">' in package_forms[0]
    track_buttons = re.findall(r'<button type="submit" form="basket-add-track"[^>]*>', html)
    assert track_buttons and 'value="9525"' in " ".join(track_buttons)
    assert "Buying opens soon." not in html


def test_availability_is_listed_per_usage_type(client, sandbox):
    text = _text(client.get(RELEASE_URL).content.decode())

    assert "Download: available" in text
    assert "Subscription streaming: available" in text
    assert "Ad-supported streaming: available" in text


def test_a_release_not_out_yet_shows_its_dates(client, sandbox):
    release = SandboxRelease.objects.filter(
        release_date__year=2099, streaming_date__isnull=True, territories__contains=",GB,"
    ).first()

    text = _text(client.get(reverse("catalogue:release", args=[release.id])).content.decode())

    assert f"Download: pre-release, from {release.release_date:%-d %B %Y}" in text
    assert "Subscription streaming: not available in your country" in text
    assert f"Previews: from {release.preview_date:%-d %B %Y}" in text


def test_a_cold_release_page_makes_two_calls_and_loads_its_tags_afterwards(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    assert sorted(_endpoints(sandbox)) == ["release/details", "release/tracks"]
    placeholder = re.search(r'<section id="release-tags"[^>]*>', html).group(0)
    assert 'hx-get="/releases/1046/?section=tags"' in placeholder
    assert 'hx-trigger="load"' in placeholder
    assert "/releases/1046/?section=tags#release-tags" in _hrefs(html), "no-JS fallback"


def test_the_tags_fragment_is_the_tags_section_only(client, sandbox):
    response = client.get(RELEASE_URL, {"section": "tags"}, **HTMX)

    html = response.content.decode()
    _assert_fragment(html, "release-tags")
    assert "hx-trigger" not in html, "a loaded section does not load itself again"
    assert {"/tags/rock/", "/tags/alternative/", "/tags/1990s/"} <= _hrefs(html)
    assert _endpoints(sandbox) == ["release/tags"]


def test_without_javascript_the_tags_link_shows_the_page_with_its_tags(client, sandbox):
    html = client.get(RELEASE_URL, {"section": "tags"}).content.decode()

    assert '<header class="site-header"' in html
    assert "/tags/rock/" in _hrefs(html)
    assert 'hx-trigger="load"' not in html


def test_htmx_without_a_section_gets_the_track_list_only(client, sandbox):
    response = client.get(RELEASE_URL, **HTMX)

    html = response.content.decode()
    _assert_fragment(html, "release-tracks")
    assert 'data-preview-track="9525"' in html
    assert _endpoints(sandbox) == ["release/tracks"]
    assert "HX-Request" in response["Vary"]


def test_a_long_track_list_is_paged_in_its_own_region(client, sandbox, monkeypatch):
    monkeypatch.setattr(details, "RELEASE_TRACKS_PAGE_SIZE", 1)

    html = client.get(RELEASE_URL).content.decode()
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    assert "/releases/1046/?section=tracks&page=2" in _hrefs(nav)
    assert 'hx-target="#release-tracks"' in nav

    fragment = client.get(RELEASE_URL, {"section": "tracks", "page": "2"}, **HTMX).content.decode()

    _assert_fragment(fragment, "release-tracks")
    assert 'data-preview-track="9526"' in fragment
    assert 'data-preview-track="9525"' not in fragment
    sent = _api_params(sandbox, "release/tracks")[-1]
    assert (sent["page"], sent["pageSize"]) == ("2", "1")


# -- the artist page ------------------------------------------------------------------


def test_the_artist_page_shows_the_artist_and_the_releases(client, sandbox):
    response = client.get(ARTIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site-header"' in html
    assert '<h1 id="artist-heading">Radiohead</h1>' in html
    assert re.search(r'<img class="portrait portrait-large" src="[^"]*_300\.jpg"', html)
    assert {"/releases/1046/", "/releases/1047/"} <= _hrefs(html)


def test_a_cold_artist_page_makes_two_calls_and_loads_the_rest_afterwards(client, sandbox):
    html = client.get(ARTIST_URL).content.decode()

    assert sorted(_endpoints(sandbox)) == ["artist/details", "artist/releases"]
    for section, element_id in (("top-tracks", "artist-top-tracks"), ("tags", "artist-tags")):
        placeholder = re.search(rf'<section id="{element_id}"[^>]*>', html).group(0)
        assert f'hx-get="/artists/304/?section={section}"' in placeholder
        assert 'hx-trigger="load"' in placeholder
        assert f"/artists/304/?section={section}#{element_id}" in _hrefs(html)


def test_the_top_tracks_fragment_lists_tracks_with_preview_buttons(client, sandbox):
    html = client.get(ARTIST_URL, {"section": "top-tracks"}, **HTMX).content.decode()

    _assert_fragment(html, "artist-top-tracks")
    assert html.count("data-preview-track=") == 5  # six tracks, five recordings
    assert 'data-preview-track="9525"' in html
    assert _endpoints(sandbox) == ["artist/toptracks"]


def test_a_song_on_two_releases_is_one_top_track(client, sandbox):
    # "No Surprises" opens both CD singles (1046 and 1047): one recording, one ISRC.
    html = client.get(ARTIST_URL, {"section": "top-tracks"}, **HTMX).content.decode()

    titles = re.findall(r'class="track-title"[^>]*>\s*(?:<a[^>]*>)?([^<]+)<', html)
    assert titles, "no track titles found"
    assert [t.strip() for t in titles].count("No Surprises") == 1
    assert 'data-preview-track="9525"' in html, "the most popular of the two is kept"


def test_two_releases_of_the_same_title_have_cards_that_tell_them_apart(client, sandbox):
    html = client.get(ARTIST_URL).content.decode()

    cards = {
        int(release_id): _text(card)
        for card, release_id in re.findall(
            r'(<article class="card release-card">.*?href="/releases/(\d+)/".*?</article>)',
            html,
            re.S,
        )
    }
    assert "3 tracks · 10:42" in cards[1046]
    assert "3 tracks · 13:15" in cards[1047]


def test_the_tags_fragment_links_to_the_tag_pages(client, sandbox):
    html = client.get(ARTIST_URL, {"section": "tags"}, **HTMX).content.decode()

    _assert_fragment(html, "artist-tags")
    assert {"/tags/rock/", "/tags/alternative/", "/tags/1990s/"} <= _hrefs(html)
    assert _endpoints(sandbox) == ["artist/tags"]


def test_without_javascript_a_section_link_shows_the_page_with_that_section(client, sandbox):
    html = client.get(ARTIST_URL, {"section": "top-tracks"}).content.decode()

    assert '<header class="site-header"' in html
    assert 'data-preview-track="9525"' in html
    assert "/artists/304/?section=tags#artist-tags" in _hrefs(html), "tags still load later"


def test_the_release_type_tabs_swap_only_the_releases(client, sandbox):
    html = client.get(ARTIST_URL).content.decode()
    for value in ("all", "album", "single", "video"):
        url = f"/artists/304/?type={value}"
        assert f'href="{url}"' in html
        assert f'hx-get="{url}" hx-target="#artist-releases" hx-swap="outerHTML"' in html

    response = client.get(ARTIST_URL, {"type": "single"}, **HTMX)

    fragment = response.content.decode()
    _assert_fragment(fragment, "artist-releases")
    assert 'aria-current="page">Singles</a>' in fragment
    assert "/releases/1046/" in _hrefs(fragment)
    assert _api_params(sandbox, "artist/releases")[-1]["type"] == "single"
    assert _endpoints(sandbox).count("artist/details") == 1, "only the full page reads the artist"


def test_a_type_with_no_releases_says_so(client, sandbox):
    html = client.get(ARTIST_URL, {"type": "video"}, **HTMX).content.decode()

    assert "No videos by this artist are available in your country." in html


def test_the_releases_are_paged_in_their_region_keeping_the_type(client, sandbox, monkeypatch):
    monkeypatch.setattr(details, "ARTIST_RELEASES_PAGE_SIZE", 1)

    html = client.get(ARTIST_URL, {"type": "single"}).content.decode()
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    assert "/artists/304/?type=single&page=2" in _hrefs(nav)
    assert 'hx-target="#artist-releases"' in nav

    fragment = client.get(ARTIST_URL, {"type": "single", "page": "2"}, **HTMX).content.decode()

    _assert_fragment(fragment, "artist-releases")
    assert "/artists/304/?type=single&page=1" in _hrefs(fragment)
    sent = _api_params(sandbox, "artist/releases")[-1]
    assert (sent["type"], sent["page"], sent["pageSize"]) == ("single", "2", "1")


@pytest.mark.parametrize(
    ("params", "notice"),
    [({"type": "ep"}, "“ep” is not a release type"), ({"page": "x"}, None), ({"page": "-3"}, None)],
)
def test_garbage_in_the_artist_url_falls_back_to_the_defaults(client, sandbox, params, notice):
    response = client.get(ARTIST_URL, params)

    assert response.status_code == 200
    if notice:
        assert notice in response.content.decode()
    sent = _api_params(sandbox, "artist/releases")[0]
    assert "type" not in sent and sent.get("page", "1") == "1"


# -- the track page -------------------------------------------------------------------


def test_the_track_page_shows_the_isrc_the_release_and_a_preview(client, sandbox):
    response = client.get(reverse("catalogue:track", args=[NO_SURPRISES_TRACK]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<header class="site-header"' in html
    text = _text(html)
    assert "ISRC GBAYE9700386" in text
    assert "Release No Surprises" in text
    assert "/releases/1046/" in _hrefs(html)
    assert "/artists/304/" in _hrefs(html)
    assert 'data-preview-track="9525"' in html
    assert "Length 3:49" in text
    assert "£0.99" in text
    assert _endpoints(sandbox) == ["track/details"]


def test_the_documented_track_has_its_page(client, sandbox):
    response = client.get(reverse("catalogue:track", args=[123456]))

    assert response.status_code == 200
    assert "ISRC" in _text(response.content.decode())


def test_a_track_not_sold_separately_points_to_its_release(client, sandbox):
    track = SandboxTrack.objects.filter(
        standard_tier__isnull=True, release__territories__contains=",GB,"
    ).first()

    html = client.get(reverse("catalogue:track", args=[track.id])).content.decode()

    assert "Not sold separately" in html
    assert f"/releases/{track.release_id}/" in _hrefs(html)


# -- what cannot be shown -------------------------------------------------------------


@pytest.mark.parametrize("name", ["release", "artist", "track"])
def test_an_unknown_item_is_the_friendly_404(client, sandbox, name):
    response = client.get(reverse(f"catalogue:{name}", args=[999_999_999]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn&rsquo;t find that" in html
    assert '<header class="site-header"' in html


def test_a_release_not_licensed_in_the_visitors_country_is_not_found(client, sandbox):
    release = _release_only_in("GB", not_in="FR")
    url = reverse("catalogue:release", args=[release.id])
    assert client.get(url).status_code == 200

    client.cookies[COOKIE_NAME] = "FR"
    response = client.get(url)

    assert response.status_code == 404
    assert "may not be available in your country" in response.content.decode()


@pytest.mark.parametrize("url", [RELEASE_URL, ARTIST_URL, "/tracks/9525/"])
def test_a_page_never_seen_is_the_friendly_503_while_7digital_fails(client, sandbox, url):
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = client.get(url)

    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "60"


@pytest.mark.parametrize(
    ("url", "shown"),
    [(RELEASE_URL, "Parlophone UK"), (ARTIST_URL, "Radiohead"), ("/tracks/9525/", "GBAYE9700386")],
)
def test_a_page_seen_before_is_served_with_the_stale_notice_while_7digital_fails(
    client, sandbox, cache_clock, queued_refreshes, url, shown
):
    assert client.get(url).status_code == 200
    cache_clock.advance(FRESH_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="stale-notice"' in html
    assert shown in html


def test_subscription_streaming_available_is_a_badge_leading_to_the_plans(client, sandbox):
    html = client.get(RELEASE_URL).content.decode()

    badge = re.search(r'<a class="badge badge-streaming" href="([^"]+)">([^<]+)</a>', html)
    assert badge, "no subscription streaming badge on a streamable release"
    assert badge.group(1) == reverse("subscriptions:subscribe")
    assert badge.group(2) == "Stream it with a subscription"
    assert client.get(badge.group(1)).status_code == 200


def test_a_release_not_streamable_here_has_no_subscription_badge(client, sandbox):
    release = SandboxRelease.objects.filter(
        release_date__year=2099, streaming_date__isnull=True, territories__contains=",GB,"
    ).first()

    html = client.get(reverse("catalogue:release", args=[release.id])).content.decode()

    assert "badge-streaming" not in html
