"""Export a framework as a CASE 1.1 CFPackage."""

import json

from django.core.management.base import BaseCommand, CommandError

from trellis.frameworks.case.export import export_package
from trellis.frameworks.models import Framework


class Command(BaseCommand):
    help = "Write a framework's current version as a CASE 1.1 CFPackage (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("framework", help="The framework's id, or its CASE document identifier.")
        parser.add_argument("--output", "-o", help="A file to write (default: standard output).")

    def handle(self, *args, framework, output, **options):
        found = Framework.objects.filter(case_identifier=framework).first()
        if found is None and framework.isdigit():
            found = Framework.objects.filter(pk=int(framework)).first()
        if found is None or found.current_version is None:
            raise CommandError(f"No framework {framework!r} with content to export.")
        text = json.dumps(export_package(found.current_version), ensure_ascii=False, indent=2)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
        else:
            self.stdout.write(text)
