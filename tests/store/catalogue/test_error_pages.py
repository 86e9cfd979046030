"""A page the catalogue cannot show is a friendly 404 or 503, never a 500."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from store.catalogue.middleware import CatalogueErrorMiddleware
from store.catalogue.selectors import CatalogueNotFound, CatalogueUnavailable

pytestmark = pytest.mark.django_db


def respond_through_middleware(exception: Exception | None):
    request = RequestFactory().get("/releases/1/")
    request.country = "GB"
    request.session = {}
    middleware = CatalogueErrorMiddleware(lambda r: HttpResponse("ok"))
    if exception is None:
        return middleware(request)
    return middleware.process_exception(request, exception)


def test_a_missing_item_renders_the_friendly_404():
    response = respond_through_middleware(CatalogueNotFound("2001"))
    assert response.status_code == 404
    assert b"We couldn&rsquo;t find that" in response.content
    assert b'<header class="site-header"' in response.content


def test_an_unavailable_catalogue_renders_the_friendly_503_with_retry_after():
    response = respond_through_middleware(CatalogueUnavailable("down"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"temporarily unavailable" in response.content


def test_other_exceptions_are_left_alone():
    assert respond_through_middleware(ValueError("bug")) is None
    assert respond_through_middleware(None).content == b"ok"
