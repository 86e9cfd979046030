"""What a signed-in customer may hear of the tracks a page lists: the play buttons' badges.

A catalogue page is the same for everyone in a country, and is cached as such (whole
regions of it, ``{% cache %}``, and later whole pages for visitors): nothing about the
customer is rendered into it. Each play button carries what the catalogue says of its
track (its release, and whether subscribers may stream it now: :func:`streaming_of`);
``static/js/access.js`` sends those for the buttons on the page to ``/player/access``,
one small private request, and marks each button with this customer's badge:

- **owned**: a delivered, unrefunded order line of the track or of its whole release
  (the locker streams it, :mod:`store.player.streams`);
- **stream**: their subscription streams now and the catalogue lets subscribers stream it;
- **preview**: otherwise, the 30-second clip, with the player's offer to buy or subscribe.

The badge is a forecast: ``/stream/<id>`` decides each play again, and 7digital has the
last word (a country, a second device). Visitors get no badges: every button is a
preview for them, and their pages stay free of per-visitor markup.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from sevendigital.models.catalogue import Track
from store.checkout.models import OrderLine
from store.subscriptions.models import Subscription
from store.subscriptions.selectors import gives_streaming

# The most buttons one request may ask about: a release's longest page, a search's
# results, the locker's page; access.js asks in batches of this size.
MAX_ITEMS = 200


class Streaming(enum.StrEnum):
    """What the catalogue says of streaming a track, the same for every customer."""

    OPEN = "open"  # subscribers may stream it now
    LATER = "later"  # its subscription-streaming date is still to come
    NONE = "none"  # not offered to subscribers at all


class Badge(enum.StrEnum):
    OWNED = "owned"
    STREAM = "stream"
    PREVIEW = "preview"


# Each badge's short text and what it means, for the badge's tooltip and for a screen
# reader's label of the button.
WORDS = {
    Badge.OWNED: ("Owned", "You own it: plays in full"),
    Badge.STREAM: ("Stream", "Your subscription plays it in full"),
    Badge.PREVIEW: ("Preview", "A 30-second preview: buy it or subscribe to hear all of it"),
}


def streaming_of(track: Track, *, now: datetime) -> Streaming:
    opens = track.subscription_streaming
    if opens is None:
        return Streaming.NONE
    return Streaming.OPEN if opens.is_released(now) else Streaming.LATER


@dataclass(frozen=True)
class Item:
    """One button as the page describes it."""

    track_id: int
    release_id: int | None
    streaming: Streaming


def items_parse(values: list[str]) -> list[Item]:
    """``TRACK:RELEASE:STREAMING`` each (RELEASE empty when unknown); ``ValueError`` for
    anything else, or for more than :data:`MAX_ITEMS`."""
    if len(values) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} tracks a request")
    items = []
    for value in values:
        try:
            track, release, streaming = value.split(":")
            item = Item(int(track), int(release) if release else None, Streaming(streaming))
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not TRACK:RELEASE:STREAMING") from None
        if item.track_id <= 0 or (item.release_id is not None and item.release_id <= 0):
            raise ValueError(f"{value[:40]!r} has an id that is not positive")
        items.append(item)
    return items


def badges_of(*, user, items: list[Item], now: datetime) -> dict[int, Badge]:
    """Each item's badge for ``user``: two queries, whatever the number of items."""
    if not items:
        return {}
    track_ids = {item.track_id for item in items}
    release_ids = {item.release_id for item in items if item.release_id}
    owned_tracks: set[int] = set()
    owned_releases: set[int] = set()
    lines = (
        OrderLine.objects.filter(order__user=user, status=OrderLine.Status.DELIVERED)
        .filter(Q(track_id__in=track_ids) | Q(track_id__isnull=True, release_id__in=release_ids))
        .values_list("track_id", "release_id")
    )
    for track_id, release_id in lines:
        if track_id is None:
            owned_releases.add(release_id)
        else:
            owned_tracks.add(track_id)
    streams = gives_streaming(Subscription.objects.filter(user=user).first(), now=now)
    badges = {}
    for item in items:
        if item.track_id in owned_tracks or item.release_id in owned_releases:
            badges[item.track_id] = Badge.OWNED
        elif streams and item.streaming is Streaming.OPEN:
            badges[item.track_id] = Badge.STREAM
        else:
            badges[item.track_id] = Badge.PREVIEW
    return badges
