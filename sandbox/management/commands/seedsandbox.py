from django.core.management.base import BaseCommand, CommandError

from sandbox.seed import seed as seed_catalogue


class Command(BaseCommand):
    help = (
        "Wipe the sandbox database (catalogue and partner users) and seed its deterministic "
        "catalogue: the reference's examples plus a generated catalogue of about N tracks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tracks",
            type=int,
            default=100_000,
            help="Generated tracks (default 100,000; releases are a tenth, artists a fiftieth).",
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")
        parser.add_argument(
            "--database", default="sandbox", help='Database alias (default "sandbox").'
        )

    def handle(self, *args, tracks: int, seed: int, database: str, **options):
        if not 0 < tracks <= 1_000_000:
            raise CommandError("--tracks must be between 1 and 1,000,000.")
        stats = seed_catalogue(tracks=tracks, using=database, seed=seed)
        self.stdout.write(
            f"Seeded the sandbox catalogue into {database!r} (seed {seed}) "
            f"in {stats.seconds:.2f} s:"
        )
        for name, value in stats.as_dict().items():
            if name != "seconds":
                self.stdout.write(f"  {name.replace('_', ' '):<13} {value:>10,}")
        rate = stats.rows / stats.seconds if stats.seconds else 0
        self.stdout.write(f"  {'rows/second':<13} {rate:>10,.0f}")
