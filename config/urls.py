from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from config.views import healthz

# The admin signs in through allauth: the same rate limits, and the second factor.
admin.site.login = secure_admin_login(admin.site.login)

# The sandbox is not mounted here: it runs as its own process with its own URLconf.
urlpatterns = [
    path("", include("store.catalogue.urls")),
    path("", include("store.player.urls")),
    path("", include("store.basket.urls")),
    path("", include("store.checkout.urls")),
    path("", include("store.locker.urls")),
    path("", include("store.subscriptions.urls")),
    path("", include("store.playlists.urls")),
    path("", include("store.playlists.studio_urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
