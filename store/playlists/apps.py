from django.apps import AppConfig


class PlaylistsConfig(AppConfig):
    name = "store.playlists"
    label = "playlists"
    verbose_name = "Playlists"
