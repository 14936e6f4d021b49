"""Import new OneRoster packages from each district's drop folder. Run it from cron, e.g. every 10 minutes:

*/10 * * * *  cd /srv/trellis && .venv/bin/python manage.py sync_oneroster >> /var/log/trellis/sync.log 2>&1
"""

import json

from django.core.management.base import BaseCommand

from trellis.rostering.management.commands.import_oneroster import find_district
from trellis.rostering.sync import sync_all, sync_lock


class Command(BaseCommand):
    help = (
        "Import the new OneRoster packages (zip files, or folders with a manifest.csv) that each district's "
        "SIS dropped into its folder under ROSTER_SYNC_ROOT. A package is imported once; see docs/rostering.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="Only this district (short name or id).")
        parser.add_argument("--dry-run", action="store_true", help="List what would be imported; import nothing.")
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")

    def handle(self, *args, district=None, dry_run=False, json=False, **options):
        owner = find_district(district) if district else None
        with sync_lock() as acquired:
            if not acquired:
                self.stderr.write("Another sync_oneroster is still running; nothing done.")
                return
            results = sync_all(district=owner, dry_run=dry_run)
        if json:
            self.stdout.write(_dumps(results))
            return
        if not results:
            self.stdout.write("No district has the scheduled sync on.")
        for result in results:
            self.stdout.write(f"{result['district']} ({result['folder']}): {result['status']}")
            for item in result["imported"]:
                self.stdout.write(f"  {item['file']}: {item.get('status', 'would be imported')}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
