"""Generated requests that try to make the site or the sandbox answer with a server error.

The shared part of the fuzz suite (``tests/fuzz/``) and of its benchmark
(``bench/fuzz.py``): Hypothesis strategies for whole requests, and runners that send one
in process and tell whether it failed. It lives in ``scripts/`` because both use it:
``bench/`` never imports ``tests/`` (DESIGN.md), tests should not depend on a benchmark,
and ``scripts/`` already holds what tests and tools share (``scripts/fake_stripe.py``).

What is covered is discovered, not listed, so a new route or parameter is fuzzed without
anyone remembering to add it:

* routes: every pattern of the site's URL resolver (and of the sandbox's URLconf), with
  its converters' slots filled by values that match them, known ids and hostile values;
  the sandbox's 7digital endpoints come from its router (``sandbox.routing.ROUTES``);
* parameters: the keys the views read (``request.GET.get("page")``, ``query.get(...)``,
  form fields) found by reading the source, with the admin's and allauth's own, plus
  random ones;
* htmx targets: the ids the templates name in ``hx-target`` and ``id``.

A case fails when the answer is a 5xx, an exception was raised anywhere while serving
it (the site, or the sandbox behind it: both send ``got_request_exception``), or the
body shows a Python traceback. Django must be set up before the route functions run.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_HOST = "http://sandbox.test"

# --- Hostile values --------------------------------------------------------------

TOO_LARGE = str(2**63)  # one more than the largest 64-bit id
HOSTILE_NUMBERS = (
    "0",
    "-1",
    "-0",
    "00",
    "007",
    str(2**31),
    str(2**63 - 1),
    TOO_LARGE,
    str(-(2**63) - 1),
    str(2**64),
    "9" * 20,
    "9" * 5000,  # past int()'s 4,300-digit limit
    "1" * 4301,
    "²",  # str.isdigit() says yes, int() says no
    "¹²",
    "٣",  # int() reads it as 3
    "１",  # noqa: RUF001 - a fullwidth digit, on purpose
    "Ⅻ",
    "1e3",
    "1E400",
    "1.5",
    ".5",
    "1_000",
    "0x1F",
    " 1",
    "1 ",
    "+1",
    "NaN",
    "inf",
    "-inf",
    "1\x00",
    "1,2",
    "[1]",
    "true",
    "null",
    "",
)
HOSTILE_TEXTS = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "%",
    "%zz",
    "%2e%2e%2f",
    "..",
    "../",
    "../../etc/passwd",
    "/",
    "//",
    "//evil.example/",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "x",
    "account_logout",
    "admin:index",
    "basket:basket",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "' OR '1'='1",
    "{{ 7*7 }}",
    "{% debug %}",
    "\r\nSet-Cookie: x=1",
    "\n",
    "\t",
    "\u202e",
    "\ufeff",
    "\u200b",
    "\U0001f600",
    "İ",
    "\ufb00",
    "e\u0301",
    "a" * 5000,
    "é" * 2000,
    "None",
    "undefined",
    "[]",
    "{}",
    "&",
    "=",
    ";",
    "GB",
    "gb",
    "US",
    "XX",
    "ZZZ",
    "UK",
)
RANGES = (
    "bytes=0-",
    "bytes=0-0",
    "bytes=-1",
    "bytes=-0",
    "bytes=0-" + "9" * 5000,
    "bytes=" + "9" * 5000 + "-",
    "bytes=-" + "9" * 5000,
    "bytes=18446744073709551616-",
    "bytes=5-1",
    "bytes=0-1,2-3,4-5",
    "bytes=" + "0-1," * 300,
    "bytes=a-b",
    "bytes=",
    "bytes",
    "bytes=-",
    "bytes=0--1",
    "items=0-1",
    "BYTES=0-1",
    "bytes= 0 - 1 ",
)
ACCEPTS = (
    "*/*",
    "text/html",
    "application/json",
    "application/xml",
    "text/plain",
    "image/*",
    "text/html;q=0",
    "application/json;q=0.5, application/xml",
    ";;;",
)
ORIGINS = ("http://testserver", "https://testserver", "https://evil.example", "null", "file://")
METHODS = ("GET", "HEAD", "POST")
RARE_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND")

# Parameters of Django's admin and of allauth's forms that the project's source does not
# name itself.
FRAMEWORK_KEYS = (
    "q",
    "o",
    "p",
    "e",
    "all",
    "_changelist_filters",
    "_popup",
    "_to_field",
    "action",
    "select_across",
    "index",
    "_selected_action",
    "post",
    "_save",
    "_continue",
    "_addanother",
    "term",
    "app_label",
    "model_name",
    "field_name",
    "login",
    "password",
    "remember",
    "email",
    "password1",
    "password2",
    "oldpassword",
    "code",
    "key",
    "next",
    "action_add",
    "action_remove",
    "action_primary",
    "action_send",
    "csrfmiddlewaretoken",
)
# The sandbox's: OAuth 1.0a's parameters (7digital reads them from the query or the
# Authorization header) and those every endpoint understands.
OAUTH_KEYS = (
    "oauth_consumer_key",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_token",
    "oauth_callback",
    "oauth_verifier",
)
SANDBOX_COMMON_KEYS = ("country", "shopId", "page", "pageSize", "imageSize", "usageTypes")

_READ_KEY = re.compile(
    r"""\b(?:GET|POST|query|params|data|options)\s*\.\s*"""
    r"""(?:get|getlist|pop|integer|required|boolean|ids)\(\s*["']([^"'\s]{1,40})["']"""
)
_FORM_FIELD = re.compile(r"^\s+(\w+)\s*=\s*forms\.\w+", re.MULTILINE)
_TEMPLATE_ID = re.compile(r"""(?:hx-target="#|\bid=")([A-Za-z][\w-]{0,40})""")


def _source_files(*folders: str, pattern: str = "*.py") -> Iterator[Path]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob(pattern)):
            if "migrations" not in path.parts:
                yield path


@cache
def keys_read_by_views() -> tuple[str, ...]:
    """Query and form keys the site's own code reads, found in its source."""
    found: set[str] = set()
    for path in _source_files("store", "accounts", "config"):
        text = path.read_text(encoding="utf-8")
        found.update(_READ_KEY.findall(text))
        found.update(_FORM_FIELD.findall(text))
    return tuple(sorted(found | set(FRAMEWORK_KEYS)))


@cache
def keys_read_by_sandbox() -> tuple[str, ...]:
    """Parameters the sandbox's handlers and control API read, with OAuth's."""
    found: set[str] = set()
    for path in _source_files("sandbox"):
        found.update(_READ_KEY.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(found | set(OAUTH_KEYS) | set(SANDBOX_COMMON_KEYS)))


@cache
def template_ids() -> tuple[str, ...]:
    """Element ids the templates name: the values an ``HX-Target`` header can carry."""
    found: set[str] = set()
    for path in _source_files("templates", pattern="*.html"):
        found.update(_TEMPLATE_ID.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(found))


@cache
def numbers() -> st.SearchStrategy[str]:
    """Text a number field or an id might be sent as, mostly what breaks int()."""
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.integers(min_value=-(2**64), max_value=2**64).map(str),
        st.integers(min_value=2**63 - 2, max_value=2**200).map(str),
        st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6),
        st.text("0123456789", min_size=18, max_size=40),
        st.floats().map(repr),
    )


