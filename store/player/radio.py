"""Radio by genre: ``/radio/<tag>/``, non-interactive streams of a tag's tracks
(7digital's ``stream/catalogue``, reference lines 4609-4628), logged to ``catalogue/log``
with how each track ended (``endReason``).

7digital licenses these streams as non-interactive radio: the listener may not choose
what plays. The shop enforces the rules below on the server; the player only shows them.

* **The station chooses.** The server picks each track at random from the tag's top and
  new releases, among tracks open to radio (``adSupportedStreaming``) in the listener's
  country. No track comes back within the last ``RECENT`` tracks, nor two tracks of one
  release in a row. The stream URL names no track: it serves the station's current
  track only, so no track can be asked for, replayed or picked ahead.
* **No going back, no replay, no seeking ahead.** There is no "previous". Tuning in
  again while a track is on joins it where it is, as a radio does, rather than starting
  it over; moving on before a track has ended is a skip.
* **Skips: ``RADIO_SKIPS_PER_HOUR`` (6) an hour** across every station, the usual limit
  of non-interactive licences. Whether a track ended is the server's call, from when it
  served the track's first byte: "it ended" said early is a skip. A seventh skip within
  the hour is refused with the minutes until the next; the track plays on. A track the
  shop could not serve (7digital refused or failed) is moved on from without a skip.
* **Every track heard is logged**: the play is written when the stream is served from
  its first byte (0 seconds, due when the track would have ended plus a margin, so a
  closed page still logs it), the player's reports raise the seconds (never past the
  time since the first byte, nor the track's length), and moving on settles the end
  reason (``naturalEnd`` or ``userSkipped``; ``other`` if the listener just left) and
  makes it due at once. ``catalogue/log`` wants a listener id "unique per listener,
  used consistently": the customer's 7digital partner user id, or for a visitor the
  browser's device id (the player's signed cookie).

The station lives in the visitor's session (one station at a time); the skips are
counted there too, so they hold across stations and page loads.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sevendigital import errors
from sevendigital.models import Track
from store.catalogue import selectors as catalogue
from store.playlogs import services as playlogs
from store.playlogs.models import CataloguePlay, EndReason

SESSION_KEY = "radio"
SKIPS_KEY = "radio_skips"
LEFT_KEY = "radio_left"  # the stations left, by tag: their track on air goes on without us
STATIONS_KEPT = 10
RECENT = 30
# A track counts as played to its end from this long before its length (the browser's
# clock, buffering and rounding); earlier than that, moving on is a skip.
END_SLACK = timedelta(seconds=10)
HOUR = timedelta(hours=1)
OPEN_MARGIN = timedelta(minutes=2)
RELEASES_READ = 50  # of each of the tag's top and new lists
RELEASES_TRIED = 6  # releases opened before a pick gives up


class NothingToPlay(Exception):
    """The tag has no track open to radio in this country (or 7digital did not answer)."""


class SkipRefused(Exception):
    """No skip is left this hour; ``wait`` is the seconds until the next one."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"no skips left for {wait} s")
        self.wait = wait


@dataclass(frozen=True)
class OnAir:
    """What the player is told: the track on air, where in it the station is, and the
    skips left this hour."""

    track_id: int
    title: str
    artist: str
    seconds: int
    at: int
    skips_left: int
    sequence: int


# -- the session's state -----------------------------------------------------------------


def _time(value) -> datetime | None:
    """An aware time kept in the session, or None for anything else."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _skips(session, now: datetime) -> list[datetime]:
    """This hour's skips, oldest first."""
    kept = [moment for moment in map(_time, session.get(SKIPS_KEY) or []) if moment]
    return sorted(moment for moment in kept if now - moment < HOUR)


def skips_left(session, now: datetime) -> int:
    return max(settings.RADIO_SKIPS_PER_HOUR - len(_skips(session, now)), 0)


def _skip_spend(session, now: datetime) -> None:
    spent = _skips(session, now)
    if len(spent) >= settings.RADIO_SKIPS_PER_HOUR:
        wait = spent[0] + HOUR - now
        raise SkipRefused(max(int(wait.total_seconds()) + 1, 1))
    session[SKIPS_KEY] = [moment.isoformat() for moment in [*spent, now]]


def station(session, tag: str) -> dict | None:
    """The session's station state if it is tuned to ``tag``."""
    state = session.get(SESSION_KEY)
    return state if isinstance(state, dict) and state.get("tag") == tag else None


