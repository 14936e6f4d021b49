"""Import a CASE framework package from a file or a CASE server."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trellis.frameworks.case.fetch import FetchError, fetch_package
from trellis.frameworks.models import FrameworkKind
from trellis.frameworks.services import framework_import_case
from trellis.orgs.models import Organization, OrgKind


class Command(BaseCommand):
    help = "Import a CASE 1.0/1.1 CFPackage (JSON file or URL). Re-importing updates the framework in place."

    def add_arguments(self, parser):
        parser.add_argument("source", help="A path to a CFPackage JSON file, or an http(s) URL of a CASE server.")
        parser.add_argument("--district", help="Slug of the district that will own it (default: shared with all).")
        parser.add_argument("--kind", choices=FrameworkKind.values, default="", help="Kind of framework.")
        parser.add_argument("--dry-run", action="store_true", help="Check the package and report; write nothing.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, source, district, kind, dry_run, json: bool, **options):
        owner = None
        if district:
            owner = Organization.objects.filter(kind=OrgKind.DISTRICT, slug=district).first()
            if owner is None:
                raise CommandError(f"No district with the short name {district!r}.")
        raw = self._read(source)
        framework, report, existed = framework_import_case(
            actor=None, raw=raw, district=owner, kind=kind, dry_run=dry_run
        )
        summary = report.as_dict()
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self._print(summary, framework, dry_run, existed)
        if report.errors:
            raise CommandError("The package was not imported.", returncode=1)

    def _read(self, source: str) -> bytes:
        if source.startswith(("http://", "https://")):
            try:
                return fetch_package(
                    source, timeout=settings.CASE_FETCH_TIMEOUT, max_bytes=settings.CASE_MAX_BYTES
                ).body
            except FetchError as exc:
                raise CommandError(str(exc)) from exc
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"No file at {source}.")
        if path.stat().st_size > settings.CASE_MAX_BYTES:
            mb = round(settings.CASE_MAX_BYTES / 1_000_000, 1)
            raise CommandError(f"{source} is larger than the {mb} MB limit.")
        return path.read_bytes()

    def _print(self, summary, framework, dry_run, existed):
        self.stdout.write(
            f"{summary['title'] or '(no title)'}: {summary['items']} items, {summary['top_level']} top-level, "
            f"depth {summary['depth']}, {summary['associations']} associations, {summary['external_links']} external links"
        )
        for warning in summary["warnings"]:
            self.stdout.write(f"warning: {warning}")
        for error in summary["errors"]:
            self.stderr.write(f"error: {error}")
        if summary["errors"]:
            return
        if dry_run:
            self.stdout.write(
                "Dry run: nothing was written." + (" It would update an existing framework." if existed else "")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{'Updated' if existed else 'Imported'} framework #{framework.pk}."))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
