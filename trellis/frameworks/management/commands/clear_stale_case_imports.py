"""Cancel CASE imports left unfinished and delete their stored packages (run hourly from cron)."""

from django.core.management.base import BaseCommand, CommandError

from trellis.frameworks.services import case_import_jobs_clear_stale


class Command(BaseCommand):
    help = "Cancel CASE imports not imported or cancelled within --hours and delete their stored packages."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="Age in hours after which an import is stale.")

    def handle(self, *args, hours: int, **options):
        if hours < 0:
            raise CommandError("--hours must be 0 or more.")
        count = case_import_jobs_clear_stale(hours=hours)
        self.stdout.write(f"Cancelled {count} stale CASE import(s).")
