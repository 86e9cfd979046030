"""Endpoint groups of the 7digital API 1.2, one class per area."""

from .catalogue import Artists, Releases, Status, Tags, Tracks
from .logging import CataloguePlay, Logging, PreviewPlay, SubscriptionPlay
from .media import Feeds, Media, MediaRequest
from .playlists import Playlists
from .users import Lockers, Purchasing, Refunds, Subscriptions, Users

__all__ = [
    "Artists",
    "CataloguePlay",
    "Feeds",
    "Lockers",
    "Logging",
    "Media",
    "MediaRequest",
    "Playlists",
    "PreviewPlay",
    "Purchasing",
    "Refunds",
    "Releases",
    "Status",
    "SubscriptionPlay",
    "Subscriptions",
    "Tags",
    "Tracks",
    "Users",
]
