"""The visitor's country: prices, currency and availability all follow it.

It is remembered in a long-lived cookie, and also in the session when the visitor
already has one (a customer signed in, a basket): choosing a country never starts a
session, so a visitor's pages can still be served from the pages stored for their
country. Signing in puts the account's country in the
session (accounts/adapters.py), which then wins over the cookie. Until the visitor
picks one, ``SEVENDIGITAL_COUNTRY`` applies.
"""

from __future__ import annotations

from babel import Locale
from django.conf import settings
from django.http import HttpRequest, HttpResponse

_NAMES = Locale("en").territories
SUPPORTED_COUNTRIES: dict[str, str] = {
    code: _NAMES[code] for code in ("GB", "US", "DE", "FR", "IE", "CA")
}

SESSION_KEY = "country"
COOKIE_NAME = "country"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def country_for(request: HttpRequest) -> str:
    """The visitor's country: from the session, else the cookie, else the settings."""
    session = getattr(request, "session", {})
    for choice in (session.get(SESSION_KEY), request.COOKIES.get(COOKIE_NAME)):
        if choice in SUPPORTED_COUNTRIES:
            return choice
    return settings.SEVENDIGITAL_COUNTRY


def visitor_country(request: HttpRequest) -> str:
    """The visitor's country code, once ``CountryMiddleware`` (store.catalogue.middleware)
    sets it; the shop's until then."""
    country = getattr(request, "country", None) or settings.SEVENDIGITAL_COUNTRY
    return str(getattr(country, "code", country)).upper()


def country_remember(request: HttpRequest, response: HttpResponse, country: str) -> None:
    """Keep ``country`` for this visitor, in a cookie, and in their session if they
    have one."""
    if request.session.session_key is not None:
        request.session[SESSION_KEY] = country
    response.set_cookie(
        COOKIE_NAME,
        country,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
