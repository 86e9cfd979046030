"""What the header's basket link counts (store/basket/selectors.basket_count): the lines
of the visitor's own open basket, and nobody else's."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from accounts.models import User
from store.basket import services
from store.basket.models import Basket
from store.basket.selectors import SESSION_KEY, basket_count

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
NO_SURPRISES_TRACK = 9525


def _request(user=None, basket_id: int | None = None):
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    if basket_id is not None:
        request.session[SESSION_KEY] = basket_id
    return request


def _filled(basket: Basket) -> Basket:
    services.basket_item_add(basket=basket, country="GB", release_id=NO_SURPRISES)
    services.basket_item_add(basket=basket, country="GB", track_id=NO_SURPRISES_TRACK)
    return basket


def _customer(email: str) -> User:
    return User.objects.create_user(email=email, password="a long passphrase 7", country="GB")


def test_a_customer_counts_the_lines_of_their_open_basket_only(sandbox):
    customer = _customer("listener@example.com")
    paid = _filled(Basket.objects.create(owner=customer))
    paid.status = Basket.Status.SUBMITTED
    paid.save()
    services.basket_item_add(
        basket=services.basket_for_user(user=customer), country="GB", release_id=NO_SURPRISES
    )
    _filled(services.basket_for_user(user=_customer("other@example.com")))

    assert basket_count(_request(customer)) == 1


def test_a_visitor_counts_their_basket_and_never_a_customers(sandbox):
    theirs = _filled(Basket.objects.create())
    customers = _filled(services.basket_for_user(user=_customer("listener@example.com")))

    assert basket_count(_request(basket_id=theirs.pk)) == 2
    assert basket_count(_request(basket_id=customers.pk)) == 0
    assert basket_count(_request()) == 0


def test_a_visitors_basket_no_longer_open_counts_nothing(sandbox):
    merged = _filled(Basket.objects.create())
    merged.status = Basket.Status.MERGED
    merged.save()

    assert basket_count(_request(basket_id=merged.pk)) == 0