@cache
def texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXTS),
        st.text(max_size=30),
        # long text: a character repeated is as long as a random one, and cheap to draw
        st.builds(lambda char, count: char * count, st.characters(), st.integers(200, 6000)),
    )


@cache
def values() -> st.SearchStrategy[str]:
    return st.one_of(numbers(), texts())


def _header_text(max_size: int = 60) -> st.SearchStrategy[str]:
    # What reaches a WSGI application: printable Latin-1 (servers refuse control bytes).
    alphabet = st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_characters="\x7f")
    return st.text(alphabet, min_size=1, max_size=max_size)


def _as_header(value: str) -> str:
    latin = value.encode("latin-1", "replace").decode("latin-1")
    return "".join(c for c in latin if " " <= c != "\x7f") or "x"


@cache
def header_values() -> st.SearchStrategy[str]:
    """Hostile values as they can arrive in a header or a cookie."""
    return st.one_of(values().map(_as_header), _header_text())


@cache
def ranges() -> st.SearchStrategy[str]:
    big = st.integers(min_value=0, max_value=2**80)
    return st.one_of(
        st.sampled_from(RANGES),
        st.builds(lambda a, b: f"bytes={a}-{b}", big, big),
        st.builds(lambda a: f"bytes=-{a}", big),
        _header_text(),
    )


# --- Routes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A captured part of a URL: its name, its converter's name (``re`` for a regex
    group) and the regular expression it must match."""

    name: str
    kind: str
    regex: str


@dataclass(frozen=True)
class Route:
    """A URL pattern flattened: literal regular expressions and slots, in order."""

    template: str
    parts: tuple[str | Slot, ...]
    name: str | None = None
    method: str | None = None  # a sandbox endpoint's own method; None for URL patterns
    reads: tuple[str, ...] = ()  # the parameters its view's source reads

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(part for part in self.parts if isinstance(part, Slot))


_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def _converter_names() -> dict[type, str]:
    from django.urls.converters import get_converters

    return {type(converter): name for name, converter in get_converters().items()}


def _route_parts(route: str, converters: Mapping[str, object]) -> tuple[str | Slot, ...]:
    names = _converter_names()
    parts: list[str | Slot] = []
    position = 0
    for match in _ROUTE_PARAMETER.finditer(route):
        if match.start() > position:
            parts.append(re.escape(route[position : match.start()]))
        name = match["parameter"]
        converter = converters[name]
        parts.append(Slot(name, names.get(type(converter), "str"), converter.regex))
        position = match.end()
    if position < len(route):
        parts.append(re.escape(route[position:]))
    return tuple(parts)


def _closing_parenthesis(regex: str, start: int) -> int:
    """The index of the ``)`` that closes the group opened at ``start``."""
    depth, index, in_class = 0, start, False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unbalanced group in {regex!r}")


def _regex_parts(regex: str) -> tuple[str | Slot, ...]:
    regex = regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    parts: list[str | Slot] = []
    position = 0
    while (start := regex.find("(?P<", position)) != -1:
        if start > position:
            parts.append(regex[position:start])
        end = _closing_parenthesis(regex, start)
        name, _, inner = regex[start + 4 : end].partition(">")
        parts.append(Slot(name, "re", inner))
        position = end + 1
    if position < len(regex):
        parts.append(regex[position:])
    return tuple(parts)


def _pattern_parts(pattern) -> tuple[str | Slot, ...]:
    from django.urls.resolvers import RegexPattern, RoutePattern

    if isinstance(pattern, RoutePattern):
        return _route_parts(pattern._route, pattern.converters)
    if isinstance(pattern, RegexPattern):
        return _regex_parts(pattern._regex)
    raise TypeError(f"cannot fuzz a {type(pattern).__name__}")


def url_routes(urlconf: str | None = None) -> list[Route]:
    """Every pattern of the URL resolver, flattened; ``urlconf`` None is the site's."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix: tuple[str | Slot, ...], template: str) -> Iterator[Route]:
        for pattern in patterns:
            parts = prefix + _pattern_parts(pattern.pattern)
            text = template + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, parts, text)
            else:
                yield Route("/" + text, parts, pattern.name, reads=_keys_near(pattern.callback))

    return list(walk(get_resolver(urlconf).url_patterns, (), ""))


@cache
def _keys_in_module(name: str) -> tuple[str, ...]:
    try:
        source = inspect.getsource(sys.modules[name])
    except (KeyError, OSError, TypeError):
        return ()
    return tuple(sorted(set(_READ_KEY.findall(source)) | set(_FORM_FIELD.findall(source))))


def _keys_near(view) -> tuple[str, ...]:
    """The keys read in the module that defines ``view`` (a function, a class-based view
    or a bound admin method)."""
    view = getattr(view, "view_class", None) or inspect.unwrap(view)
    module = inspect.getmodule(view)
    return _keys_in_module(module.__name__) if module else ()


def _source_with_helpers(function, depth: int = 3) -> str:
    """``function``'s source and that of the functions of its module it calls, a few
    levels down (``_tags(call)`` reads ``tags`` for the handlers that call it)."""
    module = inspect.getmodule(function)
    seen, sources, frontier = {function}, [], [function]
    for _ in range(depth):
        found = []
        for current in frontier:
            source = inspect.getsource(current)
            sources.append(source)
            for name in set(re.findall(r"\b(\w+)\(", source)):
                helper = getattr(module, name, None)
                ours = inspect.isfunction(helper) and helper.__module__ == module.__name__
                if ours and helper not in seen:
                    seen.add(helper)
                    found.append(helper)
        frontier = found
    return "\n".join(sources)


def sandbox_api_routes() -> list[Route]:
    """The sandbox's 7digital endpoints (its own router), each served under ``/1.2/``."""
    from sandbox import handlers  # noqa: F401 - importing the handlers registers them
    from sandbox.routing import ROUTES

    routes = []
    for route in ROUTES:
        parts: list[str | Slot] = []
        for index, segment in enumerate(route.segments):
            if index:
                parts.append("/")
            if segment.startswith("{"):
                parts.append(Slot(segment[1:-1], "sandbox", "[^/]+"))
            else:
                parts.append(re.escape(segment))
        source = _source_with_helpers(route.handler)
        reads = set(_READ_KEY.findall(source))
        if "paging()" in source or ".page(" in source:
            reads |= {"page", "pageSize"}
        if route.auth == "user":
            reads.add("userId")
        routes.append(
            Route(
                f"/1.2/{route.name}",
                tuple(parts),
                route.name,
                method=route.method,
                reads=tuple(sorted(reads)),
            )
        )
    return routes


