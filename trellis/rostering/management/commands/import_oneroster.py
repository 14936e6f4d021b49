"""Import a OneRoster 1.1 or 1.2 CSV package (a zip file or a folder) into a district."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trellis.orgs.models import Organization, OrgKind
from trellis.rostering.models import ImportSource
from trellis.rostering.services import fingerprint_path, import_options, roster_import


def find_district(value: str) -> Organization:
    """A district by its short name (slug) or its id."""
    districts = Organization.objects.filter(kind=OrgKind.DISTRICT)
    found = list(districts.filter(slug=value)[:2])
    if not found and value.isdigit():
        found = list(districts.filter(pk=int(value)))
    if not found:
        raise CommandError(f"No district with the short name {value!r}.")
    if len(found) > 1:
        ids = ", ".join(str(d.pk) for d in districts.filter(slug=value))
        raise CommandError(f"Several districts use the short name {value!r}; give the id instead (one of {ids}).")
    return found[0]


class Command(BaseCommand):
    help = (
        "Import staff, campuses and (with --classes) academic sessions and teachers' classes from a OneRoster "
        "1.1 or 1.2 CSV package. Students, demographics and passwords are never imported. Everything is checked "
        "first; on any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A OneRoster zip file or a folder of its CSV files.")
        parser.add_argument("--district", required=True, help="The district's short name (slug) or id.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--strict", action="store_true", help="Treat every deviation from OneRoster as an error (certification)."
        )
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--mode",
            choices=["bulk", "delta"],
            default="",
            help="Read every file in this mode, whatever manifest.csv says.",
        )
        parser.add_argument("--classes", action="store_true", help="Also import academic sessions and classes.")
        parser.add_argument(
            "--confirm-deactivation",
            action="store_true",
            help="Allow a bulk file to deactivate more than ROSTER_MAX_DEACTIVATION_SHARE of the people or campuses.",
        )

    def handle(self, *args, path, district, dry_run, strict, json: bool, mode, classes, confirm_deactivation, **kw):
        owner = find_district(district)
        source = Path(path)
        if not source.exists():
            raise CommandError(f"There is no file or folder at {path}.")
        fingerprint, size = fingerprint_path(source)
        record = roster_import(
            actor=None,
            district=owner,
            source=source,
            options=import_options(strict=strict, classes=classes, mode=mode),
            dry_run=dry_run,
            confirm_deactivation=confirm_deactivation,
            source_kind=ImportSource.COMMAND,
            filename=source.name,
            fingerprint=fingerprint,
            size=size,
        )
        report = record.report
        if json:
            self.stdout.write(_dumps(report))
        else:
            self._print(owner, record, report)
        if report["errors"]:
            raise CommandError("The package has errors; nothing was imported.", returncode=1)

    def _print(self, district, record, report):
        out = self.stdout
        out.write(
            f"{record.filename}: OneRoster {report['version'] or '?'}, {report['mode'] or '?'}, for {district.name}"
            f" (import #{record.pk})"
        )
        for level, key in (("error", "errors"), ("warning", "warnings"), ("notice", "notices")):
            for issue in report[key]:
                where = ", ".join(
                    str(part)
                    for part in (
                        issue.get("file"),
                        f"row {issue['row']}" if "row" in issue else None,
                        f"column {issue['column']}" if issue.get("column") else None,
                    )
                    if part
                )
                line = f"{level}: {where + ': ' if where else ''}{issue['message']}"
                (self.stderr if level == "error" else out).write(line)
        if report["errors"]:
            return
        for key in ("orgs", "people", "memberships"):
            counts = ", ".join(f"{name} {n}" for name, n in report[key].items() if n)
            out.write(f"{key}: {counts or 'no change'}")
        for key, counts in (report.get("classes") or {}).items():
            out.write(f"{key}: {', '.join(f'{name} {n}' for name, n in counts.items() if n) or 'no change'}")
        if report["dry_run"]:
            out.write("Dry run: nothing was written.")
        elif report["written"]:
            out.write(self.style.SUCCESS(f"Imported in {report['seconds']} s."))
        else:
            out.write(self.style.SUCCESS("Nothing to change: Trellis already matches this roster."))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
