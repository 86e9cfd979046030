"""The basket page and the add / remove buttons (HTMX, and plain forms without JS).

A basket button posts in place (a targeted swap: the status line and the header's count
come back); the same form boosted, or without JavaScript, is answered like a plain form:
a message and the page it came from (``integrations.htmx.wants_partial``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from integrations.country import visitor_country
from integrations.htmx import HtmxHttpRequest, render_page, vary_on_htmx, wants_partial
from integrations.http import next_path

from . import selectors, services
from .forms import BasketAddForm


def _back(request: HtmxHttpRequest) -> HttpResponse:
    return HttpResponseRedirect(
        next_path(request, request.POST.get("next"), default=reverse("basket:basket"))
    )


def _status(request: HtmxHttpRequest, message: str, *, ok: bool, status: int = 200) -> HttpResponse:
    """The HTMX answer: a line for the status region, and the header's count swapped in."""
    response = render(
        request,
        "basket/partials/status.html",
        {"message": message, "ok": ok, "basket_count": selectors.basket_count(request)},
        status=status,
    )
    return vary_on_htmx(response)


@require_safe
def basket(request: HtmxHttpRequest) -> HttpResponse:
    current = selectors.basket_get(request)
    context = {
        "basket": current,
        "lines": list(current.lines.all()) if current else [],
        "totals": selectors.basket_totals(current),
    }
    return render_page(request, "basket/basket.html", context)


@require_POST
def basket_add(request: HtmxHttpRequest) -> HttpResponse:
    form = BasketAddForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        if wants_partial(request):
            return _status(request, message, ok=False, status=400)
        messages.error(request, message)
        return _back(request)
    data = form.cleaned_data
    try:
        line = services.basket_item_add(
            basket=selectors.basket_get_or_create(request),
            release_id=None if data["track"] else data["release"],
            track_id=data["track"],
            package_id=data["package"],
            country=visitor_country(request),
        )
    except services.BasketItemUnavailable as exc:
        message, ok = str(exc), False
    except services.BasketUnavailable:
        message, ok = "The shop cannot reach the catalogue just now. Please try again.", False
    else:
        message, ok = f"Added “{line.title}” ({line.package_name}) to your basket.", True
    if wants_partial(request):
        return _status(request, message, ok=ok)
    (messages.success if ok else messages.error)(request, message)
    return _back(request)


@require_POST
def basket_remove(request: HtmxHttpRequest, line_id: int) -> HttpResponse:
    current = selectors.basket_get(request)
    removed = current is not None and services.basket_line_remove(basket=current, line_id=line_id)
    if not removed:
        messages.error(request, "That item is no longer in your basket.")
    return redirect("basket:basket")
