"""Whole catalogue pages for visitors, rendered once and served many times (issue 21).

Most of a shop's traffic is visitors and crawlers, and a catalogue page is the same for
every visitor in a country. A view marked :func:`page_cached` is rendered once per page,
country and htmx kind; visitors are then served the stored bytes until
``CATALOGUE_PAGE_SECONDS`` have passed, without running the view or a template.

**Who gets a stored page.** A *visitor*: a GET with no session cookie and no messages
cookie. Without a session nobody is signed in, the basket is empty and no message
waits, so nothing on the page is theirs, with one exception below. A customer who is
signed in, or a visitor who has put something in the basket, has a session and gets a
page rendered for them, as before.

**What is not stored: the CSRF token.** Every form needs the visitor's own token, masked
afresh for each response. While a page to be stored is rendered, the template's
``csrf_token`` is a placeholder (:func:`csrf_hole`, a context processor). The stored
page keeps the placeholder, and each response fills it with ``get_token(request)``,
which also sets the visitor's CSRF cookie as a rendered page would. So forms work
without JavaScript, and no token is ever shared.

**What is kept apart.** The key holds the path and query, the visitor's country (from
the country cookie, ``request.country``), and the htmx headers that choose between a
page and a partial (``Vary``). The response says ``Vary: Cookie`` (the country and the
token come from cookies) and ``Accept-Encoding``. A page is stored only if it is a 200
answer with no cookie of its own and no stale catalogue data (``served_stale``), and if
it varies on nothing else.

**Compressed once.** The stored page is kept in pieces, split at the placeholders, each
piece gzip-compressed once (raw deflate, ended by a sync flush, so the pieces can be
joined). A response joins the pieces with the token compressed on its own, then adds
gzip's header and trailer. The response costs no compression of the page, and the
token never shares a compression context with the rest of the page: a BREACH attacker,
who makes the page reflect guesses and watches its compressed size, learns nothing
about the token. Django's random padding of the gzip header (``max_random_bytes``) is
added as well.

**How long.** ``CATALOGUE_PAGE_SECONDS`` (120 s; 0 turns stored pages off, the default
with DEBUG on). The selectors already hold 7digital's answers for as long as its
``max-age`` allows, and the page's ``{% cache %}`` fragments for
``CATALOGUE_FRAGMENT_SECONDS``: a price change reaches visitors at most the two together
(7 minutes) later than it reaches the selectors.

**What is not stored, whatever the page.** A request with a query parameter the view
does not read (the key holds only those the view names: made-up URLs cannot fill the
cache) or aimed at an ``HX-Target``; a page its view marks incomplete
(:func:`page_incomplete`: a section still to load, suggestions missing because 7digital
failed). The key also holds the release (the stored format and the static files'
hashed URLs), so a deploy never serves the previous release's pages.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac

from integrations.htmx import VARY as HTMX_VARY
from store.catalogue.selectors import served_stale

FORMAT = 1  # of StoredPage: part of the key, so a change never reads an older one
# The headers a stored page may vary on: htmx's (the key holds them), the cookies (the
# country and the token are filled in per visitor) and the encoding (per response).
VARIES_ALLOWED = {name.lower() for name in (*HTMX_VARY, "HX-Target", "Cookie", "Accept-Encoding")}
NOT_KEPT = {"content-length", "content-encoding", "date"}  # each response's own
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage
_GZIP_HEADER = b"\x1f\x8b\x08"  # magic number, deflate


def page_cached(*params: str) -> Callable[[Callable], Callable]:
    """Mark a view as one whose pages visitors may be served from the store, naming the
    query parameters it reads: they, in that order, are the key's query. A request with
    any other parameter (``/?x=1``, ``/?x=2``, ...) is rendered and never stored, so
    made-up URLs cannot fill the cache."""

    def mark(view: Callable) -> Callable:
        view.page_cached = params
        return view

    return mark


@functools.cache
def hole() -> str:
    """What stands for the token while a page to be stored renders: the same in every
    process, but not guessable, so that no visitor can make a page of their own (a
    search for it) show them the token in its text and links."""
    return "csrf-" + salted_hmac("page-cache-hole", "", algorithm="sha256").hexdigest()[:32]


def csrf_hole(request: HttpRequest) -> dict:
    """Context processor: the placeholder instead of the token while a page to be stored
    renders. It comes after Django's own ``csrf`` processor, so it wins."""
    if getattr(request, "_page_cache_key", None):
        return {"csrf_token": hole()}
    return {}


def _is_visitor(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
    )


