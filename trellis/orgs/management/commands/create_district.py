"""Create a district (and, if needed, its service center) with its first administrator.

This is how a new installation gets its first district: every later change is
made by that administrator in Trellis, or by rostering.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from trellis.accounts.models import EmployeeGroup
from trellis.orgs.models import Organization, OrgKind, Role
from trellis.orgs.services import membership_create, organization_create, organization_update, person_create


class Command(BaseCommand):
    help = "Create a district with its first district admin (who sets a password through 'Forgot your password?')."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The district's name, e.g. 'Cedar Valley ISD'.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--slug", default="", help="Short name used in commands (default: from the name).")
        parser.add_argument("--service-center", default="", help="Name of the service center it belongs to, if any.")
        parser.add_argument("--timezone", default="America/Chicago")

    def handle(self, *args, name, admin_email, admin_name, slug, service_center, timezone, **options):
        try:
            with transaction.atomic():
                parent = self._service_center(service_center) if service_center else None
                district = organization_create(actor=None, kind=OrgKind.DISTRICT, name=name, parent=parent, slug=slug)
                organization_update(actor=None, organization=district, timezone=timezone)
                admin = person_create(
                    actor=None,
                    email=admin_email,
                    full_name=admin_name,
                    employee_group=EmployeeGroup.DISTRICT_STAFF,
                    district=district,
                )
                membership_create(actor=None, person=admin, organization=district, role=Role.DISTRICT_ADMIN)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {district.name} (short name {district.slug})."))
        self.stdout.write(f"{admin.email} is its district admin: they set a password with 'Forgot your password?'.")

    def _service_center(self, name: str) -> Organization:
        existing = Organization.objects.filter(kind=OrgKind.SERVICE_CENTER, name__iexact=name).first()
        return existing or organization_create(actor=None, kind=OrgKind.SERVICE_CENTER, name=name)
