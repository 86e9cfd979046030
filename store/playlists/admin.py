"""Staff look after reported playlists: hide a customer's public playlist (made private,
as its owner), restore it, or dismiss the report. Only with ``moderate_playlist``."""

from __future__ import annotations

from django.contrib import admin, messages

from store.playlists import moderation
from store.playlists.models import CustomerPlaylist, PlaylistReport


@admin.register(PlaylistReport)
class PlaylistReportAdmin(admin.ModelAdmin):
    list_display = ("playlist_name", "playlist_id", "reason", "status", "reporter", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("playlist_id", "playlist_name", "reporter__email")
    ordering = ("status", "-created_at")
    readonly_fields = (
        "playlist_id", "playlist_name", "reporter", "reason", "details", "created_at",
        "status", "handled_by", "handled_at",
    )  # fmt: skip
    actions = ("hide", "restore", "dismiss")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("playlists.moderate_playlist")

    @admin.action(description="Hide the playlists (make them private)", permissions=["moderate"])
    def hide(self, request, queryset):
        self._each(request, queryset, lambda pid: moderation.playlist_hide(
            playlist_id=pid, staff=request.user), "hidden")  # fmt: skip

    @admin.action(description="Restore the playlists (make them public)", permissions=["moderate"])
    def restore(self, request, queryset):
        self._each(request, queryset, lambda pid: moderation.playlist_restore(
            playlist_id=pid, staff=request.user), "made public again")  # fmt: skip

    @admin.action(description="Dismiss the reports", permissions=["moderate"])
    def dismiss(self, request, queryset):
        count = moderation.reports_dismiss(
            report_ids=list(queryset.values_list("pk", flat=True)), staff=request.user
        )
        self.message_user(request, f"{count} report(s) dismissed.")

    def _each(self, request, queryset, act, done: str) -> None:
        for playlist_id in sorted(set(queryset.values_list("playlist_id", flat=True))):
            try:
                act(playlist_id)
            except moderation.ModerationRefused as exc:
                self.message_user(request, f"{playlist_id}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"Playlist {playlist_id} {done}.")


@admin.register(CustomerPlaylist)
class CustomerPlaylistAdmin(admin.ModelAdmin):
    list_display = ("playlist_id", "user", "created_at")
    search_fields = ("playlist_id", "user__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
