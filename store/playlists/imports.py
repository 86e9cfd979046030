"""A playlist brought in from a file (issue 20): XSPF, M3U (extended or plain) or CSV,
each track found in the catalogue for the customer's country.

A track is found, in this order, by:
1. the shop's own track page in its location (what this shop's exports carry): one
   ``track/details/batch`` call for all of them;
2. its ISRC (an XSPF ``urn:isrc:`` identifier, M3U ``#EXT-X-ISRC``, a CSV ``isrc``
   column): a track search for the code, kept only if the result has that ISRC;
3. its artist and title: a track search for the title (then for both), kept only if a
   result has that title and that artist (letters compared without case, accents or
   punctuation).

What is not found is reported, never guessed. A file may hold ``MAX_ROWS`` tracks and
``MAX_BYTES`` bytes. The file is read while the customer waits (no network); the
searches, up to three a track, are a task's (:func:`playlist_import_run`), and the
customer's page follows it.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException, ElementTree
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.sevendigital import get_client, is_transient
from integrations.tasks import task_queue, task_queue_on_commit
from sevendigital import errors
from sevendigital.models.catalogue import Track
from store.catalogue.selectors import CatalogueError, tracks_get_many
from store.playlists import tasks
from store.playlists.models import PlaylistImport

logger = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
MAX_ROWS = 1000  # one playlist made in one call; a search or three a row, in a task
SEARCH_PAGE_SIZE = 50  # a common title ("Intro") has many recordings: the artist decides
XSPF = "{http://xspf.org/ns/0/}"
TRACK_PAGE = re.compile(r"/tracks/(\d{1,19})/?(?:[?#].*)?$")
ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}\d{7}$")


class ImportProblem(Exception):
    """The file cannot be read as a playlist: the message says why, in words."""


class TryLater(Exception):
    """7digital failed for now: the import waits in the queue for another run."""


@dataclass(frozen=True)
class Row:
    title: str = ""
    artist: str = ""
    isrc: str = ""
    track_id: int | None = None

    @property
    def label(self) -> str:
        named = " - ".join(part for part in (self.artist, self.title) if part)
        return named or self.isrc or (f"track {self.track_id}" if self.track_id else "?")


def _isrc(text: str) -> str:
    code = re.sub(r"[\s-]", "", text or "").upper().removeprefix("URN:ISRC:")
    return code if ISRC.match(code) else ""


def _track_id(location: str) -> int | None:
    found = TRACK_PAGE.search((location or "").strip())
    return int(found.group(1)) if found else None


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# -- reading ----------------------------------------------------------------------------


def rows_of(data: bytes, *, filename: str = "") -> tuple[str, list[Row]]:
    """(the file's own title, its tracks); ``ImportProblem`` when it cannot be read."""
    if len(data) > MAX_BYTES:
        raise ImportProblem(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    text = _text(data).lstrip()
    name = filename.lower()
    if text.startswith("<") or name.endswith(".xspf"):
        title, rows = _xspf(data)
    elif text.startswith("#EXTM3U") or name.endswith((".m3u", ".m3u8")):
        title, rows = _m3u(text)
    else:
        title, rows = "", _csv(text)
    if not rows:
        raise ImportProblem("No tracks were found in the file.")
    if len(rows) > MAX_ROWS:
        raise ImportProblem(f"The file lists {len(rows)} tracks; at most {MAX_ROWS} at a time.")
    return title, rows


def _xspf(data: bytes) -> tuple[str, list[Row]]:
    try:
        root = ElementTree.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise ImportProblem(f"The file is not a readable XSPF playlist ({exc}).") from exc
    if root.tag != f"{XSPF}playlist":
        raise ImportProblem("The file is XML but not an XSPF playlist.")

    def text(element, tag: str) -> str:
        found = element.find(f"{XSPF}{tag}")
        return (found.text or "").strip() if found is not None else ""

    rows = []
    for track in root.iterfind(f"{XSPF}trackList/{XSPF}track"):
        isrc = next(
            (
                _isrc(identifier.text or "")
                for identifier in track.iterfind(f"{XSPF}identifier")
                if _isrc(identifier.text or "")
            ),
            "",
        )
        rows.append(
            Row(
                title=text(track, "title"),
                artist=text(track, "creator"),
                isrc=isrc,
                track_id=_track_id(text(track, "location")),
            )
        )
    return text(root, "title"), rows


def _m3u(text: str) -> tuple[str, list[Row]]:
    title, rows = "", []
    pending: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#PLAYLIST:"):
            title = line.removeprefix("#PLAYLIST:").strip()
        elif line.startswith("#EXTINF:"):
            described = line.removeprefix("#EXTINF:").split(",", 1)
            about = described[1].strip() if len(described) > 1 else ""
            artist, _, song = about.partition(" - ")
            pending = (
                {"artist": artist.strip(), "title": song.strip()} if song else {"title": about}
            )
        elif line.startswith("#EXT-X-ISRC:"):
            pending["isrc"] = _isrc(line.removeprefix("#EXT-X-ISRC:"))
        elif line.startswith("#"):
            continue
        else:
            rows.append(Row(track_id=_track_id(line), **pending))
            pending = {}
    return title, rows


def _csv(text: str) -> list[Row]:
    try:
        reader = csv.DictReader(io.StringIO(text))
        fields = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    except csv.Error as exc:
        raise ImportProblem(f"The file is not a readable CSV ({exc}).") from exc
    title_field = fields.get("title") or fields.get("track") or fields.get("name")
    if not (fields.get("isrc") or (title_field and fields.get("artist"))):
        raise ImportProblem(
            "Not a playlist file: use XSPF, M3U, or CSV with an isrc column or artist and "
            "title columns."
        )
    rows = []
    try:
        for record in reader:
            rows.append(
                Row(
                    title=(record.get(title_field) or "").strip() if title_field else "",
                    artist=(record.get(fields.get("artist", "")) or "").strip(),
                    isrc=_isrc(record.get(fields.get("isrc", "")) or ""),
                )
            )
    except csv.Error as exc:
        raise ImportProblem(f"The CSV could not be read past row {len(rows) + 1} ({exc}).") from exc
    return [row for row in rows if row.title or row.isrc]


# -- finding ----------------------------------------------------------------------------


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text or "").casefold()
    return re.sub(r"[\W_]+", "", "".join(c for c in folded if not unicodedata.combining(c)))


def _search(q: str, *, country: str) -> list[Track]:
    try:
        page = get_client().tracks.search(q, page_size=SEARCH_PAGE_SIZE, country=country)
    except errors.InvalidInput:
        return []
    return [result.item for result in page if isinstance(result.item, Track)]


def _artist_of(track: Track) -> str:
    return (track.artist.appears_as or track.artist.name) if track.artist else ""


def _found(row: Row, *, country: str) -> Track | None:
    if row.isrc:
        for track in _search(row.isrc, country=country):
            if (track.isrc or "").upper() == row.isrc:
                return track
    if row.title and row.artist:
        title, artist = _plain(row.title), _plain(row.artist)
        # The title alone first (a search may not match words across fields), then both.
        for q in (row.title, f"{row.artist} {row.title}"):
            for track in _search(q, country=country):
                if _plain(track.title) == title and _plain(_artist_of(track)) == artist:
                    return track
    return None


def tracks_for(rows: list[Row], *, country: str) -> tuple[list[Track], list[Row]]:
    """The catalogue's tracks for ``rows``, in order, and the rows not found."""
    by_id = (
        {
            track.id: track
            for track in tracks_get_many(
                track_ids=[row.track_id for row in rows if row.track_id], country=country
            )
        }
        if any(row.track_id for row in rows)
        else {}
    )
    found: list[Track] = []
    missing: list[Row] = []
    for row in rows:
        track = by_id.get(row.track_id) if row.track_id else None
        track = track or _found(row, country=country)
        if track is None:
            missing.append(row)
        else:
            found.append(track)
    return found, missing


# -- the import as a job: requested by the page, run by a task ------------------------
#
# A run first finds the tracks (searches, safe to repeat: while 7digital fails for now,
# the run is tried again, by the task's retries and then the sweep, up to MAX_ATTEMPTS
# runs), then makes the playlist in one call, which is never repeated: 7digital may
# have made it even when its answer was lost, and a second call would make a second
# playlist. A job is CREATING from just before that call until it is known to be done.

SWEEP_GRACE = timedelta(minutes=10)  # past the task's own retries (about 5 minutes)
WORKING_LOST = timedelta(hours=3)  # 1,000 rows at three slow searches each: under an hour
CREATING_LOST = timedelta(minutes=30)
MAX_ATTEMPTS = 10
NONE_FOUND = "None of the file's tracks is in our catalogue here."
NOT_NOW = "7digital did not answer for a while: nothing was imported. Try again later."
REFUSED = "7digital would not make this playlist: nothing was imported."
UNCONFIRMED = (
    "7digital did not confirm the new playlist. Look in your playlists before importing "
    "the file again: it may be there."
)


def _row_data(row: Row) -> dict:
    return {"title": row.title, "artist": row.artist, "isrc": row.isrc, "track_id": row.track_id}


@transaction.atomic
def playlist_import_request(*, user, name: str, rows: list[Row], country: str):
    """Keep the file's rows and queue the task that imports them (when the broker fails,
    the sweep queues it); the job."""

    job = PlaylistImport.objects.create(
        user=user,
        name=name,
        country=country,
        rows=[_row_data(row) for row in rows],
        created_at=timezone.now(),
    )
    task_queue_on_commit(tasks.playlist_import_run, job.pk)
    return job


def playlist_import_run(*, import_id: int) -> None:
    """Find the job's tracks and make the playlist (see above); a job that is not
    waiting for a run does nothing."""
    from store.playlists import services

    Status = PlaylistImport.Status
    now = timezone.now()
    with transaction.atomic():  # one run at a time: another finds it working and leaves
        job = (
            PlaylistImport.objects.select_for_update().filter(_runnable(now), pk=import_id).first()
        )
        if job is None:
            return
        job.attempts += 1
        job.status = Status.WORKING
        job.started_at = now
        job.save(update_fields=["attempts", "status", "started_at"])
    rows = [Row(**data) for data in job.rows]
    try:
        services._partner(job.user)  # not ready: before any search, not after them all
        found, missing = tracks_for(rows, country=job.country)
    except (errors.SevenDigitalError, CatalogueError, services.LibraryNotReady) as exc:
        for_now = not isinstance(exc, errors.SevenDigitalError) or is_transient(exc)
        if for_now and job.attempts < MAX_ATTEMPTS:
            _wait(job, exc)
            raise TryLater(str(exc)) from exc  # the task retries; the sweep after it
        _finish(job, status=Status.FAILED, problem=NOT_NOW if for_now else REFUSED)
        logger.error("Playlist import %s failed: %r", job.pk, exc)
        return
    labels = [row.label for row in missing]
    if not found:
        _finish(job, status=Status.FAILED, problem=NONE_FOUND, missing=labels)
        return
    PlaylistImport.objects.filter(pk=job.pk).update(
        status=Status.CREATING,
        started_at=timezone.now(),  # CREATING_LOST counts from here
    )
    try:
        playlist = services.customer_playlist_import(user=job.user, name=job.name, tracks=found)
    except (services.PlaylistUnavailable, services.PlaylistNotFound, services.LibraryNotReady):
        logger.exception("Playlist import %s: the playlist was not confirmed", job.pk)
        _finish(job, status=Status.FAILED, problem=UNCONFIRMED, missing=labels)
        return
    _finish(job, status=Status.DONE, playlist_id=playlist.id, imported=len(found), missing=labels)


def _runnable(now):
    """Waiting for a run, or working for so long that its run was lost with its worker;
    either with runs left."""

    Status = PlaylistImport.Status
    return (
        Q(status=Status.QUEUED) | Q(status=Status.WORKING, started_at__lte=now - WORKING_LOST)
    ) & Q(attempts__lt=MAX_ATTEMPTS)


def _wait(job, exc: Exception) -> None:
    """Back in the queue, for the task's retry or the sweep."""

    PlaylistImport.objects.filter(pk=job.pk).update(
        status=PlaylistImport.Status.QUEUED, problem=str(exc)[:500]
    )


def _finish(job, **changes) -> None:

    changes.setdefault("problem", "")
    PlaylistImport.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **changes)


def playlist_imports_sweep() -> int:
    """Periodic (every minute). Sends again the jobs waiting since their last run began
    more than ``SWEEP_GRACE`` ago (their task lost, or its retries spent) and those whose
    run was lost; ends the jobs out of runs, and those whose playlist was being made
    when their run was lost (it may exist: never made twice). The number sent."""

    Status = PlaylistImport.Status
    now = timezone.now()
    jobs = PlaylistImport.objects.annotate(last_try=Coalesce("started_at", "created_at"))
    lost = Q(status=Status.WORKING, started_at__lte=now - WORKING_LOST)
    jobs.filter(Q(status=Status.QUEUED) | lost, attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, problem=NOT_NOW, finished_at=now
    )
    jobs.filter(status=Status.CREATING, started_at__lte=now - CREATING_LOST).update(
        status=Status.FAILED, problem=UNCONFIRMED, finished_at=now
    )
    waiting = list(
        jobs.filter(
            _runnable(now) & (Q(status=Status.WORKING) | Q(last_try__lte=now - SWEEP_GRACE))
        ).values_list("pk", flat=True)
    )
    return sum(task_queue(tasks.playlist_import_run, import_id) for import_id in waiting)
