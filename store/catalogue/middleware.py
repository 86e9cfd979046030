"""The visitor's country on each request, and friendly answers when the catalogue cannot
show a page: never a 500.

Views let :class:`CatalogueNotFound` (7digital 2001 / 2002, a page past the end) and
:class:`CatalogueUnavailable` (7digital failing, nothing seen before) propagate; this
middleware renders them as a 404 page and a "temporarily unavailable" 503 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from integrations.country import country_for
from store.catalogue.selectors import CatalogueNotFound, CatalogueUnavailable, stale_reads

RETRY_AFTER_SECONDS = 60


class CountryMiddleware:
    """Sets ``request.country``; goes after SessionMiddleware.

    It also scopes the record of stale catalogue reads to the request, so that the
    "catalogue may be out of date" notice never leaks into the next request a
    thread serves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.country = country_for(request)
        with stale_reads():
            return self.get_response(request)


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
