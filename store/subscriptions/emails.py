"""The emails a subscriber gets: a receipt for each renewal paid, a warning when a
renewal could not be taken (dunning), and the link to authenticate a payment the bank
holds back. Each is sent once per bill: a webhook delivered twice sends nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from integrations.money import format_price, locale_for

from .gateways import InvoiceStatus, from_minor_units
from .models import Subscription, SubscriptionEvent

SUBJECTS = {
    "receipt": "Your subscription receipt",
    "payment-failed": "We could not renew your subscription",
    "action-required": "Please confirm your subscription payment",
}


def subscription_email_send(
    *, subscription: Subscription, kind: str, invoice: InvoiceStatus | None
) -> bool:
    """Send ``kind`` ("receipt", "payment-failed", "action-required") about ``invoice``
    once; False when already sent, or when there is nobody to send it to."""
    user = subscription.user
    if user is None or not user.email:
        return False
    reference = invoice.reference if invoice else ""
    event_kind = f"email-{kind}"
    if SubscriptionEvent.objects.filter(
        subscription=subscription, kind=event_kind, data__invoice=reference
    ).exists():
        return False
    site_url = settings.SITE_URL.rstrip("/")
    amount = (
        format_price(
            from_minor_units(invoice.amount_minor, subscription.currency),
            subscription.currency,
            locale_for(subscription.country),
        )
        if invoice
        else ""
    )
    context = {
        "subscription": subscription,
        "invoice": invoice,
        "amount": amount,
        "account_url": f"{site_url}{reverse('subscriptions:account')}",
        "site_url": site_url,
    }
    send_mail(
        subject=SUBJECTS[kind],
        message=render_to_string(f"subscriptions/email/{kind}.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    SubscriptionEvent.objects.create(
        subscription=subscription,
        kind=event_kind,
        message=f"Email “{SUBJECTS[kind]}” sent to {user.email}.",
        data={"invoice": reference},
    )
    return True
