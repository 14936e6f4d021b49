"""Each persona's home page shows what they do next, and no coaching content they may not read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trellis.coaching import services as coaching
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(world):
    return coaching.note_create(
        actor=world.coach,
        teacher=world.teacher,
        title="Turn-and-talk launch",
        body="Private detail about the lesson.",
        next_steps="Try the partner stems on Thursday.",
    )


def home(client_for, person):
    response = client_for(person).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_is_sent_to_sign_in(client_for, db):
    response = client_for(None).get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_teacher_sees_coaches_and_latest_next_steps(world, client_for, note):
    page = home(client_for, world.teacher)
    assert "My coaching" in page
    assert "Cora Coach" in page and "Fay Facilitator" in page
    assert "Prairie Regional Service Center" in page
    assert "Turn-and-talk launch" in page and "Try the partner stems on Thursday." in page


def test_teacher_without_coach_gets_a_plain_empty_state(world, client_for):
    page = home(client_for, world.teacher_other_campus)
    assert "You have no coach assigned yet." in page
    assert "No coaching conversations recorded yet." in page


def test_coach_sees_caseload_with_last_conversation(world, client_for, note):
    page = home(client_for, world.coach)
    assert "My caseload" in page
    assert "Ana Teacher" in page and "Maple Elementary" in page
    assert note.met_on.strftime("%b") in page
    assert reverse("coaching:note-create", args=[world.teacher.pk]) in page
    assert "Omar Teacher" not in page


def test_facilitator_without_grant_is_told_why_caseload_is_empty(world, client_for):
    page = home(client_for, world.facilitator_no_grant)
    assert "not shown because their district has not granted" in page
    assert "Bea Teacher" not in page


def test_leader_sees_counts_not_content(world, client_for, note):
    page = home(client_for, world.campus_leader)
    assert "Coaching at Maple Elementary" in page
    assert "Private detail about the lesson." not in page
    assert "Turn-and-talk launch" not in page
    assert "No teacher has shared a coaching note with you." in page
    coaching.share_create(actor=world.teacher, record=note, shared_with=world.campus_leader)
    page = home(client_for, world.campus_leader)
    assert "Turn-and-talk launch" in page
    assert "Private detail about the lesson." not in page  # titles only on the home page


def test_district_admin_sees_overview_and_recent_changes(world, client_for, note):
    page = home(client_for, world.district_admin)
    assert "Cedar Valley ISD at a glance" in page
    assert "Recorded a coaching note" in page  # that coaching happened is on the log ...
    assert "Private detail about the lesson." not in page  # ... what was said is not
    assert "Willow Creek" not in page


def test_service_center_admin_sees_grants_and_facilitators(world, client_for):
    page = home(client_for, world.sc_admin)
    assert "Cedar Valley ISD" in page and "Active" in page
    assert "Fay Facilitator" in page and "Finn Facilitator" in page


def test_person_without_roles_is_told_what_happens_next(world, client_for):
    page = home(client_for, PersonFactory(district=world.district, email="new@a.example.org"))
    assert "You do not have a role in Trellis yet." in page


def test_leader_who_also_coaches_sees_both(world, client_for):
    MembershipFactory(person=world.campus_leader, organization=world.campus, role=Role.COACH)
    CaseloadFactory(coach=world.campus_leader, teacher=world.teacher_other_campus)
    page = home(client_for, world.campus_leader)
    assert "Coaching at Maple Elementary" in page and "My caseload" in page and "Omar Teacher" in page


def _grow_caseload(world, n, prefix):
    """Add ``n`` coached teachers at Maple, each with a coaching note."""
    for i in range(n):
        t = PersonFactory(district=world.district, email=f"{prefix}{i}@grow.example.org")
        MembershipFactory(person=t, organization=world.campus, role=Role.TEACHER)
        CaseloadFactory(coach=world.coach, teacher=t)
        coaching.note_create(actor=world.coach, teacher=t, title="n", body="b")


@pytest.mark.parametrize("persona", ["coach", "campus_leader", "district_admin", "teacher", "sc_admin"])
def test_home_query_count_does_not_grow_with_data(world, client_for, persona):
    client = client_for(getattr(world, persona))
    _grow_caseload(world, 3, "small")
    client.get(reverse("home"))  # the first request of a session does one-off work (session, roles)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    _grow_caseload(world, 30, "large")
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(large) == len(small), (persona, len(small), len(large))
    assert len(large) <= 20


def test_teacher_sees_the_next_check_in(world, client_for):
    import datetime

    from django.utils import timezone

    from trellis.observations.services import check_in_record

    check_in_record(
        actor=world.coach,
        teacher=world.teacher,
        held_on=timezone.localdate(),
        priorities="Routines",
        next_check_in=timezone.localdate() + datetime.timedelta(days=5),
    )
    page = home(client_for, world.teacher)
    assert "Next check-in:" in page and "with Cora Coach" in page
