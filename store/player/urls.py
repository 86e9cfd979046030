from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>
from store.player import stream_views, views

app_name = "player"

urlpatterns = [
    path("previews/<id:track_id>", views.preview, name="preview"),
    path("previews/<id:track_id>/plays", views.play_start, name="play_start"),
    path("previews/plays/<uuid:play_id>/stop", views.play_stop, name="play_stop"),
    path("stream/<id:track_id>", stream_views.stream, name="stream"),
    path("stream/<id:track_id>/plays", stream_views.stream_play_start, name="stream_play_start"),
    path(
        "stream/plays/<int:play_id>/report",
        stream_views.stream_play_report,
        name="stream_play_report",
    ),
]
