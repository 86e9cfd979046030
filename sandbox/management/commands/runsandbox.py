"""``manage.py runsandbox [--port 8001]``: the 7digital sandbox as its own process.

``--port 0`` lets the system pick a free port; the banner's "listening on" line names it.
HTTPS is served on the same port with a self-signed certificate made on the first start
(sandbox/tls.py); the banner names its file. ``--no-tls`` serves plain HTTP only.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from sandbox import tls
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
        parser.add_argument(
            "--no-tls",
            dest="serve_tls",
            action="store_false",
            help="serve plain HTTP only (by default HTTPS too, on the same port)",
        )
        parser.add_argument(
            "--tls-dir",
            type=Path,
            help="where the self-signed certificate is kept (default: .sandbox-tls/ "
            "beside the sandbox's SQLite database)",
        )

    def _certificate(self, host: str, tls_dir: Path | None) -> tls.Certificate | None:
        directory = tls_dir or tls.default_directory(
            settings.DATABASES["sandbox"], Path(settings.BASE_DIR)
        )
        names = tls.names_for(
            host,
            urlsplit(settings.SEVENDIGITAL_SANDBOX_URL).hostname,
            urlsplit(settings.SANDBOX_PUBLIC_URL or "").hostname,
        )
        try:
            return tls.ensure_certificate(directory, names)
        except OSError as exc:
            self.stderr.write(f"HTTPS is off: no certificate could be kept in {directory}: {exc}")
            return None

    def handle(self, *args, host, port, tracks, reseed, serve_tls, tls_dir, **options):
        call_command("migrate", database="sandbox", verbosity=0)
        if reseed or not Release.objects.exists():
            from sandbox.seed import seed

            self.stdout.write(f"Seeding the sandbox catalogue ({tracks:,} tracks)...")
            stats = seed(tracks=tracks)
            self.stdout.write(f"Seeded: {stats}")
        certificate = self._certificate(host, tls_dir) if serve_tls else None
        server = SandboxServer(host, port, quiet=False, certificate=certificate)
        self.stdout.write(f"7digital sandbox listening on {server.url}")
        if certificate:
            path = certificate.certificate_path
            made = "made now" if certificate.created else "made on an earlier start"
            self.stdout.write(f"HTTPS on the same port: {server.https_url}")
            self.stdout.write(f"  self-signed certificate ({made}): {path}")
            self.stdout.write(
                f"  trust it with NODE_EXTRA_CA_CERTS={path} (Node), verify='{path}' "
                "(requests) or curl --cacert"
            )
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
