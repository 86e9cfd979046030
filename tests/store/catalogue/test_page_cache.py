"""Whole catalogue pages stored for visitors (store/catalogue/page_cache.py): a stored page
never shows one visitor's basket, country, account or CSRF token to another, forms on it
work, and it expires in CATALOGUE_PAGE_SECONDS, so a price change reaches visitors."""

from __future__ import annotations

import gzip
import json
import re
import zlib
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from sandbox.models import PriceTier
from sandbox.models import Track as SandboxTrack
from store.catalogue import page_cache
from tests.store.conftest import make_customer

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

RELEASE = "/releases/1046/"
TRACK = 9525  # "No Surprises"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip"}
ANY_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]+"')


@pytest.fixture(autouse=True)
def stored_pages(settings, sandbox_for_store, catalogue_cache):
    """Pages stored for two minutes, in the catalogue tests' private cache."""
    settings.CATALOGUE_PAGE_SECONDS = 120


def _visitor(**cookies) -> Client:
    client = Client()
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def _text(response) -> str:
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content).decode()
    return response.content.decode()


def _untokened(response) -> str:
    return ANY_TOKEN.sub(r"\1", _text(response))


def _price_up() -> None:
    """7digital's price of "No Surprises" (its own tier) becomes 1.79."""
    tier = PriceTier.objects.create(code="bench-179", gbp=Decimal("1.79"), eur=Decimal("1.99"))
    SandboxTrack.objects.filter(pk=TRACK).update(standard_tier=tier)


def _price_of_no_surprises(page: str) -> str:
    row = re.search(rf'data-preview-track="{TRACK}".*?class="price">([^<]+)<', page, re.S)
    return row.group(1)


def test_a_visitor_is_served_the_page_another_visitor_had_rendered(client):
    first = _visitor().get(RELEASE)
    second = _visitor().get(RELEASE)

    assert first.status_code == second.status_code == 200
    assert getattr(second, "page_cache_hit", False)
    assert _untokened(first) == _untokened(second)
    assert "No Surprises" in _text(second)


def test_every_visitor_gets_a_token_of_their_own_that_the_shop_accepts():
    visitor = Client(enforce_csrf_checks=True)
    _visitor().get(RELEASE)  # stored by someone else

    page = visitor.get(RELEASE)
    token = TOKEN.search(_text(page)).group(1)
    other = TOKEN.search(_text(_visitor().get(RELEASE))).group(1)

    assert page_cache.hole() not in _text(page)
    assert token != other
    assert f'"x-csrftoken": "{token}"' in _text(page)  # htmx's header has it too
    changed = visitor.post(
        "/country/", {"country": "DE", "next": RELEASE, "csrfmiddlewaretoken": token}
    )
    assert changed.status_code == 302  # accepted: not 403


def test_a_returning_visitor_gets_a_fresh_token_of_their_own_secret_that_the_shop_accepts():
    from django.conf import settings
    from django.middleware.csrf import _unmask_cipher_token

    visitor = Client(enforce_csrf_checks=True)
    visitor.get(RELEASE)  # stored; the visitor now has a CSRF cookie
    secret = visitor.cookies["csrftoken"].value

    pages = [visitor.get(RELEASE, **GZIP) for _ in range(2)]
    tokens = [TOKEN.search(_text(page)).group(1) for page in pages]

    assert all(getattr(page, "page_cache_hit", False) for page in pages)
    assert tokens[0] != tokens[1]
    assert [_unmask_cipher_token(token) for token in tokens] == [secret, secret]
    # The cookie is renewed, as Django renews it on every page with a form.
    assert pages[1].cookies["csrftoken"]["max-age"] == settings.CSRF_COOKIE_AGE
    # Not compressed with the page (BREACH): the token's own bytes are in the body.
    assert tokens[1].encode() in pages[1].content
    changed = visitor.post(
        "/country/", {"country": "DE", "next": RELEASE, "csrfmiddlewaretoken": tokens[1]}
    )
    assert changed.status_code == 302  # accepted: not 403


