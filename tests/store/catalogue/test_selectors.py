"""Catalogue reads: per country, cached as 7digital allows, and served stale in an outage."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from sandbox.models import Release as SandboxRelease
from sandbox.models import Track as SandboxTrack
from sevendigital.models import Artist, Chart, Page, Release, SearchResult, Tag, Track
from store.catalogue import selectors
from store.catalogue.selectors import (
    CatalogueNotFound,
    CatalogueUnavailable,
    Charts,
    catalogue_search,
    release_get,
    releases_get_many,
    served_stale,
    stale_reads,
    tracks_get_many,
)
from store.catalogue.tasks import catalogue_refresh
from store.catalogue.templatetags.catalogue import money

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FRESH_SECONDS = 432_000  # the sandbox's Cache-Control max-age for the catalogue
RADIOHEAD_NO_SURPRISES = {"release_id": 1046, "country": "GB"}


@pytest.fixture
def sandbox(sandbox_for_store):
    return sandbox_for_store


def _calls(sandbox, endpoint="*"):
    return len(sandbox.entries(endpoint=endpoint))


def _release_only_in(country: str, not_in: str) -> SandboxRelease:
    release = (
        SandboxRelease.objects.filter(territories__contains=f",{country},", taken_down=False)
        .exclude(territories__contains=f",{not_in},")
        .first()
    )
    assert release is not None, "the seed has releases unavailable in some countries"
    return release


# -- reading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "currency", "symbol"),
    [("GB", "GBP", "£"), ("US", "USD", "$"), ("DE", "EUR", "€")],
)
def test_prices_and_currency_follow_the_country(sandbox, country, currency, symbol):
    release = release_get(release_id=1046, country=country)

    price = release.download.package(2).price
    assert price.currency == currency
    assert symbol in money(price, country)


def test_the_documented_release_reads_as_a_typed_release(sandbox):
    release = release_get(**RADIOHEAD_NO_SURPRISES)
    assert isinstance(release, Release)
    assert (release.title, release.artist.name) == ("No Surprises", "Radiohead")
    assert release.download.package(2).price.amount == Decimal("2.49")


def test_a_release_not_licensed_in_a_country_is_not_found_there(sandbox):
    release = _release_only_in("GB", not_in="FR")

    assert release_get(release_id=release.id, country="GB").id == release.id
    with pytest.raises(CatalogueNotFound):
        release_get(release_id=release.id, country="FR")


def test_an_unknown_release_is_not_found(sandbox):
    with pytest.raises(CatalogueNotFound):
        release_get(release_id=999_999_999, country="GB")


def test_the_batch_read_keeps_the_order_and_skips_missing_ids_in_one_call(sandbox):
    releases = releases_get_many(release_ids=[12347, 999_999_999, 1046, 12345], country="GB")

    assert [r.id for r in releases] == [12347, 1046, 12345]
    assert _calls(sandbox, "release/details/batch") == 1
    assert _calls(sandbox) == 1


def test_the_track_batch_read_keeps_the_order_in_one_call(sandbox):
    others = list(
        SandboxTrack.objects.filter(release__territories__contains=",GB,")
        .exclude(id=123456)
        .values_list("id", flat=True)[:3]
    )
    ids = [others[2], 123456, 999_999_999, others[0], others[1]]

    tracks = tracks_get_many(track_ids=ids, country="GB")

    assert [t.id for t in tracks] == [others[2], 123456, others[0], others[1]]
    assert _calls(sandbox, "track/details/batch") == 1


def test_a_batch_of_no_ids_asks_7digital_nothing(sandbox):
    assert releases_get_many(release_ids=[], country="GB") == []
    assert _calls(sandbox) == 0


def test_a_read_is_reused_for_as_long_as_7digitals_cache_control_allows(sandbox, cache_clock):
    first = release_get(**RADIOHEAD_NO_SURPRISES)
    cache_clock.advance(FRESH_SECONDS - 60)
    second = release_get(**RADIOHEAD_NO_SURPRISES)
    assert second == first
    assert _calls(sandbox, "release/details") == 1

    cache_clock.advance(61)
    assert release_get(**RADIOHEAD_NO_SURPRISES) == first
    assert _calls(sandbox, "release/details") == 2


def test_a_fresh_read_does_not_even_ask_the_client(sandbox, monkeypatch):
    first = release_get(**RADIOHEAD_NO_SURPRISES)

    def no_client():
        raise AssertionError("a fresh copy needs no client")

    monkeypatch.setattr(selectors, "get_client", no_client)
    assert release_get(**RADIOHEAD_NO_SURPRISES) == first


def test_a_fresh_copy_is_kept_by_the_process_without_unpickling_it_again(sandbox, monkeypatch):
    first = release_get(**RADIOHEAD_NO_SURPRISES)

    class NoSharedCache:
        def __getattr__(self, name):
            raise AssertionError("a fresh copy this process read needs no shared cache")

    monkeypatch.setattr(selectors, "cache", NoSharedCache())
    assert release_get(**RADIOHEAD_NO_SURPRISES) is first


def test_the_process_reads_the_shared_copy_again_once_its_own_is_no_longer_fresh(
    sandbox, cache_clock, catalogue_cache
):
    release_get(**RADIOHEAD_NO_SURPRISES)
    key = selectors._key("release_get", RADIOHEAD_NO_SURPRISES)
    # Another process refreshed it meanwhile: its copy is fresh for a while longer.
    refreshed = selectors._Copy(
        replace(catalogue_cache.get(key).value, title="No Surprises (remaster)"),
        cache_clock.time() + 2 * FRESH_SECONDS,
    )
    catalogue_cache.set(key, refreshed, timeout=None)
    assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises", "still fresh here"

    cache_clock.advance(FRESH_SECONDS + 1)
    assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises (remaster)"
    assert _calls(sandbox, "release/details") == 1


def test_the_process_keeps_a_bounded_number_of_fresh_copies():
    copies = selectors._FreshCopies(size=2)
    for key in ("a", "b", "c"):
        copies.keep(key, selectors._Copy(key, fresh_until=100.0), now=0.0)
    assert copies.get("a", now=0.0) is None, "the least recently used went first"
    assert copies.get("b", now=0.0).value == "b"
    copies.keep("d", selectors._Copy("d", fresh_until=100.0), now=0.0)
    assert copies.get("c", now=0.0) is None, "reading b made c the oldest"
    assert copies.get("b", now=0.0).value == "b"
    assert copies.get("b", now=100.0) is None, "no longer fresh"
    copies.keep("e", selectors._Copy("e", fresh_until=5.0), now=10.0)
    assert copies.get("e", now=0.0) is None, "a copy that is not fresh is not kept"


def test_changing_the_cache_settings_forgets_the_processes_copies(sandbox, settings):
    first = release_get(**RADIOHEAD_NO_SURPRISES)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "another-cache",
        }
    }
    assert release_get(**RADIOHEAD_NO_SURPRISES) == first
    assert _calls(sandbox, "release/details") == 2


def test_a_read_the_clients_cache_answered_is_kept_but_not_counted_fresh(
    sandbox, cache_clock, catalogue_cache
):
    release_get(**RADIOHEAD_NO_SURPRISES)
    # As another process would see it: neither the shared cache nor its own note has it.
    catalogue_cache.delete(selectors._key("release_get", RADIOHEAD_NO_SURPRISES))
    selectors.forget_fresh_copies()
    release_get(**RADIOHEAD_NO_SURPRISES)  # from the client's cache: its age is unknown
    assert _calls(sandbox, "release/details") == 1

    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    with stale_reads():
        assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises"
        assert served_stale(), "the copy was kept, and 7digital was asked when it expired"


def test_each_country_is_a_read_of_its_own(sandbox):
    release_get(release_id=1046, country="GB")
    release_get(release_id=1046, country="US")
    assert _calls(sandbox, "release/details") == 2


def test_omitted_defaults_and_explicit_ones_are_the_same_read(sandbox, cache_clock):
    seen = selectors.artist_releases_list(artist_id=304, country="GB")
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    again = selectors.artist_releases_list(artist_id=304, country="GB", type=None, page=1)

    assert again == seen


def test_selectors_take_keyword_arguments_only(sandbox):
    with pytest.raises(TypeError):
        release_get(1046, "GB")


SELECTOR_READS = [
    ("release_tracks_list", {"release_id": 1046}, Page, Track),
    ("artist_get", {"artist_id": 1}, Artist, None),
    ("artist_releases_list", {"artist_id": 304, "type": "single"}, Page, Release),
    ("artist_top_tracks_list", {"artist_id": 304}, Page, Track),
    ("artist_tags_list", {"artist_id": 1}, Page, Tag),
    ("track_get", {"track_id": 123456}, Track, None),
    ("artists_browse", {"letter": "k"}, Page, Artist),
    ("catalogue_search", {"q": "radiohead", "kind": "artist"}, Page, SearchResult),
    ("catalogue_search", {"q": "no surprises", "kind": "release", "type": "single"}, Page, None),
    ("catalogue_search", {"q": "no surprises", "kind": "track", "explicit": False}, Page, None),
    ("tags_list", {}, Page, Tag),
    ("tag_get", {"tag_id": "rock"}, Tag, None),
    ("tag_artists_top", {"tag": "rock"}, Page, Artist),
    ("tag_releases_top", {"tag": "rock"}, Page, Release),
    ("tag_releases_new", {"tag": "rock"}, Page, Release),
]


@pytest.mark.parametrize(("name", "params", "shape", "item"), SELECTOR_READS)
def test_every_selector_reads_typed_data_from_7digital(sandbox, name, params, shape, item):
    result = getattr(selectors, name)(country="GB", **params)

    assert isinstance(result, shape)
    if item is not None:
        assert len(result) > 0
        assert all(isinstance(i, item) for i in result)


def test_the_charts_are_the_three_weekly_charts(sandbox):
    charts = selectors.charts_get(country="GB", page_size=5)

    assert isinstance(charts, Charts)
    charts_ = (charts.artists, charts.releases, charts.tracks)
    assert [c.type for c in charts_] == ["artist", "release", "track"]
    assert all(isinstance(c, Chart) and len(c) == 5 for c in charts_)
    assert _calls(sandbox) == 3


def test_a_search_names_a_kind_of_item(sandbox):
    with pytest.raises(ValueError, match="kind"):
        catalogue_search(q="radiohead", kind="label", country="GB")
    with pytest.raises(ValueError, match="sort"):
        catalogue_search(q="radiohead", kind="artist", country="GB", sort="random")
    with pytest.raises(ValueError, match="explicit"):
        catalogue_search(q="radiohead", kind="artist", country="GB", explicit=False)


def test_an_empty_search_asks_7digital_nothing(sandbox):
    results = catalogue_search(q="  ", kind="track", country="GB")
    assert len(results) == 0
    assert _calls(sandbox) == 0


def test_a_page_past_the_end_is_not_found(sandbox):
    with pytest.raises(CatalogueNotFound):
        selectors.artist_releases_list(artist_id=304, country="GB", page=999)


def test_an_unknown_tag_is_not_found(sandbox):
    with pytest.raises(CatalogueNotFound):
        selectors.tag_get(tag_id="no-such-tag", country="GB")


# -- when 7digital fails --------------------------------------------------------------


def _expire_fresh_copies(cache_clock):
    """Let the client's fresh copies expire; the last good ones last longer."""
    cache_clock.advance(FRESH_SECONDS + 1)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 503},
        {"kind": "reset"},
        {"kind": "malformed"},
        {"kind": "error", "code": 9001},
    ],
    ids=["5xx", "connection-reset", "malformed", "server-error"],
)
def test_a_read_seen_before_is_served_stale_while_7digital_fails(
    sandbox, cache_clock, queued_refreshes, django_capture_on_commit_callbacks, fault
):
    seen = release_get(**RADIOHEAD_NO_SURPRISES)
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(endpoint="*", **fault)

    with stale_reads(), django_capture_on_commit_callbacks(execute=True):
        again = release_get(**RADIOHEAD_NO_SURPRISES)
        assert served_stale()

    assert again == seen
    assert _calls(sandbox, "release/details") > 1, "the fresh copy had expired"
    queued_refreshes.assert_called_once_with("release_get", RADIOHEAD_NO_SURPRISES)


