"""What every template may use from the catalogue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from integrations.country import SUPPORTED_COUNTRIES, country_for
from store.catalogue.selectors import served_stale


def catalogue(request: HttpRequest) -> dict[str, Any]:
    """``country``, ``countries`` (code, name) for the selector, ``catalogue_stale``:
    true when some of the page comes from a copy kept while 7digital is failing, and
    ``catalogue_fragment_seconds``: how long a page's ``{% cache %}`` fragments last."""
    return {
        "country": getattr(request, "country", None) or country_for(request),
        "countries": list(SUPPORTED_COUNTRIES.items()),
        "catalogue_stale": served_stale(),
        "catalogue_fragment_seconds": settings.CATALOGUE_FRAGMENT_SECONDS,
    }
