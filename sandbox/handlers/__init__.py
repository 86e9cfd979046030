"""One small handler per 7digital endpoint; importing this package registers them."""

from . import (  # noqa: F401
    catalogue,
    downloads,
    locker,
    media,
    offline,
    playlists,
    playlogs,
    purchasing,
    status,
    streams,
    subscriptions,
    users,
)
