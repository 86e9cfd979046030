from django.urls import path

from store.playlogs import views

app_name = "playlogs"

urlpatterns = [
    path("previews/<int:track_id>", views.preview, name="preview"),
    path("previews/<int:track_id>/plays", views.play_start, name="play_start"),
    path("previews/plays/<uuid:play_id>/stop", views.play_stop, name="play_stop"),
]
