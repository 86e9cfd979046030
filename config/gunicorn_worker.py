"""gunicorn's threaded worker, with connections it closes lingered over off its loop.

gunicorn (27) closes a connection it does not keep alive "gracefully" (RFC 9112 9.6):
it sends its FIN, then reads until the client's FIN or for up to 2 seconds, so that
unread request bytes do not make the kernel reset the connection and cut the response
short. The gthread worker does this on its main thread, the one that accepts
connections and hands kept-alive ones their next request, so every close there stops
the worker's loop for up to the client's round trip, or 2 seconds for a client that
does not close. Listeners finishing tracks close one connection after another: under
500 of them (bench/stream_listeners.py), a visitor's page on a kept-alive connection
waited on that loop past 30 seconds, and py-spy showed the loop in ``close_graceful``.

Here the lingering close runs on a thread of the worker's pool instead; the loop only
hands it over. Closes that do not linger (an expired idle connection) stay where they
are. Named in gunicorn.conf.py (``worker_class``).
"""

from __future__ import annotations

from gunicorn.workers import gthread


class ThreadWorker(gthread.ThreadWorker):
    def finish_request(self, conn, fs):
        close = conn.close

        def close_off_the_loop(graceful=False):
            if not graceful:
                return close()
            try:
                self.tpool.submit(close, graceful=True)
            except RuntimeError:  # the pool is shut down: the worker is exiting
                close(graceful=True)
            return None

        conn.close = close_off_the_loop
        try:
            super().finish_request(conn, fs)
        finally:
            conn.close = close
