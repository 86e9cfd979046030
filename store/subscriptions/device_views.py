"""``/account/devices/``: the customer's offline devices (premium only): the list from
7digital with the names kept here, rename and disable. A customer reaches only their own
devices: every call acts as their own partner user, and a device id not theirs is
simply not found among theirs."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from integrations.htmx import HtmxHttpRequest, render_page
from sevendigital import errors

from . import selectors
from .services import devices

logger = logging.getLogger(__name__)

UNAVAILABLE = "Your devices cannot be read from 7digital at the moment: try again shortly."


class RenameForm(forms.Form):
    name = forms.CharField(max_length=60, strip=True)


def _theirs(request, client_id: str) -> bool:
    """Whether ``client_id`` is one of the customer's devices (enabled at 7digital, or
    kept here)."""
    try:
        found = devices.offline_devices_list(user=request.user)
    except errors.SevenDigitalError:
        return False
    return any(device.client_id == client_id for device in found)


@require_safe
@login_required
def devices_page(request: HtmxHttpRequest) -> HttpResponse:
    subscription = selectors.subscription_of(user=request.user)
    allowed = selectors.gives_offline(subscription, now=timezone.now())
    context = {"allowed": allowed, "subscription": subscription, "devices": [], "error": ""}
    try:
        if not allowed:
            # A downgrade's or an expiry's task may have failed for good: do it now.
            devices.offline_devices_disable_all(user_id=request.user.pk)
        context["devices"] = devices.offline_devices_list(user=request.user)
    except errors.SevenDigitalError as exc:
        logger.warning("Offline devices of user %s unreadable: %r", request.user.pk, exc)
        context["error"] = UNAVAILABLE
    return render_page(request, "subscriptions/devices.html", context)


@require_POST
@login_required
def device_rename(request: HtmxHttpRequest, client_id: str) -> HttpResponse:
    form = RenameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A device's name is 1 to 60 characters.")
    elif not _theirs(request, client_id):
        messages.error(request, "No such device.")
    else:
        devices.offline_device_rename(
            user=request.user, client_id=client_id, name=form.cleaned_data["name"]
        )
        messages.success(request, f"Renamed to {form.cleaned_data['name']}.")
    return redirect("subscriptions:devices")


@require_POST
@login_required
def device_disable(request: HtmxHttpRequest, client_id: str) -> HttpResponse:
    if not _theirs(request, client_id):
        messages.error(request, "No such device.")
        return redirect("subscriptions:devices")
    try:
        device = devices.offline_device_disable(user=request.user, client_id=client_id)
    except errors.SevenDigitalError as exc:
        logger.warning("Offline device of user %s not disabled: %r", request.user.pk, exc)
        messages.error(request, "The device could not be disabled just now: try again shortly.")
    else:
        messages.success(
            request, f"{device} is disabled: it can no longer keep tracks to play offline."
        )
    return redirect("subscriptions:devices")
