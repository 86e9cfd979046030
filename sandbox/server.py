"""The sandbox on a real socket: a threaded WSGI server (browser tests, other clients,
``manage.py runsandbox``)."""

from __future__ import annotations

import contextlib
import threading

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from .wsgi import ConnectionResetFault, get_application


class _RequestHandler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["sandbox.connection"] = self.connection
        return environ

    def handle(self):
        with contextlib.suppress(ConnectionResetFault, OSError):  # dropped on purpose
            super().handle()


class _QuietRequestHandler(_RequestHandler):
    def log_message(self, *args) -> None:
        pass


class SandboxServer:
    """``with SandboxServer() as server: server.url`` — a sandbox on a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> None:
        handler = _QuietRequestHandler if quiet else _RequestHandler
        self.httpd = ThreadedWSGIServer((host, port), handler, allow_reuse_address=True)
        self.httpd.daemon_threads = True
        self.httpd.set_app(get_application())
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True, name="sandbox-server"
        )
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread:
            self.thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
