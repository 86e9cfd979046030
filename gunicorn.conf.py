"""gunicorn's settings for the site, read from the working directory by
``gunicorn config.wsgi`` (the Dockerfile's command and the benchmarks).

Threaded workers: the stream, preview and download proxies pass 7digital's bytes to the
listener as they come (no buffering, so seeking and resuming work), so a response
lasts as long as the listener takes to read it: a whole track is a thread held for
three or four minutes. A sync worker would be held for all of it; a gthread worker
serves other requests meanwhile, one thread each. The site is thread-safe for it: one
7digital client per thread, Django's connections per thread, locks around the
in-process tally.

Hence many threads: a thread waiting on a listener's socket costs no CPU and little
memory (its stack is reserved, not used), and threads are started only when requests
need them. bench/stream_listeners.py measures the layout with 500 listeners of whole
tracks. What a thread must not hold while it streams is a database connection: the
relay gives it back once the bytes start (integrations/proxy.py), and production
settings pool connections (DATABASE_POOL_SIZE per process) instead of keeping one per
thread.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn's gthread worker, closing connections off its loop (config/gunicorn_worker.py).
worker_class = "config.gunicorn_worker.ThreadWorker"
# Listeners and visitors served at once by each worker; more wait their turn. Enough for
# one worker alone to hold every stream: the workers share one listening socket, and
# Linux hands new connections mostly to the same waiting worker, so they are not shared
# evenly (bench/stream_listeners.py saw 384 + 89 of 473 streams; the full worker's
# queue then made first bytes wait 11 s). A thread costs memory only once started.
threads = int(os.environ.get("GUNICORN_THREADS", "1024"))
# Connections each worker keeps at once: every thread's, and as many more kept alive idle
# between a visitor's pages (gunicorn's gthread worker keeps alive only what exceeds
# the threads; its default of 1000 would keep none).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", str(threads + 1000)))
# How long an idle kept-alive connection stays open. gunicorn's default, 2 s, closes it
# while the visitor reads the page; a request sent just as it closes is reset (3 in
# 12,600 requests under bench/load.py). Longer than a proxy's or load balancer's idle
# timeout (60 s on common ones), so it is always the client side that closes an idle
# connection, which loses nothing. A gthread worker keeps idle connections in its poller,
# not in a thread, so they cost no thread while they wait.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# A worker that stops answering gunicorn's heartbeat for this long is replaced.
timeout = 60
graceful_timeout = 30
# Workers are not replaced after a number of requests: a worker that leaves closes the
# connections browsers keep alive to it, and a request already on its way over one gets
# a reset (bench/load.py saw 3 in 12,500 requests with 2,000). The workers' memory levels
# off (bench/load.py prints it); GUNICORN_MAX_REQUESTS turns recycling back on where a
# leak must be contained. A graceful exit writes the preview tally a worker holds
# (store/player/tally.py).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The project is imported once, in the master, before the workers are forked: a
# replaced worker answers at once instead of importing Django again (about a second of
# CPU here, during which its requests wait). Nothing opens a connection or starts a
# thread at import (Django connects on first query; the tally's timer starts on first
# count), so nothing is shared across the fork. Deploy new code with a restart.
preload_app = True
