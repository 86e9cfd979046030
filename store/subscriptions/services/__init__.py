"""The subscription services (``subscription_*``); the billing side adds its own
modules beside these."""

from .state import seven_digital_state
from .sync import (
    retry_delay,
    subscription_account_closed,
    subscription_changed,
    subscription_sync_now,
    subscription_sync_send,
    subscription_syncs_sweep,
    subscriptions_reconcile,
    subscriptions_roll,
)

__all__ = [
    "retry_delay",
    "seven_digital_state",
    "subscription_account_closed",
    "subscription_changed",
    "subscription_sync_now",
    "subscription_sync_send",
    "subscription_syncs_sweep",
    "subscriptions_reconcile",
    "subscriptions_roll",
]