def test_a_read_never_seen_is_unavailable_while_7digital_fails(
    sandbox, queued_refreshes, django_capture_on_commit_callbacks
):
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CatalogueUnavailable):
        release_get(**RADIOHEAD_NO_SURPRISES)

    queued_refreshes.assert_not_called()


def test_a_read_never_seen_is_unavailable_when_the_connection_drops(sandbox):
    sandbox.add_fault(kind="reset", endpoint="*")
    with pytest.raises(CatalogueUnavailable):
        selectors.charts_get(country="GB")


def test_a_failing_read_is_not_tried_again_nor_refreshed_twice_within_a_minute(
    sandbox, cache_clock, queued_refreshes, django_capture_on_commit_callbacks
):
    release_get(**RADIOHEAD_NO_SURPRISES)
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    with django_capture_on_commit_callbacks(execute=True):
        release_get(**RADIOHEAD_NO_SURPRISES)
    calls = _calls(sandbox)

    with django_capture_on_commit_callbacks(execute=True), stale_reads():
        release_get(**RADIOHEAD_NO_SURPRISES)
        assert served_stale()
    assert _calls(sandbox) == calls, "a slow 7digital is not asked again at once"
    assert queued_refreshes.call_count == 1

    cache_clock.advance(selectors.RETRY_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        release_get(**RADIOHEAD_NO_SURPRISES)
    assert _calls(sandbox) > calls
    assert queued_refreshes.call_count == 2


def test_the_last_good_copy_expires_too(sandbox, cache_clock, settings):
    release_get(**RADIOHEAD_NO_SURPRISES)
    cache_clock.advance(settings.CATALOGUE_STALE_SECONDS + 1)
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    with pytest.raises(CatalogueUnavailable):
        release_get(**RADIOHEAD_NO_SURPRISES)


def test_errors_are_never_cached(sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503, times=3)
    with pytest.raises(CatalogueUnavailable):
        release_get(**RADIOHEAD_NO_SURPRISES)

    assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises"


def test_a_withdrawn_release_loses_its_last_good_copy(sandbox, cache_clock, queued_refreshes):
    release_get(**RADIOHEAD_NO_SURPRISES)
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="error", endpoint="release/details", code=2001, times=1)
    with pytest.raises(CatalogueNotFound):
        release_get(**RADIOHEAD_NO_SURPRISES)

    sandbox.add_fault(kind="status", endpoint="*", status=503)
    with pytest.raises(CatalogueUnavailable):
        release_get(**RADIOHEAD_NO_SURPRISES)


