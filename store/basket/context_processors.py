from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import basket_count


def basket(request: HttpRequest) -> dict:
    """``basket_count`` for the header, counted only if a template shows it."""
    return {"basket_count": SimpleLazyObject(lambda: basket_count(request))}
