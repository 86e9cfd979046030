"""gunicorn's settings for bench/stream_listeners.py: the project's own
(gunicorn.conf.py), plus a fixed send buffer on each listener's connection.

On loopback Linux grows a connection's send buffer to megabytes (its segments are 64 KB
long), so a whole track would be written into the kernel at once and the thread serving
it freed at once: the benchmark would not measure a stream held for the length of a
track, as every one is over a real network, where a listener's connection holds tens of
kilobytes in flight. ``BENCH_SEND_BUFFER`` bytes (64 KB by default) are about what a
real connection to a listener holds; with the listener's own 64 KB receive window, a
stream is at most about 6 seconds of audio ahead of its thread.
"""

import os
import runpy
import socket
import threading
import time
from pathlib import Path

_project = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _project.items() if not name.startswith("_")})

SEND_BUFFER = int(os.environ.get("BENCH_SEND_BUFFER", str(64 * 1024)))


# Pages (not streams) the site was asked for: when each reached a thread and how long
# it took, one line each in BENCH_REQUEST_LOG, to find where a slow page waited.
REQUEST_LOG = os.environ.get("BENCH_REQUEST_LOG")
_log_lock = threading.Lock()


def post_request(worker, req, environ, resp):
    if not REQUEST_LOG or req.path.startswith("/stream/"):
        return
    began = getattr(req, "bench_began", None)
    if began is None:
        return
    line = f"{began:.3f} {time.time() - began:.3f} {worker.pid} {resp.status} {req.path}\n"
    with _log_lock, open(REQUEST_LOG, "a") as log:
        log.write(line)


def pre_request(worker, req):
    req.bench_began = time.time()
    connection = getattr(req.unreader, "sock", None)
    if connection is not None:
        # Linux doubles the figure asked for (its bookkeeping) and stops autotuning.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER // 2)
