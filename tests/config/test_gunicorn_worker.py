"""The web worker hands a connection's lingering close to its thread pool
(config/gunicorn_worker.py): its loop, which serves every kept-alive visitor, never
waits on a client's FIN."""

from __future__ import annotations

import threading
from collections import deque
from concurrent import futures
from types import SimpleNamespace

from config.gunicorn_worker import ThreadWorker


def _worker(pool):
    worker = object.__new__(ThreadWorker)  # only what finish_request reads
    worker.alive = True
    worker.nr_conns = 1
    worker.tpool = pool
    worker.keepalived_conns = deque()
    worker.pending_conns = deque()
    return worker


def _done(result):
    future = futures.Future()
    future.set_result(result)
    return future


def test_a_connection_not_kept_alive_lingers_on_a_pool_thread_not_on_the_loop():
    released = threading.Event()
    closes = []

    def close(graceful=False):
        # Inline, this would wait for the test to go on: it can only once the loop is free.
        closes.append((threading.current_thread() is threading.main_thread(), graceful))
        closes.append(released.wait(5))

    conn = SimpleNamespace(close=close)
    with futures.ThreadPoolExecutor(max_workers=2) as pool:
        worker = _worker(pool)
        worker.finish_request(conn, _done(False))
        released.set()

    assert closes == [(False, True), True]
    assert worker.nr_conns == 0
    assert conn.close is close  # left as it was


def test_when_the_pool_is_shut_down_the_close_happens_inline():
    closes = []
    conn = SimpleNamespace(close=lambda graceful=False: closes.append(graceful))
    pool = futures.ThreadPoolExecutor(max_workers=1)
    pool.shutdown()

    _worker(pool).finish_request(conn, _done(False))

    assert closes == [True]
