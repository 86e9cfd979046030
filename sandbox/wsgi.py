"""The sandbox as a WSGI application of its own: its URLconf, none of the store's middleware.

The store's middleware (sessions, CSRF, authentication) has no business in front of an
emulated 7digital host, so the sandbox handler runs its views directly.
"""

from __future__ import annotations

import socket
import struct
from typing import Any

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

from .views import RESET_HEADER


class ConnectionResetFault(Exception):
    """Raised after the sandbox dropped a connection on purpose (an injected fault)."""


class SandboxHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)

    def get_response(self, request):
        request.urlconf = "sandbox.urls"
        return super().get_response(request)


class SandboxApplication:
    """WSGI entry point; drops the TCP connection when a reset fault says so."""

    def __init__(self) -> None:
        self.handler = SandboxHandler()

    def __call__(self, environ: dict[str, Any], start_response):
        captured: dict[str, Any] = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = self.handler(environ, capture)
        headers = captured["headers"]
        if any(name == RESET_HEADER for name, _ in headers):
            if hasattr(body, "close"):
                body.close()
            connection = environ.get("sandbox.connection")
            if connection is not None:
                # SO_LINGER 0 turns close() into a TCP RST: "connection reset by peer".
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()
            raise ConnectionResetFault("injected connection reset")
        start_response(captured["status"], headers)
        return body


_application: SandboxApplication | None = None


def get_application() -> SandboxApplication:
    global _application
    if _application is None:
        _application = SandboxApplication()
    return _application
