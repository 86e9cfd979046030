"""Run the sandbox in-process: a ``requests`` adapter that calls its WSGI app directly.

Give it to the 7digital client (``SevenDigital(adapter=SandboxTransport(), ...)``) and
every request goes through the sandbox's real views, OAuth checks and serializers with
no socket. A reset fault becomes ``requests.ConnectionError``, as a dropped socket would.
"""

from __future__ import annotations

import gzip
import io
import sys
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from requests.structures import CaseInsensitiveDict

from .wsgi import ConnectionResetFault, SandboxApplication, get_application


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class SandboxTransport(requests.adapters.BaseAdapter):
    def __init__(self, application: SandboxApplication | None = None) -> None:
        super().__init__()
        self.application = application or get_application()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout=None,
        verify=True,
        cert=None,
        proxies=None,
    ) -> requests.Response:
        parts = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        https = parts.scheme == "https"
        environ = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if https else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = _text(value)
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = _text(value)
        environ.setdefault("HTTP_HOST", parts.netloc)

        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        content = self._run(environ, start_response, request)

        headers = CaseInsensitiveDict(captured["headers"])
        if headers.get("Content-Encoding") == "gzip":
            try:
                content = gzip.decompress(content)  # as urllib3 would, transparently
            except (OSError, EOFError) as exc:
                raise requests.exceptions.ContentDecodingError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = int(captured["status"].split()[0])
        response.reason = captured["status"].partition(" ")[2]
        response.headers = headers
        response._content = content
        response._content_consumed = True
        response.raw = io.BytesIO(content)
        response.request = request
        response.url = request.url
        response.encoding = requests.utils.get_encoding_from_headers(headers)
        return response

    def _run(self, environ, start_response, request: requests.PreparedRequest) -> bytes:
        # In process, the caller owns the database connections (a test's transaction,
        # the store's own request): Django's request signals must not close them as
        # they would after a real request. Django's test client does the same.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            try:
                result = self.application(environ, start_response)
            except ConnectionResetFault as exc:
                raise requests.ConnectionError(
                    "Connection reset by peer (sandbox fault)", request=request
                ) from exc
            try:
                return b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    def close(self) -> None:
        pass