# --- Requests --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request to send: all of it, so that a failure can be replayed."""

    method: str
    path: str  # percent-encoded
    route: str  # the pattern it was made for, to group failures
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    content_type: str | None = None
    cookies: tuple[tuple[str, str], ...] = ()
    enforce_csrf: bool = False
    send_csrf_token: bool = True
    secure: bool = False
    sign: str = "none"  # sandbox only: "none", "query", "header", "wrong-secret"

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    def describe(self, limit: int = 300) -> str:
        parts = [f"{self.method} {_shorten(self.url, limit)}"]
        if self.headers:
            parts.append(
                "headers " + ", ".join(f"{k}: {_shorten(v, 80)!r}" for k, v in self.headers)
            )
        if self.cookies:
            parts.append(
                "cookies " + ", ".join(f"{k}={_shorten(v, 40)!r}" for k, v in self.cookies)
            )
        if self.body:
            parts.append(f"body ({self.content_type}) {_shorten(repr(self.body), limit)}")
        if self.enforce_csrf:
            parts.append("CSRF enforced" + ("" if self.send_csrf_token else ", no token"))
        if self.secure:
            parts.append("https")
        if self.sign != "none":
            parts.append(f"signed: {self.sign}")
        return "; ".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit // 2]}…({len(text)} chars)…{text[-20:]}"


_LITERAL_REGEX = re.compile(r"(?:[^\\.^$*+?{}\[\]|()]|\\[^A-Za-z0-9])*")


def _fixed(regex: str) -> st.SearchStrategy[str]:
    """The text a literal part of a pattern matches (generated, if it is a real regex)."""
    if _LITERAL_REGEX.fullmatch(regex):
        return st.just(re.sub(r"\\(.)", r"\1", regex))
    return st.from_regex(regex, fullmatch=True).map(lambda text: quote(text, safe="/"))


def _segment(value: str) -> str:
    return quote(value, safe="")


def _pathish(value: str) -> str:
    return quote(value, safe="/")


def slot_values(slot: Slot, known: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Percent-encoded values for a slot: known ones, ones its regex matches, hostile."""
    hostile = numbers() if slot.kind in ("id", "int", "sandbox") else values()
    choices = [
        st.from_regex(slot.regex, fullmatch=True).map(_pathish),
        hostile.map(_segment),
        st.sampled_from(HOSTILE_TEXTS).map(_pathish),
    ]
    if known:
        choices.insert(0, st.sampled_from(list(known)).map(_segment))
    return st.one_of(choices)


def paths(route: Route, known: Mapping[str, Sequence[str]]) -> st.SearchStrategy[str]:
    pieces = [
        slot_values(part, known.get(part.name, ())) if isinstance(part, Slot) else _fixed(part)
        for part in route.parts
    ]
    return st.tuples(*pieces).map(lambda texts: "/" + "".join(texts).lstrip("/"))


def pairs(
    keys: Sequence[str], known: Mapping[str, Sequence[str]], *, first: Sequence[str] = ()
) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Query or form pairs: keys with values that reach real objects, and keys with
    hostile values (``first``: the keys the view is known to read, tried most)."""
    reachable = sorted({k for k in (*first, *keys) if known.get(k)})
    key = st.one_of(
        *([st.sampled_from(list(first))] if first else []),
        st.sampled_from(list(keys)),
        st.text(max_size=12),
    )
    choices = [st.tuples(key, values())]
    if reachable:
        choices.insert(0, st.sampled_from([(k, v) for k in reachable for v in known[k]]))
    return st.lists(st.one_of(choices), max_size=6)


RAW_QUERIES = ("%zz", "a=%00", "&&&", "=", "a=1&a=2&a=3", "page[]=1", ";page=2", "%" * 100)


def queries(
    keys: Sequence[str], known: Mapping[str, Sequence[str]], *, first: Sequence[str] = ()
) -> st.SearchStrategy[str]:
    return st.one_of(
        pairs(keys, known, first=first).map(urlencode),
        st.sampled_from(RAW_QUERIES),
    )


def mutations(
    baseline: Sequence[tuple[str, str]], keys: Sequence[str], known: Mapping[str, Sequence[str]]
) -> st.SearchStrategy[str]:
    """A query string: ``baseline`` (a call that works) with a few parameters dropped,
    given hostile values or added: deep cases need most of a call to be right."""
    names = sorted({name for name, _ in baseline})
    change = [
        st.tuples(
            st.just("add"), st.one_of(st.sampled_from(list(keys)), st.text(max_size=12)), values()
        )
    ]
    if names:
        change += [
            st.tuples(st.just("set"), st.sampled_from(names), values()),
            st.tuples(st.just("drop"), st.sampled_from(names), st.just("")),
        ]

    def applied(changes) -> str:
        result = list(baseline)
        for action, name, value in changes:
            if action == "add":
                result.append((name, value))
            elif action == "set":
                result = [(k, value if k == name else v) for k, v in result]
            else:
                result = [(k, v) for k, v in result if k != name]
        return urlencode(result)

    return st.one_of(
        st.lists(st.one_of(change), max_size=3).map(applied),
        st.sampled_from(RAW_QUERIES),
    )


@cache
def _json_values() -> st.SearchStrategy:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        values(),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
        ),
        max_leaves=6,
    )


def json_objects(keys: Sequence[str]) -> st.SearchStrategy[dict]:
    key = st.one_of(st.sampled_from(list(keys)), st.text(max_size=10))
    return st.dictionaries(key, _json_values(), max_size=5)


