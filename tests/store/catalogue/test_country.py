"""The visitor picks a country; the site remembers it and prices follow it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from integrations.country import (
    COOKIE_MAX_AGE,
    COOKIE_NAME,
    SESSION_KEY,
    SUPPORTED_COUNTRIES,
    country_for,
)
from store.catalogue.context_processors import catalogue

pytestmark = pytest.mark.django_db

COUNTRY_URL = "/country/"


def test_the_supported_countries_have_their_english_names():
    assert SUPPORTED_COUNTRIES == {
        "GB": "United Kingdom",
        "US": "United States",
        "DE": "Germany",
        "FR": "France",
        "IE": "Ireland",
        "CA": "Canada",
    }


def test_the_country_switch_lives_at_country():
    assert reverse("catalogue:country") == COUNTRY_URL


# -- which country a request is for -------------------------------------------------


def _request(session=None, cookie=None):
    request = RequestFactory().get("/")
    request.session = session or {}
    if cookie:
        request.COOKIES[COOKIE_NAME] = cookie
    return request


def test_a_new_visitor_gets_the_shop_country(settings):
    settings.SEVENDIGITAL_COUNTRY = "US"
    assert country_for(_request()) == "US"


def test_the_cookie_brings_back_an_earlier_choice():
    assert country_for(_request(cookie="DE")) == "DE"


def test_the_session_wins_over_the_cookie():
    assert country_for(_request(session={SESSION_KEY: "FR"}, cookie="DE")) == "FR"


def test_an_unsupported_country_in_a_cookie_is_ignored(settings):
    settings.SEVENDIGITAL_COUNTRY = "GB"
    assert country_for(_request(cookie="XX")) == "GB"


def test_every_request_knows_its_country(client):
    client.cookies[COOKIE_NAME] = "IE"
    response = client.get(reverse("catalogue:home"))
    assert response.wsgi_request.country == "IE"


def test_templates_get_the_country_and_the_choices(client):
    client.post(COUNTRY_URL, {"country": "DE"})
    response = client.get(reverse("catalogue:home"))
    assert response.context["country"] == "DE"
    assert ("DE", "Germany") in response.context["countries"]
    assert response.context["catalogue_stale"] is False


def test_the_context_processor_works_without_the_middleware(settings):
    settings.SEVENDIGITAL_COUNTRY = "CA"
    context = catalogue(_request())
    assert context["country"] == "CA"
    assert len(context["countries"]) == len(SUPPORTED_COUNTRIES)


# -- switching ------------------------------------------------------------------------


def test_switching_remembers_the_country_in_a_cookie_and_starts_no_session(client):
    response = client.post(COUNTRY_URL, {"country": "US", "next": "/?page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/?page=2"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "US"
    assert cookie["max-age"] == COOKIE_MAX_AGE
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert not cookie["secure"]


def test_the_cookie_is_secure_where_the_session_cookie_is(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = client.post(COUNTRY_URL, {"country": "US"})
    assert response.cookies[COOKIE_NAME]["secure"]


def test_a_visitor_with_a_session_has_the_country_kept_in_it_too(client):
    session = client.session
    session["basket_id"] = 1  # a session of their own, as a basket makes
    session.save()

    client.post(COUNTRY_URL, {"country": "US"})

    assert client.session[SESSION_KEY] == "US"


def test_a_lower_case_code_is_accepted(client):
    response = client.post(COUNTRY_URL, {"country": "fr"})
    assert response.cookies[COOKIE_NAME].value == "FR"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""],
)
def test_switching_never_redirects_off_the_site(client, next_url):
    response = client.post(COUNTRY_URL, {"country": "DE", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:home")


def test_an_unknown_country_is_refused_with_a_clear_message(client):
    response = client.post(COUNTRY_URL, {"country": "XX"})

    assert response.status_code == 400
    assert response.content.decode() == "Unknown country: choose one of GB, US, DE, FR, IE, CA."
    assert SESSION_KEY not in client.session
    assert COOKIE_NAME not in response.cookies


def test_switching_needs_a_post(client):
    assert client.get(COUNTRY_URL, {"country": "DE"}).status_code == 405


def test_switching_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(COUNTRY_URL, {"country": "DE"}).status_code == 403


def test_switching_with_the_csrf_token_works():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("catalogue:home"))
    token = client.cookies["csrftoken"].value
    response = client.post(COUNTRY_URL, {"country": "DE", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response.cookies[COOKIE_NAME].value == "DE"


def test_a_region_posting_a_switch_reloads_the_page_in_the_new_prices(client):
    # A targeted htmx request: nothing in the layout posts one any more (the header's
    # form is boosted, below), but a region that did would get the page reloaded.
    response = client.post(COUNTRY_URL, {"country": "DE"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert response.cookies[COOKIE_NAME].value == "DE"


def test_the_boosted_header_form_goes_back_to_the_page_in_place(client):
    # The header's form, boosted: htmx follows the redirect and swaps the page in the
    # new prices, keeping the player playing; a reload (HX-Refresh) would stop it.
    response = client.post(
        COUNTRY_URL,
        {"country": "DE", "next": "/releases/1046/"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/releases/1046/"
    assert "HX-Refresh" not in response
    assert response.cookies[COOKIE_NAME].value == "DE"