def test_a_refusal_that_is_not_an_outage_is_not_hidden_behind_a_stale_copy(
    sandbox, cache_clock, queued_refreshes
):
    release_get(**RADIOHEAD_NO_SURPRISES)
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="error", endpoint="*", code=1002)  # a parameter 7digital refuses

    with pytest.raises(CatalogueUnavailable):
        release_get(**RADIOHEAD_NO_SURPRISES)
    queued_refreshes.assert_not_called()


def test_staleness_is_recorded_only_within_a_request():
    assert served_stale() is False
    with stale_reads() as reads:
        reads.add("release_get")
        assert served_stale()
    assert served_stale() is False


# -- the background refresh -----------------------------------------------------------


def test_the_refresh_replaces_the_stale_copy_once_7digital_recovers(
    sandbox, cache_clock, queued_refreshes, django_capture_on_commit_callbacks
):
    release_get(**RADIOHEAD_NO_SURPRISES)
    _expire_fresh_copies(cache_clock)
    sandbox.add_fault(kind="status", endpoint="*", status=503)
    with django_capture_on_commit_callbacks(execute=True):
        release_get(**RADIOHEAD_NO_SURPRISES)
    (name, params), _ = queued_refreshes.call_args

    sandbox.clear_faults()
    catalogue_refresh.apply(args=(name, params)).get()

    calls = _calls(sandbox)
    with stale_reads():
        assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises"
        assert not served_stale()
    assert _calls(sandbox) == calls, "the refresh left a fresh copy in the client's cache"


