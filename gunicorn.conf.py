"""gunicorn's settings for the site, read from the working directory by
``gunicorn config.wsgi`` (the Dockerfile's command and the benchmarks).

Threaded workers: the preview and download proxies stream 7digital's bytes to the
listener as they come (no buffering, so seeking and resuming work), so a response
lasts as long as the listener takes to read it. A sync worker would be held for the
whole of a slow phone's download; a gthread worker serves other requests meanwhile.
The site is thread-safe for it: one 7digital client per thread, Django's connections
per thread, locks around the in-process tally.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker that stops answering gunicorn's heartbeat for this long is replaced.
timeout = 60
graceful_timeout = 30
# Workers are replaced now and then, so that nothing grows without bound; a graceful
# exit writes the preview tally it holds (store/playlogs/tally.py).
max_requests = 2000
max_requests_jitter = 200
# The project is imported once, in the master, before the workers are forked: a
# replaced worker answers at once instead of importing Django again (about a second of
# CPU here, during which its requests wait). Nothing opens a connection or starts a
# thread at import (Django connects on first query; the tally's timer starts on first
# count), so nothing is shared across the fork. Deploy new code with a restart.
preload_app = True
