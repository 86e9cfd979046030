"""What every template may say about the shop itself."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict:
    return {"shop_name": settings.SHOP_NAME}
