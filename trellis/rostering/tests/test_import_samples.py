"""The real public samples (standards.md §9.1) and a 1.2 package made from the 1.1 one."""

import pytest
from django.contrib.auth import get_user_model

from tests.samples import sample_path
from trellis.audit.models import AuditEntry
from trellis.orgs.models import Membership, Organization, OrgKind, Role
from trellis.rostering import models as m
from trellis.rostering.services import import_options, roster_import
from trellis.rostering.tests.packages import edfi_as_12, sample_files, write_package, zip_package

User = get_user_model()
pytestmark = pytest.mark.django_db

TEACHERS = {"kelley.christian@studentgps.org": "Kelley Christian", "sara.preston@studentgps.org": "Sara Preston"}


def run(world, source, **kw):
    options = import_options(strict=kw.pop("strict", False), classes=kw.pop("classes", False), mode=kw.pop("mode", ""))
    return roster_import(actor=world.district_admin, district=world.district, source=source, options=options, **kw)


def codes(report, level):
    return [issue["code"] for issue in report[level]]


def test_edfi_11_imports_the_two_teachers_and_the_school(world):
    before = User.objects.count()
    record = run(world, sample_path("oneroster-1.1-edfi-lms-toolkit"))
    report = record.report
    assert record.status == m.ImportStatus.IMPORTED
    assert report["version"] == "1.1" and report["mode"] == "bulk"
    assert report["errors"] == []
    assert report["people"]["created"] == 2
    assert report["orgs"]["created"] == 1 and report["orgs"]["linked"] == 1
    assert User.objects.count() == before + 2
    imported = User.objects.filter(district=world.district).exclude(sourced_id="")
    assert {u.email: u.full_name for u in imported} == TEACHERS
    assert {u.sourced_id for u in imported} == {"207270", "207268"}
    # The district is linked; the school became a campus of it, the teachers teach there.
    world.district.refresh_from_db()
    assert world.district.sourced_id == "255901"
    assert world.district.name == "Cedar Valley ISD"  # never renamed by a roster
    campus = Organization.objects.get(sourced_id="255901001")
    assert campus.kind == OrgKind.CAMPUS and campus.parent == world.district and campus.district == world.district
    assert campus.name == "Grand Bend High School"
    roles = Membership.objects.filter(person__in=imported)
    assert {(r.person.email, r.organization_id, r.role) for r in roles} == {
        (email, campus.pk, Role.TEACHER) for email in TEACHERS
    }
    assert m.RosterRole.objects.filter(membership__in=roles).count() == 2
    # Students and demographics are skipped, with the reasons in the report.
    assert report["skipped"]["not_staff"] == 8
    assert not User.objects.filter(email__endswith="studentgps.org").exclude(email__in=TEACHERS).exists()
    assert {"demographics_skipped", "not_staff_skipped"} <= set(codes(report, "notices"))
    # Warnings for the known quirks, each with its file and row.
    warnings = report["warnings"]
    assert any(w["code"] == "manifest_version" and w["file"] == "manifest.csv" and w["row"] == 2 for w in warnings)
    ragged = [w for w in warnings if w["code"] == "ragged_row"]
    assert [(w["file"], w["row"]) for w in ragged] == [("users.csv", 10), ("users.csv", 11)]
    assert any(w["code"] == "no_final_newline" and w["file"] == "users.csv" for w in warnings)
    # Never a password: the new people have unusable ones.
    assert not any(u.has_usable_password() for u in imported)
    # One audit entry for the import, pointing at its record.
    entry = AuditEntry.objects.get(action="roster.import")
    assert entry.object_id == str(record.pk) and entry.district_id == world.district.pk
    assert entry.after["people"]["created"] == 2


def test_edfi_11_from_a_zip_is_the_same(world, tmp_path):
    path = zip_package(tmp_path / "edfi.zip", sample_files())
    report = run(world, path).report
    assert report["people"]["created"] == 2 and report["errors"] == []