MULTIPART_BOUNDARY = "fuzzboundary"
HOSTILE_BODIES = (
    (b"", "multipart/form-data"),  # no boundary
    (b"--x\r\n", "multipart/form-data; boundary=x"),
    (b"a=%zz&b=%00", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
    (b"&" * 2000, "application/x-www-form-urlencoded"),
    (b"{", "application/json"),
    (b"[]", "application/json"),
    (b"<a><b>", "application/xml"),
    (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><logs>&b;</logs>',
        "application/xml",
    ),
    (b"x" * 5000, "text/plain"),
)


def bodies(
    keys: Sequence[str], known: Mapping[str, Sequence[str]], *, first: Sequence[str] = ()
) -> st.SearchStrategy[tuple[bytes, str | None]]:
    from django.test.client import encode_multipart

    form = "application/x-www-form-urlencoded"
    multipart = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
    return st.one_of(
        st.just((b"", None)),
        pairs(keys, known, first=first).map(lambda items: (urlencode(items).encode(), form)),
        pairs(keys, known, first=first).map(
            lambda items: (encode_multipart(MULTIPART_BOUNDARY, dict(items)), multipart)
        ),
        json_objects(keys).map(lambda data: (json.dumps(data).encode(), "application/json")),
        st.sampled_from(HOSTILE_BODIES),
        st.tuples(st.binary(max_size=200), st.one_of(st.none(), _header_text(40))),
    )


def _optional_headers(options: Mapping[str, st.SearchStrategy[str]]) -> st.SearchStrategy:
    one = st.one_of([st.tuples(st.just(name), value) for name, value in sorted(options.items())])
    return st.lists(one, max_size=4, unique_by=lambda pair: pair[0]).map(tuple)


@cache
def site_headers() -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    flag = st.one_of(st.just("true"), st.sampled_from(["false", "1", ""]), _header_text(10))
    targets = st.one_of(st.sampled_from(template_ids() or ("x",)), _header_text(30))
    return _optional_headers(
        {
            "HX-Request": flag,
            "HX-Target": targets,
            "HX-Boosted": flag,
            "HX-History-Restore-Request": flag,
            "HX-Trigger": targets,
            "HX-Current-URL": st.one_of(st.just("http://testserver/"), _header_text()),
            "Range": ranges(),
            "Accept": st.one_of(st.sampled_from(ACCEPTS), _header_text()),
            "Origin": st.one_of(st.sampled_from(ORIGINS), _header_text()),
            "Referer": st.one_of(st.sampled_from(ORIGINS), _header_text()),
            "Accept-Language": st.one_of(
                st.sampled_from(["en", "de-DE", "*", "x" * 300]), _header_text()
            ),
            "User-Agent": _header_text(300),
            "If-None-Match": _header_text(),
            "If-Modified-Since": st.one_of(
                st.just("Mon, 01 Jan 1900 00:00:00 GMT"), _header_text()
            ),
            "X-Forwarded-For": _header_text(),
            "X-Forwarded-Proto": st.sampled_from(["https", "http", "x"]),
        }
    )


# The values that made server errors before (issue 16) and their kin, each tried in
# every parameter a view reads or every part of its path at once: random generation
# alone would put "²" in ``page`` once in a thousand cases.
CLASSIC_VALUES = (
    "²",
    "9" * 5000,
    TOO_LARGE,
    "0",
    "-1",
    "\x00",
    "ab\x00cd",
    "x",
    "account_logout",
    "//evil.example/",
    "a" * 5000,
    "%",
    "٣",
    "1e3",
    "",
    "<script>alert(1)</script>",
)
_CLASSIC = st.sampled_from(CLASSIC_VALUES)
_CLASSIC_WHERE = st.sampled_from(["parameters", "path", "both"])
_CLASSIC_METHODS = st.sampled_from(["GET", "POST", "HEAD"])
_CLASSIC_HEADERS = st.sampled_from(
    [
        (),
        (("HX-Request", "true"),),
        (("HX-Request", "true"), ("HX-Boosted", "true")),
        (("Range", "bytes=0-" + "9" * 5000),),
        (("Range", "bytes=" + TOO_LARGE + "-"),),
    ]
)


# The inputs issue 16 found making server errors, tried everywhere by issue_16_cases.
ISSUE_16_VALUES = ("²", "9" * 5000, TOO_LARGE, "\x00", "x", "account_logout")
ISSUE_16_NUMBERS = ("²", "9" * 5000, TOO_LARGE, "\x00")  # for the sandbox's parameters
ISSUE_16_HEADERS = (
    (("Range", "bytes=0-" + "9" * 5000),),
    (("Range", "bytes=" + TOO_LARGE + "-"),),
    (("HX-Request", "true"),),
    (("HX-Request", "true"), ("HX-Boosted", "true"), ("HX-History-Restore-Request", "true")),
)


def _known_path(route: Route, known: Mapping[str, Sequence[str]]) -> str:
    return "/" + "".join(
        _segment(known[p.name][0]) if isinstance(p, Slot) and known.get(p.name) else _simplest(p)
        for p in route.parts
    ).lstrip("/")


def _slotted_path(route: Route, value: str) -> str:
    return "/" + "".join(
        _segment(value) if isinstance(p, Slot) else _simplest(p) for p in route.parts
    ).lstrip("/")


def issue_16_cases(
    route: Route, known: Mapping[str, Sequence[str]], values: Sequence[str] = ISSUE_16_VALUES
) -> Iterator[Case]:
    """The values issue 16 found at ``route``, each in turn: in every parameter its view
    reads (a GET's query, a POST's form; the path made of known ids), then in every slot
    of its path; and the headers it found (a Range of 5,000 digits, htmx). The same
    cases on every run, so each value is tried everywhere every time."""
    reads = route.reads or ("page", "next", "q")
    path = _known_path(route, known)
    form = "application/x-www-form-urlencoded"
    for value in values:
        encoded = urlencode([(key, value) for key in reads])
        yield Case("GET", path, route.template, query=encoded)
        yield Case("POST", path, route.template, body=encoded.encode(), content_type=form)
        if route.slots:
            yield Case("GET", _slotted_path(route, value), route.template)
    for headers in ISSUE_16_HEADERS:
        yield Case("GET", path, route.template, headers=headers)


def issue_16_sandbox_cases(
    route: Route, known: Mapping[str, Sequence[str]], values: Sequence[str] = ISSUE_16_NUMBERS
) -> Iterator[Case]:
    """A call to ``route`` that works, signed, with each value in turn in each parameter
    its handler reads and in every slot of its path; and with the issue's Range headers."""
    baseline = sandbox_baseline(route, known)
    path = "/1.2" + _known_path(route, known)
    for value in values:
        for name in route.reads:
            query = [(k, v) for k, v in baseline if k != name] + [(name, value)]
            yield Case(route.method, path, route.template, query=urlencode(query), sign="header")
        if route.slots:
            slotted = "/1.2" + _slotted_path(route, value)
            yield Case(
                route.method, slotted, route.template, query=urlencode(baseline), sign="header"
            )
    for headers in ISSUE_16_HEADERS[:2]:
        yield Case(
            route.method,
            path,
            route.template,
            query=urlencode(baseline),
            headers=headers,
            sign="header",
        )


# The admin's views for every model (add, change, delete, history) are Django's own, the
# same for each model: Hypothesis's cases cover them; issue 16's values go to the
# admin's lists, searches and the project's own admin views.
ADMIN_PER_OBJECT = ("_add", "_change", "_delete", "_history")


def issue_16_routes(routes: Sequence[Route], who: str) -> list[Route]:
    """The routes issue_16_cases tries as ``who``: the staff's admin pages for staff, the
    rest of the site for the others."""
    if who != "staff":
        return [r for r in routes if not r.template.startswith("/admin/")]
    return [
        r
        for r in routes
        if r.template.startswith("/admin/") and r.name and not r.name.endswith(ADMIN_PER_OBJECT)
    ]


def _simplest(part: str | Slot) -> str:
    """A literal part's text, or the simplest text a slot's regex matches."""
    if isinstance(part, Slot):
        return _pathish(_simplest_match(part.regex))
    return _simplest_match(part)


@cache
def _simplest_match(regex: str) -> str:
    found: list[str] = []

    def keep(text: str) -> None:
        found.append(text)

    explore(st.from_regex(regex, fullmatch=True), 1, keep)  # the simplest value first
    return found[0]


def known_paths(route: Route, known: Mapping[str, Sequence[str]]) -> st.SearchStrategy[str]:
    """Paths to ``route`` that reach real objects (or at least match its pattern)."""
    pieces = []
    for part in route.parts:
        if not isinstance(part, Slot):
            pieces.append(_fixed(part))
        elif known.get(part.name):
            pieces.append(st.sampled_from(list(known[part.name])).map(_segment))
        else:
            pieces.append(st.from_regex(part.regex, fullmatch=True).map(_pathish))
    return st.tuples(*pieces).map(lambda texts: "/" + "".join(texts).lstrip("/"))


def _with_slots(route: Route, value: str) -> st.SearchStrategy[str]:
    pieces = [st.just(_segment(value)) if isinstance(p, Slot) else _fixed(p) for p in route.parts]
    return st.tuples(*pieces).map(lambda texts: "/" + "".join(texts).lstrip("/"))


def classic_site_cases(route: Route, known: Mapping[str, Sequence[str]]) -> st.SearchStrategy[Case]:
    """One of ``CLASSIC_VALUES`` in every slot of the path, or every parameter the view
    reads (query, or form for a POST), or both; perhaps as htmx, perhaps with a Range."""
    known_path = known_paths(route, known)
    reads = route.reads or ("page", "next", "q")

    @st.composite
    def case(draw) -> Case:
        value = draw(_CLASSIC)
        where = draw(_CLASSIC_WHERE)
        method = draw(_CLASSIC_METHODS)
        in_path = where != "parameters" and route.slots
        path = draw(_with_slots(route, value) if in_path else known_path)
        encoded = urlencode([(key, value) for key in reads]) if where != "path" else ""
        post = method == "POST"
        return Case(
            method=method,
            path=path,
            route=route.template,
            query="" if post else encoded,
            headers=draw(_CLASSIC_HEADERS),
            body=encoded.encode() if post and encoded else b"",
            content_type="application/x-www-form-urlencoded" if post and encoded else None,
        )

    return case()


SITE_METHODS = METHODS * 6 + RARE_METHODS  # rare ones too, but mostly what forms send
_SITE_METHODS = st.sampled_from(SITE_METHODS)
_ONE_IN_TEN = st.integers(0, 9).map(lambda n: n == 9)  # False (0) is the simplest


def site_cases(route: Route, known: Mapping[str, Sequence[str]]) -> st.SearchStrategy[Case]:
    """Requests to one of the site's routes, as a browser or an attacker might send them.

    Hypothesis tries its simplest case first: a GET with known ids, no query, no
    unusual header, past the CSRF check (a page that works, the base of the others).
    """
    keys = keys_read_by_views()
    path = paths(route, known)
    body = bodies(keys, known, first=route.reads)
    query = st.one_of(st.just(""), queries(keys, known, first=route.reads))
    cookie_names = st.sampled_from(["country", "csrftoken", "messages", "x"])
    cookies = st.lists(st.tuples(cookie_names, header_values()), max_size=2).map(tuple)

    @st.composite
    def case(draw) -> Case:
        method = draw(_SITE_METHODS)
        content, content_type = (b"", None)
        if method in ("POST", "PUT", "PATCH"):
            content, content_type = draw(body)
        enforce = draw(_ONE_IN_TEN)  # mostly past the CSRF check, for depth
        return Case(
            method=method,
            path=draw(path),
            route=route.template,
            query=draw(query),
            headers=draw(site_headers()),
            body=content,
            content_type=content_type,
            cookies=draw(cookies),
            enforce_csrf=enforce,
            send_csrf_token=not enforce or draw(st.booleans()),
            secure=draw(_ONE_IN_TEN),
        )

    return st.one_of(case(), classic_site_cases(route, known))


def any_site_case(routes: Sequence[Route], known: Mapping[str, Sequence[str]]):
    """Requests to any of ``routes``, the route drawn too."""
    each = [site_cases(route, known) for route in routes]
    return st.integers(0, len(each) - 1).flatmap(each.__getitem__)


PLAYED_AT = "2024-03-13T11:39:28.8981203Z"


def _valid_logs(user_id: str) -> dict[str, tuple[object, dict[str, object]]]:
    """Per play-log endpoint: its body's shape and one log it accepts."""
    from sandbox.handlers.playlogs import CATALOGUE, PREVIEW, SUBSCRIPTION

    played = {"trackId": 9525, "dateTimePlayed": PLAYED_AT, "totalTimePlayed": 30}
    return {
        "preview/log": (
            PREVIEW,
            {
                **played,
                "country": "GB",
                "userAgent": "fuzz",
                "userId": user_id,
                "playMode": "online",
            },
        ),
        "catalogue/log": (
            CATALOGUE,
            {
                **played,
                "releaseId": 1046,
                "formatId": 17,
                "userAgent": "fuzz",
                "userId": user_id,
                "endReason": "naturalEnd",
            },
        ),
        "user/subscription/log": (
            SUBSCRIPTION,
            {
                **played,
                "releaseId": 1046,
                "formatId": 17,
                "playMode": "online",
                "userAgent": "fuzz",
            },
        ),
    }


_DROP = object()


def _xml_log(shape, items: list[dict]) -> bytes:
    from xml.sax.saxutils import escape

    def element(name: str, value: object) -> str:
        text = value if isinstance(value, str) else json.dumps(value)
        return f"<{name}>{escape(text)}</{name}>"

    logs = "".join(
        f"<{shape.item}>" + "".join(element(k, v) for k, v in item.items()) + f"</{shape.item}>"
        for item in items
    )
    return f"<{shape.root}>{logs}</{shape.root}>".encode()


def log_bodies(endpoint: str, user_id: str) -> st.SearchStrategy[tuple[bytes, str | None]]:
    """Play-log bodies for ``endpoint``: a log it accepts with a few fields dropped or
    given hostile values, one to three of them, as JSON or XML."""
    shape, valid = _valid_logs(user_id)[endpoint]
    change = st.tuples(
        st.sampled_from([*shape.fields, "extra"]), st.one_of(st.just(_DROP), _json_values())
    )

    def item(changes) -> dict:
        log = dict(valid)
        for name, value in changes:
            if value is _DROP:
                log.pop(name, None)
            else:
                log[name] = value
        return log

    items = st.lists(st.lists(change, max_size=3).map(item), min_size=1, max_size=3)
    return st.one_of(
        items.map(lambda logs: (json.dumps({shape.key: logs}).encode(), "application/json")),
        items.map(lambda logs: (_xml_log(shape, logs), "application/xml")),
    )


@cache
def sandbox_headers() -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    return _optional_headers(
        {
            "Range": ranges(),
            "Accept": st.one_of(st.sampled_from(ACCEPTS), _header_text()),
            "Accept-Encoding": st.sampled_from(["gzip", "identity", "br", "*"]),
            "Authorization": st.one_of(
                st.just('OAuth oauth_consumer_key="sandbox-key"'),
                st.builds(
                    lambda v: f'OAuth oauth_consumer_key="{v}", oauth_signature="x"', _header_text()
                ),
                _header_text(),
            ),
            "Origin": st.one_of(st.sampled_from(ORIGINS), _header_text()),
            "X-Sandbox-Token": _header_text(),
            "User-Agent": _header_text(300),
        }
    )


# Control API calls that would take the fuzz's time rather than test anything: a seed
# of up to a million tracks (a valid body is refused instead; see sandbox_cases).
SLOW_CONTROL = ("/_sandbox/seed",)


SIGNINGS = ("header", "query", "none", "wrong-secret")
_SIGNINGS = st.sampled_from(SIGNINGS)
_API_PREFIXES = st.sampled_from(["/1.2/", "/"])


def sandbox_baseline(route: Route, known: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """Parameters of a call to ``route`` that works: a country, and a value that reaches
    a real object for every parameter its handler reads."""
    baseline = [("country", "GB"), ("usageTypes", "download")]
    baseline += [(key, known[key][0]) for key in route.reads if known.get(key) and key != "country"]
    return baseline


def sandbox_cases(route: Route, known: Mapping[str, Sequence[str]]) -> st.SearchStrategy[Case]:
    """Requests to one of the sandbox's endpoints, signed or not, as any client might send.

    The simplest case is the call a 7digital client would make, signed in the header.
    """
    api = route.method is not None  # a 7digital endpoint (see sandbox_api_routes)
    keys = keys_read_by_sandbox()
    path = paths(route, known)
    generic_body = bodies(keys, known)
    if api:
        query = mutations(sandbox_baseline(route, known), keys, known)
        methods = st.one_of(st.just(route.method), st.sampled_from(METHODS + RARE_METHODS))
        user_id = (known.get("userId") or ("fuzz",))[0]
        if route.name in _valid_logs(user_id):
            body = st.one_of(log_bodies(route.name, user_id), generic_body)
        else:
            body = generic_body
    else:
        query = st.one_of(st.just(""), queries(keys, known))
        methods = st.sampled_from(("GET", "POST", "DELETE", "HEAD", "PUT"))
        json_body = json_objects(keys).map(lambda d: (json.dumps(d).encode(), "application/json"))
        body = st.one_of(json_body, generic_body)
        if route.template in SLOW_CONTROL:
            body = st.just((b"[]", "application/json"))

    @st.composite
    def case(draw) -> Case:
        method = draw(methods)
        text = draw(path)
        if api:
            text = draw(_API_PREFIXES) + text.lstrip("/")
            if draw(_ONE_IN_TEN):
                text = text.upper()
        content, content_type = (b"", None)
        if method in ("POST", "PUT", "PATCH"):
            content, content_type = draw(body)
        return Case(
            method=method,
            path=text,
            route=route.template,
            query=draw(query),
            headers=draw(sandbox_headers()),
            body=content,
            content_type=content_type,
            sign=draw(_SIGNINGS),
        )

    if not api:
        return case()
    return st.one_of(case(), classic_sandbox_cases(route, known))


def classic_sandbox_cases(
    route: Route, known: Mapping[str, Sequence[str]]
) -> st.SearchStrategy[Case]:
    """A call that works, signed, with one of ``CLASSIC_VALUES`` in one of its parameters
    or in every part of its path, perhaps with a Range header."""
    baseline = sandbox_baseline(route, known)
    names = sorted({name for name, _ in baseline} | set(route.reads))
    known_path = known_paths(route, known)

    @st.composite
    def case(draw) -> Case:
        value = draw(_CLASSIC)
        in_path = bool(route.slots) and draw(st.booleans())
        path = draw(_with_slots(route, value) if in_path else known_path)
        query = list(baseline)
        if not in_path:
            name = draw(st.sampled_from(names))
            query = [(k, v) for k, v in query if k != name] + [(name, value)]
        return Case(
            method=route.method,
            path="/1.2" + path,
            route=route.template,
            query=urlencode(query),
            headers=draw(_CLASSIC_HEADERS),
        )

    return case()


def any_sandbox_case(routes: Sequence[Route], known: Mapping[str, Sequence[str]]):
    """Requests to any of ``routes``, the route drawn too."""
    each = [sandbox_cases(route, known) for route in routes]
    return st.integers(0, len(each) - 1).flatmap(each.__getitem__)


# --- Running a case --------------------------------------------------------------

TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b"Exception Value:")
BODY_CHECKED = 1 << 20  # look for a traceback in the first MiB of a body


@dataclass(frozen=True)
class Outcome:
    status: int
    exception: str | None = None  # "module.Type: message" of what was raised
    where: str = ""  # the last frames of its traceback
    traceback_in_body: bool = False

    @property
    def failed(self) -> bool:
        return self.status >= 500 or self.exception is not None or self.traceback_in_body

    @property
    def exception_type(self) -> str:
        return (self.exception or "").partition(":")[0] or "-"

    def describe(self) -> str:
        text = f"status {self.status}"
        if self.exception:
            text += f", raised {_shorten(self.exception, 300)}"
        if self.traceback_in_body:
            text += ", a traceback in the body"
        if self.where:
            text += f"\n{self.where}"
        return text


def _exception_text(exc_info) -> tuple[str, str]:
    """The exception, and where: the project's last frames and the very last one."""
    kind, value, tb = exc_info
    name = f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and ".venv" not in f.filename]
    shown = [*ours[-2:], *(frames[-1:] if frames and frames[-1] not in ours[-2:] else [])]
    return f"{name}: {value}", "".join(traceback.format_list(shown)).rstrip()


