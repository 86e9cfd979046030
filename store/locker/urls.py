from django.urls import path

from . import views

app_name = "locker"
urlpatterns = [
    path("locker/", views.locker, name="locker"),
    path(
        "locker/download/track/<int:release_id>/<int:track_id>/<int:format_id>/",
        views.download_track,
        name="download_track",
    ),
    path(
        "locker/download/release/<int:release_id>/",
        views.download_release,
        name="download_release",
    ),
    path(
        "locker/download/purchase/<int:purchase_id>/",
        views.download_purchase,
        name="download_purchase",
    ),
]
