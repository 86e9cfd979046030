from django.apps import AppConfig


class PlaylogsConfig(AppConfig):
    name = "store.playlogs"
    label = "playlogs"
    verbose_name = "Play logs"
