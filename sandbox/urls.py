"""The sandbox's own URLconf: the control API, then every 7digital path."""

from django.urls import path, re_path

from . import control, views

urlpatterns = [
    path("_sandbox/health", control.health),
    path("_sandbox/reset", control.reset),
    path("_sandbox/seed", control.seed),
    path("_sandbox/faults", control.faults),
    path("_sandbox/journal", control.journal),
    re_path(r"^(?P<path>.*)$", views.api),
]
