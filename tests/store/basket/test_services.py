"""The basket's services on their own: what goes in at what price, what comes out, and
what a customer finds after signing in with an anonymous basket."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from accounts.models import User
from store.basket import services
from store.basket.models import PREMIUM_PACKAGE, STANDARD_PACKAGE, Basket, BasketLine

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046  # GB: 2.49, premium 3.99
ENEMA_OF_THE_STATE = 20
NO_SURPRISES_TRACK = 9525  # 0.99
ISLAND_STOMP = 3153161  # not sold separately


def _customer(email: str = "listener@example.com") -> User:
    return User.objects.create_user(email=email, password="a long passphrase 7", country="GB")


def _add(basket: Basket, **item) -> BasketLine:
    return services.basket_item_add(basket=basket, country="GB", **item)


def _contents(basket: Basket) -> list[tuple[int, int | None, int, Decimal]]:
    return [
        (line.release_id, line.track_id, line.package_id, line.price)
        # A release's own line first on every database (PostgreSQL sorts NULL last).
        for line in basket.lines.order_by("release_id", F("track_id").asc(nulls_first=True))
    ]


# -- adding ----------------------------------------------------------------------------------


def test_a_release_goes_in_at_its_price_in_the_customers_country(sandbox):
    basket = Basket.objects.create()

    line = _add(basket, release_id=NO_SURPRISES)

    assert (line.title, line.price, line.currency) == ("No Surprises", Decimal("2.49"), "GBP")
    assert _contents(basket) == [(NO_SURPRISES, None, STANDARD_PACKAGE, Decimal("2.49"))]


def test_choosing_the_other_package_replaces_the_line_rather_than_adding_one(sandbox):
    basket = Basket.objects.create()
    _add(basket, release_id=NO_SURPRISES)

    _add(basket, release_id=NO_SURPRISES, package_id=PREMIUM_PACKAGE)

    assert _contents(basket) == [(NO_SURPRISES, None, PREMIUM_PACKAGE, Decimal("3.99"))]


def test_adding_the_same_release_twice_keeps_one_line(sandbox):
    basket = Basket.objects.create()

    _add(basket, release_id=NO_SURPRISES)
    _add(basket, release_id=NO_SURPRISES)

    assert basket.lines.count() == 1


def test_a_track_goes_in_on_its_own_under_its_release(sandbox):
    basket = Basket.objects.create()

    line = _add(basket, track_id=NO_SURPRISES_TRACK)

    assert line.is_track and line.track_id == NO_SURPRISES_TRACK and line.release_id
    assert line.price == Decimal("0.99")


def test_a_track_not_sold_separately_is_refused_and_the_basket_stays_empty(sandbox):
    basket = Basket.objects.create()

    with pytest.raises(services.BasketItemUnavailable, match="only with its release"):
        _add(basket, track_id=ISLAND_STOMP)

    assert not basket.lines.exists()


def test_an_item_unknown_to_the_catalogue_is_refused(sandbox):
    basket = Basket.objects.create()

    with pytest.raises(services.BasketItemUnavailable, match="not available"):
        _add(basket, release_id=999_999_999)

    assert not basket.lines.exists()


def test_a_basket_being_paid_for_takes_nothing_more(sandbox):
    basket = Basket.objects.create(status=Basket.Status.FROZEN)

    with pytest.raises(services.BasketItemUnavailable, match="being paid for"):
        _add(basket, release_id=NO_SURPRISES)

    assert not basket.lines.exists()


# -- removing --------------------------------------------------------------------------------


def test_removing_a_line_takes_it_out_and_leaves_the_others(sandbox):
    basket = Basket.objects.create()
    kept = _add(basket, release_id=ENEMA_OF_THE_STATE)
    removed = _add(basket, release_id=NO_SURPRISES)

    assert services.basket_line_remove(basket=basket, line_id=removed.pk) is True

    assert list(basket.lines.values_list("pk", flat=True)) == [kept.pk]


def test_removing_a_line_that_is_not_there_says_so_and_changes_nothing(sandbox):
    basket = Basket.objects.create()
    line = _add(basket, release_id=NO_SURPRISES)
    services.basket_line_remove(basket=basket, line_id=line.pk)

    assert services.basket_line_remove(basket=basket, line_id=line.pk) is False
    assert services.basket_line_remove(basket=basket, line_id=999_999) is False
    assert not basket.lines.exists()


def test_a_line_of_another_basket_is_not_removed(sandbox):
    mine, theirs = Basket.objects.create(), Basket.objects.create()
    their_line = _add(theirs, release_id=NO_SURPRISES)

    assert services.basket_line_remove(basket=mine, line_id=their_line.pk) is False

    assert list(theirs.lines.all()) == [their_line]


def test_a_basket_being_paid_for_keeps_its_lines(sandbox):
    basket = Basket.objects.create()
    line = _add(basket, release_id=NO_SURPRISES)
    Basket.objects.filter(pk=basket.pk).update(status=Basket.Status.FROZEN)
    basket.refresh_from_db()

    assert services.basket_line_remove(basket=basket, line_id=line.pk) is False

    assert list(basket.lines.all()) == [line]


# -- merging on sign-in ----------------------------------------------------------------------


def test_signing_in_brings_the_anonymous_baskets_lines_into_a_new_basket(sandbox):
    customer = _customer()
    anonymous = Basket.objects.create()
    _add(anonymous, release_id=NO_SURPRISES)
    _add(anonymous, track_id=NO_SURPRISES_TRACK)

    merged = services.basket_merge(source_id=anonymous.pk, user=customer)

    assert merged.owner == customer and merged.is_open
    assert _contents(merged) == [
        (NO_SURPRISES, None, STANDARD_PACKAGE, Decimal("2.49")),
        (NO_SURPRISES, NO_SURPRISES_TRACK, STANDARD_PACKAGE, Decimal("0.99")),
    ]
    anonymous.refresh_from_db()
    assert anonymous.status == Basket.Status.MERGED and not anonymous.lines.exists()


def test_signing_in_adds_the_anonymous_lines_to_the_customers_open_basket(sandbox):
    customer = _customer()
    own = services.basket_for_user(user=customer)
    _add(own, release_id=ENEMA_OF_THE_STATE)
    anonymous = Basket.objects.create()
    _add(anonymous, release_id=NO_SURPRISES)

    merged = services.basket_merge(source_id=anonymous.pk, user=customer)

    assert merged.pk == own.pk
    assert [line.release_id for line in merged.lines.order_by("release_id")] == [
        ENEMA_OF_THE_STATE,
        NO_SURPRISES,
    ]
    assert Basket.objects.filter(owner=customer, status=Basket.Status.OPEN).count() == 1


def test_an_item_in_both_baskets_keeps_what_the_customer_chose_when_signed_in(sandbox):
    customer = _customer()
    own = services.basket_for_user(user=customer)
    _add(own, release_id=NO_SURPRISES, package_id=PREMIUM_PACKAGE)
    anonymous = Basket.objects.create()
    _add(anonymous, release_id=NO_SURPRISES)  # the standard package, chosen before
    _add(anonymous, release_id=ENEMA_OF_THE_STATE)

    merged = services.basket_merge(source_id=anonymous.pk, user=customer)

    lines = {line.release_id: line for line in merged.lines.all()}
    assert set(lines) == {NO_SURPRISES, ENEMA_OF_THE_STATE}
    assert (lines[NO_SURPRISES].package_id, lines[NO_SURPRISES].price) == (
        PREMIUM_PACKAGE,
        Decimal("3.99"),
    )


def test_a_basket_that_belongs_to_someone_is_not_merged(sandbox):
    owner, other = _customer("owner@example.com"), _customer("other@example.com")
    owned = services.basket_for_user(user=owner)
    _add(owned, release_id=NO_SURPRISES)

    assert services.basket_merge(source_id=owned.pk, user=other) is None

    assert owned.lines.count() == 1
    assert not Basket.objects.filter(owner=other).exists()


def test_a_basket_merged_already_or_unknown_is_not_merged_again(sandbox):
    customer = _customer()
    anonymous = Basket.objects.create()
    _add(anonymous, release_id=NO_SURPRISES)
    services.basket_merge(source_id=anonymous.pk, user=customer)

    assert services.basket_merge(source_id=anonymous.pk, user=customer) is None
    assert services.basket_merge(source_id=999_999, user=customer) is None

    assert Basket.objects.get(owner=customer, status=Basket.Status.OPEN).lines.count() == 1


def test_an_empty_anonymous_basket_leaves_the_customers_basket_as_it_was(sandbox):
    customer = _customer()
    own = services.basket_for_user(user=customer)
    _add(own, release_id=NO_SURPRISES)
    anonymous = Basket.objects.create()

    merged = services.basket_merge(source_id=anonymous.pk, user=customer)

    assert merged.pk == own.pk and merged.lines.count() == 1
