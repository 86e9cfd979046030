"""Whole catalogue pages, rendered once and served many times (issue 21).

Most of a shop's traffic is visitors and crawlers, and a catalogue page is the same for
every visitor in a country but for a few small parts. A view marked :func:`page_cached`
is rendered once per page, country, htmx kind and whether the visitor is signed in;
everyone asking for the same is then served the stored bytes, with their own small
parts filled in, until ``CATALOGUE_PAGE_SECONDS`` have passed, without running the
view or a template.

**Who gets a stored page.** Anyone asking with a GET and no message waiting (no
messages cookie; nothing in the session's messages). Nothing else on a catalogue page
is a visitor's own but the CSRF token and the basket link, which are holes in the
stored page filled in for each response (below). Pages differ between visitors and
signed-in customers (the account links), so whether the visitor is signed in is part
of the key; a customer's session is checked as for any page (the user is loaded and
the session's hash verified) before a signed-in page is served.

**What is not stored: the holes.** Every form needs the visitor's own token, masked
afresh for each response. While a page to be stored is rendered, the template's
``csrf_token`` is a placeholder (:func:`page_holes`, a context processor), and so is
each ``{% per_visitor "name" %}`` block (the basket link, whose filler the basket app
registers with :func:`fill_hole`). The stored page keeps the placeholders, and each
response fills them: the token with :func:`csrf_token` (Django's ``get_token``, its
mask drawn faster), which also sets the visitor's CSRF cookie as a rendered page would;
the basket link with this visitor's count. So forms work without JavaScript, and no
token or basket is ever shared.

**What is kept apart.** The key holds the path and query, the visitor's country (from
the country cookie or the session, ``request.country``), whether they are signed in,
and the htmx headers that choose between a
page and a partial (``Vary``). The response says ``Vary: Cookie`` (the country and the
token come from cookies) and ``Accept-Encoding``. A page is stored only if it is a 200
answer with no cookie of its own and no stale catalogue data (``served_stale``), and if
it varies on nothing else.

**Compressed once.** The stored page is kept in pieces, split at the placeholders, each
piece gzip-compressed once (raw deflate, ended by a sync flush, so the pieces can be
joined). A response joins the pieces with each hole's filling between them, not
compressed at all (deflate's "stored" blocks: the bytes as they are, after their
length), then adds gzip's header and trailer. The response costs no compression, and
the token is never compressed with anything: a BREACH attacker, who makes the page
reflect guesses and watches its compressed size, learns nothing about the token, whose
bytes are sent as they are, masked afresh for each response. Django's random padding of
the gzip header (``max_random_bytes``) is added as well.

**How long.** ``CATALOGUE_PAGE_SECONDS`` (120 s; 0 turns stored pages off, the default
with DEBUG on), from the time the page was rendered: in the shared cache (Redis in
production), and in the copy each process keeps of the pages it served last
(``KEPT_PAGES``), which saves a round trip to the shared cache on every answer and
expires at the same moment. The selectors already hold 7digital's answers for as long as its
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
import operator
import re
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac

from integrations.htmx import VARY as HTMX_VARY
from store.catalogue.lru import LRU
from store.catalogue.selectors import served_stale

FORMAT = 4  # of StoredPage: part of the key, so a change never reads an older one
# The headers a stored page may vary on: htmx's (the key holds them), the cookies (the
# country and the token are filled in per visitor) and the encoding (per response).
VARIES_ALLOWED = {name.lower() for name in (*HTMX_VARY, "HX-Target", "Cookie", "Accept-Encoding")}
NOT_KEPT = {"content-length", "content-encoding", "date"}  # each response's own
KEPT_PAGES = 128  # stored pages each process keeps a copy of, the last served
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage
MESSAGES_SESSION_KEY = SessionStorage.session_key  # and its session storage
_GZIP_HEADER = b"\x1f\x8b\x08"  # magic number, deflate
# The htmx headers as they are in the WSGI environ (``request.headers`` would parse all).
_HTMX_META = tuple("HTTP_" + name.upper().replace("-", "_") for name in HTMX_VARY)


def page_cached(*params: str) -> Callable[[Callable], Callable]:
    """Mark a view as one whose pages may be served from the store, naming the
    query parameters it reads: they, in that order, are the key's query. A request with
    any other parameter (``/?x=1``, ``/?x=2``, ...) is rendered and never stored, so
    made-up URLs cannot fill the cache."""

    def mark(view: Callable) -> Callable:
        view.page_cached = params
        return view

    return mark


# The token's arithmetic on bytes, so that it runs in C (``bytes.translate``): each
# allowed character's index; and the character of an index, or of a sum of two, mod 62.
_CHARS = CSRF_ALLOWED_CHARS.encode("ascii")
_INDEX_OF = bytes(_CHARS.find(bytes([byte])) % len(_CHARS) for byte in range(256))
_CHAR_OF = bytes(_CHARS[value % len(_CHARS)] for value in range(256))
_MOD = bytes(value % len(_CHARS) for value in range(256))
# Random bytes of 248 and up (4 x 62) are dropped and more are drawn, as
# ``secrets.choice`` does, so that every character of the mask is as likely as the next.
_UNEVEN = bytes(range(256 - 256 % len(_CHARS), 256))


def _mask_indexes(count: int) -> bytes:
    drawn = b""
    while len(drawn) < count:
        drawn += secrets.token_bytes(count + 8).translate(None, _UNEVEN)
    return drawn[:count].translate(_MOD)


def csrf_token(request: HttpRequest) -> str:
    """The visitor's CSRF token, masked afresh, as Django's ``get_token`` makes it and
    with its side effects (the cookie set, or renewed, on the response), but with the
    mask drawn in one read of the system's random source instead of 32 (``get_token``
    draws each character with ``secrets.choice``) and the masking done in C: the same
    source, each character as likely as the next, in a tenth of the time. A request
    Django's CSRF middleware has not seen, or a visitor without a secret yet, is left
    to ``get_token``."""
    secret = request.META.get("CSRF_COOKIE")
    if not (
        isinstance(secret, str)
        and len(secret) == CSRF_SECRET_LENGTH
        and secret.isascii()
        and secret.isalnum()  # CSRF_ALLOWED_CHARS: ASCII letters and digits
    ):
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: renew the cookie
    mask = _mask_indexes(CSRF_SECRET_LENGTH)
    plain = secret.encode("ascii").translate(_INDEX_OF)
    cipher = bytes(map(operator.add, plain, mask))
    return (mask + cipher).translate(_CHAR_OF).decode("ascii")


# What fills each hole, for one request: the CSRF token, and what apps register.
_FILLERS: dict[str, Callable[[HttpRequest], str]] = {"csrf": csrf_token}


def fill_hole(name: str) -> Callable[[Callable[[HttpRequest], str]], Callable]:
    """Register what fills ``{% per_visitor name %}`` in a stored page: a function of the
    request that returns the block's markup for this visitor. An app registers its
    fillers when it is ready (the basket app: the basket link)."""

    def register(filler: Callable[[HttpRequest], str]) -> Callable[[HttpRequest], str]:
        _FILLERS[name] = filler
        _hole_names.cache_clear()
        _holes.cache_clear()
        return filler

    return register


@functools.cache
def hole(name: str = "csrf") -> str:
    """What stands for ``name`` (the token, a per-visitor block) while a page to be
    stored renders: the same in every process, but not guessable, so that no visitor
    can make a page of their own (a search for it) show them a filling in its text."""
    if name not in _FILLERS:
        raise KeyError(f"no filler for the page hole {name!r}: register one with fill_hole")
    digest = salted_hmac("page-cache-hole", name, algorithm="sha256").hexdigest()[:32]
    return f"hole-{name}-{digest}"


@functools.cache
def _hole_names() -> dict[bytes, str]:
    """Each registered hole's name by its placeholder."""
    return {hole(name).encode(): name for name in sorted(_FILLERS)}


