"""Typed, immutable views of 7digital API objects.

Each model has a ``from_data`` classmethod reading the neutral tree produced by
:mod:`sevendigital.parsing`, so XML and JSON responses give equal objects. The
shapes follow the reference's "standard objects" (7digital-api-1.2-reference.txt,
lines 108-430) and each endpoint's examples. The reference is not consistent
between its XML and JSON examples (``discNumber`` vs ``disc``, ``artist`` vs
``artists`` list keys, numbers given as strings); the readers accept every
spelling the reference uses.

Money is ``Decimal``; datetimes are aware and in UTC.
"""

from __future__ import annotations

from ._base import Page, as_list, items_of, section
from .catalogue import (
    Artist,
    Batch,
    BatchError,
    Chart,
    ChartItem,
    DownloadAvailability,
    Format,
    Label,
    Licensor,
    Package,
    Price,
    Release,
    SearchResult,
    ServiceStatus,
    StreamingAvailability,
    Tag,
    Track,
)
from .playlists import Playlist, PlaylistGroup, PlaylistTrack
from .playlogs import LogResult
from .users import (
    DownloadUrl,
    Locker,
    LockerRelease,
    LockerTrack,
    OfflineClient,
    OfflineStatus,
    Purchase,
    Refund,
    Subscription,
    User,
)

__all__ = [
    "Artist",
    "Batch",
    "BatchError",
    "Chart",
    "ChartItem",
    "DownloadAvailability",
    "DownloadUrl",
    "Format",
    "Label",
    "Licensor",
    "Locker",
    "LockerRelease",
    "LockerTrack",
    "LogResult",
    "OfflineClient",
    "OfflineStatus",
    "Package",
    "Page",
    "Playlist",
    "PlaylistGroup",
    "PlaylistTrack",
    "Price",
    "Purchase",
    "Refund",
    "Release",
    "SearchResult",
    "ServiceStatus",
    "StreamingAvailability",
    "Subscription",
    "Tag",
    "Track",
    "User",
    "as_list",
    "items_of",
    "section",
]
