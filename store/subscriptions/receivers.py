"""Signals from below (accounts must not import the store)."""

from __future__ import annotations


def account_closing(*, sender, user, **kwargs) -> None:
    """An account is closing: its subscription ends now and 7digital hears ``expired``."""
    from .services import subscription_account_closed

    subscription_account_closed(user=user)
