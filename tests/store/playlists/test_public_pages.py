"""The public playlist pages (issue 20): ``/playlists/`` lists the editors' published,
public playlists (by tag), ``/playlists/<id>/`` shows one with its tracks checked again
for the visitor's country: what plays here has its play button, price and page, what
does not is shown greyed and cannot be played."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from integrations.sevendigital import get_client
from sandbox.models import Track as SandboxTrack
from sevendigital.models.playlists import PlaylistTrack

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.usefixtures("sandbox"),
]

NO_SURPRISES_TRACKS = (9525, 9526, 9527)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Nothing read before: neither the shared cache nor the catalogue's fresh copies."""
    from django.core.cache import cache

    from store.catalogue.selectors import forget_fresh_copies

    cache.clear()
    forget_fresh_copies()


def entry(track_id: int, title: str = "", **more) -> PlaylistTrack:
    return PlaylistTrack(track_id=str(track_id), track_title=title or f"Track {track_id}", **more)


def editorial(name: str, *, tracks=(), tags=(), visibility="public", status="published"):
    return get_client().playlists.create(
        name=name,
        description=f"About {name}",
        visibility=visibility,
        status=status,
        tracks=list(tracks),
        tags=list(tags),
    )


def test_the_list_shows_published_public_playlists_only(client):
    editorial("Shown", tags=["rock"])
    editorial("Draft", status="draft")
    editorial("Private", visibility="private")

    page = client.get("/playlists/").content.decode()

    assert "Shown" in page
    assert "Draft" not in page and "Private" not in page


def test_the_list_narrows_to_a_tag(client):
    editorial("Rock one", tags=["rock"])
    editorial("Pop one", tags=["pop"])

    page = client.get("/playlists/", {"tag": "rock"}).content.decode()

    assert "Rock one" in page and "Pop one" not in page
    assert 'aria-current="page">rock<' in page


def test_a_playlist_page_lists_its_tracks_in_order_with_play_and_buy(client):
    made = editorial("Radiohead", tracks=[entry(t) for t in reversed(NO_SURPRISES_TRACKS)])

    response = client.get(f"/playlists/{made.id}/")

    assert response.status_code == 200
    page = response.content.decode()
    played = re.findall(r'data-preview-track="(\d+)"', page)
    assert played == [str(t) for t in reversed(NO_SURPRISES_TRACKS)]
    assert 'data-play-all="#playlist-track-list"' in page
    assert "About Radiohead" in page
    assert page.count('class="price') >= 3


def test_a_track_that_does_not_play_here_is_shown_greyed_without_a_button(client):
    elsewhere = SandboxTrack.objects.exclude(release__territories__contains=",GB,").first()
    made = editorial(
        "Mixed",
        tracks=[
            entry(9525, "No Surprises"),
            entry(elsewhere.pk, "Far away"),
            entry(0, "My own recording", source="local", audio_url="file://x.mp3"),
        ],
    )

    page = client.get(f"/playlists/{made.id}/").content.decode()

    assert re.findall(r'data-preview-track="(\d+)"', page) == ["9525"]
    assert page.count("playlist-unavailable") == 2
    assert "Far away" in page and "My own recording" in page
    assert "2 of these tracks are not available in your country" in page


@pytest.mark.parametrize("kind", ["draft", "private", "missing"])
def test_a_playlist_not_public_is_not_found(client, kind):
    if kind == "missing":
        playlist_id = "f" * 24
    else:
        playlist_id = editorial(
            kind, visibility="private" if kind == "private" else "public",
            status="draft" if kind == "draft" else "published",
        ).id  # fmt: skip

    assert client.get(f"/playlists/{playlist_id}/").status_code == 404


def test_a_customers_private_playlist_is_not_found_and_a_public_one_is_shared(client):
    from accounts.selectors import partner_user_id_of
    from tests.store.conftest import make_customer

    customer = make_customer("maker@example.com")
    partner = partner_user_id_of(user=customer)
    private = get_client().playlists.create(name="Secret", user=partner)
    shared = get_client().playlists.create(name="Shared", user=partner, visibility="public")

    assert client.get(f"/playlists/{private.id}/").status_code == 404
    assert client.get(f"/playlists/{shared.id}/").status_code == 200