class ExceptionCatcher:
    """Collects every exception Django reports while serving (``got_request_exception``):
    the site's own, and the sandbox's when the site calls it in process."""

    def __init__(self) -> None:
        self.caught: list = []
        self._lock = threading.Lock()

    def __call__(self, sender, request=None, **kwargs) -> None:
        with self._lock:
            self.caught.append(sys.exc_info())

    def take(self):
        with self._lock:
            caught, self.caught = self.caught, []
        return caught[0] if caught else None


@contextmanager
def catching_exceptions() -> Iterator[ExceptionCatcher]:
    from django.core.signals import got_request_exception

    catcher = ExceptionCatcher()
    got_request_exception.connect(catcher, weak=False)
    try:
        yield catcher
    finally:
        got_request_exception.disconnect(catcher)


def _outcome(status: int, content: bytes, caught, raised=None) -> Outcome:
    exc_info = raised or caught
    exception, where = _exception_text(exc_info) if exc_info else (None, "")
    shown = any(marker in content[:BODY_CHECKED] for marker in TRACEBACK_MARKERS)
    return Outcome(status, exception, where, shown)


def _read(response) -> bytes:
    if getattr(response, "streaming", False):
        chunks, size = [], 0
        # Read to the end, where the test client closes the response itself. Closing it
        # again would end the request twice: request_finished closes the database
        # connection (close_old_connections), which on PostgreSQL is the one the cases
        # are rolled back on, and every later case would fail.
        for chunk in response.streaming_content:
            if size < BODY_CHECKED:
                chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    return response.content