def _key(request: HttpRequest, params: tuple[str, ...]) -> str | None:
    """The stored page's key, or None for a request whose page is not stored: one with
    a query parameter the view does not read, or one aimed at a target (``HX-Target``:
    a letter's grid, the search box's suggestions) whose value is the client's to
    choose."""
    query = request.GET
    if any(name not in params for name in query) or request.headers.get("HX-Target"):
        return None
    country = str(getattr(request, "country", "") or settings.SEVENDIGITAL_COUNTRY)
    kind = "".join("1" if request.headers.get(name) else "0" for name in HTMX_VARY)
    values = "&".join(f"{name}={'|'.join(query.getlist(name))}" for name in params)
    raw = f"{_release()}\n{country}\n{kind}\n{request.path}\n{values}".encode()
    return "page:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


@functools.cache
def _release() -> str:
    """What changes with a deploy: the stored format and the static files' (hashed) URLs,
    so that a new release never serves the last one's pages, nor they it."""
    from django.templatetags.static import static

    return f"{FORMAT}|{static('css/site.css')}|{static('js/player.js')}"


def _deflated(data: bytes) -> bytes:
    """``data`` as raw deflate blocks that end on a byte boundary and do not end the
    stream, so that pieces compressed apart can be joined."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


_END = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)  # last block


@dataclass(frozen=True)
class StoredPage:
    """A page as stored: its headers, and its body in pieces between the placeholders,
    each piece plain and deflated."""

    status: int
    headers: tuple[tuple[str, str], ...]
    pieces: tuple[bytes, ...]
    deflated: tuple[bytes, ...]

    @classmethod
    def of(cls, response: HttpResponse) -> StoredPage:
        pieces = tuple(response.content.split(hole().encode()))
        return cls(
            status=response.status_code,
            headers=tuple(
                (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
            ),
            pieces=pieces,
            deflated=tuple(_deflated(piece) for piece in pieces),
        )

    def response(self, request: HttpRequest) -> HttpResponse:
        token = get_token(request).encode()
        response = HttpResponse(status=self.status)
        for name, value in self.headers:
            response[name] = value
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        if re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
            response.content = self._gzip(token)
            response["Content-Encoding"] = "gzip"
        else:
            response.content = token.join(self.pieces)
        return response

    def _gzip(self, token: bytes) -> bytes:
        deflated_token = _deflated(token)
        body = [self.deflated[0]]
        crc = zlib.crc32(self.pieces[0])
        size = len(self.pieces[0])
        for piece, deflated in zip(self.pieces[1:], self.deflated[1:], strict=True):
            body += (deflated_token, deflated)
            crc = zlib.crc32(piece, zlib.crc32(token, crc))
            size += len(token) + len(piece)
        # A header with a file name of random length, as Django pads (BREACH).
        name = secrets.token_hex(
            secrets.randbelow(GZipMiddleware.max_random_bytes // 2) + 1
        ).encode()
        header = _GZIP_HEADER + b"\x08" + b"\x00" * 4 + b"\x00\xff" + name + b"\x00"
        trailer = struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
        return b"".join((header, *body, _END, trailer))


def page_incomplete(request: HttpRequest) -> None:
    """The page being rendered leaves a section to load later, which a page rendered a
    moment from now would have in it: it is not stored (the home page, while a chart
    or a tag's releases are not yet kept)."""
    request._page_cache_incomplete = True


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if getattr(request, "_page_cache_incomplete", False):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "Content-Encoding" in response or "private" in response.get("Cache-Control", ""):
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False  # a message for this visitor alone
    varies = {name.strip().lower() for name in response.get("Vary", "").split(",") if name}
    return varies <= VARIES_ALLOWED and not served_stale()


class PageCacheMiddleware:
    """Serve visitors stored pages of :func:`page_cached` views (see the module's
    docstring). Goes last: after the country, CSRF and htmx middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is None or getattr(response, "page_cache_hit", False):
            return response
        # Rendered with the placeholder: store it if it may be, and fill it in for this
        # visitor whatever became of it (an error page rendered meanwhile has it too).
        if _storable(request, response):
            stored = StoredPage.of(response)
            cache.set(key, stored, settings.CATALOGUE_PAGE_SECONDS)
            return stored.response(request)
        placeholder = hole().encode()
        if not response.streaming and placeholder in response.content:
            response.content = response.content.replace(placeholder, get_token(request).encode())
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        params = getattr(view, "page_cached", None)
        if params is None or settings.CATALOGUE_PAGE_SECONDS <= 0 or not _is_visitor(request):
            return None
        key = _key(request, params)
        if key is None:
            return None
        stored = cache.get(key)
        if isinstance(stored, StoredPage):
            response = stored.response(request)
            response.page_cache_hit = True
            return response
        request._page_cache_key = key
        return None
