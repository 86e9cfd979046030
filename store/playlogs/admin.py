"""Play logs for staff: each kind's outbox table, read only, and the dashboard.

The dashboard (plays per day, backlog, failures, reconciliation) hangs off the first
kind's admin (the preview plays', whose view permission it asks); its one action sends
failed plays again.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from store.playlogs import charts, outbox, selectors
from store.playlogs.models import OutboxPlay, PreviewResponseTally, StreamResponseTally
from store.playlogs.outbox import Kind

DASHBOARD_DAYS = 30
VIEW_DASHBOARD_PERMISSION = "playlogs.view_previewplay"
RETRY_PERMISSION = "playlogs.retry_playlog"  # made by migration 0003_staff_permissions
RETRY_MAX_IDS = 500


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the site and the outbox, never by hand: staff may only look."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryStateFilter(admin.SimpleListFilter):
    """The states of ``OutboxPlay.delivery_state``, as queries."""

    title = "delivery to 7digital"
    parameter_name = "state"
    STATES = {
        "delivered": ("Delivered", selectors.DELIVERED),
        "waiting": ("Waiting", selectors.WAITING),
        "failing": ("Failing (will be retried)", selectors.FAILING),
        "rejected": ("Rejected by 7digital", selectors.REJECTED),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.STATES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.STATES:
            return queryset.filter(self.STATES[self.value()][1])
        return queryset


class PlayAdmin(ReadOnlyAdmin):
    """What every kind of play shows: state, reason, search by track id."""

    search_fields = ("=track_id",)
    list_select_related = ("user",)
    show_full_result_count = False

    @admin.display(description="state")
    def state(self, play: OutboxPlay) -> str:
        return play.delivery_state

    @admin.display(description="rejection reason or last error")
    def reason(self, play: OutboxPlay) -> str:
        return Truncator(play.rejected_reason or play.last_error).chars(80)


class DashboardAdmin(admin.ModelAdmin):
    """The dashboard's pages, under the admin of the model it is mounted on."""

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="playlogs_dashboard",
            ),
            path(
                "dashboard/retry/",
                self.admin_site.admin_view(require_POST(self.retry_view)),
                name="playlogs_retry",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        if not request.user.has_perm(VIEW_DASHBOARD_PERMISSION):
            raise PermissionDenied
        kind = request.GET.get("kind")
        kind = kind if kind in outbox.KINDS else None
        now = timezone.now()
        days = selectors.reconciliation(days=DASHBOARD_DAYS)
        plays = [day.plays for day in days]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Play logs dashboard",
            "days": DASHBOARD_DAYS,
            "kinds": list(outbox.KINDS.values()),
            "chart": charts.plays_chart(plays),
            "plays": plays,
            "backlog": selectors.backlog(now=now),
            "late_after_minutes": int(selectors.BACKLOG_LATE_AFTER.total_seconds() // 60),
            "now": now,
            "failure_kind": kind,
            "failures": selectors.failures(kind=kind),
            "reconciliation": days,
            "refusals": selectors.refusals(days=DASHBOARD_DAYS),
            "can_retry": request.user.has_perm(RETRY_PERMISSION),
        }
        return TemplateResponse(request, "admin/playlogs/dashboard.html", context)

    def retry_view(self, request):
        """Put failed plays back to be sent: one (``id``), several, or all of a kind."""
        if not request.user.has_perm(RETRY_PERMISSION):
            raise PermissionDenied
        back = reverse("admin:playlogs_dashboard") + "#failures"
        try:
            kind = outbox.kind_get(request.POST.get("kind", ""))
        except ValueError:
            self.message_user(request, "No such kind of play: nothing was retried.", messages.ERROR)
            return redirect(back)
        if request.POST.get("all"):
            ids = None
        else:
            try:
                ids = play_ids(kind.model, request.POST.getlist("id"))
            except ValidationError as error:
                self.message_user(request, f"{error.message} Nothing was retried.", messages.ERROR)
                return redirect(back)
        count = outbox.playlogs_retry(kind=kind.name, ids=ids)
        if count:
            meta = kind.model._meta
            noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
            self.message_user(request, f"{count} {noun} will be sent again.", messages.SUCCESS)
        else:
            self.message_user(
                request,
                "Nothing to retry: those plays are delivered or already waiting to be sent.",
                messages.WARNING,
            )
        return redirect(back)


def play_ids(model: type[OutboxPlay], values: list[str]) -> list:
    """The primary keys posted, checked: ``ValidationError`` for none, too many or a bad one."""
    if not values:
        raise ValidationError("Choose the plays to retry.")
    if len(values) > RETRY_MAX_IDS:
        raise ValidationError(f"Retry at most {RETRY_MAX_IDS} plays at once.")
    field = model._meta.pk
    ids = []
    for value in values:
        try:
            pk = field.to_python(value.strip())
        except ValidationError:
            pk = None
        # Integer keys are positive 64-bit: anything else is no play of ours.
        if pk is None or (isinstance(pk, int) and not 0 < pk < 2**63):
            raise ValidationError(f"{value[:40]!r} is not a play id.")
        ids.append(pk)
    return ids


def play_admin(kind: Kind, *, bases: tuple[type, ...] = ()) -> type[PlayAdmin]:
    """The list of ``kind``'s plays: its time and track, the columns it declares, then
    the delivery state; newest first, filtered by state, time, country and its filters."""
    return type(
        f"{kind.model.__name__}Admin",
        (*bases, PlayAdmin),
        {
            "__module__": __name__,
            "list_display": (
                kind.time_field,
                "track_id",
                *kind.admin_columns,
                "delivered_at",
                "attempts",
                "state",
                "reason",
            ),
            "list_filter": (DeliveryStateFilter, kind.time_field, "country", *kind.admin_filters),
            "date_hierarchy": kind.time_field,
            "ordering": (f"-{kind.time_field}",),
        },
    )


for position, play_kind in enumerate(outbox.KINDS.values()):
    admin.site.register(
        play_kind.model, play_admin(play_kind, bases=(DashboardAdmin,) if position == 0 else ())
    )


@admin.register(PreviewResponseTally)
class PreviewResponseTallyAdmin(ReadOnlyAdmin):
    list_display = ("day", "country", "responses")
    list_filter = ("country",)
    date_hierarchy = "day"
    ordering = ("-day", "country")


@admin.register(StreamResponseTally)
class StreamResponseTallyAdmin(ReadOnlyAdmin):
    list_display = ("day", "source", "responses")
    list_filter = ("source",)
    date_hierarchy = "day"
    ordering = ("-day", "source")