def test_every_character_of_a_tokens_mask_is_as_likely_as_the_next(rf):
    from collections import Counter

    from django.middleware.csrf import (
        CSRF_ALLOWED_CHARS,
        _get_new_csrf_string,
        _unmask_cipher_token,
    )

    request = rf.get(RELEASE)
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    tokens = [page_cache.csrf_token(request) for _ in range(10_000)]
    masks = Counter("".join(token[:32] for token in tokens))

    assert all(_unmask_cipher_token(token) == secret for token in tokens)
    expected = 10_000 * 32 / len(CSRF_ALLOWED_CHARS)  # 5,161 each; sigma about 71
    # Within 12% (8.7 sigma: no chance failure): a mask taken modulo 62 without drawing
    # again would make the first eight characters 21% likelier than the rest.
    assert set(masks) == set(CSRF_ALLOWED_CHARS)
    assert all(abs(count - expected) < expected * 0.12 for count in masks.values()), masks


def test_a_visitor_without_a_csrf_secret_yet_is_given_one(rf):
    request = rf.get(RELEASE)

    token = page_cache.csrf_token(request)

    assert len(token) == 64 and request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    assert len(request.META["CSRF_COOKIE"]) == 32


def test_a_filling_longer_than_one_stored_block_joins_the_compressed_page():
    filling = bytes(range(256)) * 300  # 76,800 bytes: two of deflate's stored blocks

    joined = (
        page_cache._deflated(b"<p>before</p>")
        + page_cache._stored_blocks(filling)
        + page_cache._deflated(b"<p>after</p>")
        + page_cache._END
    )

    assert zlib.decompress(joined, -zlib.MAX_WBITS) == b"<p>before</p>" + filling + b"<p>after</p>"


def test_visitors_of_another_country_get_their_own_page():
    _visitor().get(RELEASE)

    german = _text(_visitor(country="DE").get(RELEASE))
    british = _text(_visitor().get(RELEASE))

    assert "€" in german and "£" not in german
    assert "£" in british and "€" not in british


def test_a_visitors_basket_never_shows_on_another_visitors_page(client):
    shopper = Client()
    shopper.get(RELEASE)
    shopper.post("/basket/add/", {"release": 1046, "package": 2, "next": RELEASE})

    shopper.get(RELEASE)  # the message about it shown
    theirs = shopper.get(RELEASE)
    someone_else = _text(_visitor().get(RELEASE))

    assert getattr(theirs, "page_cache_hit", False)  # the page is everyone's, the count theirs
    assert 'class="basket-count">(1' in _text(theirs)
    assert "basket-count" not in someone_else


def test_a_customers_account_never_shows_to_visitors_nor_a_visitors_page_to_them():
    customer = Client()
    customer.force_login(make_customer("listener@example.com"))
    _visitor().get(RELEASE)  # a visitor's page is stored

    theirs = _text(customer.get(RELEASE))
    customer.get("/")  # a signed-in customer's home page is stored...
    visitors = _text(_visitor().get("/"))  # ...apart from visitors'

    assert "Account" in theirs and "Sign in" not in theirs.split("<main", 1)[0]
    assert "Sign in" in visitors.split("<main", 1)[0] and "Account" not in visitors


def test_a_stored_page_is_rendered_again_once_its_time_is_up(cache_clock, settings):
    _visitor().get(RELEASE)
    cache_clock.advance(settings.CATALOGUE_PAGE_SECONDS - 5)
    assert getattr(_visitor().get(RELEASE), "page_cache_hit", False)

    cache_clock.advance(10)
    again = _visitor().get(RELEASE)

    assert not getattr(again, "page_cache_hit", False)
    assert again.templates  # rendered, not served from the store


def test_a_process_serves_its_own_copy_of_a_stored_page_without_asking_the_shared_cache(
    monkeypatch,
):
    _visitor().get(RELEASE)  # stored, in the shared cache and in this process
    reads = []

    class Counted:  # the shared cache, its reads counted
        def __getattr__(self, name):
            return getattr(cache, name)

        def get(self, key, *args, **kwargs):
            reads.append(key)
            return cache.get(key, *args, **kwargs)

    monkeypatch.setattr(page_cache, "cache", Counted())

    served = _visitor().get(RELEASE)
    customer = _signed_in("kept@example.com")
    customer.get(RELEASE)  # the first signed-in page: not stored yet
    again = customer.get(RELEASE)
    _visitor().get("/tracks/9525/")  # a visitor's first track page: not stored yet

    assert getattr(served, "page_cache_hit", False)
    assert getattr(again, "page_cache_hit", False)
    # One read for each page not stored yet (not one per middleware), none for the rest.
    assert len([key for key in reads if key.startswith("page:")]) == 2


