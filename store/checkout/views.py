"""Checkout, and the customer's orders. The rules are in services.py."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from store.basket import selectors as baskets
from store.catalogue.country import visitor_country
from store.catalogue.money import format_price, locale_for

from . import services
from .forms import PaymentForm
from .gateways import PaymentDeclined, PaymentError, RedirectRequired, gateway_get
from .models import Order

logger = logging.getLogger(__name__)


def _changes_told(
    request: HttpRequest, changes: list[services.PriceChange], *, review: bool = True
) -> None:
    locale = locale_for(visitor_country(request))
    for change in changes:
        if change.new is None:
            messages.warning(
                request, f"“{change.title}” was removed from your basket. {change.reason}"
            )
        else:
            old = format_price(change.old, change.currency, locale)
            new = format_price(change.new, change.currency, locale)
            messages.warning(request, f"The price of “{change.title}” changed from {old} to {new}.")
    if review:
        messages.info(request, "Please check your basket before paying.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    country = visitor_country(request)
    basket = baskets.basket_get(request)
    try:
        changes = services.checkout_preconditions(user=request.user, basket=basket, country=country)
    except services.CheckoutNotPossible as exc:
        _changes_told(request, exc.changes, review=False)
        messages.error(request, str(exc))
        return redirect("basket:basket")
    if changes:
        _changes_told(request, changes)
        return redirect("basket:basket")

    form = PaymentForm(request.POST or None, country=country)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(
                user=request.user,
                basket=basket,
                country=country,
                post_code=form.cleaned_data.get("post_code", ""),
            )
        except services.CheckoutNotPossible as exc:
            messages.error(request, str(exc))
            return redirect("basket:basket")
        try:
            order = services.order_pay(order=order, payment=form.cleaned_data)
        except RedirectRequired as redirect_to:
            return redirect(redirect_to.url)
        except PaymentDeclined as exc:
            error = f"{exc} Nothing was charged, and your basket is as it was."
        except PaymentError:
            error = (
                "The payment could not be taken because of a problem on our side. "
                "Nothing was charged, and your basket is as it was. Please try again."
            )
        else:
            messages.success(request, f"Thank you: order {order.number} is paid.")
            return redirect(order)
        basket = baskets.basket_get(request)

    lines = list(basket.lines.all()) if basket else []
    return render(
        request,
        "checkout/checkout.html",
        {
            "form": form,
            "lines": lines,
            "totals": baskets.basket_totals(basket),
            "error": error,
            "gateway": _gateway_or_none(),
        },
    )


def _gateway_or_none():
    try:
        return gateway_get()
    except PaymentError:
        logger.exception("The configured payment gateway is not available")
        return None


@login_required
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.filter(user=request.user).prefetch_related("lines")
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render(request, "checkout/orders.html", {"page": page})


@login_required
@require_safe
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    # Another customer's order number is simply not found.
    order = get_object_or_404(Order, number=number, user=request.user)
    return render(request, "checkout/order.html", {"order": order, "lines": order.lines.all()})
