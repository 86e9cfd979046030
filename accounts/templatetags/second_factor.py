"""Template helpers of two-factor authentication: ``{% load second_factor %}``."""

from __future__ import annotations

from django import template

from accounts.middleware import continue_url

register = template.Library()


@register.simple_tag(takes_context=True)
def second_factor_continue(context) -> dict[str, str]:
    """``{% second_factor_continue as way_on %}``: ``way_on.url`` and ``way_on.label``
    of the link on from the recovery codes (see accounts.middleware.continue_url)."""
    url, label = continue_url(context["request"])
    return {"url": url, "label": label}
