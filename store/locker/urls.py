from django.urls import path

import integrations.converters  # noqa: F401 - registers <id:> and <order_number:>

from . import views

app_name = "locker"
urlpatterns = [
    path("locker/", views.locker, name="locker"),
    path(
        "locker/download/track/<id:release_id>/<id:track_id>/<id:format_id>/",
        views.download_track,
        name="download_track",
    ),
    path(
        "locker/download/release/<id:release_id>/",
        views.download_release,
        name="download_release",
    ),
    path(
        "locker/download/purchase/<id:purchase_id>/",
        views.download_purchase,
        name="download_purchase",
    ),
    path("locker/fetch/<str:ticket>/", views.fetch, name="fetch"),
]
