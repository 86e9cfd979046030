"""The subscription services (``subscription_*``); the billing side adds its own
modules beside these."""

from .billing import (
    client_reference,
    plan_prices_create,
    subscription_cancel,
    subscription_checkout_confirm,
    subscription_event_handle,
    subscription_from_gateway,
    subscription_portal_url,
    subscription_renewal_stop,
    subscription_resume,
    subscription_start,
    subscriptions_test_cycle,
)
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
    "client_reference",
    "plan_prices_create",
    "retry_delay",
    "seven_digital_state",
    "subscription_account_closed",
    "subscription_cancel",
    "subscription_changed",
    "subscription_checkout_confirm",
    "subscription_event_handle",
    "subscription_from_gateway",
    "subscription_portal_url",
    "subscription_renewal_stop",
    "subscription_resume",
    "subscription_start",
    "subscription_sync_now",
    "subscription_sync_send",
    "subscription_syncs_sweep",
    "subscriptions_reconcile",
    "subscriptions_roll",
    "subscriptions_test_cycle",
]
