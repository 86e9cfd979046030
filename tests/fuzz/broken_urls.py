"""The site's URLs and two views that fail as the fuzz must notice (tests/fuzz/test_harness.py)."""

from django.http import HttpResponse
from django.urls import include, path


def reads_a_page(request, number):
    """Fails as the shop's views did before issue 16: ``isdigit()``, then ``int()``."""
    page = request.GET.get("page", "1")
    return HttpResponse(str(int(page)) if page.isdigit() else "1")


def shows_a_traceback(request):
    return HttpResponse("Traceback (most recent call last):\n  File ...")


urlpatterns = [
    path("", include("config.urls")),
    path("added-later/<int:number>/", reads_a_page),
    path("shows-a-traceback/", shows_a_traceback),
]