@functools.cache
def _holes() -> re.Pattern[bytes]:
    """The placeholders of every registered hole, to split a page at."""
    return re.compile(b"|".join(map(re.escape, _hole_names())))


def storing(request: HttpRequest) -> bool:
    """Whether the page this request renders is to be stored (its holes left open)."""
    return bool(getattr(request, "_page_cache_key", None))


def page_holes(request: HttpRequest) -> dict:
    """Context processor: the placeholder instead of the token while a page to be stored
    renders. It comes after Django's own ``csrf`` processor, so it wins."""
    if storing(request):
        return {"csrf_token": hole("csrf")}
    return {}


def _servable(request: HttpRequest) -> bool:
    """A GET with no message waiting: what is on a stored page is all there is."""
    if request.method != "GET" or request.COOKIES.get(MESSAGES_COOKIE):
        return False  # (an empty one is a browser yet to forget it)
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True  # no session: nothing of theirs anywhere
    return MESSAGES_SESSION_KEY not in request.session


def _signed_in(request: HttpRequest) -> bool:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no query for a visitor
    return bool(request.user.is_authenticated)


def _key(request: HttpRequest, params: tuple[str, ...]) -> str | None:
    """The stored page's key, or None for a request whose page is not stored: one with
    a query parameter the view does not read, or one aimed at a target (``HX-Target``:
    a letter's grid, the search box's suggestions) whose value is the client's to
    choose."""
    query = request.GET
    meta = request.META
    if any(name not in params for name in query) or meta.get("HTTP_HX_TARGET"):
        return None
    country = str(getattr(request, "country", "") or settings.SEVENDIGITAL_COUNTRY)
    kind = "".join("1" if meta.get(name) else "0" for name in _HTMX_META)
    member = "signed-in" if _signed_in(request) else "visitor"
    values = "&".join(f"{name}={'|'.join(query.getlist(name))}" for name in params)
    raw = f"{_release()}\n{country}\n{member}\n{kind}\n{request.path}\n{values}".encode()
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