def test_another_process_serves_the_stored_page_from_the_shared_cache():
    _visitor().get(RELEASE)
    page_cache.forget_kept_pages()  # as a process that has not served it yet

    response = _visitor().get(RELEASE)

    assert getattr(response, "page_cache_hit", False)


def test_a_page_whose_time_is_up_is_not_served_though_the_shared_cache_still_holds_it():
    import dataclasses
    import time

    _visitor().get(RELEASE)
    (key,) = [key.split(":", 2)[2] for key in cache._cache if ":page:" in key]  # locmem's
    stored = cache.get(key)
    # Stored by a host whose clock runs ahead, say: its time is up by this host's clock.
    cache.set(key, dataclasses.replace(stored, expires=time.time() - 1), 60)
    page_cache.forget_kept_pages()  # as a process that has not served it yet

    response = _visitor().get(RELEASE)

    assert not getattr(response, "page_cache_hit", False)
    assert response.templates  # rendered again


def test_a_price_change_reaches_visitors_once_7digitals_max_age_has_passed(cache_clock):
    from sandbox.handlers.catalogue import CATALOGUE_MAX_AGE

    assert _price_of_no_surprises(_text(_visitor().get(RELEASE))) == "£0.99"
    _price_up()
    # 7digital said its answer may be reused for a while: the stored page still shows it.
    assert _price_of_no_surprises(_text(_visitor().get(RELEASE))) == "£0.99"

    cache_clock.advance(CATALOGUE_MAX_AGE + 1)
    page = _text(_visitor().get(RELEASE))

    assert _price_of_no_surprises(page) == "£1.79"


