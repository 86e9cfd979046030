"""What a browser may report as a preview play: clips it received, at a human pace.

7digital pays labels from the preview plays we report (``preview/log``), so a report
must stand for audio someone could have heard. The proxy (``/previews/<trackId>``)
notes each clip it serves from its start to a listener (the random id in the visitor's
session); starting a play of that track takes one such clip, so a browser starts at
most as many plays as it was served clips, and none of a track it was never served
(nor of a track 7digital does not know: the proxy serves only what 7digital does).
On top of that, starting plays has a ceiling per listener and per address, per minute.

This lives in Django's cache rather than the database: the proxy would otherwise
write to the database for every clip, which is what :mod:`store.player.tally` was
made to avoid. The counters are atomic (``cache.add`` then ``incr``/``decr``: Redis's
INCRBY, or the local-memory cache's lock), so two requests, in two workers, cannot both
spend one clip. The cache must therefore be shared by every process serving the site:
Redis (``REDIS_URL``) is; the local-memory cache that tests and ``make run`` (one
process) use is shared within that process only, so behind several gunicorn workers
without Redis a play would be refused whenever another worker had served its clip.
"""

from __future__ import annotations

import contextlib
import math
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def setting(name: str) -> int | float:
    """One of the PREVIEW_* limits (config/settings/base.py explains each)."""
    return getattr(settings, name)


def _clips_key(listener: str, track_id: int) -> str:
    return f"playlogs:clips:{listener}:{track_id}"


def clip_received(*, listener: str, track_id: int) -> None:
    """Note that ``listener`` was served the clip of ``track_id`` (from its start)."""
    key = _clips_key(listener, track_id)
    timeout = setting("PREVIEW_CLIP_GRANT_SECONDS")
    cache.add(key, 0, timeout)
    try:
        cache.incr(key)
    except ValueError:  # it expired between the two calls
        cache.set(key, 1, timeout)
    cache.touch(key, timeout)  # an hour from the latest clip, not the first


def clip_take(*, listener: str, track_id: int) -> bool:
    """Spend one clip of ``track_id`` that ``listener`` received; False if none is left."""
    key = _clips_key(listener, track_id)
    try:
        left = cache.decr(key)
    except ValueError:  # never served, or served too long ago
        return False
    if left < 0:  # the last one was spent by a concurrent request: give back ours
        with contextlib.suppress(ValueError):  # it expired meanwhile: nothing to give back
            cache.incr(key)
        return False
    return True


def rate_hit(*, scope: str, key: str, limit: int, now: datetime) -> int | None:
    """Count one attempt of ``key`` in the current minute (a fixed window).

    Returns ``None`` while within ``limit``, else the whole seconds until the window
    ends (for ``Retry-After``).
    """
    timestamp = now.timestamp()
    window = int(timestamp // WINDOW_SECONDS)
    counter = f"playlogs:rate:{scope}:{key}:{window}"
    cache.add(counter, 0, 2 * WINDOW_SECONDS)
    try:
        count = cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, 2 * WINDOW_SECONDS)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - timestamp))
