"""Catalogue reads: what the pages show, per country, cached and resilient.

Every selector is keyword-only and goes to 7digital through :func:`_fetch`:

* Every successful read keeps a copy of its result (the client's typed dataclasses,
  pickled) for ``CATALOGUE_STALE_SECONDS`` under a key built from the selector's name
  and arguments, country included, stamped with the time until which 7digital's
  ``Cache-Control: max-age`` lets it be reused (five days for the catalogue). Until
  then a read is that copy and nothing else: no call, not even to the client's own
  cache, whose raw answers would have to be turned into dataclasses again on every
  page view. A copy that came from the client's cache instead of from 7digital has
  no known lifetime, so it is kept as a last good copy but never counted fresh.
* When 7digital fails in a way that may pass (connection, timeout, 5xx, rate limit,
  garbled answer), a read seen before returns that copy, and a background refresh is
  queued; a read never seen raises :class:`CatalogueUnavailable`. 2001/2002 raise
  :class:`CatalogueNotFound`. Errors are never cached.

Staleness is not part of the return values, so views stay as simple as when all is
well: a selector that answers from a stale copy records it for the current request,
:func:`served_stale` says whether any did, and the ``catalogue`` context processor
hands it to templates as ``catalogue_stale`` for the discreet notice.
``CountryMiddleware`` scopes that record to one request (:func:`stale_reads`).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed

from integrations.sevendigital import get_client, is_transient
from integrations.tasks import task_queue_on_commit
from sevendigital import errors
from sevendigital.models import Artist, Chart, Page, Release, SearchResult, Tag, Track
from sevendigital.resources.catalogue import BATCH_LIMIT
from store.catalogue.lru import LRU

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

# Part of every cache key: bump it when sevendigital.models change shape, so that
# copies pickled by an older release of the code are never unpickled.
KEY_VERSION = 3
# After a failure, how long a read serves its stale copy without asking 7digital
# again (a slow API would otherwise slow every page view), and so the least time
# between two refreshes queued for it.
RETRY_AFTER_SECONDS = 60
FRESH_COPIES_KEPT = 1000  # per process; most pages read two or three

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50  # the API's maximum
SEARCH_KINDS = ("artist", "release", "track")
SEARCH_SORTS = tuple(
    f"{column} {order}" for column in ("score", "name", "popularity") for order in ("desc", "asc")
)
RELEASE_TYPES = ("album", "single", "video")


class CatalogueError(Exception):
    """Base class of what catalogue selectors raise."""


class CatalogueNotFound(CatalogueError):
    """No such item in this country (7digital 2001 / 2002), or a page past the end: a 404."""


class CatalogueUnavailable(CatalogueError):
    """7digital failed and no earlier copy of this read exists: a friendly 503."""


@dataclass(frozen=True, slots=True)
class Charts:
    """The three weekly charts of a country."""

    artists: Chart
    releases: Chart
    tracks: Chart


class _Copy(NamedTuple):
    """A read's result as kept in the cache."""

    value: Any
    fresh_until: float  # a time.time(): until then 7digital need not be asked again


class _FreshCopies:
    """This process's own note of the fresh copies it has read, most recent last.

    The shared cache holds every copy as a pickle (and, in production, across the
    network): a warm page would otherwise unpickle its releases and tracks on every
    view. A fresh copy cannot change before its ``fresh_until``, and the models are
    frozen, so each process may keep the object itself until then: the same object
    goes to every request, so nothing may change a selector's answer in place (a list
    some selectors return included). Bounded, least recently used first out; emptied
    when the cache settings change (tests).
    """

    def __init__(self, size: int) -> None:
        self.copies: LRU[str, _Copy] = LRU(size)

    def get(self, key: str, now: float) -> _Copy | None:
        copy = self.copies.get(key)
        if copy is not None and copy.fresh_until <= now:
            self.copies.forget(key)
            return None
        return copy

    def keep(self, key: str, copy: _Copy, now: float) -> None:
        if copy.fresh_until > now:
            self.copies.keep(key, copy)

    def forget(self, key: str | None = None) -> None:
        self.copies.forget(key)


_fresh_copies = _FreshCopies(size=FRESH_COPIES_KEPT)