def test_the_refresh_retries_while_7digital_still_fails(sandbox):
    sandbox.add_fault(kind="status", endpoint="*", status=503)

    result = catalogue_refresh.apply(args=("release_get", RADIOHEAD_NO_SURPRISES))

    assert result.failed()
    assert isinstance(result.result, CatalogueUnavailable)
    attempts = 1 + catalogue_refresh.max_retries
    assert _calls(sandbox) == attempts * 3  # each read is itself tried three times


def test_the_refresh_backs_off_exponentially_with_jitter():
    assert catalogue_refresh.autoretry_for == (CatalogueUnavailable,)
    assert catalogue_refresh.retry_backoff is True
    assert catalogue_refresh.retry_jitter is True
    assert 0 < catalogue_refresh.max_retries <= 20


def test_the_refresh_of_an_item_gone_meanwhile_ends_quietly(sandbox):
    release = _release_only_in("GB", not_in="FR")
    result = catalogue_refresh.apply(
        args=("release_get", {"release_id": release.id, "country": "FR"})
    )
    assert result.successful()


def test_warm_reads_write_nothing(sandbox):
    from unittest import mock

    from django.core.cache import caches

    release_get(**RADIOHEAD_NO_SURPRISES)  # fetched from 7digital: the copy is kept
    backend = caches["default"]
    with mock.patch.object(backend, "set", wraps=backend.set) as written:
        assert release_get(**RADIOHEAD_NO_SURPRISES).title == "No Surprises"
    assert not [c for c in written.call_args_list if c.args[0].startswith("catalogue:")]