@dataclass
class SiteActor:
    """A test client for the site and who it is: its cookies are put back after each case."""

    name: str
    client: object  # django.test.Client, made with raise_request_exception=False
    csrf_token: str
    _cookies: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from django.conf import settings

        self.client.raise_request_exception = False
        self.client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf_token
        self._cookies = copy.deepcopy(self.client.cookies)

    def restore(self) -> None:
        # A copy, morsels and all: setting a cookie changes its morsel in place.
        self.client.cookies = copy.deepcopy(self._cookies)


def new_csrf_token() -> str:
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def run_site_case(actor: SiteActor, case: Case, catcher: ExceptionCatcher) -> Outcome:
    """Send ``case`` with the actor's client and say what came back."""
    from django.conf import settings

    actor.restore()
    client = actor.client
    for name, value in case.cookies:
        if name == settings.CSRF_COOKIE_NAME and case.send_csrf_token:
            continue
        client.cookies[name] = value
    headers = dict(case.headers)
    if case.send_csrf_token:
        headers["X-CSRFToken"] = actor.csrf_token
    client.handler.enforce_csrf_checks = case.enforce_csrf
    catcher.take()
    try:
        response = client.generic(
            case.method,
            case.url,
            data=case.body,
            content_type=case.content_type or "application/octet-stream",
            secure=case.secure,
            headers=headers,
        )
        content = _read(response)
    except Exception:
        return _outcome(0, b"", catcher.take(), raised=sys.exc_info())
    finally:
        actor.restore()
    return _outcome(response.status_code, content, catcher.take())


