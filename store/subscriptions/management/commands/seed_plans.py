"""Offer two plans on a shop that has none, so that ``make run`` can subscribe at once:

    python manage.py seed_plans

Premium (with offline), monthly with a 14-day trial, and Standard, yearly (whose
7digital windows are re-sent each month), each priced in GBP, EUR and USD. A shop with
any plan is left alone: plans are the staff's, in the admin.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from store.subscriptions.models import Plan, PlanPrice

PLANS = [
    {
        "name": "Premium",
        "slug": "premium",
        "plan_code": Plan.Code.PREMIUM,
        "interval": Plan.Interval.MONTH,
        "trial_days": 14,
        "features": "Every track in the catalogue, in full\nListen offline on your devices\n"
        "Cancel at any time",
        "prices": {"GBP": "9.99", "EUR": "10.99", "USD": "10.99"},
    },
    {
        "name": "Standard yearly",
        "slug": "standard-yearly",
        "plan_code": Plan.Code.STANDARD,
        "interval": Plan.Interval.YEAR,
        "trial_days": 0,
        "features": "Every track in the catalogue, in full\nTwo months free against monthly",
        "prices": {"GBP": "79.99", "EUR": "89.99", "USD": "89.99"},
    },
]


class Command(BaseCommand):
    help = "Offer two example plans when the shop has none (for make run)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        if Plan.objects.exists():
            self.stdout.write("Plans exist already: left as they are.")
            return
        for position, spec in enumerate(PLANS):
            values = dict(spec)
            prices = values.pop("prices")
            plan = Plan.objects.create(position=position, **values)
            for currency, amount in prices.items():
                PlanPrice.objects.create(plan=plan, currency=currency, amount=Decimal(amount))
            self.stdout.write(f"Plan offered: {plan.name} ({', '.join(prices)}).")
