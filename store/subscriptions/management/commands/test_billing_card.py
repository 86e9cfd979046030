"""Make a customer's card fail (or work again) at the test billing gateway's renewals, to
try dunning and expiry on ``make run``:

    python manage.py test_billing_card listener@example.com --fails
    python manage.py test_billing_card listener@example.com --works
    python manage.py test_billing_card listener@example.com --period-ends-now --cycle

``--period-ends-now`` plays the month out: the period (or the trial) ends now, so the
gateway renews it, fails it (a card that fails) or ends it (cancelled at its end), and an
unpaid renewal runs out of retries. Beat's ``subscriptions_test_cycle`` brings the news
to the shop and 7digital within 5 minutes; ``--cycle`` runs it at once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from store.subscriptions import services
from store.subscriptions.gateways import PaymentError, billing_gateway_get
from store.subscriptions.models import Subscription


class Command(BaseCommand):
    help = "Set whether a customer's card fails at the test billing gateway's renewals."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--fails", action="store_true", help="refuse the next renewals")
        choice.add_argument("--works", action="store_true", help="accept them (pays one owed)")
        parser.add_argument(
            "--period-ends-now",
            action="store_true",
            help="end the current period (or trial) now: renewed, failed or ended",
        )
        parser.add_argument("--cycle", action="store_true", help="run the test cycle now")

    def handle(
        self,
        *args,
        email: str,
        fails: bool,
        works: bool,
        period_ends_now: bool,
        cycle: bool,
        **options,
    ):
        if not (fails or works or period_ends_now):
            raise CommandError("Say --fails, --works or --period-ends-now.")
        subscription = (
            Subscription.objects.filter(
                user__email__iexact=email, gateway=Subscription.Gateway.TEST
            )
            .exclude(gateway_reference="")
            .first()
        )
        if subscription is None:
            raise CommandError(f"{email} has no subscription with the test gateway.")
        gateway = billing_gateway_get("test")
        reference = subscription.gateway_reference
        try:
            if fails or works:
                status = gateway.card_fails_set(reference=reference, fails=fails)
                self.stdout.write(
                    f"{email}: the card {'fails' if fails else 'works'}; "
                    f"at the gateway: {status.state}."
                )
            if period_ends_now:
                status = gateway.period_end_now(reference=reference)
                until = status.current_period_end
                self.stdout.write(
                    f"{email}: the period ended now; at the gateway: {status.state}"
                    + (f", the period runs to {until:%Y-%m-%d %H:%M} UTC." if until else ".")
                )
        except PaymentError as exc:
            raise CommandError(str(exc)) from exc
        if cycle:
            services.subscriptions_test_cycle()
            subscription.refresh_from_db()
            self.stdout.write(f"The shop's subscription: {subscription.get_status_display()}.")
