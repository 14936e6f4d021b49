"""Matching people and campuses, bulk and delta files, the deactivation guard, the role mapping."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from trellis.accounts.models import EmployeeGroup
from trellis.audit.models import AuditEntry
from trellis.orgs.factories import CampusFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Membership, Organization, Role
from trellis.rostering import models as m
from trellis.rostering.services import import_options, roster_import
from trellis.rostering.tests.packages import (
    ROLES_HEADER,
    USERS_12_HEADER,
    basic_files,
    manifest,
    orgs_csv,
    teachers,
    user_row,
    users_csv,
    write_package,
)

User = get_user_model()
pytestmark = pytest.mark.django_db
SCHOOLS = (("s1", "Grand Bend High School"), ("s2", "Grand Bend Middle School"))


@pytest.fixture
def run(world, tmp_path):
    counter = iter(range(1000))

    def go(files, *, actor=None, confirm=False, strict=False, **kw):
        path = write_package(tmp_path / f"p{next(counter)}", files)
        return roster_import(
            actor=actor,
            district=world.district,
            source=path,
            options=import_options(strict=strict, **kw),
            confirm_deactivation=confirm,
        )

    return go


def codes(record, level="warnings"):
    return [i["code"] for i in record.report[level]]


# Matching ------------------------------------------------------------------------------------


def test_a_person_added_by_hand_is_linked_not_duplicated(world, run):
    hand = PersonFactory(
        full_name="Kim Lee", email="kim.lee@grandbend.example.org", district=world.district, employee_group="coach"
    )
    record = run(basic_files(user_row("t1", "Kim", "Lee", "Kim.Lee@grandbend.example.org"), schools=SCHOOLS))
    assert record.report["people"]["linked"] == 1 and record.report["people"]["created"] == 0
    hand.refresh_from_db()
    assert hand.sourced_id == "t1"
    assert hand.employee_group == "coach"  # the group is the district's to set once a person exists
    assert User.objects.filter(email__iexact="kim.lee@grandbend.example.org").count() == 1
    assert Membership.objects.filter(person=hand, role=Role.TEACHER, organization__sourced_id="s1").exists()


def test_the_email_of_someone_in_another_district_is_never_taken(world, run):
    record = run(basic_files(user_row("t1", "Bea", "Teacher", "teacher@b.example.org"), *teachers(1, start=5)))
    assert record.status == m.ImportStatus.IMPORTED
    assert record.report["people"] == {**record.report["people"], "created": 1, "skipped": 1}
    assert "person_skipped" in codes(record)
    assert User.objects.get(email="teacher@b.example.org").district == world.district_b
    assert User.objects.get(email="teacher@b.example.org").sourced_id == ""


def test_a_changed_roster_id_is_not_silently_relinked(world, run):
    run(basic_files(user_row("old-id", "Ann", "Ode", "ann@x.org")))
    record = run(
        basic_files(user_row("new-id", "Ann", "Ode", "ann@x.org"), user_row("old-id", "Ann", "Ode", "ann@x.org"))
    )
    assert record.report["errors"]  # two rows, one email
    record = run(basic_files(user_row("new-id", "Ann", "Ode", "ann@x.org")), confirm=True)
    assert "person_skipped" in codes(record)
    assert "old-id" in record.report["warnings"][0]["message"]
    assert User.objects.get(email="ann@x.org").sourced_id == "old-id"
    strict = run(basic_files(user_row("new-id", "Ann", "Ode", "ann@x.org")), confirm=True, strict=True)
    assert strict.status == m.ImportStatus.REFUSED and "person_skipped" in codes(strict, "errors")


def test_campuses_made_by_hand_are_linked_by_code_or_name(world, run):
    by_code = CampusFactory(name="GBHS", code="0042", parent=world.district)
    by_name = CampusFactory(name="grand bend middle school", parent=world.district)
    files = basic_files(*teachers(1))
    files["orgs.csv"] = orgs_csv(("s1", "Grand Bend High School", "", "", "0042"), ("s2", "Grand Bend Middle School"))
    record = run(files)
    assert record.report["orgs"]["linked"] == 3 and record.report["orgs"]["created"] == 0
    by_code.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_code.sourced_id, by_code.name) == ("s1", "Grand Bend High School")
    assert (by_name.sourced_id, by_name.name) == ("s2", "Grand Bend Middle School")


def test_no_email_skips_the_person_and_a_username_email_is_used(world, run):
    no_email = "t1,,,true,s1,teacher,kim,,Kim,Lee,,,,,,,,"
    username = "t2,,,true,s1,teacher,ray@x.org,,Ray,Ode,,,,,,,,"
    record = run(basic_files(no_email, username))
    assert record.report["people"]["created"] == 1 and record.report["people"]["skipped"] == 1
    assert User.objects.filter(email="ray@x.org", sourced_id="t2").exists()
    assert "email_from_username" in codes(record, "notices")


# Role mapping ------------------------------------------------------------------------------------


def test_roles_map_to_trellis_roles_and_never_to_district_admin(world, run):
    rows = [
        user_row("a1", "Ada", "Admin", "ada@x.org", role="administrator", orgs="s1"),
        user_row("a2", "Dan", "District", "dan@x.org", role="administrator", orgs="d1"),
        user_row("a3", "Al", "Aide", "al@x.org", role="aide", orgs="s1,s2"),
        user_row("a4", "Cy", "Coach", "cy@x.org", role="ext:instructionalCoach", orgs="s2"),
        user_row("a5", "Pat", "Proctor", "pat@x.org", role="proctor", orgs="s1"),
        user_row("a6", "Sue", "Student", "sue@x.org", role="student", orgs="s1"),
        user_row("a7", "Gus", "Guardian", "gus@x.org", role="guardian", orgs="s1"),
    ]
    record = run(basic_files(*rows, schools=SCHOOLS))
    assert record.report["people"]["created"] == 5 and record.report["skipped"]["not_staff"] == 2

    def roles(email):
        return sorted((mm.organization.sourced_id, mm.role) for mm in Membership.objects.filter(person__email=email))

    assert roles("ada@x.org") == [("s1", Role.CAMPUS_LEADER)]
    assert roles("dan@x.org") == []
    assert roles("al@x.org") == [("s1", Role.TEACHER), ("s2", Role.TEACHER)]
    assert roles("cy@x.org") == [("s2", Role.COACH)]
    groups = dict(User.objects.exclude(sourced_id="").values_list("email", "employee_group"))
    assert groups["ada@x.org"] == EmployeeGroup.CAMPUS_LEADER
    assert groups["dan@x.org"] == EmployeeGroup.DISTRICT_STAFF
    assert groups["al@x.org"] == EmployeeGroup.PARAPROFESSIONAL
    assert groups["cy@x.org"] == EmployeeGroup.COACH
    assert groups["pat@x.org"] == EmployeeGroup.SPECIALIST
    assert not Membership.objects.filter(role=Role.DISTRICT_ADMIN, person__email__in=groups).exists()
    assert not User.objects.filter(email__in=["sue@x.org", "gus@x.org"]).exists()


def test_a_disabled_user_is_rostered_but_inactive(world, run):
    run(basic_files(user_row("t1", "Ann", "Ode", "ann@x.org", enabled="false")))
    assert User.objects.get(sourced_id="t1").is_active is False


def test_moving_school_ends_the_rostered_role_and_keeps_roles_given_by_hand(world, run):
    run(basic_files(user_row("t1", "Ann", "Ode", "ann@x.org", orgs="s1"), schools=SCHOOLS))
    ann = User.objects.get(sourced_id="t1")
    other = CampusFactory(name="Hand Campus", parent=world.district)
    hand_teacher = MembershipFactory(person=ann, organization=other, role=Role.TEACHER)
    hand_coach = MembershipFactory(person=ann, organization=world.campus, role=Role.COACH)
    record = run(basic_files(user_row("t1", "Ann", "Ode", "ann@x.org", orgs="s2"), schools=SCHOOLS))
    assert record.report["memberships"]["created"] == 1 and record.report["memberships"]["ended"] == 1
    today = timezone.localdate()
    old = Membership.objects.get(person=ann, organization__sourced_id="s1")
    assert old.valid_to == today
    assert Membership.objects.get(person=ann, organization__sourced_id="s2").valid_to is None
    for kept in (hand_teacher, hand_coach):
        kept.refresh_from_db()
        assert kept.valid_to is None


# Bulk, delta, the guard ---------------------------------------------------------------------------


def test_bulk_deactivates_people_missing_from_the_file_never_deletes(world, run):
    run(basic_files(*teachers(10)))
    record = run(basic_files(*teachers(9)))
    assert record.report["people"]["deactivated"] == 1
    gone = User.objects.get(sourced_id="t9")
    assert gone.is_active is False
    assert Membership.objects.filter(person=gone).exists()  # history kept
    # Back in the next file: reactivated, not created again.
    record = run(basic_files(*teachers(10)))
    assert record.report["people"]["reactivated"] == 1 and record.report["people"]["created"] == 0
    assert User.objects.get(sourced_id="t9").is_active


def test_the_guard_refuses_a_bulk_file_that_would_deactivate_too_many(world, run, settings):
    run(basic_files(*teachers(10)))
    before_audit = AuditEntry.objects.count()
    record = run(basic_files(*teachers(7)))
    assert record.status == m.ImportStatus.REFUSED
    [guard] = [e for e in record.report["errors"] if e["code"] == "mass_deactivation"]
    assert "3 of your 10" in guard["message"] and "30%" in guard["message"] and "20%" in guard["message"]
    assert User.objects.filter(sourced_id__startswith="t", is_active=True).count() == 10
    assert AuditEntry.objects.count() == before_audit
    record = run(basic_files(*teachers(7)), confirm=True)
    assert record.report["people"]["deactivated"] == 3
    settings.ROSTER_MAX_DEACTIVATION_SHARE = 0.5
    assert run(basic_files(*teachers(5))).report["people"]["deactivated"] == 2


def test_the_guard_counts_campuses_too(world, run):
    schools = [(f"s{i}", f"School {i}") for i in range(5)]
    run(basic_files(*teachers(1), schools=schools))
    record = run(basic_files(*teachers(1), schools=schools[:3]))
    assert any(e["code"] == "mass_deactivation" and "campuses" in e["message"] for e in record.report["errors"])
    record = run(basic_files(*teachers(1), schools=schools[:3]), confirm=True)
    assert record.report["orgs"]["deactivated"] == 2
    assert Organization.objects.filter(sourced_id="s4", is_active=False).exists()


def test_the_importing_admin_is_never_deactivated(world, run):
    admin = world.district_admin
    admin.sourced_id = "adm"
    admin.save()
    record = run(basic_files(*teachers(5)), actor=admin, confirm=True)
    admin.refresh_from_db()
    assert admin.is_active and "not_deactivated_self" in codes(record)


def _now(days=0):
    return (timezone.now() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_delta_applies_status_and_date_last_modified(world, run):
    run(basic_files(*teachers(3)))
    delta = basic_files(
        user_row("t0", "Given0", "Renamed", "t0@grandbend.example.org", status="active", modified=_now(-1)),
        user_row("t1", "Given1", "Family1", "t1@grandbend.example.org", status="tobedeleted", modified=_now(-1)),
        user_row("n1", "New", "Person", "new@grandbend.example.org", status="active", modified=_now(-1)),
        users="delta",
        orgs="absent",
    )
    del delta["orgs.csv"]
    record = run(delta)
    people = record.report["people"]
    assert (people["updated"], people["deactivated"], people["created"]) == (1, 1, 1), record.report
    assert User.objects.get(sourced_id="t0").full_name == "Given0 Renamed"
    assert User.objects.get(sourced_id="t1").is_active is False
    assert User.objects.get(sourced_id="t2").is_active  # not in a delta: untouched
    # The same delta again: every row is stale, nothing changes, no audit entry.
    audit = AuditEntry.objects.count()
    again = run(delta)
    assert again.report["people"]["unchanged"] == 3 and again.report["written"] is False
    assert AuditEntry.objects.count() == audit
    # An older row than the one applied is skipped.
    older = dict(delta)
    older["users.csv"] = users_csv(
        user_row("t0", "Given0", "Older", "t0@grandbend.example.org", status="active", modified=_now(-3))
    )
    run(older)
    assert User.objects.get(sourced_id="t0").full_name == "Given0 Renamed"


def test_delta_needs_a_status_on_every_row(world, run):
    files = basic_files(user_row("t1", "A", "B", "a@x.org"), users="delta")
    record = run(files)
    assert record.status == m.ImportStatus.REFUSED
    assert {(e["row"], e["column"]) for e in record.report["errors"]} == {(2, "status")}


def test_mode_override_reads_a_bulk_file_as_delta(world, run):
    run(basic_files(*teachers(10)))
    files = basic_files(*(row.replace(",,,true", ",active,,true", 1) for row in teachers(2)))
    record = run(files, mode="delta")
    assert record.report["mode"] == "delta" and record.report["people"]["deactivated"] == 0
    assert "mode_override" in codes(record, "notices")


def test_delta_12_roles_add_and_remove(world, run):
    files = {
        "manifest.csv": manifest(version="1.2", roles="bulk"),
        "orgs.csv": orgs_csv(*SCHOOLS),
        "users.csv": USERS_12_HEADER + "\nu1,,,true,ann,,Ann,Ode,,,ann@x.org,,,,,,,Annie,,,,\n",
        "roles.csv": ROLES_HEADER + "\nr1,,,u1,primary,teacher,,,s1,\n",
    }
    run(files)
    ann = User.objects.get(sourced_id="u1")
    assert ann.preferred_name == "Annie Ode"
    modified = _now(-1)
    delta = {
        "manifest.csv": manifest(version="1.2", orgs="absent", users="absent", roles="delta"),
        "roles.csv": ROLES_HEADER
        + f"\nr1,tobedeleted,{modified},u1,primary,teacher,,,s1,\nr2,active,{modified},u1,secondary,principal,,,s2,\n",
    }
    record = run(delta)
    assert record.report["errors"] == []
    assert record.report["memberships"]["created"] == 1 and record.report["memberships"]["ended"] == 1
    current = Membership.objects.filter(person=ann, valid_to__isnull=True)
    assert [(mm.organization.sourced_id, mm.role) for mm in current] == [("s2", Role.CAMPUS_LEADER)]
