"""The sandbox on a real socket: a threaded WSGI server (browser tests, other clients,
``manage.py runsandbox``).

Given a certificate (sandbox/tls.py), it speaks plain HTTP and HTTPS on the same port,
as 7digital's Node client expects (unsigned calls over http, signed calls over https,
one host and port): each new connection's first byte is peeked at, and a TLS handshake
(a record of type 22, 0x16; no HTTP request starts with it) is answered with TLS.
The request then carries the scheme it came in on, so OAuth signatures are checked
against ``https://host:port/...``. The peek and the handshake run in the connection's
own thread with a time limit, so a client that connects and sends nothing, or fails its
handshake, costs one thread for a few seconds and stops no one else.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from .tls import Certificate
from .wsgi import ConnectionResetFault, get_application

TLS_HANDSHAKE = 0x16
FIRST_BYTE_SECONDS = 10.0  # for the client's first byte after connecting
HANDSHAKE_SECONDS = 10.0


class _RequestHandler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["sandbox.connection"] = self.connection
        if "Content-Type" not in self.headers:
            # wsgiref writes text/plain for a request that named no type: the control
            # API tells a bodiless call from a text/plain one (sandbox/control.py).
            environ.pop("CONTENT_TYPE", None)
        if isinstance(self.connection, ssl.SSLSocket):
            environ["HTTPS"] = "on"  # wsgiref makes it wsgi.url_scheme "https"
        return environ

    def handle(self):
        with contextlib.suppress(ConnectionResetFault, OSError):  # dropped on purpose
            super().handle()


class _QuietRequestHandler(_RequestHandler):
    def log_message(self, *args) -> None:
        pass


class _PlainOrTLSServer(ThreadedWSGIServer):
    """Serves each connection as plain HTTP or, when it opens with a TLS handshake and
    the server has a TLS context, as HTTPS."""

    tls_context: ssl.SSLContext | None = None
    first_byte_seconds = FIRST_BYTE_SECONDS
    handshake_seconds = HANDSHAKE_SECONDS
    quiet = True

    def finish_request(self, request, client_address) -> None:
        connection = self._open(request, client_address) if self.tls_context else request
        if connection is None:
            return
        try:
            super().finish_request(connection, client_address)
        finally:
            if connection is not request:  # socketserver closes only the socket it gave
                with contextlib.suppress(OSError):
                    connection.close()

    def _open(self, request: socket.socket, client_address) -> socket.socket | None:
        """The connection to serve, TLS-wrapped if it starts a handshake; None when the
        client sent nothing in time, left, or failed the handshake."""
        try:
            request.settimeout(self.first_byte_seconds)
            first = request.recv(1, socket.MSG_PEEK)
        except OSError:  # nothing in time (a browser's spare connection), or gone
            return None
        if not first:
            return None
        if first[0] != TLS_HANDSHAKE:
            request.settimeout(None)
            return request
        try:
            request.settimeout(self.handshake_seconds)
            connection = self.tls_context.wrap_socket(request, server_side=True)
            connection.settimeout(None)
        except OSError as exc:  # ssl.SSLError and timeouts are OSErrors
            if not self.quiet:  # a client that does not trust the certificate says so here
                print(f"TLS handshake from {client_address[0]} failed: {exc}", file=sys.stderr)
            return None
        return connection


class SandboxServer:
    """``with SandboxServer() as server: server.url`` — a sandbox on a free port.

    With ``certificate=`` it also answers HTTPS on the same port (``server.https_url``).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
        certificate: Certificate | None = None,
        first_byte_seconds: float = FIRST_BYTE_SECONDS,
        handshake_seconds: float = HANDSHAKE_SECONDS,
    ) -> None:
        handler = _QuietRequestHandler if quiet else _RequestHandler
        ipv6 = ":" in host
        self.httpd = _PlainOrTLSServer((host, port), handler, ipv6=ipv6, allow_reuse_address=True)
        self.httpd.daemon_threads = True
        self.httpd.quiet = quiet
        self.httpd.first_byte_seconds = first_byte_seconds
        self.httpd.handshake_seconds = handshake_seconds
        self.certificate = certificate
        if certificate is not None:
            self.httpd.tls_context = certificate.server_context()
        self.httpd.set_app(get_application())
        self.thread: threading.Thread | None = None

    def _address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self._address()}"

    @property
    def https_url(self) -> str | None:
        return f"https://{self._address()}" if self.certificate else None

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