def forget_fresh_copies(**kwargs: Any) -> None:
    """Empty this process's note of fresh copies (the shared cache keeps them)."""
    if kwargs.get("setting") in (None, "CACHES"):
        _fresh_copies.forget()


setting_changed.connect(forget_fresh_copies, dispatch_uid="catalogue-fresh-copies")


# -- staleness, per request --------------------------------------------------------

_stale: ContextVar[set[str] | None] = ContextVar("catalogue_stale_reads", default=None)


@contextmanager
def stale_reads() -> Iterator[set[str]]:
    """Record, until the block ends, the selectors that answer from a stale copy."""
    token = _stale.set(set())
    try:
        yield _stale.get()
    finally:
        _stale.reset(token)


def served_stale() -> bool:
    """Whether a selector answered this request from a stale copy."""
    return bool(_stale.get())


# -- the one way to 7digital -------------------------------------------------------


def _key(name: str, params: Mapping[str, Any]) -> str:
    # Hashed: search queries hold any text, and memcached keys allow no spaces.
    encoded = json.dumps(params, sort_keys=True, default=str).encode()
    digest = hashlib.sha256(encoded).hexdigest()[:32]
    return f"catalogue:v{KEY_VERSION}:{name}:{params.get('country', '-')}:{digest}"


def _retry_key(key: str) -> str:
    """Set while 7digital fails for this read (see ``RETRY_AFTER_SECONDS``)."""
    return f"{key}:retry-after"


def _kept_copy(key: str, now: float) -> tuple[_Copy | None, bool]:
    """The copy kept of a read, if any, and whether it is fresh (7digital need not be
    asked): this process's note first, then the shared cache."""
    copy = _fresh_copies.get(key, now)
    if copy is not None:
        return copy, True
    copy = cache.get(key)
    if copy is not None and copy.fresh_until > now:
        _fresh_copies.keep(key, copy, now)
        return copy, True
    return copy, False


def _fetch(
    key_parts: tuple[str, Mapping[str, Any]], call: Callable[[], T], *, fallback: bool = True
) -> T:
    """``call()`` the client, keeping its result as the last good copy of this read.

    ``key_parts`` is the selector's name and arguments. With ``fallback`` (pages),
    a transient failure answers with the last good copy and queues a refresh; without
    it (the refresh itself), it raises :class:`CatalogueUnavailable`.
    """
    name, params = key_parts
    key = _key(name, params)
    copy, is_fresh = _kept_copy(key, time.time())
    if copy is not None and is_fresh:
        return copy.value  # within the max-age 7digital gave it: nothing to ask
    retry_key = _retry_key(key)
    failing = cache.get(retry_key)
    if failing and fallback and copy is not None:
        return _stale_copy(name, copy.value)
    client = get_client()
    try:
        with client.freshness() as fresh:
            value = call()
    except (errors.NotFound, errors.NotAvailable, errors.ParameterOutOfRange) as exc:
        cache.delete(key)  # withdrawn or no longer licensed here: never show it again
        _fresh_copies.forget(key)
        raise CatalogueNotFound(exc.message) from exc
    except errors.SevenDigitalError as exc:
        if not is_transient(exc):
            # A bug or a configuration problem (bad parameters, revoked key): an old
            # copy would hide it, and retrying cannot fix it.
            logger.error("7digital refused %s %s: %s", name, params, exc)
            raise CatalogueUnavailable(str(exc)) from exc
        if copy is None or not fallback:
            raise CatalogueUnavailable(str(exc)) from exc
        logger.warning(
            "7digital failed for %s %s (%s); serving the last good copy", name, params, exc
        )
        if cache.add(retry_key, True, RETRY_AFTER_SECONDS):
            _queue_refresh(name, params)
        return _stale_copy(name, copy.value)
    if fresh.seconds is not None:
        # Just answered by 7digital: fresh for as long as its Cache-Control says.
        copy = _Copy(value, time.time() + fresh.seconds)
        cache.set(key, copy, settings.CATALOGUE_STALE_SECONDS)
        _fresh_copies.keep(key, copy, time.time())
    elif copy is None:
        # From the client's cache (another read fetched it): a last good copy, of
        # unknown age, so never fresh. One that exists already is as good.
        cache.set(key, _Copy(value, 0.0), settings.CATALOGUE_STALE_SECONDS)
    if failing:
        cache.delete(retry_key)
    return value


