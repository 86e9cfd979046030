"""Checkout, and the customer's orders. The rules are in services/."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from integrations.country import visitor_country
from integrations.htmx import HtmxHttpRequest, render_page, vary_on_htmx, wants_partial
from integrations.money import format_price, locale_for
from store.basket import selectors as baskets

from . import selectors, services
from .forms import PaymentForm
from .gateways import (
    PaymentDeclined,
    PaymentError,
    RedirectRequired,
    WebhookInvalid,
    WebhookNotConfigured,
)
from .models import Order

logger = logging.getLogger(__name__)

IN_PROGRESS = {Order.Status.PENDING_PAYMENT, Order.Status.PAID, Order.Status.DELIVERING}
POLL_FOR = timedelta(minutes=30)  # then the customer refreshes by hand


def _changes_told(
    request: HtmxHttpRequest, changes: list[services.PriceChange], *, review: bool = True
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
def checkout(request: HtmxHttpRequest) -> HttpResponse:
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

    gateway = selectors.payment_gateway_get()
    form = PaymentForm(
        request.POST if request.method == "POST" else None,
        country=country,
        card=bool(gateway and gateway.collects_card),
    )
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
    return render_page(
        request,
        "checkout/checkout.html",
        {
            "form": form,
            "lines": lines,
            "totals": baskets.basket_totals(basket),
            "error": error,
            "gateway": gateway,
        },
    )


@login_required
@require_safe
def order_list(request: HtmxHttpRequest) -> HttpResponse:
    orders = selectors.orders_of(user=request.user).prefetch_related("lines")
    page = Paginator(orders, 20).get_page(request.GET.get("page"))
    return render_page(request, "checkout/orders.html", {"page": page})


@login_required
@require_safe
def order_detail(request: HtmxHttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(selectors.orders_of(user=request.user), number=number)
    lines = list(order.lines.all())
    # While the payment is confirmed or the sales credited, htmx asks again every two
    # seconds, saying what it shows: nothing new is 204 (htmx leaves the page alone), a
    # change is the new progress, which stops asking once the order is settled (or after
    # POLL_FOR: the answer is then the progress without the trigger, never a 204).
    # Without JavaScript the page says "Refresh".
    progress = f"{order.status}.{''.join(line.status[0] for line in lines)}"
    polling = order.status in IN_PROGRESS and timezone.now() - order.created_at < POLL_FOR
    if wants_partial(request) and polling and request.GET.get("shown") == progress:
        return vary_on_htmx(HttpResponse(status=204))
    context = {"order": order, "lines": lines, "polling": polling, "progress": progress}
    return render_page(request, "checkout/order.html", context, partial="progress")


# -- Stripe Checkout: the customer's way back, and Stripe's webhook --------------------------


STRIPE = "stripe"  # the gateway these addresses are Stripe's for


def _stripe_order(request: HtmxHttpRequest, number: str) -> Order:
    return get_object_or_404(selectors.orders_of(user=request.user, gateway=STRIPE), number=number)


@login_required
@require_safe
def stripe_return(request: HtmxHttpRequest, number: str) -> HttpResponse:
    """Stripe's success_url. Ask Stripe at once rather than wait for the webhook."""
    order = services.order_payment_confirm(order=_stripe_order(request, number))
    if order.is_paid:
        messages.success(request, f"Thank you: order {order.number} is paid.")
    return redirect(order)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stripe_cancel(request: HtmxHttpRequest, number: str) -> HttpResponse:
    """Stripe's cancel_url: the customer left Stripe's page without paying. They may go
    back to it, or cancel (a POST, so that no other site can cancel for them)."""
    order = _stripe_order(request, number)
    if request.method == "POST":
        try:
            order = services.order_payment_cancel(order=order)
        except PaymentError:
            logger.exception("Stripe is not configured; order %s left as it was", number)
            messages.error(request, "The payment could not be cancelled just now; try again.")
            return redirect(order)
    if order.is_paid:
        messages.success(request, f"Your payment had already gone through: order {number} is paid.")
        return redirect(order)
    if order.status == Order.Status.PAYMENT_FAILED:
        messages.info(request, "Payment cancelled. Nothing was charged; your basket is as it was.")
        return redirect("basket:basket")
    if request.method == "POST" or order.status != Order.Status.PENDING_PAYMENT:
        return redirect(order)  # e.g. a bank payment already on its way
    return render_page(
        request,
        "checkout/stripe_cancel.html",
        {"order": order, "payment_url": services.order_payment_url(order=order)},
    )


@csrf_exempt  # Stripe cannot send our CSRF token; the signature proves who sent it
@require_POST
def stripe_webhook(request: HtmxHttpRequest) -> HttpResponse:
    try:
        services.order_payment_event_handle(
            gateway=STRIPE, body=request.body, headers=request.headers
        )
    except WebhookNotConfigured as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain")
    except WebhookInvalid as exc:
        return HttpResponseBadRequest(str(exc))
    return HttpResponse("OK")
