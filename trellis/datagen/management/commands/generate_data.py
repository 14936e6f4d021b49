"""python manage.py generate_data --scale district|region [--seed N]: realistic data for the benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from trellis.datagen.generate import AlreadyGenerated, generate
from trellis.datagen.plan import SCALES

DEFAULT_PASSWORD = "generated-data-only"


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with a district's (1 district, 40 campuses, 3,000 teachers, "
        "100,000 observations, 1.5 million evidence notes...) or a region's (ten districts) worth of data, "
        "for benchmarks. The same seed gives the same data on the same day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--fraction", type=float, default=1.0, help="Shrink every count by this factor (for quick trials)."
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="The password every generated person signs in with."
        )

    def handle(self, *args, scale, seed, fraction, password, **options):
        if not 0 < fraction <= 1:
            raise CommandError("--fraction must be more than 0 and at most 1.")
        plan = SCALES[scale] if fraction == 1 else SCALES[scale].shrunk(fraction)
        try:
            result = generate(plan, seed=seed, password=password, say=self.stdout.write)
        except AlreadyGenerated as exc:
            raise CommandError(str(exc)) from exc
        for table, n in sorted(result["rows"].items()):
            self.stdout.write(f"{table:40} {n:>12,}")
        self.stdout.write(self.style.SUCCESS(f"{scale} scale generated in {result['seconds']} s (seed {seed})."))