def _stale_copy(name: str, copy: T) -> T:
    reads = _stale.get()
    if reads is not None:
        reads.add(name)
    return copy


def _queue_refresh(name: str, params: Mapping[str, Any]) -> None:
    from store.catalogue.tasks import catalogue_refresh  # the task module imports this one

    task_queue_on_commit(catalogue_refresh, name, dict(params))


_READS: dict[str, Callable[..., Any]] = {}


def _selector(read: Callable[P, T]) -> Callable[P, T]:
    """Make ``read`` (one or a few client calls) a selector that reads through :func:`_fetch`.

    Arguments are completed with their defaults before they make the key, so that
    ``page=1`` and an omitted page are the same read.
    """
    name = read.__name__
    _READS[name] = read

    @functools.wraps(read)
    def selector(*args: P.args, **kwargs: P.kwargs) -> T:
        params = _params(name, args, kwargs)
        return _fetch((name, params), lambda: read(**params))

    return selector


def _params(name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """A selector's arguments, completed with their defaults: the key's parameters."""
    bound = _signature(name).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


@functools.cache
def _signature(name: str) -> inspect.Signature:
    return inspect.signature(_READS[name])


def cached_read(selector: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
    """What ``selector(...)`` would answer now without asking 7digital, or None when
    it would have to ask.

    For a page that shows a section at once when its data is at hand and otherwise
    leaves it to load after the page (the home page's charts): the page never waits on
    7digital. The answer is the fresh copy, or the last good copy while 7digital is
    failing (served, and recorded as stale, as the selector itself would). A copy past
    its max-age while 7digital is well is None: the section's own request reads it
    again.
    """
    name = selector.__name__
    if name not in _READS:
        raise TypeError(f"{name} is not a selector that keeps copies")
    key = _key(name, _params(name, args, kwargs))
    copy, is_fresh = _kept_copy(key, time.time())
    if copy is None:
        return None
    if is_fresh:
        return copy.value
    if cache.get(_retry_key(key)):
        return _stale_copy(name, copy.value)
    return None


def refresh(*, selector: str, params: Mapping[str, Any]) -> None:
    """Read ``selector`` again from 7digital to replace its last good copy.

    Raises :class:`CatalogueUnavailable` while 7digital still fails (the refresh task
    retries on it). An item that has gone meanwhile just loses its copy.
    """
    read = _READS[selector]
    try:
        _fetch((selector, params), lambda: read(**params), fallback=False)
    except CatalogueNotFound:
        logger.info("%s %s has gone from 7digital; its last good copy is dropped", selector, params)


def _in_order(items: Sequence[T], ids: Sequence[int | str]) -> list[T]:
    """Items in the order of ``ids``, skipping ids 7digital did not return."""
    by_id = {item.id: item for item in items}
    return [by_id[int(i)] for i in ids if int(i) in by_id]


# -- releases ----------------------------------------------------------------------


@_selector
def release_get(*, release_id: int, country: str) -> Release:
    return get_client().releases.details(release_id, country=country)


@_selector
def release_tracks_list(
    *, release_id: int, country: str, page: int = 1, page_size: int = MAX_PAGE_SIZE
) -> Page[Track]:
    return get_client().releases.tracks(release_id, page=page, page_size=page_size, country=country)


@_selector
def release_tags_list(
    *, release_id: int, country: str, page: int = 1, page_size: int = 10
) -> Page[Tag]:
    return get_client().releases.tags(release_id, page=page, page_size=page_size, country=country)


@_selector
def releases_get_many(*, release_ids: Sequence[int], country: str) -> list[Release]:
    """The releases in the order asked, skipping those not found: one call per 500 ids."""
    found: list[Release] = []
    for start in range(0, len(release_ids), BATCH_LIMIT):
        chunk = release_ids[start : start + BATCH_LIMIT]
        found += get_client().releases.details_batch(chunk, country=country)
    return _in_order(found, release_ids)


# -- tracks ------------------------------------------------------------------------


@_selector
def track_get(*, track_id: int, country: str) -> Track:
    return get_client().tracks.details(track_id, country=country)


@_selector
def tracks_get_many(*, track_ids: Sequence[int], country: str) -> list[Track]:
    """The tracks in the order asked, skipping those not found: one call per 500 ids."""
    found: list[Track] = []
    for start in range(0, len(track_ids), BATCH_LIMIT):
        chunk = track_ids[start : start + BATCH_LIMIT]
        found += get_client().tracks.details_batch(chunk, country=country)
    return _in_order(found, track_ids)


# -- artists -----------------------------------------------------------------------


@_selector
def artist_get(*, artist_id: int, country: str) -> Artist:
    return get_client().artists.details(artist_id, country=country)


@_selector
def artist_releases_list(
    *,
    artist_id: int,
    country: str,
    type: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[Release]:
    if type is not None and type not in RELEASE_TYPES:
        raise ValueError(f"type must be one of {RELEASE_TYPES}, not {type!r}")
    return get_client().artists.releases(
        artist_id, type=type, page=page, page_size=page_size, country=country
    )


@_selector
def artist_top_tracks_list(
    *, artist_id: int, country: str, page: int = 1, page_size: int = 10
) -> Page[Track]:
    return get_client().artists.top_tracks(
        artist_id, page=page, page_size=page_size, country=country
    )


@_selector
def artist_tags_list(
    *, artist_id: int, country: str, page: int = 1, page_size: int = 10
) -> Page[Tag]:
    return get_client().artists.tags(artist_id, page=page, page_size=page_size, country=country)


@_selector
def artists_browse(
    *, letter: str, country: str, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Artist]:
    return get_client().artists.browse(letter, page=page, page_size=page_size, country=country)


# -- charts and search -------------------------------------------------------------


@_selector
def charts_get(*, country: str, page_size: int = 10) -> Charts:
    """This week's top artists, releases and tracks (three calls on a cold cache)."""
    client = get_client()
    return Charts(
        artists=client.artists.chart(page_size=page_size, country=country),
        releases=client.releases.chart(page_size=page_size, country=country),
        tracks=client.tracks.chart(page_size=page_size, country=country),
    )


@_selector
def catalogue_search(
    *,
    q: str,
    kind: str,
    country: str,
    sort: str | None = None,
    type: str | None = None,
    explicit: bool | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[SearchResult]:
    """Search one kind of item. ``type`` filters releases, ``explicit=False`` tracks."""
    if kind not in SEARCH_KINDS:
        raise ValueError(f"kind must be one of {SEARCH_KINDS}, not {kind!r}")
    if sort is not None and sort not in SEARCH_SORTS:
        raise ValueError(f"sort must be one of {SEARCH_SORTS}, not {sort!r}")
    if type is not None and (kind != "release" or type not in RELEASE_TYPES):
        raise ValueError(f"type filters release searches by one of {RELEASE_TYPES}")
    if explicit is not None and kind != "track":
        raise ValueError("explicit filters track searches only")
    if not q.strip():
        return Page(items=(), page=1, page_size=page_size, total_items=0)
    client = get_client()
    paging = {"sort": sort, "page": page, "page_size": page_size, "country": country}
    if kind == "artist":
        return client.artists.search(q, **paging)
    if kind == "release":
        return client.releases.search(q, type=type, **paging)
    return client.tracks.search(q, explicit=explicit, **paging)


# -- tags --------------------------------------------------------------------------


@_selector
def tags_list(*, country: str, page: int = 1, page_size: int = MAX_PAGE_SIZE) -> Page[Tag]:
    return get_client().tags.list(page=page, page_size=page_size, country=country)


def tag_get(*, tag_id: str, country: str) -> Tag:
    """One tag (its display name and count): the API lists tags but has no tag details."""
    page = 1
    while True:
        tags = tags_list(country=country, page=page)
        for tag in tags:
            if tag.id == tag_id:
                return tag
        if not tags.has_next:
            raise CatalogueNotFound(f"No tag {tag_id!r}")
        page += 1


@_selector
def tag_artists_top(
    *, tag: str, country: str, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Artist]:
    return get_client().artists.by_tag_top(tag, page=page, page_size=page_size, country=country)


@_selector
def tag_releases_top(
    *, tag: str, country: str, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Release]:
    return get_client().releases.by_tag_top(tag, page=page, page_size=page_size, country=country)


@_selector
def tag_releases_new(
    *, tag: str, country: str, page: int = 1, page_size: int = PAGE_SIZE
) -> Page[Release]:
    return get_client().releases.by_tag_new(tag, page=page, page_size=page_size, country=country)
