from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>
from store.player import radio_views, stream_views, views

app_name = "player"

urlpatterns = [
    path("previews/<id:track_id>", views.preview, name="preview"),
    path("previews/<id:track_id>/plays", views.play_start, name="play_start"),
    path("previews/plays/<uuid:play_id>/stop", views.play_stop, name="play_stop"),
    path("player/access", stream_views.access, name="access"),
    path("stream/<id:track_id>", stream_views.stream, name="stream"),
    path("stream/<id:track_id>/plays", stream_views.stream_play_start, name="stream_play_start"),
    path(
        "stream/plays/<int:play_id>/report",
        stream_views.stream_play_report,
        name="stream_play_report",
    ),
    path("radio/<slug:tag>/", radio_views.station_page, name="radio"),
    path("radio/<slug:tag>/tune", radio_views.tune, name="radio_tune"),
    path("radio/<slug:tag>/next", radio_views.next_track, name="radio_next"),
    path("radio/<slug:tag>/stream", radio_views.stream, name="radio_stream"),
    path("radio/<slug:tag>/report", radio_views.report, name="radio_report"),
]
