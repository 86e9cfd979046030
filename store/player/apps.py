"""Listening: the media relay for previews (later streams), the plays the player reports,
and the player's templates (templates/player/) and script (static/js/player.js).

Plays are recorded as :mod:`store.playlogs` rows and shipped by it; playlogs never
imports this app.
"""

from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "store.player"
    label = "player"
    verbose_name = "Player"
