"""The coach's caseload, the teacher's growth page and the home-page coaching panels, with pinned query counts."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.coaching import services
from trellis.coaching.models import CoachingStep, Goal, Placement, SessionStatus
from trellis.coaching.tests import authz_sessions as build
from trellis.observations.services import check_in_record
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
CASELOAD = "/coaching/caseload/"


# The month after next, fixed when the module loads (before any travel): tests travel forward into it, so the
# caseload rows, which start today, still hold.
MONTH = (datetime.datetime.now(CHICAGO).date().replace(day=1) + datetime.timedelta(days=62)).replace(day=1)


def _in_a_month(day: int, hour: int = 10) -> datetime.datetime:
    """A moment on ``day`` of that month, local time."""
    return datetime.datetime.combine(MONTH.replace(day=day), datetime.time(hour), tzinfo=CHICAGO)


def _teacher(world, i, prefix="t"):
    person = PersonFactory(district=world.district, email=f"{prefix}{i}@grow.example.org", full_name=f"Zed {prefix}{i}")
    MembershipFactory(person=person, organization=world.campus, role=Role.TEACHER)
    CaseloadFactory(coach=world.coach, teacher=person)
    return person


def _count(client, url) -> int:
    client.get(url)  # the first request of a session does one-off work
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The caseload --------------------------------------------------------------------------------------------------------


def test_caseload_row_shows_where_coaching_stands(world, client_for):
    with time_machine.travel(_in_a_month(2), tick=False):
        rel = build.relationship(world)
        held = build.session(world, rel=rel, starts_at=_in_a_month(2, 9))
        services.session_complete(actor=world.coach, session=held)
        build.session(world, rel=rel, starts_at=_in_a_month(1, 9))  # scheduled, never held: planned
    with time_machine.travel(_in_a_month(5), tick=False):
        missed = build.session(world, rel=rel, starts_at=_in_a_month(5, 8))
        services.session_mark_missed(actor=world.coach, session=missed)
        upcoming = build.session(world, rel=rel, starts_at=_in_a_month(20, 15))
        step = build.agreed_step(world, title="Narrate the positive", rel=rel)
    with time_machine.travel(_in_a_month(8), tick=False):
        check_in_record(actor=world.coach, teacher=world.teacher, held_on=_in_a_month(8).date(), priorities="Routines")
        html = client_for(world.coach).get(CASELOAD).content.decode()
        assert "Ana Teacher" in html and "Omar Teacher" not in html
        assert "check-in" in html  # the latest contact: the check-in on the 8th, after the session on the 2nd
        assert reverse("coaching:session-run", args=[upcoming.pk]) in html
        assert reverse("coaching:step-detail", args=[step.pk]) in html and "Agreed" in html
        assert "1 of 4 held" in html  # held: the 2nd; planned: also the missed 5th, the 1st and the 20th
        assert "Follow-up overdue" not in html
    with time_machine.travel(_in_a_month(14), tick=False):
        build.observation(world)
        html = client_for(world.coach).get(CASELOAD).content.decode()
        assert "(observation)" in html  # an observation today is the latest contact now
        assert "Follow-up overdue" in html  # agreed on the 5th, due a week later


def test_caseload_sorts_overdue_first(world, client_for):
    with time_machine.travel(_in_a_month(3), tick=False):
        aaron = _teacher(world, 1)
        aaron.full_name = "Aaron Early"
        aaron.save()
        build.session(world, starts_at=_in_a_month(20))  # Ana has the only next session
        build.agreed_step(world, teacher=_teacher(world, 2), title="Overdue one")
    with time_machine.travel(_in_a_month(15), tick=False):
        html = client_for(world.coach).get(CASELOAD).content.decode()
        overdue, ana, aaron_at = html.index("Zed t2"), html.index("Ana Teacher"), html.index("Aaron Early")
        assert overdue < ana < aaron_at


def test_caseload_is_for_coaches_and_facilitators(world, client_for):
    for person in (world.teacher, world.campus_leader, world.district_admin, world.sc_admin, world.other_admin):
        assert client_for(person).get(CASELOAD).status_code == 403
    html = client_for(world.facilitator_no_grant).get(CASELOAD).content.decode()
    assert "No one is on your caseload yet." in html and "Bea Teacher" not in html
    assert reverse("coaching:relationship-create") in html
    assert "Ana Teacher" in client_for(world.facilitator).get(CASELOAD).content.decode()


def test_caseload_never_shows_content_of_other_coaches_sessions(world, client_for):
    rel = build.relationship(world, coach=world.facilitator)
    build.session(world, rel=rel, starts_at=timezone.now() + datetime.timedelta(days=3))
    html = client_for(world.coach).get(CASELOAD).content.decode()
    assert "none scheduled" in html  # the facilitator's session is theirs, not this coach's


def test_caseload_paginates(world, client_for):
    for i in range(26):
        _teacher(world, i)
    client = client_for(world.coach)
    html = client.get(CASELOAD).content.decode()
    assert "27 teachers" in html and "Page 1 of 2" in html
    assert "Page 2 of 2" in client.get(CASELOAD + "?page=2").content.decode()
    assert client.get(CASELOAD + "?page=abc").status_code == 200


def _grow_caseload(world, n, prefix):
    for i in range(n):
        person = _teacher(world, i, prefix)
        rel = build.relationship(world, teachers=[person])
        build.session(world, rel=rel, starts_at=timezone.now() + datetime.timedelta(days=2))
        build.agreed_step(world, teacher=person, rel=rel)
        check_in_record(actor=world.coach, teacher=person, held_on=timezone.localdate(), priorities="p")


# Pinned: the request's session, user and roles; the page count and the page of rows (every value a subquery);
# the unread notices of the navigation; saving the request's session (3).
CASELOAD_QUERIES = 6


def test_caseload_query_count_is_fixed(world, client_for):
    client = client_for(world.coach)
    _grow_caseload(world, 1, "one")
    one = _count(client, CASELOAD)
    _grow_caseload(world, 9, "ten")
    ten = _count(client, CASELOAD)
    assert one == ten == CASELOAD_QUERIES, (one, ten)


# My growth -----------------------------------------------------------------------------------------------------------

GROWTH = "/coaching/growth/"


def test_growth_page_empty_states_tell_the_teacher_how_to_begin(world, client_for):
    html = client_for(world.teacher_other_campus).get(GROWTH).content.decode()
    assert "You have no active goal." in html and reverse("coaching:goal-create") in html
    assert "No action step yet." in html
    assert "You have not placed yourself on the continuum yet." in html
    assert "No session scheduled." in html
    assert "Place myself" in html  # the district framework's areas are offered


def test_growth_page_shows_goal_steps_history_and_placements(world, client_for):
    goal = build.goal(world, active=True)
    services.data_point_add(actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=44,
                            source="student_work")  # fmt: skip
    services.trial_record(actor=world.teacher, goal=goal, strategy="Stems", tried_on=timezone.localdate(),
                          evidence="12 of 25", result="worked", reflection="Keep them up")  # fmt: skip
    build.agreed_step(world, title="Countdown before transitions")
    node = build.component()
    services.placement_record(actor=world.teacher, node=node, level=build.level(1))
    rel = build.relationship(world)
    upcoming = build.session(world, rel=rel, starts_at=timezone.now() + datetime.timedelta(days=2))
    html = client_for(world.teacher).get(GROWTH).content.decode()
    assert goal.statement in html and html.count('<img src="data:image/svg+xml;base64,') == 2
    assert "Countdown before transitions" in html and "Follow-up by" in html
    assert "Stems" in html and "Keep them up" in html
    assert node.code in html and build.level(1).label in html and "Self-placement" in html
    assert reverse("coaching:session-run", args=[upcoming.pk]) in html and "With Cora Coach" in html


def test_place_myself_again(world, client_for):
    client = client_for(world.teacher)
    node = build.component()
    response = client.post(reverse("coaching:placement-create"), {"node": node.pk, "level": build.level(3).pk})
    assert response.status_code == 302 and response["Location"] == GROWTH
    placement = Placement.objects.get()
    assert (placement.teacher, placement.node, placement.level, placement.source) == (
        world.teacher,
        node,
        build.level(3),
        "self",
    )
    assert "Placed today:" in client.get(GROWTH).content.decode()


def test_place_myself_refuses_bad_input(world, client_for):
    client = client_for(world.teacher)
    url = reverse("coaching:placement-create")
    for data in ({"node": "abc", "level": ""}, {"node": build.component().pk, "level": 99999999}, {}):
        response = client.post(url, data, follow=True)
        assert "Choose an area and a level from the lists." in response.content.decode()
    assert not Placement.objects.exists()


def test_growth_is_for_teachers(world, client_for):
    for person in (world.coach, world.campus_leader, world.district_admin, world.facilitator):
        assert client_for(person).get(GROWTH).status_code == 403
        assert client_for(person).post(reverse("coaching:placement-create"), {}).status_code == 403


def _grow_growth(world, n):
    goal = Goal.objects.filter(teacher=world.teacher, status="active").first() or build.goal(world, active=True)
    for i in range(n):
        services.data_point_add(
            actor=world.teacher, goal=goal, recorded_on=timezone.localdate() - datetime.timedelta(days=i),
            value=i, source="survey",
        )  # fmt: skip
        services.trial_record(actor=world.teacher, goal=goal, strategy=f"S{i}", tried_on=timezone.localdate(),
                              evidence="e", result="partly")  # fmt: skip
        step = build.agreed_step(world, title=f"Step {i}")
        CoachingStep.objects.filter(pk=step.pk).update(state="mastered", mastered_at=timezone.now())
        services.placement_record(actor=world.teacher, node=build.component(), level=build.level(1 + i % 3))
    build.session(world, starts_at=timezone.now() + datetime.timedelta(days=1))


# Pinned: the request's session, user and roles; goals, the active goal's data points, current steps, mastered
# steps, trials, placements, focus areas, scale levels, the next session; the notices of the navigation; saving
# the request's session (3).
GROWTH_QUERIES = 13


def test_growth_query_count_is_fixed(world, client_for):
    client = client_for(world.teacher)
    _grow_growth(world, 1)
    one = _count(client, GROWTH)
    _grow_growth(world, 10)
    ten = _count(client, GROWTH)
    assert one == ten == GROWTH_QUERIES, (one, ten)


# The home page -------------------------------------------------------------------------------------------------------


def test_home_shows_the_coach_overdue_follow_ups_and_next_sessions(world, client_for):
    with time_machine.travel(_in_a_month(3), tick=False):
        step = build.agreed_step(world, title="Countdown")
        upcoming = build.session(world, starts_at=_in_a_month(20))
    with time_machine.travel(_in_a_month(15), tick=False):
        html = client_for(world.coach).get("/").content.decode()
        assert "Overdue follow-ups" in html and reverse("coaching:step-detail", args=[step.pk]) in html
        assert reverse("coaching:session-run", args=[upcoming.pk]) in html
        leader = client_for(world.campus_leader).get("/").content.decode()
        assert "Countdown" not in leader and "Overdue follow-ups" not in leader


def test_home_shows_the_teacher_step_session_and_goal(world, client_for):
    goal = build.goal(world, active=True, statement="Exit tickets show reasoning")
    services.data_point_add(actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=33,
                            source="survey")  # fmt: skip
    step = build.proposed_step(world, title="Greet at the door")
    upcoming = build.session(world, starts_at=timezone.now() + datetime.timedelta(days=1))
    html = client_for(world.teacher).get("/").content.decode()
    assert "Greet at the door" in html and "Open it to agree it." in html
    assert reverse("coaching:session-run", args=[upcoming.pk]) in html
    assert "Exit tickets show reasoning" in html and "Latest: 33 %" in html
    assert reverse("coaching:step-detail", args=[step.pk]) in html
    assert "Exit tickets show reasoning" not in client_for(world.district_admin).get("/").content.decode()


def test_home_without_coaching_yet(world, client_for):
    html = client_for(world.teacher_other_campus).get("/").content.decode()
    assert "No action step yet." in html and "No active goal." in html


@pytest.mark.parametrize("persona", ["coach", "teacher"])
def test_home_query_count_is_fixed_with_coaching(world, client_for, persona):
    client = client_for(getattr(world, persona))
    _grow_caseload(world, 1, "one")
    build.agreed_step(world)
    build.goal(world, active=True)
    build.session(world, starts_at=timezone.now() + datetime.timedelta(days=1))
    one = _count(client, "/")
    _grow_caseload(world, 9, "ten")
    for _ in range(9):
        build.session(world, starts_at=timezone.now() + datetime.timedelta(days=1))
    ten = _count(client, "/")
    assert one == ten, (persona, one, ten)
    assert ten == HOME_QUERIES[persona], (persona, ten)


# Pinned with the coaching panels: the coach's adds two queries (overdue follow-ups, next sessions), the teacher's
# three (current step, next session, active goal) to what the home page read before. The professional-learning
# panel adds two for everyone with a district (next registered sessions, surveys to answer) and one more for a
# coach or facilitator (the next sessions they run).
HOME_QUERIES = {"coach": 11, "teacher": 13}


def test_missed_and_cancelled_sessions_are_not_next(world, client_for):
    later = build.session(world, starts_at=timezone.now() + datetime.timedelta(days=3))
    services.session_cancel(actor=world.coach, session=later)
    html = client_for(world.teacher).get("/").content.decode()
    assert reverse("coaching:session-run", args=[later.pk]) not in html
    assert type(later).objects.get(pk=later.pk).status == SessionStatus.CANCELLED