def test_a_cold_playlist_page_costs_three_calls(client, sandbox):
    made = editorial("Counted", tracks=[entry(t) for t in NO_SURPRISES_TRACKS])
    before = len(sandbox.entries())

    client.get(f"/playlists/{made.id}/")

    calls = [e["endpoint"].replace(made.id, "{id}") for e in sandbox.entries()[before:]]
    assert calls == ["playlists/{id}/details", "playlists/{id}/tracks", "track/details/batch"]


def test_every_page_links_to_the_playlists(client):
    assert 'href="/playlists/"' in Client().get("/").content.decode()


def test_when_7digital_fails_the_page_says_to_try_again(client, sandbox):
    made = editorial("Soon back", tracks=[entry(9525)])
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    response = client.get(f"/playlists/{made.id}/")

    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_page_past_the_end_is_not_found(client):
    made = editorial("Short", tracks=[entry(9525)])

    assert client.get(f"/playlists/{made.id}/", {"page": "7"}).status_code == 404
    assert client.get("/playlists/", {"page": "9"}).status_code == 404


def test_a_shared_link_shows_the_playlists_name_and_description(client, settings):
    settings.SITE_URL = "https://shop.example.com"
    made = editorial("Sunday", tracks=[entry(9525)])

    page = client.get(f"/playlists/{made.id}/").content.decode()

    assert '<meta property="og:title" content="Sunday">' in page
    assert '<meta property="og:description" content="About Sunday">' in page
    assert f'content="https://shop.example.com/playlists/{made.id}/"' in page


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_home_page_shows_the_playlists_editors_chose_once_they_are_read(client, sandbox):
    chosen = get_client().playlists.create(
        name="Front page", visibility="public", annotations={"home": "1"}
    )
    get_client().playlists.create(name="Not chosen", visibility="public")
    before = len(sandbox.entries())

    cold = client.get("/").content.decode()
    assert len(sandbox.entries()) == before  # the page itself asks 7digital nothing
    assert 'hx-get="/playlists/home-section/"' in cold and 'href="/playlists/"' in cold

    section = client.get("/playlists/home-section/", **HTMX).content.decode()
    assert "Front page" in section and "Not chosen" not in section
    assert f'href="/playlists/{chosen.id}/"' in client.get("/").content.decode()  # kept now


def test_without_chosen_playlists_the_home_page_has_no_playlists_section(client):
    get_client().playlists.create(name="Not chosen", visibility="public")

    client.get("/playlists/home-section/", **HTMX)

    assert 'id="home-playlists"' not in client.get("/").content.decode()


def test_the_list_orders_by_newest_or_by_how_many_customers_keep_each(client):
    from tests.store.conftest import make_customer

    older, middle, newest = (editorial(name) for name in ("Older", "Middle", "Newest"))
    fans = []
    for email in ("fan1@example.com", "fan2@example.com"):
        fan = Client()
        fan.force_login(make_customer(email))
        fans.append(fan)
    for fan in fans:
        fan.post(f"/playlists/{older.id}/favourite", {"on": "1"})
    fans[0].post(f"/playlists/{middle.id}/favourite", {"on": "1"})
    fans[1].post(f"/playlists/{newest.id}/favourite", {"on": "1"})
    fans[1].post(f"/playlists/{newest.id}/favourite", {"on": "0"})  # changed their mind

    def names(**query) -> list[str]:
        page = client.get("/playlists/", query).content.decode()
        return re.findall(r'<h2 class="card-title">([^<]+)</h2>', page)

    assert names() == ["Newest", "Middle", "Older"]
    assert names(sort="favourites") == ["Older", "Middle", "Newest"]
    assert names(sort="nonsense") == ["Newest", "Middle", "Older"]
    assert (
        'aria-current="page">Most favourited'
        in client.get("/playlists/", {"sort": "favourites"}).content.decode()
    )
