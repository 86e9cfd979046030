"""The sandbox's own URLconf: the control API, then every 7digital path."""

from django.urls import path, re_path

from . import artwork, control, views

urlpatterns = [
    path("_sandbox/health", control.health),
    path("_sandbox/reset", control.reset),
    path("_sandbox/seed", control.seed),
    path("_sandbox/faults", control.faults),
    path("_sandbox/journal", control.journal),
    path("_sandbox/users", control.users),
    path("_sandbox/sales", control.sales),
    path("_sandbox/clock", control.clock),
    path("_sandbox/limits", control.limits),
    path("_sandbox/subscriptions", control.subscriptions),
    path("_sandbox/subscriptions/<str:user_id>", control.subscription),
    path("_sandbox/streams", control.streams),
    path("_sandbox/offline", control.offline),
    path("_sandbox/playlogs", control.playlogs),
    path("_sandbox/playlogs/summary", control.playlogs_summary),
    path("_sandbox/releases/<int:release_id>/takedown", control.release_takedown),
    # 7digital's artwork CDN, for SANDBOX_ARTWORK_URL pointing here (sandbox/artwork.py)
    re_path(
        r"^static/img/(?P<kind>[a-z]+)/\d{2}/\d{3}/\d{3}/(?P<item_id>\d{10})_(?P<size>\d{2,4})\.jpg$",
        artwork.image,
    ),
    re_path(r"^(?P<path>.*)$", views.api),
]
