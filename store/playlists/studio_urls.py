from django.urls import path, re_path

from store.playlists import studio_views

app_name = "studio"  # a staff namespace: a second factor is required (accounts/middleware.py)

ID = r"(?P<playlist_id>[0-9a-f]{24})"
ITEM = r"(?P<item_id>[0-9a-f]{24})"

urlpatterns = [
    path("studio/playlists/", studio_views.playlists, name="playlists"),
    path("studio/playlists/tags/", studio_views.tags, name="tags"),
    re_path(rf"^studio/playlists/{ID}/$", studio_views.playlist, name="playlist"),
    re_path(rf"^studio/playlists/{ID}/details$", studio_views.details, name="details"),
    re_path(rf"^studio/playlists/{ID}/publish$", studio_views.publish, name="publish"),
    re_path(rf"^studio/playlists/{ID}/delete$", studio_views.delete, name="delete"),
    re_path(rf"^studio/playlists/{ID}/tracks/add$", studio_views.track_add, name="track_add"),
    re_path(
        rf"^studio/playlists/{ID}/tracks/{ITEM}/remove$",
        studio_views.track_remove,
        name="track_remove",
    ),
    re_path(
        rf"^studio/playlists/{ID}/tracks/{ITEM}/move$", studio_views.track_move, name="track_move"
    ),
]
