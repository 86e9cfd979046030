"""Offline devices (reference lines 4681-4736): the premium plan lets a customer's
devices (a companion app; its API comes with the app work) keep tracks for offline
play. 7digital registers them and says which are enabled (``user/offlineclients``);
the shop keeps the names customers give them, lets them rename and disable them on
``/account/devices/``, and disables every one when the subscription stops giving
premium access (a downgrade, an expiry: :func:`offline_devices_disable_all`, run by the
worker once 7digital has confirmed the new state, see services/sync.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.selectors import partner_user_id_of
from integrations.sevendigital import get_client, get_sender_client
from store.subscriptions.models import OfflineDevice, Subscription
from store.subscriptions.selectors import gives_offline

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Device:
    client_id: str
    name: str
    enabled: bool
    disabled_at: object = None


def offline_devices_list(*, user) -> list[Device]:
    """The customer's devices: those 7digital has enabled, then those disabled here,
    each with the name the customer gave it. Raises SevenDigitalError."""
    partner_id = partner_user_id_of(user=user)
    clients = get_client().subscriptions.offline_clients(partner_id) if partner_id else []
    enabled = [client.client_id for client in clients]
    kept = {device.client_id: device for device in OfflineDevice.objects.filter(user=user)}
    found = [
        Device(client_id, kept[client_id].name if client_id in kept else "", True)
        for client_id in enabled
    ]
    found += [
        Device(device.client_id, device.name, False, device.disabled_at)
        for client_id, device in kept.items()
        if client_id not in enabled and device.disabled_at is not None
    ]
    return found


def offline_device_rename(*, user, client_id: str, name: str) -> OfflineDevice:
    device, _ = OfflineDevice.objects.get_or_create(user=user, client_id=client_id)
    device.name = name.strip()
    device.save(update_fields=["name"])
    return device


def offline_device_disable(*, user, client_id: str) -> OfflineDevice:
    """Disable one device at 7digital (idempotent there), then note it here.
    Raises SevenDigitalError, and then changes nothing here."""
    partner_id = partner_user_id_of(user=user)
    if partner_id:
        get_client().subscriptions.set_offline(partner_id, client_id=client_id, enabled=False)
    with transaction.atomic():
        device, _ = OfflineDevice.objects.get_or_create(user=user, client_id=client_id)
        device.disabled_at = timezone.now()
        device.save(update_fields=["disabled_at"])
    return device


def offline_devices_disable_all(*, user_id: int) -> int:
    """Disable every device 7digital has enabled for the customer, unless their
    subscription gives offline play again by now. Returns how many were disabled;
    raises SevenDigitalError (the task retries)."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    subscription = Subscription.objects.select_related("plan").filter(user=user).first()
    if gives_offline(subscription, now=timezone.now()):
        return 0  # premium again (an upgrade after the downgrade): keep them
    partner_id = partner_user_id_of(user=user)
    if not partner_id:
        return 0
    client = get_sender_client()  # the task's retries are the retry
    disabled = 0
    for device in client.subscriptions.offline_clients(partner_id):
        client.subscriptions.set_offline(partner_id, client_id=device.client_id, enabled=False)
        OfflineDevice.objects.update_or_create(
            user=user, client_id=device.client_id, defaults={"disabled_at": timezone.now()}
        )
        disabled += 1
    if disabled:
        logger.info("Disabled %s offline devices of user %s: no premium access", disabled, user_id)
    return disabled
