"""Play logging: previews, radio-style catalogue plays, subscription plays.

Reference lines 4735-4886. Bodies are JSON; ``country`` travels only in the query
string. These POSTs are not retried here: the caller's outbox retries with
backoff and decides what a retry means (a duplicate log costs the partner money,
a lost one breaches the licence).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..models import LogResult
from ..transport import UserAuth, encode_json
from ._base import Resource
from .users import _user

USER_AGENT_LIMIT = 256
CATALOGUE_LOG_LIMIT = 100
PREVIEW_LOG_BYTES_LIMIT = 100 * 1024
# The MassiveMusic 2026.05 document: "Acceptable usage is 5 POST requests per second
# with batches of up to 500 logs per request" (preview logs).
PREVIEW_LOG_LIMIT = 500
LOG_REQUESTS_PER_SECOND = 5
# Subscription logs are "batched by user"; the reference sets no count, so the
# catalogue's is used.
SUBSCRIPTION_LOG_LIMIT = CATALOGUE_LOG_LIMIT
PLAY_MODES = ("online", "offline", "online-cached")
END_REASONS = ("naturalEnd", "userSkipped", "other")


def _when(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("dateTimePlayed must be timezone-aware")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _check(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class PreviewLog:
    track_id: int
    played_at: datetime
    seconds_played: int
    user_agent: str
    user_id: str
    country: str
    play_mode: str = "online"

    def to_json(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "trackId": self.track_id,
            "dateTimePlayed": _when(self.played_at),
            "totalTimePlayed": self.seconds_played,
            "userAgent": self.user_agent[:USER_AGENT_LIMIT],
            "userId": self.user_id,
            "playMode": _check(self.play_mode, PLAY_MODES, "playMode"),
        }


@dataclass(frozen=True, slots=True)
class CatalogueLog:
    track_id: int
    release_id: int
    format_id: int
    played_at: datetime
    seconds_played: int
    user_agent: str
    user_id: str
    end_reason: str = "naturalEnd"

    def to_json(self) -> dict[str, Any]:
        return {
            "trackId": self.track_id,
            "releaseId": self.release_id,
            "formatId": self.format_id,
            "dateTimePlayed": _when(self.played_at),
            "totalTimePlayed": self.seconds_played,
            "userAgent": self.user_agent[:USER_AGENT_LIMIT],
            "userId": self.user_id,
            "endReason": _check(self.end_reason, END_REASONS, "endReason"),
        }


@dataclass(frozen=True, slots=True)
class SubscriptionLog:
    track_id: int
    release_id: int
    format_id: int
    played_at: datetime
    seconds_played: int
    user_agent: str
    play_mode: str = "online"

    def to_json(self) -> dict[str, Any]:
        return {
            "trackId": self.track_id,
            "releaseId": self.release_id,
            "formatId": self.format_id,
            "playMode": _check(self.play_mode, PLAY_MODES, "playMode"),
            "dateTimePlayed": _when(self.played_at),
            "totalTimePlayed": self.seconds_played,
            "userAgent": self.user_agent[:USER_AGENT_LIMIT],
        }


class PlayLogs(Resource):
    def _post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        country: str | None,
        user: UserAuth | None = None,
    ) -> LogResult:
        data = self._requestor.request(
            "POST",
            "api",
            path,
            json_body=body,
            country=country,
            user=user,
            signed=True,
            idempotent=False,
            empty_ok=True,
        )
        return LogResult.from_data(data)

    def previews(self, plays: Iterable[PreviewLog], *, country: str | None = None) -> LogResult:
        """``preview/log``: the query's country authorises; each log has its own.

        At most 500 logs and 100 KiB in one request: :func:`preview_batches` splits a
        longer list into requests that fit.
        """
        body = {"logs": [p.to_json() for p in plays]}
        if len(body["logs"]) > PREVIEW_LOG_LIMIT:
            raise ValueError(f"at most {PREVIEW_LOG_LIMIT} preview logs per request")
        size = len(encode_json(body))
        if size > PREVIEW_LOG_BYTES_LIMIT:
            raise ValueError(f"preview log body is {size} bytes; the limit is 100 KiB")
        return self._post("1.2/preview/log", body, country=country)

    def catalogue(self, plays: Iterable[CatalogueLog], *, country: str) -> LogResult:
        items = [p.to_json() for p in plays]
        if len(items) > CATALOGUE_LOG_LIMIT:
            raise ValueError(f"at most {CATALOGUE_LOG_LIMIT} catalogue logs per request")
        return self._post("1.2/catalogue/log", {"playLogItem": items}, country=country)

    def subscription(
        self, user: UserAuth | str, plays: Iterable[SubscriptionLog], *, country: str
    ) -> LogResult:
        """``user/subscription/log``: one user's plays (their partner id or token)."""
        body = {"playLogItem": [p.to_json() for p in plays]}
        return self._post("1.2/user/subscription/log", body, country=country, user=_user(user))


# The bytes a preview log body spends besides its logs: '{"logs":[' and ']}'.
_PREVIEW_BODY_OVERHEAD = len(encode_json({"logs": []}))


def preview_batches(
    plays: Iterable[PreviewLog],
    *,
    max_logs: int = PREVIEW_LOG_LIMIT,
    max_bytes: int = PREVIEW_LOG_BYTES_LIMIT,
) -> Iterator[list[PreviewLog]]:
    """Split preview plays, in order, into requests of at most ``max_logs`` logs whose
    body stays within ``max_bytes`` (the body is measured as :meth:`PlayLogs.previews`
    sends it). Raises ``ValueError`` for a play that cannot fit a request on its own."""
    batch: list[PreviewLog] = []
    size = _PREVIEW_BODY_OVERHEAD
    for play in plays:
        item = len(encode_json(play.to_json())) + (1 if batch else 0)  # the comma
        if batch and (len(batch) == max_logs or size + item > max_bytes):
            yield batch
            batch, size, item = [], _PREVIEW_BODY_OVERHEAD, item - 1
        if size + item > max_bytes:
            raise ValueError(f"a preview log of {item} bytes cannot fit in {max_bytes} bytes")
        batch.append(play)
        size += item
    if batch:
        yield batch
