"""Sending an audio or archive file from the audio cache, with HTTP Range and HEAD: the
media host's downloads and the stream host's streams answer alike."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from .. import ranges
from ..backends.lockers import CHUNK_SIZE
from ..context import Call


def file_chunks(path: pathlib.Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as source:
        source.seek(start)
        while length > 0:
            chunk = source.read(min(CHUNK_SIZE, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def wanted_range(call: Call, path: pathlib.Path) -> ranges.RangeResult:
    """What the request's ``Range`` asks of the file."""
    return ranges.parse_range(call.request.headers.get("Range"), path.stat().st_size)


def file_response(
    call: Call, path: pathlib.Path, content_type: str, wanted: ranges.RangeResult
) -> StreamingHttpResponse:
    """200, 206 or 416 with the file's bytes (none for HEAD or 416), read as sent."""
    body: Iterator[bytes] = iter(())
    if call.request.method != "HEAD" and wanted.kind != "unsatisfiable":
        body = file_chunks(path, wanted.start, wanted.content_length)
    response = StreamingHttpResponse(body, status=wanted.status, content_type=content_type)
    for name, value in wanted.headers().items():
        response[name] = value
    return response