def sandbox_session():
    """A requests session whose http:// goes to the in-process sandbox."""
    import requests

    from sandbox.transport import SandboxTransport

    session = requests.Session()
    session.mount("http://", SandboxTransport())
    return session


def run_sandbox_case(session, case: Case, catcher: ExceptionCatcher) -> Outcome:
    """Send ``case`` to the in-process sandbox, signed as it says, and say what came back."""
    import requests
    from django.conf import settings
    from requests_oauthlib import OAuth1

    key, secret = settings.SEVENDIGITAL_CONSUMER_KEY, settings.SEVENDIGITAL_CONSUMER_SECRET
    auth = {
        "none": None,
        "query": OAuth1(key, secret, signature_type="query"),
        "header": OAuth1(key, secret),
        "wrong-secret": OAuth1(key, "not-" + secret),
    }[case.sign]
    headers = dict(case.headers)
    if case.content_type:
        headers["Content-Type"] = case.content_type
    catcher.take()
    try:
        request = session.prepare_request(
            requests.Request(
                case.method,
                SANDBOX_HOST + case.url,
                data=case.body or None,
                headers=headers,
                auth=auth,
            )
        )
    except ValueError:
        # The client library refused to sign what it was given: nothing was sent.
        return Outcome(0)
    try:
        response = session.send(request, timeout=30)
    except Exception:
        return _outcome(0, b"", catcher.take(), raised=sys.exc_info())
    return _outcome(response.status_code, response.content, catcher.take())