def _ended(state: dict, now: datetime) -> bool:
    """Whether the current track has had time to play to its end since it started."""
    started = _time(state.get("started_at"))
    if started is None:
        return False
    return now - started >= timedelta(seconds=state.get("seconds") or 0) - END_SLACK


def _elapsed(state: dict, now: datetime) -> int:
    started = _time(state.get("started_at"))
    if started is None:
        return 0
    elapsed = int((now - started).total_seconds())
    return min(max(elapsed, 0), state.get("seconds") or elapsed)


# -- picking ------------------------------------------------------------------------------


def _open_to_radio(track: Track, now: datetime) -> bool:
    opens = track.ad_supported_streaming or (
        track.release.ad_supported_streaming if track.release else None
    )
    return opens is not None and opens.is_released(now) and bool(track.duration)


def track_pick(*, tag: str, country: str, recent: list[int], last_release: int | None, now):
    """A track of ``tag`` open to radio in ``country``, not among ``recent`` nor of
    ``last_release``; raises NothingToPlay."""
    try:
        releases = {
            release.id: release
            for read in (catalogue.tag_releases_top, catalogue.tag_releases_new)
            for release in read(tag=tag, country=country, page_size=RELEASES_READ).items
        }
    except (catalogue.CatalogueError, errors.SevenDigitalError) as exc:
        raise NothingToPlay(f"the tag's releases could not be read: {exc!r}") from exc
    choices = [release_id for release_id in releases if release_id != last_release]
    random.shuffle(choices)
    if not choices and last_release in releases:
        choices = [last_release]  # a tag of one release: better than silence
    for release_id in choices[:RELEASES_TRIED]:
        try:
            tracks = catalogue.release_tracks_list(release_id=release_id, country=country).items
        except (catalogue.CatalogueError, errors.SevenDigitalError):
            continue
        fresh = [track for track in tracks if track.id not in recent and _open_to_radio(track, now)]
        if fresh:
            track = random.choice(fresh)  # noqa: S311 - a shuffle, not a secret
            if track.release is None:
                return track, release_id
            return track, track.release.id
    raise NothingToPlay(f"no track of {tag!r} is open to radio in {country}")


# -- the station's moves ------------------------------------------------------------------


def _on_air(state: dict, session, now: datetime) -> OnAir:
    return OnAir(
        track_id=state["track"],
        title=state["title"],
        artist=state["artist"],
        seconds=state["seconds"],
        at=_elapsed(state, now),
        skips_left=skips_left(session, now),
        sequence=state["sequence"],
    )


@transaction.atomic
def _play_settle(play_id, *, seconds: float | None, end_reason: str | None, now) -> None:
    """Raise the play's seconds (bounded by what can have been heard), and with an end
    reason, settle it and make it due now. A play being sent or sent is left alone."""
    play = CataloguePlay.objects.select_for_update().filter(pk=play_id).first()
    if play is None or play.delivered_at is not None:
        return
    if play.claimed_until is not None and play.claimed_until > now:
        return
    fields = []
    if seconds is not None:
        possible = max(int((now - play.played_at).total_seconds()), 0)
        if play.track_seconds:
            possible = min(possible, play.track_seconds)
        value = min(max(int(seconds), 0), possible)
        if value > play.seconds_played:
            play.seconds_played = value
            play.reported_at = now
            fields += ["seconds_played", "reported_at"]
    if end_reason is not None:
        play.end_reason = EndReason(end_reason)
        play.due_at = now
        fields += ["end_reason", "due_at"]
    if fields:
        play.save(update_fields=fields)
        playlogs.play_finished(play=play)


