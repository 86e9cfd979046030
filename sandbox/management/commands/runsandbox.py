"""``manage.py runsandbox [--port 8001]``: the 7digital sandbox as its own process.

``--port 0`` lets the system pick a free port; the banner's "listening on" line names it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sandbox.models import Release
from sandbox.server import SandboxServer


class Command(BaseCommand):
    help = "Run the 7digital sandbox (API, previews, media, streams, feeds) on its own port."

    def add_arguments(self, parser):
        default = urlsplit(settings.SEVENDIGITAL_SANDBOX_URL)
        parser.add_argument("--host", default=default.hostname or "127.0.0.1")
        parser.add_argument("--port", type=int, default=default.port or 8001)
        parser.add_argument(
            "--tracks",
            type=int,
            default=settings.SANDBOX_SEED_TRACKS,
            help="size of the catalogue to seed when the sandbox database is empty",
        )
        parser.add_argument("--reseed", action="store_true", help="seed even if not empty")

    def handle(self, *args, host, port, tracks, reseed, **options):
        call_command("migrate", database="sandbox", verbosity=0)
        if reseed or not Release.objects.exists():
            from sandbox.seed import seed

            self.stdout.write(f"Seeding the sandbox catalogue ({tracks:,} tracks)...")
            stats = seed(tracks=tracks)
            self.stdout.write(f"Seeded: {stats}")
        server = SandboxServer(host, port, quiet=False)
        self.stdout.write(f"7digital sandbox listening on {server.url}")
        self.stdout.write("Consumer key/secret pairs it accepts:")
        for key, secret in settings.SANDBOX_CONSUMERS.items():
            self.stdout.write(f"  {key} / {secret}")
        self.stdout.write(f"Control API: {server.url}/_sandbox/health")
        # Whoever started us on --port 0 reads the port from this banner: a pipe is
        # block-buffered, so it goes out now rather than at exit.
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
