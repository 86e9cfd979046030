"""Stripe Billing answered by recorded responses, through checkout's StripeClient."""

from __future__ import annotations

import pytest

from store.checkout.gateways import stripe_checkout

from .stripe_recorded import RecordedBilling

SECRET = "whsec_recorded_billing_secret"


@pytest.fixture
def stripe_api(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_BILLING_WEBHOOK_SECRET = SECRET
    recorded = RecordedBilling(webhook_secret=SECRET)
    monkeypatch.setattr(stripe_checkout, "http_client", recorded)
    return recorded
