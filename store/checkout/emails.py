"""The receipt a customer gets by email when an order is paid."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from integrations.money import format_price, locale_for

from .models import Order, OrderEvent


@transaction.atomic
def order_receipt_send(*, order_id: int) -> bool:
    """Send the receipt once; False if it was already sent or the order is not paid."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.receipt_sent_at or not order.is_paid:
        return False
    locale = locale_for(order.country)
    lines = [
        {"line": line, "price": format_price(line.price, order.currency, locale)}
        for line in order.lines.all()
    ]
    context = {
        "order": order,
        "lines": lines,
        "total": format_price(order.total, order.currency, locale),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    send_mail(
        subject=f"Your receipt for order {order.number}",
        message=render_to_string("checkout/email/receipt.txt", context),
        from_email=None,
        recipient_list=[order.email],
    )
    order.receipt_sent_at = timezone.now()
    order.save(update_fields=["receipt_sent_at"])
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.RECEIPT_SENT, message=order.email)
    return True
