"""Plans for staff to configure; subscriptions read only, with their history, what was
sent to 7digital and what it answered, and one action: "sync now"."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html

from . import services
from .models import Plan, PlanPrice, Subscription, SubscriptionEvent, SubscriptionSync


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    extra = 1
    fields = ("currency", "amount", "stripe_price_id")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "plan_code", "interval", "trial_days", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active", "plan_code", "interval")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [PlanPriceInline]


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


def _latest_sync_state():
    return Subquery(
        SubscriptionSync.objects.filter(subscription=OuterRef("pk"))
        .order_by("-version", "-pk")
        .values("state")[:1]
    )


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
            queryset = queryset.annotate(latest_sync=_latest_sync_state())
        if value == "open":
            return queryset.filter(latest_sync__in=SubscriptionSync.OPEN)
        if value == "never":
            return queryset.filter(latest_sync__isnull=True)
        return queryset.filter(latest_sync=value)


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
    )
    list_filter = ("status", SyncStateFilter, "plan", "gateway")
    list_select_related = ("plan", "user")
    search_fields = ("user__email", "partner_user_id", "gateway_reference", "gateway_customer")
    date_hierarchy = "created_at"
    inlines = [SubscriptionEventInline, SubscriptionSyncInline]
    actions = ["sync_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest_sync=_latest_sync_state())

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_sync_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("subscriptions.sync_subscription")

    @admin.display(description="7digital", ordering="latest_sync")
    def sync_state(self, subscription: Subscription) -> str:
        state = getattr(subscription, "latest_sync", None)
        return SubscriptionSync.State(state).label if state else "never sent"

    @admin.action(description="Send to 7digital now", permissions=["sync"])
    def sync_now(self, request, queryset) -> None:
        count = services.subscription_sync_now(subscriptions=queryset)
        self.message_user(
            request,
            f"{count} subscription{'s' if count != 1 else ''} queued for 7digital.",
            messages.SUCCESS,
        )
