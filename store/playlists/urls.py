from django.urls import path, re_path

from store.playlists import group_views, library_views, views

app_name = "playlists"

ID = r"(?P<playlist_id>[0-9a-f]{24})"
ITEM = r"(?P<item_id>[0-9a-f]{24})"
GROUP = r"(?P<group_id>[0-9a-f]{24})"

urlpatterns = [
    path("playlists/", views.playlists, name="list"),
    path("playlists/home-section/", views.home_section, name="home_section"),
    re_path(r"^playlists/(?P<playlist_id>[0-9a-fA-F]{24})/$", views.playlist, name="detail"),
    re_path(rf"^playlists/{ID}/favourite$", library_views.favourite, name="favourite"),
    re_path(rf"^playlists/{ID}/report$", library_views.report, name="report"),
    path("library/playlists/", library_views.library, name="library"),
    path("library/playlists/add/", library_views.add, name="add"),
    path("library/playlists/import/", library_views.import_playlist, name="import"),
    path(
        "library/playlists/imports/<int:import_id>/",
        library_views.import_status,
        name="import_status",
    ),
    path("library/playlists/groups/", group_views.group_create, name="group_create"),
    re_path(rf"^library/playlists/groups/{GROUP}/$", group_views.group, name="group"),
    re_path(rf"^library/playlists/groups/{GROUP}/add$", group_views.group_add, name="group_add"),
    re_path(
        rf"^library/playlists/groups/{GROUP}/remove$",
        group_views.group_remove,
        name="group_remove",
    ),
    re_path(
        rf"^library/playlists/groups/{GROUP}/rename$",
        group_views.group_rename,
        name="group_rename",
    ),
    re_path(
        rf"^library/playlists/groups/{GROUP}/delete$",
        group_views.group_delete,
        name="group_delete",
    ),
    re_path(rf"^library/playlists/{ID}/$", library_views.mine, name="mine"),
    re_path(rf"^library/playlists/{ID}/rename$", library_views.rename, name="rename"),
    re_path(rf"^library/playlists/{ID}/visibility$", library_views.visibility, name="visibility"),
    re_path(rf"^library/playlists/{ID}/delete$", library_views.delete, name="delete"),
    re_path(rf"^library/playlists/{ID}/undo$", library_views.undo, name="undo"),
    re_path(
        rf"^library/playlists/{ID}/export\.(?P<kind>xspf|m3u)$",
        library_views.export,
        name="export",
    ),
    re_path(
        rf"^library/playlists/{ID}/tracks/{ITEM}/remove$",
        library_views.track_remove,
        name="track_remove",
    ),
    re_path(
        rf"^library/playlists/{ID}/tracks/{ITEM}/move$", library_views.track_move, name="track_move"
    ),
]
