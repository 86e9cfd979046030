"""The sandbox's endpoint table: 7digital paths matched without regard to case.

``/1.2/artist/details``, ``/artist/Details`` and ``/1.2/ARTIST/details`` reach the same
handler, as parameter names do (``artistId``, ``artistid``). A path segment written
``{name}`` captures a value (``user/purchase/{purchaseId}/release/{releaseId}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import exceptions

# Authorisation levels: "key" (consumer key alone, signature checked if present),
# "signed" (2-legged signature), "user" (signed, acting for a userId or access token).
AUTH_LEVELS = ("key", "signed", "user")
CATALOGUE_MAX_AGE = 432_000  # the reference's example (line 66): five days


@dataclass(frozen=True)
class Route:
    method: str
    segments: tuple[str, ...]
    handler: Callable[..., Any]
    auth: str
    max_age: int | None

    @property
    def name(self) -> str:
        return "/".join(self.segments)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        captured = {}
        for pattern, part in zip(self.segments, parts, strict=True):
            if pattern.startswith("{"):
                captured[pattern[1:-1]] = part
            elif pattern != part.lower():
                return None
        return captured


ROUTES: list[Route] = []


def endpoint(method: str, path: str, *, auth: str = "key", max_age: int | None = None):
    """Register a handler for ``METHOD path`` (path without ``/1.2``)."""
    if auth not in AUTH_LEVELS:
        raise ValueError(f"auth must be one of {AUTH_LEVELS}")

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        segments = tuple(s if s.startswith("{") else s.lower() for s in path.strip("/").split("/"))
        ROUTES.append(Route(method.upper(), segments, handler, auth, max_age))
        return handler

    return register


def split_path(path: str) -> list[str]:
    """Path segments without the optional ``1.2`` prefix."""
    parts = [p for p in path.strip("/").split("/") if p]
    if parts and parts[0] == "1.2":
        parts = parts[1:]
    return parts


def normalise(path: str) -> str:
    return "/".join(p.lower() for p in split_path(path))


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]]:
    parts = split_path(path)
    allowed = []
    best: tuple[Route, dict[str, str]] | None = None
    for route in ROUTES:
        captured = route.match(parts)
        if captured is None:
            continue
        if route.method == method.upper() or (method.upper() == "HEAD" and route.method == "GET"):
            # A written segment wins over a captured one: playlists/tags, not {playlistId}.
            if best is None or len(captured) < len(best[1]):
                best = (route, captured)
            continue
        allowed.append(route.method)
    if best is not None:
        return best
    if allowed:
        raise exceptions.InvalidParameter(
            f"Method {method.upper()} is not supported here; use {', '.join(sorted(allowed))}"
        )
    raise exceptions.NotFound(f"No such API method: /{'/'.join(parts)}")
