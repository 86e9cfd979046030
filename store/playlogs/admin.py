from django.contrib import admin

from store.playlogs.models import PreviewPlay, PreviewResponseTally


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the site and the outbox, never by hand: staff may only look."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveredFilter(admin.SimpleListFilter):
    title = "delivered to 7digital"
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("yes", "Delivered"), ("no", "Not yet delivered")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(delivered_at__isnull=True)
        return queryset


@admin.register(PreviewPlay)
class PreviewPlayAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "track_id",
        "country",
        "user",
        "anonymous_id",
        "seconds_played",
        "play_mode",
        "delivered_at",
        "attempts",
        "rejected",
    )
    list_filter = (DeliveredFilter, "rejected", "started_at", "country", "play_mode")
    search_fields = ("=track_id",)
    date_hierarchy = "started_at"
    ordering = ("-started_at",)
    list_select_related = ("user",)
    show_full_result_count = False


@admin.register(PreviewResponseTally)
class PreviewResponseTallyAdmin(ReadOnlyAdmin):
    list_display = ("day", "country", "responses")
    list_filter = ("country",)
    date_hierarchy = "day"
    ordering = ("-day", "country")
