"""The catalogue: what a country sees, how it is searched and charted, and its preview clips
(reference lines 431-4588 and 4948)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from .. import audio, exceptions
from ..models import PREMIUM_PACKAGE, STANDARD_PACKAGE, Artist, Release, Tag, Track
from ..seed import SeedStats, seed

RELEASE_RELATED = ("artist", "label", "licensor", "standard_tier", "premium_tier")
TRACK_RELATED = (
    "artist",
    "standard_tier",
    "premium_tier",
    "release",
    "release__artist",
    "release__label",
    "release__licensor",
)
CHART_SIZE = 100
CHANGES = ("Up", "Down", "NonMover", "New")


class NoPreview(exceptions.NotFound):
    """No clip for this track here; ``opens`` when its preview date is still to come."""

    def __init__(self, opens: datetime | None = None) -> None:
        super().__init__()
        self.opens = opens


@dataclass(frozen=True)
class Chart:
    """A rolling weekly chart: its ranked items (the first ``total`` count) and its window."""

    items: QuerySet
    total: int
    from_date: datetime
    to_date: datetime

    @staticmethod
    def change(item_id: int, position: int) -> str:
        """A deterministic movement for a chart entry."""
        return CHANGES[(item_id * 31 + position) % len(CHANGES)]


def chart_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The rolling weekly chart: the seven days before today (UTC)."""
    today = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=7), today - timedelta(days=1)


def scored(queryset: QuerySet, q: str, fields: tuple[str, ...]) -> QuerySet:
    """Rank matches: whole-field match, then prefix, then anywhere (any of ``fields``)."""
    whens = []
    for weight, lookup in ((10, "iexact"), (7, "istartswith"), (3, "icontains")):
        for name in fields:
            whens.append(When(**{f"{name}__{lookup}": q}, then=Value(weight)))
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition).annotate(
        score=Case(*whens, default=Value(0), output_field=IntegerField())
    )


def with_packages(
    queryset: QuerySet,
    packages: set[int] | None,
    usage: Iterable[str],
    *,
    premium_field: str = "has_premium",
) -> QuerySet:
    """``packageIds`` keeps items offered in one of the packages (download only).

    Every item is offered in the standard package (a nil price still lists it); the
    premium package only where the release has lossless formats.
    """
    if not packages or "download" not in usage or STANDARD_PACKAGE in packages:
        return queryset
    if PREMIUM_PACKAGE in packages:
        return queryset.filter(**{premium_field: True})
    return queryset.none()


def _with_all_tags(queryset: QuerySet, tags: list[str]) -> QuerySet:
    for tag in tags:
        queryset = queryset.filter(tags__id=tag)
    return queryset.distinct()


def _released(queryset: QuerySet, field: str = "release_date") -> QuerySet:
    return queryset.filter(**{f"{field}__lte": datetime.now(UTC)})


def _typed(releases: QuerySet, types: list[str] | None, packages, usage) -> QuerySet:
    """The ``type`` and ``packageIds`` filters that release lists share."""
    if types:
        releases = releases.filter(type__in=types)
    return with_packages(releases, packages, usage)


def _chart(queryset: QuerySet) -> Chart:
    from_date, to_date = chart_window()
    total = min(queryset.count(), CHART_SIZE)
    return Chart(queryset, total, from_date, to_date)


