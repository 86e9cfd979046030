from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the 7digital sandbox as its own process."

    def handle(self, *args, **options):
        self.stdout.write(
            "The 7digital sandbox arrives with issue #3; the site is configured to reach it "
            f"at {settings.SEVENDIGITAL_SANDBOX_URL}."
        )