def explore(strategy: st.SearchStrategy, examples: int, check, *, seed: int | None = None) -> None:
    """Call ``check`` with ``examples`` values drawn from ``strategy``.

    The same values on every run unless ``seed`` is given (derandomised, no example
    database), so CI is reproducible; no deadline (a first clip is encoded on the spot)
    and no health checks (they object to slow, fixture-using tests, which these are).
    ``check`` records failures rather than raising, so nothing is shrunk: every
    distinct failure is reported, not the first one.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    if examples <= 0:
        return
    test = given(strategy)(check)
    test = settings(
        max_examples=examples,
        deadline=None,
        derandomize=seed is None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(test)
    if seed is not None:
        test = with_seed(seed)(test)
    test()


SWEEP_GROUP = 8  # strategies drawn together in one Hypothesis example


def sweep(
    strategies: Sequence[st.SearchStrategy], examples: int, check, *, seed: int | None = None
) -> None:
    """Call ``check`` with ``examples`` values from every one of ``strategies``.

    A few strategies share each Hypothesis example (a run has a fixed cost, tens of
    milliseconds, that a route by route loop would pay hundreds of times); the first
    example is the simplest value of each.
    """
    for start in range(0, len(strategies), SWEEP_GROUP):
        group = st.tuples(*strategies[start : start + SWEEP_GROUP])

        def each(values) -> None:
            for value in values:
                check(value)

        explore(group, examples, each, seed=seed)


# --- Reporting -------------------------------------------------------------------


@dataclass
class Failures:
    """Failures grouped by what they have in common: method, route, status, exception."""

    seen: dict[tuple[str, str, str, int, str], tuple[Case, Outcome, int]] = field(
        default_factory=dict
    )

    def add(self, actor: str, case: Case, outcome: Outcome) -> None:
        key = (actor, case.method, case.route, outcome.status, outcome.exception_type)
        first, first_outcome, count = self.seen.get(key, (case, outcome, 0))
        self.seen[key] = (first, first_outcome, count + 1)

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.seen.values())

    def report(self) -> str:
        lines = []
        for (actor, method, route, status, kind), (case, outcome, count) in sorted(
            self.seen.items()
        ):
            lines.append(f"[{actor}] {method} {route} -> {status} {kind} (x{count})")
            lines.append(f"    e.g. {case.describe()}")
            lines.append("    " + outcome.describe().replace("\n", "\n    "))
        return "\n".join(lines)


# --- The shop to fuzz --------------------------------------------------------------

CUSTOMER_EMAIL = "fuzz-customer@example.com"
STAFF_EMAIL = "fuzz-staff@example.com"
PASSWORD = "a long passphrase 7"  # noqa: S105 - an account in a throwaway database
GOOD_CARD = "4242 4242 4242 4242"
# "Changing" (Sigma): one track of 191 s, so a real download encodes little audio.
BOUGHT_RELEASE = 3698566
BOUGHT_TRACK = 38656894
BASKET_RELEASE = 20  # "Enema Of The State", left in the basket

# Values that reach real objects, so that cases get past "not found" to the code behind
# it; keyed by slot name, query key or sandbox parameter.
CATALOGUE_KNOWN = {
    "release_id": (str(BOUGHT_RELEASE), "1046", "20", "1047"),
    "artist_id": ("304", "1"),
    "track_id": (str(BOUGHT_TRACK), "123456", "9525", "9526"),
    "format_id": ("17", "33", "45"),
    "tag": ("rock", "pop", "2000s"),
    "release": ("1046", "20"),
    "track": ("9525", "123456"),
    "package": ("2", "1", "3"),
    "country": ("GB", "US", "DE", "gb"),
    "format": ("17", "33"),
    "page": ("1", "2", "3"),
    "sort": ("releaseTitle asc", "newest", "title", "name", "popularity", "relevance"),
    "kind": ("artist", "release", "track", "preview"),
    "type": ("album", "single", "video", "all"),
    "letter": ("a", "r", "0", "ab"),
    "section": ("charts", "tag", "tags", "top-tracks", "releases", "new", "artists"),
    "q": ("radiohead", "no surprises", ""),
    "seconds": ("30", "0", "1e308", "-1", "nan"),
    "card_number": (GOOD_CARD,),
    "next": ("/", "/basket/"),
    # the sandbox's
    "releaseId": (str(BOUGHT_RELEASE), "1046", "20"),
    "trackId": (str(BOUGHT_TRACK), "9525", "123456"),
    "artistId": ("304",),
    "itemId": (str(BOUGHT_RELEASE), str(BOUGHT_TRACK), "1046"),
    "releaseIds": ("1046,20", "1046," + TOO_LARGE),
    "trackIds": ("9525,9526",),
    "formatId": ("17", "33", "45"),
    "shopId": ("34", "1064"),
    "usageTypes": ("download", "adsupportedstreaming", "subscriptionstreaming", "download,x"),
    "imageSize": ("50", "350", "800"),
    "pageSize": ("10", "1", "50", "51"),
    "transactionId": ("fuzz-1",),
    "tags": ("rock", "rock,pop"),
    "packageId": ("2", "1"),
    "emailAddress": ("a@example.com",),
}


@dataclass
class Shop:
    """The people the fuzz acts as, and the ids of what they have."""

    actors: dict[str, SiteActor]
    known: dict[str, tuple[str, ...]]


def prepare_shop() -> Shop:
    """A customer (with a 7digital partner user, an order delivered and a basket line)
    and a superuser signed in with both factors; the site must already be pointed at the
    sandbox and the sandbox seeded."""
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client

    from accounts.models import User
    from accounts.services import partner_user_ensure
    from store.basket.models import BasketLine
    from store.checkout import services
    from store.checkout.models import Order

    customer = User.objects.create_user(email=CUSTOMER_EMAIL, password=PASSWORD, country="GB")
    user_id = partner_user_ensure(user=customer)
    shopper = Client()
    shopper.force_login(customer)
    shopper.post("/basket/add/", {"release": BOUGHT_RELEASE, "package": 2})
    shopper.post("/checkout/", {"card_number": GOOD_CARD})
    order = Order.objects.filter(user=customer).first()
    if order is None:
        raise RuntimeError(
            f"the fuzz's customer could not buy release {BOUGHT_RELEASE} through "
            "/basket/add/ and /checkout/ (scripts/fuzzing.py prepare_shop)"
        )
    for line in order.lines.all():
        services.order_line_deliver(line_id=line.pk)  # what the queued task would do
    shopper.post("/basket/add/", {"release": BASKET_RELEASE, "package": 2})
    basket_lines = [str(pk) for pk in BasketLine.objects.values_list("pk", flat=True)]
    purchases = [str(p) for p in order.lines.values_list("purchase_id", flat=True) if p]

    staff = User.objects.create_superuser(email=STAFF_EMAIL, password=PASSWORD)
    staff_client = Client()
    from scripts.second_factor import pass_second_factor

    pass_second_factor(staff_client, staff)

    anonymous = Client()
    anonymous.get("/")  # a session of its own, as a visitor who looked around
    actors = {
        "anonymous": SiteActor("anonymous", anonymous, new_csrf_token()),
        "customer": SiteActor("customer", shopper, new_csrf_token()),
        "staff": SiteActor("staff", staff_client, new_csrf_token()),
    }
    known = dict(CATALOGUE_KNOWN)
    known.update(
        {
            "number": (order.number,),
            "line_id": tuple(basket_lines),
            "purchase_id": tuple(purchases),
            "purchaseId": tuple(purchases),
            "order_id": (str(order.pk),),
            "object_id": (str(order.pk), str(customer.pk), str(staff.pk)),
            "id": (str(customer.pk),),
            "content_type_id": (str(ContentType.objects.get_for_model(Order).pk),),
            "userId": (user_id,),
            "user_id": (user_id,),
        }
    )
    return Shop(actors, {k: v for k, v in known.items() if v})


@contextmanager
def site_pointed_at_sandbox() -> Iterator[None]:
    """The storefront's 7digital client sends through the in-process sandbox (no socket),
    as the test suite's ``sandbox_for_store`` fixture does."""
    from django.test.utils import override_settings

    from integrations import sevendigital as integration
    from sandbox.state import state
    from sandbox.transport import SandboxTransport

    hosts = {name: SANDBOX_HOST for name in integration.HOST_SETTINGS.values()}
    original = integration.client_from_settings

    def sandboxed(**overrides):
        overrides.setdefault("adapter", SandboxTransport())
        overrides.setdefault("sleep", lambda seconds: None)
        return original(**overrides)

    with override_settings(SEVENDIGITAL_SANDBOX_URL=SANDBOX_HOST, **hosts):
        integration.client_from_settings = sandboxed
        integration.clients_forget()
        state.reset()
        try:
            yield
        finally:
            integration.client_from_settings = original
            integration.clients_forget()
            state.reset()


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever a case writes, in either database, is undone after it: each case meets
    the same shop (an account deleted, a staff member removed, a sandbox reset by an
    earlier case would change what the next one can reach)."""
    from django.db import transaction

    from sandbox.state import state

    with transaction.atomic(using="default"), transaction.atomic(using="sandbox"):
        try:
            yield
        finally:
            transaction.set_rollback(True, using="sandbox")
            transaction.set_rollback(True, using="default")
            state.reset()
