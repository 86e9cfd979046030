"""Endpoint groups of the 7digital API 1.2, one class per area."""

from .catalogue import Artists, Releases, Status, Tags, Tracks
from .media import Feeds, Media, MediaRequest
from .playlists import Playlists
from .playlogs import CatalogueLog, PlayLogs, PreviewLog, SubscriptionLog
from .users import Lockers, Purchasing, Refunds, Subscriptions, Users

__all__ = [
    "Artists",
    "CatalogueLog",
    "Feeds",
    "Lockers",
    "Media",
    "MediaRequest",
    "PlayLogs",
    "Playlists",
    "PreviewLog",
    "Purchasing",
    "Refunds",
    "Releases",
    "Status",
    "SubscriptionLog",
    "Subscriptions",
    "Tags",
    "Tracks",
    "Users",
]
