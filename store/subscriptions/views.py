"""The customer's side of subscriptions: the plans, paying, and their own subscription.
The rules are in services/; a customer only ever reaches their own subscription (every
read goes through ``request.user``)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from integrations.country import visitor_country
from integrations.htmx import HtmxHttpRequest, render_page

from . import selectors, services
from .exceptions import SubscriptionNotPossible
from .gateways import (
    PaymentDeclined,
    PaymentError,
    WebhookInvalid,
    WebhookNotConfigured,
    from_minor_units,
)
from .models import Subscription, SubscriptionSync

logger = logging.getLogger(__name__)

STRIPE = "stripe"
SYNC_WORDS = {
    SubscriptionSync.State.CONFIRMED: "Confirmed: your streaming access is set up.",
    SubscriptionSync.State.FAILED: (
        "Streaming access is not set up yet: we are looking into it. "
        "Your subscription is safe and you need do nothing."
    ),
}
SYNC_PENDING = "Streaming access is being set up. This usually takes a few seconds."
SYNC_ENDED = "Streaming access has ended."


@require_safe
def subscribe(request: HtmxHttpRequest) -> HttpResponse:
    country = visitor_country(request)
    return render_page(
        request,
        "subscriptions/subscribe.html",
        {
            "offers": selectors.plans_offered(country=country),
            "subscription": (
                selectors.subscription_of(user=request.user)
                if request.user.is_authenticated
                else None
            ),
        },
    )


@require_POST
def subscribe_plan(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("subscriptions:subscribe"))
    plan = selectors.plan_on_sale(slug=slug)
    if plan is None:
        messages.error(request, "That plan is not on offer.")
        return redirect("subscriptions:subscribe")
    try:
        started = services.subscription_start(
            user=request.user,
            plan=plan,
            country=visitor_country(request),
            success_url=request.build_absolute_uri(reverse("subscriptions:return"))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=request.build_absolute_uri(reverse("subscriptions:subscribe")),
        )
    except SubscriptionNotPossible as exc:
        messages.error(request, str(exc))
        return redirect("subscriptions:subscribe")
    except PaymentDeclined as exc:
        messages.error(request, str(exc))
        return redirect("subscriptions:subscribe")
    except PaymentError:
        logger.exception("Subscription checkout could not start")
        messages.error(request, "Subscribing is not possible just now. Please try again.")
        return redirect("subscriptions:subscribe")
    return redirect(started.url)


@login_required
@require_safe
def checkout_return(request: HtmxHttpRequest) -> HttpResponse:
    """The gateway's success_url: ask it at once rather than wait for its webhook."""
    reference = request.GET.get("session_id", "")[:255]
    try:
        subscription = services.subscription_checkout_confirm(
            user=request.user, reference=reference
        )
    except PaymentError:
        logger.exception("Checkout %s could not be confirmed", reference)
        subscription = None
    if subscription is not None and subscription.status != Subscription.Status.ENDED:
        messages.success(request, f"Thank you: you subscribe to {subscription.plan.name}.")
    else:
        messages.info(request, "Your payment is being confirmed: this page will show it soon.")
    return redirect("subscriptions:account")


@login_required
@require_safe
def account(request: HtmxHttpRequest) -> HttpResponse:
    subscription = selectors.subscription_of(user=request.user)
    context = {"subscription": subscription}
    if subscription is not None:
        sync = selectors.subscription_sync_latest(subscription=subscription)
        pending = sync is None or sync.state in SubscriptionSync.OPEN
        ended = subscription.status == Subscription.Status.ENDED
        if ended:
            words = SYNC_ENDED
        else:
            words = SYNC_PENDING if pending else SYNC_WORDS.get(sync.state, SYNC_PENDING)
        context.update(
            sync=sync,
            sync_words=words,
            sync_pending=pending and not ended,
            invoices=[
                (invoice, from_minor_units(invoice.amount_minor, subscription.currency))
                for invoice in selectors.subscription_invoices(subscription=subscription)
            ],
            ended=ended,
            portal=subscription.gateway == STRIPE and bool(subscription.gateway_customer),
        )
    return render_page(request, "subscriptions/account.html", context)


def _own_live(request: HtmxHttpRequest) -> Subscription | None:
    subscription = selectors.subscription_of(user=request.user)
    if subscription is None or subscription.status == Subscription.Status.ENDED:
        messages.error(request, "You have no subscription running.")
        return None
    return subscription


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HtmxHttpRequest) -> HttpResponse:
    """GET asks to confirm; POST cancels at the end of the period paid for."""
    subscription = _own_live(request)
    if subscription is None:
        return redirect("subscriptions:account")
    if request.method != "POST":
        return render_page(request, "subscriptions/cancel.html", {"subscription": subscription})
    try:
        subscription = services.subscription_cancel(subscription=subscription)
    except SubscriptionNotPossible as exc:
        messages.error(request, str(exc))
    except PaymentError:
        logger.exception("Subscription %s could not be cancelled", subscription.pk)
        messages.error(request, "Your subscription could not be cancelled just now; try again.")
    else:
        messages.success(
            request,
            f"Cancelled: you keep streaming until {subscription.current_period_end:%-d %B %Y}.",
        )
    return redirect("subscriptions:account")


@login_required
@require_POST
def resume(request: HtmxHttpRequest) -> HttpResponse:
    subscription = _own_live(request)
    if subscription is None:
        return redirect("subscriptions:account")
    try:
        services.subscription_resume(subscription=subscription)
    except SubscriptionNotPossible as exc:
        messages.error(request, str(exc))
    except PaymentError:
        logger.exception("Subscription %s could not be resumed", subscription.pk)
        messages.error(request, "Your subscription could not be resumed just now; try again.")
    else:
        messages.success(request, "Resumed: your subscription renews as before.")
    return redirect("subscriptions:account")


@login_required
@require_POST
def portal(request: HtmxHttpRequest) -> HttpResponse:
    """To the gateway's own page for card, plan and cancellation (Stripe's portal)."""
    subscription = selectors.subscription_of(user=request.user)
    if subscription is None or not subscription.gateway_customer:
        return redirect("subscriptions:account")
    try:
        url = services.subscription_portal_url(
            subscription=subscription,
            return_url=request.build_absolute_uri(reverse("subscriptions:account")),
        )
    except PaymentError:
        logger.exception("No portal for subscription %s", subscription.pk)
        messages.error(request, "Payment details cannot be managed just now; try again.")
        return redirect("subscriptions:account")
    return redirect(url)


@csrf_exempt  # Stripe cannot send our CSRF token; the signature proves who sent it
@require_POST
def stripe_webhook(request: HtmxHttpRequest) -> HttpResponse:
    try:
        services.subscription_event_handle(
            gateway=STRIPE, body=request.body, headers=request.headers
        )
    except WebhookNotConfigured as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain")
    except WebhookInvalid as exc:
        return HttpResponseBadRequest(str(exc))
    except PaymentError as exc:  # Stripe could not be asked: it delivers again later
        return HttpResponse(str(exc), status=503, content_type="text/plain")
    return HttpResponse("OK")