def tune(session, *, tag: str, country: str, now: datetime | None = None) -> OnAir:
    """Join ``tag``'s station: the track on air if it is still playing, else a new one.
    Leaving another station mid-track logs its play as ended for "other" reasons."""
    now = now or timezone.now()
    state = station(session, tag)
    previous = session.get(SESSION_KEY)
    if state is None:
        # Back to a station left a moment ago: its track is still on air (or switching
        # stations would be a free skip).
        left = dict(session.get(LEFT_KEY) or {})
        state = left.pop(tag, None) if isinstance(left.get(tag), dict) else None
        if isinstance(previous, dict) and previous.get("tag"):
            left[previous["tag"]] = previous
        session[LEFT_KEY] = dict(list(left.items())[-STATIONS_KEPT:])
        if isinstance(previous, dict) and previous.get("play"):
            reason = EndReason.NATURAL_END if _ended(previous, now) else EndReason.OTHER
            _play_settle(previous["play"], seconds=None, end_reason=reason, now=now)
            previous["play"] = None  # settled: the station's next play is a new one
        if state is not None:
            state = {**state, "play": None}
            session[SESSION_KEY] = state
    if state and state.get("track") and not _ended(state, now) and not state.get("failed"):
        return _on_air(state, session, now)
    return _advance(session, tag=tag, country=country, state=state, now=now)


def move_on(
    session, *, tag: str, country: str, seconds_heard: float | None, now: datetime | None = None
) -> OnAir:
    """The player wants the next track: after the end, or a skip (if one is left:
    raises SkipRefused otherwise, and the track plays on)."""
    now = now or timezone.now()
    state = station(session, tag)
    if state is None or not state.get("track"):
        return tune(session, tag=tag, country=country, now=now)
    ended = _ended(state, now)
    if not ended and not state.get("failed"):
        # Also before its first byte: or one could look through the station for a
        # track to then hear.
        _skip_spend(session, now)
    if state.get("play"):
        reason = EndReason.NATURAL_END if ended else EndReason.USER_SKIPPED
        _play_settle(state["play"], seconds=seconds_heard, end_reason=reason, now=now)
    return _advance(session, tag=tag, country=country, state=state, now=now)


def _advance(session, *, tag: str, country: str, state: dict | None, now: datetime) -> OnAir:
    recent = list((state or {}).get("recent") or [])
    track, release_id = track_pick(
        tag=tag,
        country=country,
        recent=recent,
        last_release=(state or {}).get("release"),
        now=now,
    )
    artist = track.artist.name if track.artist else ""
    fresh = {
        "tag": tag,
        "track": track.id,
        "release": release_id,
        "title": track.title,
        "artist": artist,
        "seconds": int(track.duration or 0),
        "started_at": None,
        "play": None,
        "failed": False,
        "recent": [*recent, track.id][-RECENT:],
        "sequence": int((state or {}).get("sequence") or 0) + 1,
    }
    session[SESSION_KEY] = fresh
    return _on_air(fresh, session, now)


def report(session, *, tag: str, seconds_heard: float, now: datetime | None = None) -> bool:
    """The seconds heard so far of the track on air (at a pause, or as the page goes)."""
    now = now or timezone.now()
    state = station(session, tag)
    if state is None or not state.get("play"):
        return False
    _play_settle(state["play"], seconds=seconds_heard, end_reason=None, now=now)
    return True


def stream_served(
    session,
    *,
    tag: str,
    listener_id: str,
    user,
    format_id: int,
    country: str,
    user_agent: str,
    now: datetime | None = None,
) -> None:
    """The proxy served the track on air from its first byte: it starts playing now, and
    its play is written (once), to be logged even if the player never says more."""
    now = now or timezone.now()
    state = station(session, tag)
    if state is None or state.get("play"):
        return
    # Back on a station whose track went on meanwhile: it started then, not now.
    started = _time(state.get("started_at")) or now
    play = playlogs.catalogue_play_record(
        track_id=state["track"],
        release_id=state.get("release") or 0,
        format_id=format_id,
        user=user,
        listener_id=listener_id,
        country=country,
        user_agent=user_agent.strip() or "unknown",
        played_at=now,
        seconds_played=0,
        end_reason=EndReason.OTHER,
        track_seconds=state.get("seconds") or None,
        due_at=max(started + timedelta(seconds=state.get("seconds") or 0), now) + OPEN_MARGIN,
    )
    session[SESSION_KEY] = {**state, "play": str(play.pk), "started_at": started.isoformat()}


def stream_failed(session, *, tag: str) -> None:
    """7digital would not serve the track on air: moving on costs no skip."""
    state = station(session, tag)
    if state is not None:
        session[SESSION_KEY] = {**state, "failed": True}


def listener_of(partner_user_id: str | None, device_id: str | None) -> str:
    """``catalogue/log``'s userId: the customer's partner user, or the browser's device."""
    if partner_user_id:
        return partner_user_id
    return f"device-{device_id or uuid.uuid4()}"
