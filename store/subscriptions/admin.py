"""Plans for staff to configure; subscriptions read only, with their history, what was
sent to 7digital and what it answered, the drift reconciliation found, one action
("sync now"), and one page that changes them: the refund of the last payment."""

from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from integrations.money import format_price, locale_for

from . import charts, selectors, services
from .models import (
    Plan,
    PlanPrice,
    Subscription,
    SubscriptionEvent,
    SubscriptionRefund,
    SubscriptionSync,
)
from .services import refunds

REFUND_PERMISSION = "subscriptions.refund_subscription"  # migration 0003_staff_refunds
VIEW_DASHBOARD_PERMISSION = "subscriptions.view_subscription"
DASHBOARD_DAYS = 30


class PlanPriceForm(forms.ModelForm):
    class Meta:
        model = PlanPrice
        fields = ("currency", "amount", "stripe_price_id")
        help_texts = {
            "stripe_price_id": "Left empty, Stripe makes one when the plan is saved "
            "(and again when the amount changes); or enter an existing price's id."
        }

    def clean(self):
        data = super().clean()
        changed = self.changed_data
        if self.instance.pk and "amount" in changed and "stripe_price_id" not in changed:
            # The old price bills the old amount: a new one is made on save.
            data["stripe_price_id"] = ""
        return data


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    form = PlanPriceForm
    extra = 1


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "plan_code", "interval", "trial_days", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active", "plan_code", "interval")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PlanPriceInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        plan = form.instance
        if change and "interval" in form.changed_data:
            # A monthly price cannot bill yearly: every price not re-entered is remade.
            entered = [
                price_form.instance.pk
                for formset in formsets
                for price_form in formset.forms
                if "stripe_price_id" in price_form.changed_data
            ]
            PlanPrice.objects.filter(plan=plan).exclude(pk__in=entered).update(stripe_price_id="")
        # Stripe is called once the plan is saved, never inside the admin's transaction.
        transaction.on_commit(lambda: self._prices_create(request, plan))

    def _prices_create(self, request, plan: Plan) -> None:
        result = services.plan_prices_create(plan=plan)
        if result.made:
            made = ", ".join(sorted(result.made))
            self.message_user(request, f"Stripe prices created for {plan}: {made}.")
        for currency, reason in sorted(result.failed.items()):
            self.message_user(
                request,
                f"No Stripe price for {plan} in {currency} yet: {reason} Save the plan again "
                "to try again, or enter an existing price's id. Customers paying in "
                f"{currency} cannot subscribe to it until then.",
                messages.ERROR,
            )


class HistoryInline(admin.TabularInline):
    can_delete = False
    extra = 0
    max_num = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("subscriptions.view_subscription")


def _json(value) -> str:
    if not value:
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=1, sort_keys=True))


class SubscriptionEventInline(HistoryInline):
    model = SubscriptionEvent
    fields = readonly_fields = ("at", "kind", "message")
    verbose_name_plural = "history"


class SubscriptionSyncInline(HistoryInline):
    model = SubscriptionSync
    fields = readonly_fields = (
        "version",
        "state",
        "attempts",
        "dates",
        "sent_fields",
        "answer_fields",
        "error",
    )
    verbose_name_plural = "sent to 7digital"

    @admin.display(description="dates")
    def dates(self, sync: SubscriptionSync) -> str:
        moments = [
            ("written", sync.created_at),
            ("sent", sync.sent_at),
            ("confirmed", sync.confirmed_at),
            ("next attempt", sync.next_attempt_at if sync.state == sync.State.PENDING else None),
        ]
        return format_html(
            "<br>".join(f"{name} {{}}" for name, at in moments if at),
            *[f"{at:%Y-%m-%d %H:%M:%S}" for _, at in moments if at],
        )

    @admin.display(description="sent")
    def sent_fields(self, sync: SubscriptionSync) -> str:
        return _json(sync.sent)

    @admin.display(description="7digital answered")
    def answer_fields(self, sync: SubscriptionSync) -> str:
        return _json(sync.answer)