class CatalogueBackend:
    # -- visibility ----------------------------------------------------------------

    def releases_in(self, country: str) -> QuerySet[Release]:
        return Release.objects.filter(
            territories__contains=f",{country},", taken_down=False
        ).select_related(*RELEASE_RELATED)

    def tracks_in(self, country: str) -> QuerySet[Track]:
        return Track.objects.filter(
            release__territories__contains=f",{country},", release__taken_down=False
        ).select_related(*TRACK_RELATED)

    def artist(self, *, artist_id: int) -> Artist:
        try:
            return Artist.objects.get(id=artist_id)
        except Artist.DoesNotExist as exc:
            raise exceptions.NotFound("Artist not found") from exc

    def release(self, *, release_id: int, country: str) -> Release:
        try:
            return self.releases_in(country).get(id=release_id)
        except Release.DoesNotExist as exc:
            raise exceptions.NotFound("Release id not licensed for this partner") from exc

    def track(self, *, track_id: int, country: str) -> Track:
        try:
            return self.tracks_in(country).get(id=track_id)
        except Track.DoesNotExist as exc:
            raise exceptions.NotFound("Track not found") from exc

    # -- artists ---------------------------------------------------------------------

    def artists_by_letter(self, *, letter: str) -> QuerySet[Artist]:
        return Artist.objects.filter(sort_name__istartswith=letter).order_by("sort_name", "id")

    def artist_chart(self, *, country: str) -> Chart:
        return _chart(
            Artist.objects.filter(releases__territories__contains=f",{country},")
            .distinct()
            .order_by("-popularity", "id")
        )

    def artist_releases(
        self, *, artist: Artist, country: str, types, packages, usage
    ) -> QuerySet[Release]:
        releases = self.releases_in(country).filter(artist=artist)
        return _typed(releases, types, packages, usage).order_by("-release_date", "id")

    def artist_search(self, *, q: str, order: list[str]) -> QuerySet[Artist]:
        return scored(Artist.objects.all(), q, ("name",)).order_by(*order)

    def artist_top_tracks(self, *, artist: Artist, country: str) -> QuerySet[Track]:
        return self.tracks_in(country).filter(artist=artist).order_by("-popularity", "id")

    def artist_tags(self, *, artist: Artist) -> QuerySet[Tag]:
        return artist.tags.order_by("id")

    def artists_by_tags(self, *, tags: list[str]) -> QuerySet[Artist]:
        return _with_all_tags(Artist.objects.all(), tags).order_by("-popularity", "id")

    # -- releases --------------------------------------------------------------------

    def release_chart(self, *, country: str) -> Chart:
        return _chart(_released(self.releases_in(country)).order_by("-popularity", "id"))

    def releases_by_ids(
        self, *, ids: list[int], country: str, types, packages, usage
    ) -> dict[int, Release]:
        releases = _typed(self.releases_in(country).filter(id__in=ids), types, packages, usage)
        return {r.id: r for r in releases}

    def release_search(
        self, *, q: str, country: str, types, packages, usage, order: list[str]
    ) -> QuerySet[Release]:
        releases = scored(self.releases_in(country), q, ("title", "artist__name"))
        return _typed(releases, types, packages, usage).order_by(*order)

    def release_tracks(self, *, release: Release) -> QuerySet[Track]:
        return (
            Track.objects.filter(release=release)
            .select_related(*TRACK_RELATED)
            .order_by("disc_number", "number", "id")
        )

    def release_tags(self, *, release: Release) -> QuerySet[Tag]:
        return release.tags.order_by("id")

    def releases_by_tags(
        self, *, tags: list[str], country: str, order: tuple[str, ...]
    ) -> QuerySet[Release]:
        return _with_all_tags(_released(self.releases_in(country)), tags).order_by(*order)

    # -- tracks ----------------------------------------------------------------------

    def track_chart(self, *, country: str) -> Chart:
        tracks = _released(self.tracks_in(country), "release__release_date")
        return _chart(tracks.order_by("-popularity", "id"))

    def tracks_by_ids(self, *, ids: list[int], country: str) -> dict[int, Track]:
        return {t.id: t for t in self.tracks_in(country).filter(id__in=ids)}

    def track_search(
        self, *, q: str, country: str, clean_only: bool, packages, usage, order: list[str]
    ) -> QuerySet[Track]:
        tracks = scored(
            self.tracks_in(country), q, ("title", "artist__name", "release__title", "isrc")
        )
        if clean_only:
            tracks = tracks.filter(explicit=False)
        return with_packages(
            tracks, packages, usage, premium_field="release__has_premium"
        ).order_by(*order)

    def preview_clip(self, *, track_id: int, country: str) -> bytes:
        """The track's 30-second MP3; NoPreview where it is not sold or not yet open."""
        track = self.tracks_in(country).filter(id=track_id).first()
        if track is None:
            raise NoPreview()
        release = track.release
        opens = release.preview_date or release.release_date
        if opens > datetime.now(UTC):
            raise NoPreview(opens)
        return audio.clip_mp3(track.id, cache_dir=settings.SANDBOX_AUDIO_CACHE)

    # -- tags ------------------------------------------------------------------------

    def tags_by_use(self) -> QuerySet[Tag]:
        return Tag.objects.annotate(count=Count("releases")).order_by("-count", "id")

    # -- control ---------------------------------------------------------------------

    def reseed(self, *, tracks: int, seed_value: int) -> SeedStats:
        """Back to a freshly seeded catalogue (see ``sandbox/seed/``), without users."""
        return seed(tracks=tracks, seed=seed_value)

    def counts(self) -> dict[str, int]:
        return {
            "artists": Artist.objects.count(),
            "releases": Release.objects.count(),
            "tracks": Track.objects.count(),
        }

    def take_down(self, *, release_id: int, taken_down: bool) -> bool:
        """The release leaves the catalogue (or comes back); False if there is none."""
        return bool(Release.objects.filter(id=release_id).update(taken_down=taken_down))


catalogue_backend = CatalogueBackend()
