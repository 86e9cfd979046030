"""The country switch: prices, currency and availability follow the visitor's choice."""

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.services import account_country_set
from integrations.country import SUPPORTED_COUNTRIES, country_remember
from integrations.htmx import HtmxHttpRequest, wants_partial
from integrations.http import next_path


@require_POST
def country_set(request: HtmxHttpRequest) -> HttpResponse:
    """Switch the visitor's country, then show the page again in its prices."""
    country = request.POST.get("country", "").upper()
    if country not in SUPPORTED_COUNTRIES:
        return HttpResponseBadRequest(
            f"Unknown country: choose one of {', '.join(SUPPORTED_COUNTRIES)}.",
            content_type="text/plain; charset=utf-8",
        )
    if wants_partial(request):  # a region posted it: the whole page changes currency
        response = HttpResponseClientRefresh()
    else:  # a form, boosted or not: the page again, which htmx swaps in without a reload
        response = HttpResponseRedirect(
            next_path(request, request.POST.get("next"), default=reverse("catalogue:home"))
        )
    country_remember(request, response, country)
    if request.user.is_authenticated:
        account_country_set(user=request.user, country=country)
    return response