def _stored_blocks(data: bytes) -> bytes:
    """``data`` as deflate's stored blocks (sent as they are, not compressed: each a
    header byte for "stored, not the last", then the length and its complement), which
    start and end on a byte boundary, so that they join the deflated pieces."""
    return b"".join(
        struct.pack("<BHH", 0, len(chunk), len(chunk) ^ 0xFFFF) + chunk
        for chunk in (data[at : at + 0xFFFF] for at in range(0, len(data), 0xFFFF))
    )


_END = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)  # last block


@dataclass(frozen=True)
class StoredPage:
    """A page as stored: its headers, and its body in pieces between the placeholders,
    each piece plain and deflated, and the names of the holes between them."""

    status: int
    headers: tuple[tuple[str, str], ...]
    pieces: tuple[bytes, ...]
    deflated: tuple[bytes, ...]
    holes: tuple[str, ...]  # one fewer than the pieces
    expires: float  # when its time is up (time.time()), in the shared cache and here

    @classmethod
    def of(cls, response: HttpResponse, seconds: int) -> StoredPage:
        content = response.content
        names = _hole_names()
        pieces, holes, start = [], [], 0
        for found in _holes().finditer(content):
            pieces.append(content[start : found.start()])
            holes.append(names[found.group()])
            start = found.end()
        pieces.append(content[start:])
        # Every answer varies on the cookies (the holes' fillings) and the encoding.
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        return cls(
            status=response.status_code,
            headers=tuple(
                (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
            ),
            pieces=tuple(pieces),
            deflated=tuple(_deflated(piece) for piece in pieces),
            holes=tuple(holes),
            expires=time.time() + seconds,
        )

    def response(self, request: HttpRequest) -> HttpResponse:
        fillings = _fillings(request, self.holes)
        response = HttpResponse(status=self.status)
        for name, value in self.headers:
            response[name] = value
        if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response.content = self._gzip(fillings)
            response["Content-Encoding"] = "gzip"
        else:
            body = [self.pieces[0]]
            for name, piece in zip(self.holes, self.pieces[1:], strict=True):
                body += (fillings[name], piece)
            response.content = b"".join(body)
        return response

    def _gzip(self, fillings: dict[str, bytes]) -> bytes:
        # Each filling not compressed at all: it shares no context with the page.
        deflated = {name: _stored_blocks(filling) for name, filling in fillings.items()}
        body = [self.deflated[0]]
        crc = zlib.crc32(self.pieces[0])
        size = len(self.pieces[0])
        for name, piece, piece_deflated in zip(
            self.holes, self.pieces[1:], self.deflated[1:], strict=True
        ):
            body += (deflated[name], piece_deflated)
            crc = zlib.crc32(piece, zlib.crc32(fillings[name], crc))
            size += len(fillings[name]) + len(piece)
        # A header with a file name of random length, as Django pads (BREACH).
        name = secrets.token_hex(
            secrets.randbelow(GZipMiddleware.max_random_bytes // 2) + 1
        ).encode()
        header = _GZIP_HEADER + b"\x08" + b"\x00" * 4 + b"\x00\xff" + name + b"\x00"
        trailer = struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
        return b"".join((header, *body, _END, trailer))


def _fillings(request: HttpRequest, holes: Iterable[str]) -> dict[str, bytes]:
    """This visitor's filling of each hole named."""
    return {name: str(_FILLERS[name](request)).encode() for name in set(holes)}


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
    """Serve stored pages of :func:`page_cached` views (see the module's
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
            stored = StoredPage.of(response, settings.CATALOGUE_PAGE_SECONDS)
            cache.set(key, stored, settings.CATALOGUE_PAGE_SECONDS)
            _keep(key, stored, time.time())
            return stored.response(request)
        if not response.streaming and _holes().search(response.content):
            names = _hole_names()
            found = [names[placeholder] for placeholder in _holes().findall(response.content)]
            fillings = _fillings(request, found)
            response.content = _holes().sub(
                lambda at: fillings[names[at.group()]], response.content
            )
        return response

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        params = getattr(view, "page_cached", None)
        if params is None or settings.CATALOGUE_PAGE_SECONDS <= 0 or not _servable(request):
            return None
        key = _key(request, params)
        if key is None:
            return None
        response = _stored_response(request, key)
        if response is None:
            request._page_cache_key = key  # rendered, then stored on the way out
        return response


class VisitorPagesMiddleware:
    """Serve a visitor (no session) a stored page before the middleware that has nothing
    to do for one: authentication, messages, allauth's, the staff pages' second factor,
    htmx's details, URL resolution's view middleware and the view. Goes right after
    ``CsrfViewMiddleware``: the country, the host check, the length and the CSRF cookie
    are theirs to set, as on any page. The one header an inner middleware adds to a
    page, ``X-Frame-Options``, is added here too (a test holds the headers to those of
    a page served through every middleware). A page not stored yet, and everyone with a
    session, go on to :class:`PageCacheMiddleware`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.frame_options = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.CATALOGUE_PAGE_SECONDS > 0
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and _servable(request)
        ):
            response = self._stored(request)
            if response is not None:
                return self.frame_options.process_response(request, response)
        return self.get_response(request)

    def _stored(self, request: HttpRequest) -> HttpResponse | None:
        params = _page_params(request.path_info, getattr(request, "urlconf", None))
        key = None if params is None else _key(request, params)
        return None if key is None else _stored_response(request, key)


# Each path's view's page_cached() parameters, or (None,) for a path whose view is not
# cached, by path and URLconf: URL resolution was a tenth of a stored page's answer.
_params_of_paths: LRU[tuple[str, str], tuple[tuple[str, ...] | None]] = LRU(4096)
LONGEST_PATH_KEPT = 256  # characters: a catalogue page's path is far shorter


def _page_params(path: str, urlconf: str | None) -> tuple[str, ...] | None:
    """The query parameters the view of ``path`` reads, if it is a page_cached() one."""
    urlconf = urlconf or settings.ROOT_URLCONF
    known = _params_of_paths.get((path, urlconf))
    if known is None:
        try:
            view = resolve(path, urlconf).func
        except Resolver404:
            return None  # not remembered: made-up paths must not crowd out real ones
        known = (getattr(view, "page_cached", None),)
        if len(path) <= LONGEST_PATH_KEPT:
            _params_of_paths.keep((path, urlconf), known)
    return known[0]


@receiver(setting_changed)
def _forget_process_copies(**kwargs) -> None:
    """Another URLconf, cache or page length: what this process remembered no longer holds."""
    _params_of_paths.forget()
    _kept.forget()


# Each process's own copy of the pages it served last, each until the time the shared
# cache keeps it for is up: from Redis a stored page cost a round trip and 45 KB
# unpickled on every answer, more than the rest of the answer (0.3 ms against 0.2).
# About 50 KB a page in memory, plain and deflated.
_kept: LRU[str, tuple[float, StoredPage]] = LRU(KEPT_PAGES)  # (until, page)


def _stored_page(request: HttpRequest, key: str) -> StoredPage | None:
    """The page stored under ``key``, from this process's copy if it has a live one, and
    from the shared cache (once a request) if not."""
    now = time.time()
    kept = _kept.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    if getattr(request, "_page_cache_missed", None) == key:
        return None  # looked for already, by VisitorPagesMiddleware
    stored = cache.get(key)
    # (A page past its time is a miss even if the shared cache's timer, started a moment
    # after, has not yet run out.)
    if not isinstance(stored, StoredPage) or stored.expires <= now:
        request._page_cache_missed = key
        return None
    _keep(key, stored, now)
    return stored


def _keep(key: str, stored: StoredPage, now: float) -> None:
    # Never longer than the page's time from now, whatever the clock of the process
    # that stored it said.
    _kept.keep(key, (min(stored.expires, now + settings.CATALOGUE_PAGE_SECONDS), stored))


def _stored_response(request: HttpRequest, key: str) -> HttpResponse | None:
    """This visitor's answer from the page stored under ``key``, if one is."""
    stored = _stored_page(request, key)
    if stored is None:
        return None
    response = stored.response(request)
    response.page_cache_hit = True
    return response


def forget_kept_pages() -> None:
    """Drop this process's copies (the shared cache keeps its own): for tests that
    empty the cache between them."""
    _kept.forget()
