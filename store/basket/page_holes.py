"""The basket link in the header, filled in for each visitor on a stored catalogue page
(store/catalogue/page_cache.py): the page is everyone's, the count is theirs."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from store.catalogue.page_cache import fill_hole

from .selectors import basket_count


@fill_hole("basket")
def basket_link(request: HttpRequest) -> str:
    return render_to_string(
        "basket/partials/basket_link.html", {"basket_count": basket_count(request)}
    )
