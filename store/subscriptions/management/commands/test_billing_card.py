"""Make a customer's card fail (or work again) at the test billing gateway's renewals, to
try dunning and expiry on ``make run``:

    python manage.py test_billing_card listener@example.com --fails
    python manage.py test_billing_card listener@example.com --works

Then move the clock (or wait) and let beat's ``subscriptions_test_cycle`` bring the news
in (``--cycle`` runs it at once).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from store.subscriptions import services
from store.subscriptions.gateways import billing_gateway_get
from store.subscriptions.models import Subscription


class Command(BaseCommand):
    help = "Set whether a customer's card fails at the test billing gateway's renewals."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        choice = parser.add_mutually_exclusive_group(required=True)
        choice.add_argument("--fails", action="store_true", help="refuse the next renewals")
        choice.add_argument("--works", action="store_true", help="accept them (pays one owed)")
        parser.add_argument("--cycle", action="store_true", help="run the test cycle now")

    def handle(self, *args, email: str, fails: bool, works: bool, cycle: bool, **options):
        subscription = (
            Subscription.objects.filter(
                user__email__iexact=email, gateway=Subscription.Gateway.TEST
            )
            .exclude(gateway_reference="")
            .first()
        )
        if subscription is None:
            raise CommandError(f"{email} has no subscription with the test gateway.")
        status = billing_gateway_get("test").card_fails_set(
            reference=subscription.gateway_reference, fails=fails
        )
        self.stdout.write(
            f"{email}: the card {'fails' if fails else 'works'}; at the gateway: {status.state}."
        )
        if cycle:
            services.subscriptions_test_cycle()
            subscription.refresh_from_db()
            self.stdout.write(f"The shop's subscription: {subscription.get_status_display()}.")
