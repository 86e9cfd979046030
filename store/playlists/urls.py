from django.urls import path, re_path

from store.playlists import views

app_name = "playlists"

urlpatterns = [
    path("playlists/", views.playlists, name="list"),
    re_path(r"^playlists/(?P<playlist_id>[0-9a-fA-F]{24})/$", views.playlist, name="detail"),
]
