"""Orders for staff: read only, with one action that changes them: a refund."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from integrations.money import format_price, locale_for

from . import services
from .models import Order, OrderEvent, OrderLine


class ReadOnlyInline(admin.TabularInline):
    can_delete = False
    extra = 0
    max_num = 0

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Part of the order: whoever may view the order sees them (the Staff group has
        # checkout.view_order, not a permission for each of its tables).
        return request.user.has_perm("checkout.view_order")


def _when(value) -> str:
    return formats.localize(timezone.template_localtime(value)) if value else ""


class OrderLineInline(ReadOnlyInline):
    """Six columns that fit a laptop's window (thirteen made the table 1,428 px wide):
    what was bought, its price, where it is, 7digital's ids, its dates, its error."""

    model = OrderLine
    fields = readonly_fields = ("item", "amount", "state", "at_7digital", "dates", "last_error")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")

    @admin.display(description="item")
    def item(self, line: OrderLine) -> str:
        details = " · ".join(part for part in (line.artist_name, line.package_name) if part)
        return format_html("{}<br><small>{}</small>", line.title, details)

    @admin.display(description="price")
    def amount(self, line: OrderLine) -> str:
        return money(line.price, line.order)

    @admin.display(description="status")
    def state(self, line: OrderLine) -> str:
        notes = [f"{line.attempts} attempt{'s' if line.attempts != 1 else ''}"]
        if line.outcome_unknown:
            notes.append("delivery outcome unknown")
        if line.refund_outcome_unknown:
            notes.append("refund outcome unknown")
        return format_html("{}<br><small>{}</small>", line.get_status_display(), ", ".join(notes))

    @admin.display(description="7digital")
    def at_7digital(self, line: OrderLine) -> str:
        return format_html(
            "purchase {}<br><small>transaction {}</small>",
            line.purchase_id or "—",
            line.transaction_id,
        )

    @admin.display(description="dates")
    def dates(self, line: OrderLine) -> str:
        moments = [
            ("delivered", line.delivered_at),
            ("refund reported", line.refund_reported_at),
            ("refunded", line.refunded_at),
        ]
        return format_html_join(
            mark_safe("<br>"), "{} {}", ((name, _when(at)) for name, at in moments if at)
        )


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("created_at", "kind", "line", "actor", "amount", "message")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "email", "status", "total", "currency", "country", "paid_at")
    list_filter = ("status", "gateway", "country")
    search_fields = ("number", "email", "payment_reference", "lines__transaction_id")
    date_hierarchy = "created_at"
    inlines = (OrderLineInline, OrderEventInline)
    readonly_fields = tuple(
        f.name for f in Order._meta.get_fields() if f.concrete and not f.many_to_many
    )
    change_form_template = "admin/checkout/order/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Nothing on an order is changed by hand (a refund is its own page): no Save
        # buttons, for superusers either.
        return False

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("checkout.refund_order")

    def get_urls(self):
        return [
            path(
                "<int:order_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="checkout_order_refund",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_refund": self.has_refund_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def refund_view(self, request, order_id: int):
        """Choose lines (none ticked to start with), see them and their total, confirm.

        Nothing reaches 7digital or the gateway until the confirmation is sent: a
        first submit only shows what would be refunded.
        """
        if not self.has_refund_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=order_id)
        if not order.is_paid:
            self.message_user(request, "This order was never paid.", messages.ERROR)
            return redirect(reverse("admin:checkout_order_change", args=[order.pk]))
        refundable = order.lines.exclude(status=OrderLine.Status.REFUNDED)
        posted = request.method == "POST"
        form = RefundForm(request.POST if posted else None, lines=refundable, order=order)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "country": order.country,  # money is written as the order's country writes it
            "form": form,
            "refused": [],
            "title": f"Refund order {order.number}",
        }
        if not posted or not form.is_valid() or "change" in request.POST:
            return TemplateResponse(request, "admin/checkout/order/refund.html", context)
        chosen = list(form.cleaned_data["lines"])
        if "confirm" not in request.POST:
            context.update(
                confirming=True,
                chosen=chosen,
                total=sum((line.price for line in chosen), Decimal("0")),
                title=f"Confirm the refund of order {order.number}",
            )
            return TemplateResponse(request, "admin/checkout/order/refund.html", context)

        outcome = services.order_refund(
            order_id=order.pk,
            line_ids=[line.pk for line in chosen],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            override=form.cleaned_data["override"],
        )
        if outcome.refunded:
            self.message_user(
                request,
                f"Refunded {money(outcome.amount, order)}: "
                + ", ".join(line.title for line in outcome.refunded),
                messages.SUCCESS,
            )
        if outcome.payment_error:
            self.message_user(
                request,
                "7digital was told, but the payment could not be refunded: "
                f"{outcome.payment_error}. Try again; 7digital will not be told twice.",
                messages.ERROR,
            )
        if not outcome.refused and not outcome.payment_error:
            return redirect(reverse("admin:checkout_order_change", args=[order.pk]))
        # The lines refused are offered again, ticked as staff chose them, with the
        # override; the next submit is confirmed like the first.
        context["refused"] = outcome.refused
        context["form"] = RefundForm(
            initial={"lines": [line.pk for line, _ in outcome.refused]},
            lines=order.lines.exclude(status=OrderLine.Status.REFUNDED),
            order=order,
            offer_override=bool(outcome.refused),
        )
        return TemplateResponse(request, "admin/checkout/order/refund.html", context)


def money(amount: Decimal, order: Order) -> str:
    """An amount of the order's currency, written as the shop writes it on the order."""
    return format_price(amount, order.currency, locale_for(order.country))


class LinesField(forms.ModelMultipleChoiceField):
    """A line id no line can have (not ASCII digits, or past a 64-bit key) is not among
    the choices; the database never sees it (SQLite raises OverflowError past 2**63-1)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) < 2**63):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:40]},
                )
        return super()._check_values(value)


class RefundForm(forms.Form):
    lines = LinesField(
        queryset=OrderLine.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Lines to refund",
        error_messages={"required": "Tick the lines to refund: none is ticked."},
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    override = forms.BooleanField(
        required=False,
        label="Refund the payment even though 7digital refused (audited with your reason)",
    )

    def __init__(self, *args, lines, order: Order, offer_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Nothing is ticked unless staff tick it: a line ticked for them was refunded
        # by staff who meant to refund another.
        self.fields["lines"].queryset = lines
        self.fields["lines"].label_from_instance = lambda line: (
            f"{line.title} ({line.package_name}) {money(line.price, order)}: "
            f"{line.get_status_display()}"
        )
        if not offer_override and not self.data.get("override"):
            self.fields["override"].widget = forms.HiddenInput()
