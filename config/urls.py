from django.contrib import admin
from django.urls import include, path

from config.views import healthz

# The sandbox is not mounted here: it runs as its own process with its own URLconf.
urlpatterns = [
    path("", include("store.catalogue.urls")),
    path("", include("store.playlogs.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
