"""``{% load player %}``: what play buttons carry for ``static/js/access.js``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from store.player.access import Streaming, streaming_of

register = template.Library()


@register.filter
def streaming(track) -> str:
    """``open``, ``later`` or ``none``: whether subscribers may stream the track now,
    as the catalogue says (the same for everyone, so safe in a shared cached region)."""
    if getattr(track, "subscription_streaming", None) is None:
        return Streaming.NONE.value
    return streaming_of(track, now=timezone.now()).value
