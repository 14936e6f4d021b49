"""The demo region: what it holds, that loading it twice changes nothing, and that its logins work."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.orgs import demo
from trellis.orgs.access import current_caseload
from trellis.orgs.models import AccessGrant, CaseloadAssignment, Membership, Organization, OrgKind, Role
from trellis.orgs.roles import roles_of

pytestmark = pytest.mark.django_db

User = get_user_model()
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+\.example\.(?:org|net)")


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def person(name: str):
    return User.objects.get(full_name=name)


def test_builds_a_region_of_one_service_center_two_districts_and_six_campuses():
    seed()
    sc = Organization.objects.get(kind=OrgKind.SERVICE_CENTER)
    districts = Organization.objects.filter(kind=OrgKind.DISTRICT)
    assert sc.name == "Prairie Regional Service Center"
    assert districts.count() == 2
    assert all(d.parent_id == sc.pk for d in districts)
    for district in districts:
        assert Organization.objects.filter(kind=OrgKind.CAMPUS, parent=district).count() == 3


def test_people_and_roles():
    seed()
    assert User.objects.count() == 63
    assert User.objects.filter(service_center__isnull=False).count() == 3
    roles = dict(Membership.objects.values_list("role").annotate(n=Count("id")))
    assert roles == {
        Role.TEACHER: 48,
        Role.COACH: 4,
        Role.CAMPUS_LEADER: 6,
        Role.DISTRICT_ADMIN: 2,
        Role.FACILITATOR: 2,
        Role.SERVICE_CENTER_ADMIN: 1,
    }
    for campus in Organization.objects.filter(kind=OrgKind.CAMPUS):
        assert campus.memberships.filter(role=Role.CAMPUS_LEADER).count() == 1
        assert campus.memberships.filter(role=Role.TEACHER).count() == 8
    for district in Organization.objects.filter(kind=OrgKind.DISTRICT):
        assert Membership.objects.filter(district=district, role=Role.COACH).count() == 2
        assert Membership.objects.filter(organization=district, role=Role.DISTRICT_ADMIN).count() == 1
    assert all(u.email.endswith((".example.org", ".example.net")) for u in User.objects.all())


def test_only_one_district_grants_the_service_center_and_facilitators_work_there():
    seed()
    grant = AccessGrant.objects.get()
    assert grant.district.slug == "bluestem-isd"
    assert grant.status == "active"
    for name in demo.FACILITATORS:
        facilitator = person(name)
        assigned = CaseloadAssignment.objects.filter(coach=facilitator)
        assert assigned.exists()
        assert {a.district_id for a in assigned} == {grant.district_id}
        # The grant is active, so every assignment gives access.
        assert current_caseload(facilitator).count() == assigned.count()


def test_coaches_have_caseloads_across_campuses_of_their_own_district():
    seed()
    for district_spec in demo.DISTRICTS:
        for coach_name, _campus in district_spec["coaches"]:
            coach = person(coach_name)
            rows = current_caseload(coach)
            assert rows.count() >= 5
            assert {r.district_id for r in rows} == {coach.district_id}
            campuses = Membership.objects.filter(
                person__in=[r.teacher_id for r in rows], role=Role.TEACHER
            ).values_list("organization_id", flat=True)
            assert len(set(campuses)) >= 2, f"{coach_name} coaches on one campus only"


def test_notes_are_written_by_coaches_and_one_is_shared_with_a_campus_leader():
    seed()
    assert CoachingNote.objects.count() == len(demo.NOTES)
    for note in CoachingNote.objects.all():
        assert current_caseload(note.coach).filter(teacher=note.teacher).exists()
    share = CoachingShare.objects.get()
    assert roles_of(share.shared_with).is_campus_leader
    assert share.teacher == share.record.teacher


def test_each_persona_holds_its_role():
    seed()
    expected = {
        "Teacher": "is_teacher",
        "Coach": "is_coach",
        "Campus leader": "is_campus_leader",
        "District admin": "is_district_admin",
        "Facilitator": "is_facilitator",
        "Service-center admin": "is_service_center_admin",
    }
    logins = demo.demo_logins()
    assert {login.persona for login in logins} == set(expected)
    for login in logins:
        user = User.objects.get(email=login.email)
        assert getattr(roles_of(user), expected[login.persona]), login
        assert user.full_name == login.name
    teacher = User.objects.get(email=logins[0].email)
    assert CaseloadAssignment.objects.filter(teacher=teacher).count() == 2  # a coach and a facilitator


def test_running_twice_changes_nothing():
    seed()
    models = [m for m in apps.get_models() if m._meta.app_label in {"accounts", "orgs", "coaching", "audit"}]
    before = {m._meta.label: m.objects.count() for m in models}
    passwords = dict(User.objects.values_list("pk", "password"))
    output = seed()
    assert "already loaded" in output
    assert {m._meta.label: m.objects.count() for m in models} == before
    assert dict(User.objects.values_list("pk", "password")) == passwords


def test_every_printed_login_can_sign_in():
    output = seed()
    emails = EMAIL.findall(output)
    assert len(emails) == len(demo.demo_logins())
    assert f"password: {demo.DEFAULT_PASSWORD}" in output
    for email in emails:
        assert authenticate(None, email=email, password=demo.DEFAULT_PASSWORD) is not None, email
    assert authenticate(None, email=emails[0], password="not-the-password") is None


def test_password_comes_from_demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-demo-pass")
    output = seed()
    assert "another-long-demo-pass" in output
    assert authenticate(None, email=demo.demo_logins()[0].email, password="another-long-demo-pass")


def test_warns_when_the_demo_was_loaded_with_another_password(monkeypatch):
    seed()
    monkeypatch.setenv("DEMO_PASSWORD", "another-long-demo-pass")
    assert "another password" in seed()


def test_rejects_a_weak_demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "123")
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        seed()
    assert not Organization.objects.exists()


def test_emails_fold_accents_and_punctuation():
    assert demo.email_for("Lucía Ramírez", "x.example.org") == "lucia.ramirez@x.example.org"
    assert demo.email_for("Patrick O'Connell", "x.example.org") == "patrick.oconnell@x.example.org"
    assert demo.email_for("Hyun-woo Park", "x.example.org") == "hyunwoo.park@x.example.org"


def test_every_demo_email_is_unique():
    names = [n for d in demo.DISTRICTS for c in d["campuses"] for n in [c["leader"], *c["teachers"]]]
    names += [d["admin"] for d in demo.DISTRICTS] + [c for d in demo.DISTRICTS for c, _ in d["coaches"]]
    assert len(names) == len(set(names)) == 60


def test_the_readme_lists_the_same_logins():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| ([A-Za-z -]+) \| `([^`]+@[^`]+)` \|", readme, flags=re.MULTILINE))
    assert rows == {(login.persona, login.email) for login in demo.demo_logins()}
    assert f"**`{demo.DEFAULT_PASSWORD}`**" in readme
