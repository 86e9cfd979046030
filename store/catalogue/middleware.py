"""Friendly answers when the catalogue cannot show a page: never a 500.

Views let :class:`CatalogueNotFound` (7digital 2001 / 2002, a page past the end) and
:class:`CatalogueUnavailable` (7digital failing, nothing seen before) propagate; this
middleware renders them as a 404 page and a "temporarily unavailable" 503 page.
"""

from __future__ import annotations

from django.shortcuts import render

from store.catalogue.selectors import CatalogueNotFound, CatalogueUnavailable

RETRY_AFTER_SECONDS = 60


class CatalogueErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CatalogueNotFound):
            return render(request, "catalogue/not_found.html", status=404)
        if isinstance(exception, CatalogueUnavailable):
            response = render(request, "catalogue/unavailable.html", status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return None
