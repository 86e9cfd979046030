"""The site mounted under /shop/, for tests of URL helpers."""

from django.urls import include, path

urlpatterns = [path("shop/", include("config.urls"))]
