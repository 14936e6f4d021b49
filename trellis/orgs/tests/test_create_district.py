import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trellis.accounts.models import User
from trellis.audit.models import AuditEntry
from trellis.orgs.models import Membership, Organization, Role
from trellis.orgs.roles import roles_of

pytestmark = pytest.mark.django_db


def test_creates_district_admin_and_service_center():
    out = io.StringIO()
    call_command(
        "create_district",
        "Lakes ISD",
        "--admin-email",
        "Head@Lakes.example.org",
        "--admin-name",
        "Hana Head",
        "--service-center",
        "Lakes Regional Service Center",
        "--timezone",
        "America/New_York",
        stdout=out,
    )
    district = Organization.objects.get(name="Lakes ISD")
    assert district.parent.name == "Lakes Regional Service Center" and district.timezone == "America/New_York"
    admin = User.objects.get(email="head@lakes.example.org")
    assert not admin.has_usable_password() and roles_of(admin).admin_district_ids == {district.pk}
    assert "Forgot your password?" in out.getvalue()
    assert AuditEntry.objects.filter(action="membership.create", district=district).exists()
    # A second district under the same service center reuses it.
    call_command(
        "create_district",
        "Pines USD",
        "--admin-email",
        "p@pines.example.org",
        "--admin-name",
        "P",
        "--service-center",
        "lakes regional service center",
        stdout=io.StringIO(),
    )
    assert Organization.objects.filter(name__iexact="Lakes Regional Service Center").count() == 1


def test_refuses_bad_input_and_writes_nothing(world):
    with pytest.raises(CommandError, match="already uses"):
        call_command("create_district", "Another ISD", "--admin-email", "teacher@a.example.org", "--admin-name", "X")
    assert not Organization.objects.filter(name="Another ISD").exists()
    with pytest.raises(CommandError, match="time zone"):
        call_command(
            "create_district",
            "Zoned ISD",
            "--admin-email",
            "z@z.example.org",
            "--admin-name",
            "Z",
            "--timezone",
            "Mars/Base",
        )
    assert not Membership.objects.filter(role=Role.DISTRICT_ADMIN, person__email="z@z.example.org").exists()