class SubscriptionRefundInline(HistoryInline):
    model = SubscriptionRefund
    fields = readonly_fields = (
        "created_at",
        "staff_email",
        "amount",
        "currency",
        "end_now",
        "state",
        "gateway_refund_id",
        "error",
    )
    verbose_name_plural = "refunds"


class SyncStateFilter(admin.SimpleListFilter):
    title = "7digital sync"
    parameter_name = "sync"

    def lookups(self, request, model_admin):
        return [
            ("open", "Waiting or in progress"),
            *[
                (state, label)
                for state, label in SubscriptionSync.State.choices
                if state not in SubscriptionSync.OPEN
            ],
            ("never", "Never sent"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if "latest_sync" not in queryset.query.annotations:
            queryset = queryset.annotate(latest_sync=selectors.latest_sync_state())
        if value == "open":
            return queryset.filter(latest_sync__in=SubscriptionSync.OPEN)
        if value == "never":
            return queryset.filter(latest_sync__isnull=True)
        return queryset.filter(latest_sync=value)


class DriftFilter(admin.SimpleListFilter):
    """Subscriptions the daily reconciliation found differing at 7digital (and sent
    again): their history says what differed."""

    title = "drift found by reconciliation"
    parameter_name = "drift"
    RECENT_DAYS = 7

    def lookups(self, request, model_admin):
        return [
            ("recent", f"In the last {self.RECENT_DAYS} days"),
            ("any", "Ever"),
            ("none", "Never"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("recent", "any", "none"):
            return queryset
        if "latest_drift_at" not in queryset.query.annotations:
            queryset = queryset.annotate(latest_drift_at=selectors.latest_drift_at())
        if value == "none":
            return queryset.filter(latest_drift_at__isnull=True)
        if value == "recent":
            since = timezone.now() - timedelta(days=self.RECENT_DAYS)
            return queryset.filter(latest_drift_at__gte=since)
        return queryset.filter(latest_drift_at__isnull=False)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "user",
        "plan",
        "status",
        "cancel_at_period_end",
        "current_period_end",
        "sync_state",
        "drift",
    )
    list_filter = ("status", SyncStateFilter, DriftFilter, "plan", "gateway")
    list_select_related = ("plan", "user")
    search_fields = ("user__email", "partner_user_id", "gateway_reference", "gateway_customer")
    date_hierarchy = "created_at"
    inlines = [SubscriptionEventInline, SubscriptionSyncInline, SubscriptionRefundInline]
    actions = ["sync_now"]
    change_form_template = "admin/subscriptions/subscription/change_form.html"
    change_list_template = "admin/subscriptions/subscription/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_sync=selectors.latest_sync_state(),
                latest_drift_at=selectors.latest_drift_at(),
                latest_drift=selectors.latest_drift_message(),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_refund_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm(REFUND_PERMISSION)

    def get_urls(self):
        return [
            path(
                "<int:subscription_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="subscriptions_subscription_refund",
            ),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="subscriptions_dashboard",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        """Subscribers by plan and state, the sync backlog now, and per day new and
        ended subscriptions, churn and the backlog (selectors.py says how)."""
        if not request.user.has_perm(VIEW_DASHBOARD_PERMISSION):
            raise PermissionDenied
        now = timezone.now()
        figures = selectors.daily(days=DASHBOARD_DAYS, now=now)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Subscriptions dashboard",
            "days": DASHBOARD_DAYS,
            "now": now,
            "statuses": Subscription.Status.choices,
            "subscribers": selectors.subscribers_by_plan(),
            "backlog": selectors.backlog_now(now=now, drift_days=DASHBOARD_DAYS),
            "figures": list(reversed(figures)),  # the tables: newest first
            "totals": {
                "new": sum(day.new for day in figures),
                "ended": sum(day.ended for day in figures),
            },
            "movement_chart": charts.movement_chart(figures),
            "backlog_chart": charts.backlog_chart(figures),
        }
        return TemplateResponse(request, "admin/subscriptions/dashboard.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_refund": self.has_refund_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def refund_view(self, request, subscription_id: int):
        """Choose when access ends (nothing chosen to start with), read what will
        happen, confirm. Nothing reaches the gateway or 7digital until the confirmation
        is sent: a first submit only shows what would be done."""
        if not self.has_refund_permission(request):
            raise PermissionDenied
        subscription = get_object_or_404(
            Subscription.objects.select_related("plan", "user"), pk=subscription_id
        )
        posted = request.method == "POST"
        form = SubscriptionRefundForm(request.POST if posted else None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "subscription": subscription,
            "amount": format_price(
                subscription.amount, subscription.currency, locale_for(subscription.country)
            ),
            "earlier_refunds": subscription.refunds.all()[:5],
            "form": form,
            "title": f"Refund the last payment of {subscription}",
        }
        if not posted or not form.is_valid() or "change" in request.POST:
            return TemplateResponse(
                request, "admin/subscriptions/subscription/refund.html", context
            )
        end_now = form.cleaned_data["access"] == SubscriptionRefundForm.NOW
        if "confirm" not in request.POST:
            context.update(
                confirming=True,
                end_now=end_now,
                title=f"Confirm the refund of {subscription}",
            )
            return TemplateResponse(
                request, "admin/subscriptions/subscription/refund.html", context
            )

        change_url = reverse("admin:subscriptions_subscription_change", args=[subscription.pk])
        try:
            refund = refunds.subscription_refund(
                subscription=subscription, staff_user=request.user, end_now=end_now
            )
        except refunds.SubscriptionRefundRefused as exc:
            self.message_user(request, f"Nothing was refunded: {exc}", messages.ERROR)
            return redirect(change_url)
        if refund.state == SubscriptionRefund.State.FAILED:
            self.message_user(request, refund.error, messages.ERROR)
            context["failure"] = refund.error
            return TemplateResponse(
                request, "admin/subscriptions/subscription/refund.html", context
            )
        if refund.state == SubscriptionRefund.State.DONE:
            self.message_user(
                request,
                f"Refunded {refunds.refund_money(refund)}. "
                + ("Access ended now." if refund.end_now else "Access runs to the period's end."),
                messages.SUCCESS,
            )
        renewal_error = getattr(refund, "renewal_error", "")
        if renewal_error:
            self.message_user(request, renewal_error, messages.WARNING)
        return redirect(change_url)

    def has_sync_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("subscriptions.sync_subscription")

    @admin.display(description="7digital", ordering="latest_sync")
    def sync_state(self, subscription: Subscription) -> str:
        state = getattr(subscription, "latest_sync", None)
        return SubscriptionSync.State(state).label if state else "never sent"

    @admin.display(description="drift found", ordering="latest_drift_at")
    def drift(self, subscription: Subscription) -> str:
        at = getattr(subscription, "latest_drift_at", None)
        if at is None:
            return "—"
        return format_html(
            '<time datetime="{}">{}</time>: {}',
            at.isoformat(),
            f"{at:%Y-%m-%d %H:%M} UTC",
            Truncator(getattr(subscription, "latest_drift", "")).chars(100),
        )

    @admin.action(description="Send to 7digital now", permissions=["sync"])
    def sync_now(self, request, queryset) -> None:
        count = services.subscription_sync_now(subscriptions=queryset)
        self.message_user(
            request,
            f"{count} subscription{'s' if count != 1 else ''} queued for 7digital.",
            messages.SUCCESS,
        )


class SubscriptionRefundForm(forms.Form):
    NOW = "now"
    PERIOD_END = "period_end"

    # Nothing is chosen unless staff choose: ending access at once, chosen for them,
    # cut off a customer who was owed the rest of their month.
    access = forms.ChoiceField(
        label="Access to music",
        choices=[
            (NOW, "Ends now (7digital is told: expired)"),
            (PERIOD_END, "Runs to the end of the period paid for, then ends (7digital: cancelled)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when access ends: nothing is chosen."},
    )
