from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "store.player"
    label = "player"
    verbose_name = "Player"