def test_edfi_11_with_classes(world):
    report = run(world, sample_path("oneroster-1.1-edfi-lms-toolkit"), classes=True).report
    assert report["errors"] == []
    assert report["classes"]["sessions"]["created"] == 3
    assert report["classes"]["classes"]["created"] == 2
    assert report["classes"]["teachers"]["created"] == 4
    assert report["skipped"]["student_enrollments"] == 20
    algebra = m.SchoolClass.objects.get(sourced_id="25590100102Trad220ALG112011")
    assert algebra.title == "ALG-1" and algebra.course_title == "Algebra I"
    assert algebra.school_year.sourced_id == "255901001_2021_2020-2021_SchoolYear"
    assert {t.session.sourced_id for t in algebra.terms.all()} == {
        "255901001_2021_2020-2021_Fall",
        "255901001_2021_2020-2021_Spring",
    }
    assert {t.person.email for t in algebra.teachers.all()} == {"kelley.christian@studentgps.org"}
    assert m.AcademicSession.objects.get(sourced_id="255901001_2021_2020-2021_SchoolYear").school_year == 2021
    # Classes keep no student: only teachers' enrollments exist.
    assert m.ClassTeacher.objects.count() == 4
    assert any(w["code"] == "no_final_newline" and w["file"] == "enrollments.csv" for w in report["warnings"])


def test_edfi_11_strict_mode_refuses_the_deviations(world):
    record = run(world, sample_path("oneroster-1.1-edfi-lms-toolkit"), strict=True)
    report = record.report
    assert record.status == m.ImportStatus.REFUSED
    assert {"ragged_row", "manifest_version"} <= set(codes(report, "errors"))
    assert report["written"] is False
    assert not User.objects.filter(sourced_id="207270").exists()


def test_edfi_10_is_refused_as_oneroster_10(world):
    before = User.objects.count()
    record = run(world, sample_path("oneroster-1.0-edfi-lms-toolkit"))
    assert record.status == m.ImportStatus.REFUSED
    [error] = record.report["errors"]
    assert error["code"] == "oneroster_1_0"
    assert "OneRoster 1.0" in error["message"] and "manifest.csv" in error["message"]
    assert User.objects.count() == before


def test_a_12_package_built_from_the_11_sample_imports_the_same_people(world, tmp_path):
    path = write_package(tmp_path / "v12", edfi_as_12())
    report = run(world, path).report
    assert report["version"] == "1.2"
    assert report["errors"] == []
    assert report["people"]["created"] == 2
    assert set(
        User.objects.filter(district=world.district).exclude(sourced_id="").values_list("email", flat=True)
    ) == set(TEACHERS)
    assert Membership.objects.filter(person__sourced_id="207270", role=Role.TEACHER).count() == 1
    # The roster ids of the roles are kept for later deltas.
    assert set(m.RosterRole.objects.values_list("sourced_id", flat=True)) == {"r-207270-0", "r-207268-0"}


def test_reimporting_the_same_package_changes_nothing(world):
    path = sample_path("oneroster-1.1-edfi-lms-toolkit")
    run(world, path, classes=True)
    audit_before = AuditEntry.objects.count()
    people = list(User.objects.order_by("pk").values())
    roles = list(Membership.objects.order_by("pk").values())
    orgs = list(Organization.objects.order_by("pk").values())
    record = run(world, path, classes=True)
    report = record.report
    assert record.status == m.ImportStatus.IMPORTED
    assert report["written"] is False
    assert report["people"]["unchanged"] == 2 and report["people"]["created"] == 0
    assert report["classes"]["teachers"]["unchanged"] == 4
    assert list(User.objects.order_by("pk").values()) == people
    assert list(Membership.objects.order_by("pk").values()) == roles
    assert list(Organization.objects.order_by("pk").values()) == orgs
    assert AuditEntry.objects.count() == audit_before


def test_dry_run_writes_nothing_but_reports_what_it_would_do(world):
    before = (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count())
    record = run(world, sample_path("oneroster-1.1-edfi-lms-toolkit"), dry_run=True)
    assert record.status == m.ImportStatus.DRY_RUN
    assert record.report["people"]["created"] == 2 and record.report["written"] is False
    assert (User.objects.count(), Organization.objects.count(), AuditEntry.objects.count()) == before
    world.district.refresh_from_db()
    assert world.district.sourced_id == ""
