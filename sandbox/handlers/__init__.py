"""One small handler per 7digital endpoint; importing this package registers them."""

from . import catalogue, downloads, locker, media, playlogs, purchasing, status, users  # noqa: F401
