"""gzip for the site's own pages and fragments, where the client accepts it (issue 21).

Django's ``GZipMiddleware`` does the work, with its defences against BREACH, the attack
that learns a secret in a compressed page from the page's size while it makes the page
reflect guesses of it:

- **CSRF tokens** are masked afresh for every response (``get_token``): the token in
  the page is never the same bytes twice, so there is nothing fixed to guess at.
- **Randomness in the length** ("Heal the Breach"): Django adds up to 100 random bytes
  to each compressed response's gzip header, so sizes no longer follow the contents
  closely enough to guess from.
- **Pages with secrets of their own are never compressed**: everything under
  ``/accounts/`` (sign-in, passwords, email, the second factor's secret and recovery
  codes), ``/account/`` (subscription, devices) and the admin. Those pages are small
  and rarely requested, so compressing them would save little.

Only text that Django renders is compressed: HTML, JSON, XML, plain text, CSV and the
playlist exports. Streamed responses are never compressed: audio and downloads are
already compressed, and a Range request must get the bytes it asked for, not a gzip
of them. Static files are compressed once at build time by WhiteNoise, and served before
this middleware runs.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/plain",
        "text/csv",
        "text/xml",
        "application/json",
        "application/xml",
        "application/xspf+xml",
        "audio/x-mpegurl",
    }
)
NEVER_UNDER = ("/accounts/", "/account/", "/admin/")


def _media_type(response: HttpResponse) -> str:
    return response.get("Content-Type", "").split(";", 1)[0].strip().lower()


class CompressPagesMiddleware(GZipMiddleware):
    """Compress the site's rendered text responses (see the module's docstring)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            response.streaming
            or _media_type(response) not in COMPRESSIBLE
            or request.path_info.startswith(NEVER_UNDER)
        ):
            return response
        return super().process_response(request, response)
