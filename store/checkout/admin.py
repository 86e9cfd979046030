"""Orders for staff: read only, with one action that changes them: a refund."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import services
from .models import Order, OrderEvent, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    can_delete = False
    extra = 0
    max_num = 0
    fields = readonly_fields = (
        "title",
        "artist_name",
        "package_name",
        "price",
        "status",
        "purchase_id",
        "transaction_id",
        "attempts",
        "outcome_unknown",
        "last_error",
        "delivered_at",
        "refund_reported_at",
        "refunded_at",
    )


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    can_delete = False
    extra = 0
    max_num = 0
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
        if not self.has_refund_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=order_id)
        refundable = order.lines.exclude(status=OrderLine.Status.REFUNDED)
        form = RefundForm(request.POST or None, lines=refundable)
        refused: list[tuple[OrderLine, str]] = []
        if request.method == "POST" and form.is_valid():
            outcome = services.order_refund(
                order_id=order.pk,
                line_ids=[line.pk for line in form.cleaned_data["lines"]],
                actor=request.user,
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
            )
            if outcome.refunded:
                self.message_user(
                    request,
                    f"Refunded {outcome.amount} {order.currency}: "
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
            refused = outcome.refused
            if not refused and not outcome.payment_error:
                return redirect(reverse("admin:checkout_order_change", args=[order.pk]))
            form = RefundForm(
                initial={"lines": [line.pk for line, _ in refused]},
                lines=order.lines.exclude(status=OrderLine.Status.REFUNDED),
                offer_override=bool(refused),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "refused": refused,
            "title": f"Refund order {order.number}",
        }
        return TemplateResponse(request, "admin/checkout/order/refund.html", context)


class RefundForm(forms.Form):
    lines = forms.ModelMultipleChoiceField(
        queryset=OrderLine.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    override = forms.BooleanField(
        required=False,
        label="Refund the payment even though 7digital refused (audited with your reason)",
    )

    def __init__(self, *args, lines, offer_override: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = lines
        self.fields["lines"].label_from_instance = lambda line: (
            f"{line.title} ({line.package_name}) {line.price}: {line.get_status_display()}"
        )
        if not self.is_bound and "lines" not in self.initial:
            self.initial["lines"] = [line.pk for line in lines]
        if not offer_override and not self.data.get("override"):
            self.fields["override"].widget = forms.HiddenInput()
