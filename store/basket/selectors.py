"""Which basket a request means, and what is in it."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest

from .models import Basket

SESSION_KEY = "basket_id"


def basket_get(request: HttpRequest) -> Basket | None:
    """The visitor's open basket, or None if they have not started one."""
    if request.user.is_authenticated:
        return Basket.objects.filter(owner=request.user, status=Basket.Status.OPEN).first()
    basket_id = request.session.get(SESSION_KEY)
    if basket_id is None:
        return None
    return Basket.objects.filter(
        pk=basket_id, owner__isnull=True, status=Basket.Status.OPEN
    ).first()


def basket_get_or_create(request: HttpRequest) -> Basket:
    from .services import basket_for_user

    if request.user.is_authenticated:
        return basket_for_user(user=request.user)
    basket = basket_get(request)
    if basket is None:
        basket = Basket.objects.create()
        request.session[SESSION_KEY] = basket.pk
    return basket


def basket_count(request: HttpRequest) -> int:
    """Lines in the visitor's basket; no query for a visitor who never started one.

    Error pages may render for a request that never reached the auth middleware.
    """
    user, session = getattr(request, "user", None), getattr(request, "session", None)
    if user is None or session is None:
        return 0
    if not user.is_authenticated and SESSION_KEY not in session:
        return 0
    basket = basket_get(request)
    return basket.lines.count() if basket else 0


def basket_totals(basket: Basket | None) -> dict[str, Decimal]:
    """The total per currency (one currency, unless the customer changed country)."""
    totals: dict[str, Decimal] = {}
    if basket is None:
        return totals
    for line in basket.lines.all():
        totals[line.currency] = totals.get(line.currency, Decimal("0")) + line.price
    return totals
