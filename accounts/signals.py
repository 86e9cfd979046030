"""Signals accounts send to the apps above it, which it must not import."""

from django.dispatch import Signal

# Sent with ``user`` by ``account_delete`` before the account is erased, inside its
# transaction: apps end what the customer had (a subscription ends and 7digital is told).
account_closing = Signal()