def test_a_page_and_its_htmx_partial_are_stored_apart():
    whole = _text(_visitor().get(RELEASE))
    partial = _text(_visitor().get(RELEASE, HTTP_HX_REQUEST="true"))
    boosted = _text(_visitor().get(RELEASE, HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"))

    assert "<html" in whole and "<html" in boosted
    assert "<html" not in partial and partial.lstrip().startswith('<section id="release-tracks"')


def test_a_stored_page_sent_compressed_is_the_same_page():
    plain = _visitor().get(RELEASE)
    packed = _visitor().get(RELEASE, **GZIP)

    assert packed["Content-Encoding"] == "gzip"
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in packed["Vary"].split(",")}
    assert _untokened(packed) == _untokened(plain)
    assert len(packed.content) < len(plain.content) / 2
    # A stream zlib itself reads to the end: CRC and length check out.
    assert zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(packed.content)


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own():
    _visitor().get(RELEASE)

    response = _visitor(messages="anything").get(RELEASE)

    assert not getattr(response, "page_cache_hit", False)


def test_nothing_is_stored_when_pages_are_turned_off(settings):
    settings.CATALOGUE_PAGE_SECONDS = 0
    _visitor().get(RELEASE)

    assert not getattr(_visitor().get(RELEASE), "page_cache_hit", False)
    assert not [key for key in cache._cache if "page:" in key]  # locmem's own store


def test_an_error_page_rendered_for_a_visitor_has_a_real_token():
    response = _visitor().get("/releases/999999999/")

    assert response.status_code == 404
    assert page_cache.hole() not in _text(response)
    assert TOKEN.search(_text(response))


def test_a_page_served_from_stale_copies_is_not_stored(cache_clock, sandbox_for_store):
    from sandbox.handlers.catalogue import CATALOGUE_MAX_AGE

    _visitor().get(RELEASE)
    cache_clock.advance(CATALOGUE_MAX_AGE + 1)  # the stored page and every fresh copy gone
    sandbox_for_store.add_fault(kind="status", endpoint="*", status=503)

    stale = _visitor().get(RELEASE)
    again = _visitor().get(RELEASE)

    assert stale.status_code == 200 and "out of date" in _text(stale)
    assert not getattr(again, "page_cache_hit", False)


def test_made_up_query_parameters_and_targets_are_rendered_and_never_stored():
    for n in range(3):
        _visitor().get(f"{RELEASE}?utm_source={n}")
        _visitor().get(RELEASE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"made-up-{n}")

    assert not [key for key in cache._cache if "page:" in key]  # locmem's own store
    assert not getattr(_visitor().get(f"{RELEASE}?utm_source=1"), "page_cache_hit", False)


def test_the_placeholder_cannot_be_guessed_from_the_code():
    from django.test import override_settings

    with override_settings(SECRET_KEY="another-key-" + "x" * 40):
        page_cache.hole.cache_clear()
        other = page_cache.hole()
    page_cache.hole.cache_clear()

    assert other != page_cache.hole() and len(other) > 30


def _signed_in(email: str, **kwargs) -> Client:
    customer = Client(**kwargs)
    customer.force_login(make_customer(email))
    return customer


def _header(response) -> str:
    return _text(response).split("<main", 1)[0]


def test_signed_in_customers_share_a_stored_page_each_with_their_own_basket():
    shopper, browser = _signed_in("shopper@example.com"), _signed_in("browser@example.com")
    shopper.post("/basket/add/", {"release": 1046, "package": 2, "next": RELEASE})
    shopper.get(RELEASE)  # the message about it shown

    shoppers = shopper.get(RELEASE)
    browsers = browser.get(RELEASE)

    assert getattr(browsers, "page_cache_hit", False)  # the page the shopper had rendered
    assert _untokened(shoppers) != _untokened(browsers)  # the basket link differs...
    assert 'class="basket-count">(1' in _header(shoppers)
    assert "basket-count" not in _header(browsers)
    for page in (shoppers, browsers):  # ...and both are a signed-in customer's page
        assert "Account" in _header(page) and "Sign in" not in _header(page)


def test_a_signed_in_customer_gets_a_token_of_their_own_that_the_shop_accepts():
    _signed_in("first@example.com").get(RELEASE)  # stored by another customer
    customer = _signed_in("second@example.com", enforce_csrf_checks=True)

    page = customer.get(RELEASE)
    token = TOKEN.search(_text(page)).group(1)
    added = customer.post(
        "/basket/add/",
        {"release": 1046, "package": 2, "next": RELEASE, "csrfmiddlewaretoken": token},
    )

    assert getattr(page, "page_cache_hit", False)
    assert added.status_code == 302
    assert 'class="basket-count">(1' in _header(customer.get(RELEASE))


def test_a_message_waiting_in_a_customers_session_is_shown(settings):
    """Where messages are kept in the session (the default keeps them in a cookie)."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import MessageEncoder

    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    _signed_in("first@example.com").get(RELEASE)  # a signed-in page is stored
    customer = _signed_in("second@example.com")
    session = customer.session
    session["_messages"] = json.dumps([Message(constants.SUCCESS, "Saved")], cls=MessageEncoder)
    session.save()

    page = customer.get(RELEASE)

    assert not getattr(page, "page_cache_hit", False)
    assert '<li class="message message-success">Saved' in _text(page)


def test_a_customer_whose_password_changed_elsewhere_is_served_a_visitors_page():
    customer = _signed_in("listener@example.com")
    _signed_in("other@example.com").get(RELEASE)  # a signed-in page is stored
    user = User.objects.get(email="listener@example.com")
    user.set_password("a new pass phrase 2")  # on another device: old sessions end
    user.save()

    page = customer.get(RELEASE)

    assert "Sign in" in _header(page) and "Account" not in _header(page)


def _headers(response) -> dict[str, str]:
    headers = {name: value for name, value in response.items() if name != "Date"}
    headers["Set-Cookie"] = sorted(response.cookies)  # the names: the values are each visitor's
    return headers


def test_a_visitors_stored_page_served_early_has_the_headers_of_one_served_by_every_middleware(
    settings,
):
    _visitor().get(RELEASE)  # stored
    early = _visitor().get(RELEASE)
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("VisitorPagesMiddleware")
    ]
    late = _visitor().get(RELEASE)

    assert getattr(early, "page_cache_hit", False) and getattr(late, "page_cache_hit", False)
    assert "X-Frame-Options" in early and "csrftoken" in early.cookies
    assert _headers(early) == _headers(late)
    assert _untokened(early) == _untokened(late)


def test_a_stored_page_is_never_served_for_a_host_the_shop_does_not_serve(settings):
    _visitor().get(RELEASE)  # stored

    response = _visitor().get(RELEASE, HTTP_HOST="shop.attacker.example")

    assert response.status_code == 400
    assert "No Surprises" not in _text(response)
