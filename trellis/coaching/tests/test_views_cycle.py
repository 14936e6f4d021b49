"""The coaching cycle as pages: relationships, consent, status, intake and focus, scheduling, the policy.

Each test signs in as the people of ``tests.personas`` and checks what they see
and what gets stored, including bad input and the coaching firewall (leaders and
admins get 404 on relationship content).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import (
    CoachingPolicy,
    CoachingSession,
    CycleModel,
    Intake,
    Placement,
    Protocol,
    Relationship,
    RelationshipStatus,
    SessionSeries,
    SessionStatus,
)
from trellis.coaching.selectors.relationships import suggest_focus
from trellis.coaching.services.policy import policy_update
from trellis.frameworks.models import Framework, FrameworkNode, FrameworkVersion, PerformanceScale, ScaleLevel
from trellis.observations.models import Observation, Purpose, State
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "campus_leader",
    "district_admin",
    "other_admin",
    "teacher_other_campus",
    "sc_admin",
    "facilitator_no_grant",
]


# Helpers ----------------------------------------------------------------------------------------------------------------


def cycle_model(key="see-name-do"):
    return CycleModel.objects.get(district=None, key=key)


def protocol(key="see-name-do"):
    return Protocol.objects.get(district=None, key=key)


def propose(world, teachers=None, **agreement):
    return services.relationship_create(
        actor=world.coach,
        teachers=teachers or [world.teacher],
        cycle_model=cycle_model(),
        norms=agreement.pop("norms", "We meet every other Tuesday."),
        sharing=agreement.pop("sharing", "Notes stay between us."),
        **agreement,
    )


def activate(world, rel, teachers=None):
    for teacher in teachers or [world.teacher]:
        services.relationship_consent(actor=teacher, relationship=rel)
    rel.refresh_from_db()
    return rel


def local(world, days=7, hour=15, minute=30):
    zone = ZoneInfo(world.district.timezone)
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def add_teacher(world, name, email):
    teacher = PersonFactory(full_name=name, email=email, district=world.district)
    MembershipFactory(person=teacher, organization=world.campus, role=Role.TEACHER)
    CaseloadFactory(coach=world.coach, teacher=teacher)
    return teacher


def starter_version():
    return Framework.objects.get(district=None, title="Open Instructional Practice").current_version


def component(version, code):
    return FrameworkNode.objects.get(version=version, code=code)


def level(version, label):
    return ScaleLevel.objects.get(scale__version=version, label=label)


def agreement_data(world, **overrides):
    data = {
        "teachers": [world.teacher.pk],
        "cycle_model": cycle_model().pk,
        "title": "",
        "norms": "We meet every other Tuesday.",
        "sharing": "Notes stay between us.",
        "meetings_per_month": "",
        "meeting_minutes": "",
        "location": "Room 12",
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def rel(world):
    return activate(world, propose(world))


# The list ---------------------------------------------------------------------------------------------------------------


def test_list_coach_and_teacher(world, client_for):
    proposed = propose(world, title="Fractions group")
    coach_page = client_for(world.coach).get(reverse("coaching:relationship-list"))
    page = html(coach_page)
    assert coach_page.status_code == 200
    assert "Fractions group" in page and "Ana Teacher" in page
    assert "Waiting for consent" in page and "Waiting for 1 teacher" in page
    assert reverse("coaching:relationship-create") in page

    teacher_page = html(client_for(world.teacher).get(reverse("coaching:relationship-list")))
    assert "Fractions group" in teacher_page and "Cora Coach" in teacher_page
    assert "Read and consent" in teacher_page
    assert reverse("coaching:relationship-create") not in teacher_page

    # Once active and with a session booked, the list shows it.
    activate(world, proposed)
    services.session_schedule(actor=world.coach, relationship=proposed, starts_at=local(world), protocol=protocol())
    page = html(client_for(world.coach).get(reverse("coaching:relationship-list")))
    assert "Everyone consented" in page and "None booked" not in page


def test_list_empty_states_and_filters(world, client_for):
    page = html(client_for(world.facilitator_no_grant).get(reverse("coaching:relationship-list")))
    assert "You have no coaching relationships yet" in page
    page = html(client_for(world.teacher_other_campus).get(reverse("coaching:relationship-list")))
    assert "No coach has proposed coaching to you yet" in page
    rel = activate(world, propose(world, title="Ended one"))
    services.relationship_end(actor=world.coach, relationship=rel)
    coach = client_for(world.coach)
    assert "Ended one" not in html(coach.get(reverse("coaching:relationship-list")))
    assert "Ended one" in html(coach.get(reverse("coaching:relationship-list") + "?status=ended"))
    # An unknown filter falls back to the open ones rather than failing.
    assert coach.get(reverse("coaching:relationship-list") + "?status=nope").status_code == 200


@pytest.mark.parametrize("persona", ["campus_leader", "district_admin", "other_admin", "sc_admin"])
def test_list_refused_to_roles_without_coaching(world, client_for, persona):
    propose(world, title="Private title")
    response = client_for(getattr(world, persona)).get(reverse("coaching:relationship-list"))
    assert response.status_code == 403
    assert "Private title" not in html(response)


def _relationship_with_sessions(world, teacher):
    rel = activate(world, propose(world, teachers=[teacher]), [teacher])
    services.session_schedule(actor=world.coach, relationship=rel, starts_at=local(world), protocol=protocol())
    return rel


def test_list_and_detail_query_counts_do_not_grow(world, client_for, django_assert_num_queries):
    client = client_for(world.coach)
    first = _relationship_with_sessions(world, world.teacher)
    client.get(reverse("coaching:relationship-list"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one_list:
        assert client.get(reverse("coaching:relationship-list")).status_code == 200
    with CaptureQueriesContext(connection) as one_detail:
        assert client.get(reverse("coaching:relationship-detail", args=[first.pk])).status_code == 200

    for n in range(4):
        teacher = add_teacher(world, f"Extra Teacher {n}", f"extra{n}@a.example.org")
        _relationship_with_sessions(world, teacher)
    for _n in range(4):
        services.session_schedule(actor=world.coach, relationship=first, starts_at=local(world, 9), protocol=protocol())
    group = services.relationship_create(
        actor=world.coach,
        teachers=list(first.teachers.all()) + [add_teacher(world, "Group Teacher", "group@a.example.org")],
        cycle_model=cycle_model(),
    )
    assert Relationship.objects.filter(coach=world.coach).count() == 6

    with django_assert_num_queries(len(one_list)):
        page = client.get(reverse("coaching:relationship-list"))
    assert "Extra Teacher 3" in html(page) and "Group Teacher" in html(page)
    with django_assert_num_queries(len(one_detail)):
        page = client.get(reverse("coaching:relationship-detail", args=[first.pk]))
    assert html(page).count("/reschedule/") == 5
    with django_assert_num_queries(len(one_detail)):
        assert client.get(reverse("coaching:relationship-detail", args=[group.pk])).status_code == 200


# Create -----------------------------------------------------------------------------------------------------------------


def test_create_page_offers_caseload_and_defaults(world, client_for):
    CoachingPolicy.objects.create(district=world.district, meetings_per_month=3, meeting_minutes=45)
    page = html(client_for(world.coach).get(reverse("coaching:relationship-create") + f"?teacher={world.teacher.pk}"))
    assert "Ana Teacher" in page and "Omar Teacher" not in page and "Bea Teacher" not in page
    assert f'name="teachers" value="{world.teacher.pk}" id="id_teachers_0" checked' in page
    assert "Notes from our conversations stay between the coach and the teacher." in page
    assert 'placeholder="3"' in page and 'placeholder="45"' in page
    assert "See it, name it, do it" in page and "Goal-driven cycle" in page


def test_create_stores_relationship_and_notifies(world, client_for):
    response = client_for(world.coach).post(
        reverse("coaching:relationship-create"), agreement_data(world, meetings_per_month="4", title="Ana 1:1")
    )
    rel = Relationship.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:relationship-detail", args=[rel.pk])
    assert (rel.coach, rel.district, rel.status) == (world.coach, world.district, RelationshipStatus.PROPOSED)
    assert list(rel.teachers.all()) == [world.teacher]
    assert rel.meetings_per_month == 4 and rel.meeting_minutes is None and rel.location == "Room 12"
    assert AuditEntry.objects.filter(action="coaching_relationship.create", actor=world.coach).exists()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"teachers": []}, "Choose at least one teacher."),
        ({"meetings_per_month": "9"}, "Enter a whole number from 1 to 8."),
        ({"meeting_minutes": "5"}, "Enter a whole number from 10 to 120."),
        ({"cycle_model": "999999"}, "Choose one of the cycle models listed."),
    ],
)
def test_create_bad_input(world, client_for, overrides, field_message):
    response = client_for(world.coach).post(reverse("coaching:relationship-create"), agreement_data(world, **overrides))
    assert response.status_code == 200
    assert field_message in html(response)
    assert not Relationship.objects.exists()


def test_create_refuses_teachers_off_caseload_and_other_districts_models(world, client_for):
    coach = client_for(world.coach)
    for teacher in (world.teacher_other_campus, world.teacher_b):
        response = coach.post(reverse("coaching:relationship-create"), agreement_data(world, teachers=[teacher.pk]))
        assert response.status_code == 200 and "Choose teachers on your caseload." in html(response)
    b_model = CycleModel.objects.create(district=world.district_b, key="b-own", name="Willow cycle")
    response = coach.post(reverse("coaching:relationship-create"), agreement_data(world, cycle_model=b_model.pk))
    assert "Choose one of the cycle models listed." in html(response)
    assert "Willow cycle" not in html(coach.get(reverse("coaching:relationship-create")))
    assert not Relationship.objects.exists()


def test_create_with_districts_own_cycle_model(world, client_for):
    own = CycleModel.objects.create(district=world.district, key="cedar", name="Cedar cycle", description="Ours.")
    page = html(client_for(world.coach).get(reverse("coaching:relationship-create")))
    assert "Cedar cycle" in page and "Ours." in page
    client_for(world.coach).post(reverse("coaching:relationship-create"), agreement_data(world, cycle_model=own.pk))
    assert Relationship.objects.get().cycle_model == own


@pytest.mark.parametrize("persona", ["teacher", "campus_leader", "district_admin"])
def test_create_is_for_coaches(world, client_for, persona):
    response = client_for(getattr(world, persona)).post(reverse("coaching:relationship-create"), agreement_data(world))
    assert response.status_code == 403
    assert not Relationship.objects.exists()


def test_create_empty_caseload(world, client_for):
    page = html(client_for(world.facilitator_no_grant).get(reverse("coaching:relationship-create")))
    assert "There is no one on your caseload yet." in page
    assert "Bea Teacher" not in page


def test_facilitator_with_grant_proposes(world, client_for):
    response = client_for(world.facilitator).post(reverse("coaching:relationship-create"), agreement_data(world))
    assert response.status_code == 302
    assert Relationship.objects.get().coach == world.facilitator


# Detail, consent, status ------------------------------------------------------------------------------------------------


def test_detail_consent_flow(world, client_for):
    rel = propose(world, norms="Be kind <script>alert(1)</script>")
    url = reverse("coaching:relationship-detail", args=[rel.pk])
    coach_page = html(client_for(world.coach).get(url))
    assert "Not consented yet" in coach_page and "Edit the agreement" in coach_page
    assert "Waiting for consent" in coach_page
    assert reverse("coaching:schedule-create", args=[rel.pk]) not in coach_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in coach_page and "<script>alert(1)" not in coach_page

    teacher = client_for(world.teacher)
    page = html(teacher.get(url))
    assert "Read and consent" in page
    assert f'action="{reverse("coaching:relationship-consent", args=[rel.pk])}"' in page
    assert "Edit the agreement" not in page
    assert teacher.get(reverse("coaching:relationship-consent", args=[rel.pk])).status_code == 405

    response = teacher.post(reverse("coaching:relationship-consent", args=[rel.pk]))
    assert response.status_code == 302 and response["Location"] == url
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.ACTIVE
    page = html(teacher.get(url, follow=True))
    assert "the coaching is active" in page
    assert "I have read the agreement and consent" not in page
    coach_page = html(client_for(world.coach).get(url))
    assert reverse("coaching:schedule-create", args=[rel.pk]) in coach_page
    assert reverse("coaching:session-create", args=[rel.pk]) in coach_page
    assert f"{reverse('coaching:goal-create')}?relationship={rel.pk}" in coach_page
    assert f"{reverse('coaching:step-create')}?teacher={world.teacher.pk}" in coach_page
    assert reverse("accounts:calendar") in coach_page


def test_coach_cannot_consent_for_teacher(world, client_for):
    rel = propose(world)
    assert client_for(world.coach).post(reverse("coaching:relationship-consent", args=[rel.pk])).status_code == 403
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.PROPOSED


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_on_relationship_content(world, client_for, persona, rel):
    session = services.session_schedule(
        actor=world.coach, relationship=rel, starts_at=local(world), protocol=protocol()
    )
    intake = services.intake_record(
        actor=world.teacher, relationship=rel, teacher=world.teacher, framework_version=starter_version(),
        interests="questioning",
    )  # fmt: skip
    client = client_for(getattr(world, persona))
    urls = [
        reverse("coaching:relationship-detail", args=[rel.pk]),
        reverse("coaching:relationship-edit", args=[rel.pk]),
        reverse("coaching:relationship-status", args=[rel.pk, "end"]),
        reverse("coaching:intake", args=[rel.pk, world.teacher.pk]),
        reverse("coaching:intake-focus", args=[intake.pk]),
        reverse("coaching:schedule-create", args=[rel.pk]),
        reverse("coaching:session-create", args=[rel.pk]),
        reverse("coaching:session-reschedule", args=[session.pk]),
        reverse("coaching:session-cancel", args=[session.pk]),
        reverse("coaching:session-ics", args=[session.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Every other Tuesday" not in html(response)
    assert client.post(reverse("coaching:relationship-status", args=[rel.pk, "end"])).status_code == 404
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.ACTIVE


def test_edit_changes_agreement_and_asks_consent_again(world, client_for, rel):
    url = reverse("coaching:relationship-edit", args=[rel.pk])
    coach = client_for(world.coach)
    page = html(coach.get(url))
    assert "each teacher is asked to read the agreement and consent again" in page
    assert "We meet every other Tuesday." in page
    data = agreement_data(world, norms="We meet weekly.")
    data.pop("teachers")
    response = coach.post(url, data, follow=True)
    assert "consent again" in html(response)
    rel.refresh_from_db()
    assert rel.norms == "We meet weekly."
    assert rel.members.get().consented_at is None
    # A change of place alone keeps the consent.
    services.relationship_consent(actor=world.teacher, relationship=rel)
    data["location"] = "Library"
    response = coach.post(url, data, follow=True)
    assert "The agreement is saved." in html(response) and "consent again" not in html(response)
    assert rel.members.get().consented_at is not None


def test_edit_bad_input_and_refusals(world, client_for, rel):
    url = reverse("coaching:relationship-edit", args=[rel.pk])
    data = agreement_data(world, meeting_minutes="500")
    data.pop("teachers")
    response = client_for(world.coach).post(url, data)
    assert response.status_code == 200 and "Enter a whole number from 10 to 120." in html(response)
    assert client_for(world.teacher).get(url).status_code == 403
    assert client_for(world.teacher).post(url, data).status_code == 403
    services.relationship_end(actor=world.coach, relationship=rel)
    response = client_for(world.coach).get(url, follow=True)
    assert "can no longer change" in html(response)


def test_status_confirm_then_act(world, client_for, rel):
    coach = client_for(world.coach)
    pause = reverse("coaching:relationship-status", args=[rel.pk, "pause"])
    page = html(coach.get(pause))
    assert "Pause the coaching?" in page and "<form" in page
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.ACTIVE  # GET only asks
    coach.post(pause)
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.PAUSED
    # Pausing twice: refused in plain words, nothing changes.
    response = coach.post(pause, follow=True)
    assert "it cannot be paused" in html(response)
    coach.post(reverse("coaching:relationship-status", args=[rel.pk, "resume"]))
    rel.refresh_from_db()
    assert rel.status == RelationshipStatus.ACTIVE
    assert coach.get(reverse("coaching:relationship-status", args=[rel.pk, "explode"])).status_code == 404


def test_teacher_may_end_but_not_pause(world, client_for, rel):
    future = services.session_schedule(actor=world.coach, relationship=rel, starts_at=local(world), protocol=protocol())
    teacher = client_for(world.teacher)
    assert teacher.post(reverse("coaching:relationship-status", args=[rel.pk, "pause"])).status_code == 403
    page = html(teacher.get(reverse("coaching:relationship-status", args=[rel.pk, "end"])))
    assert "End the coaching?" in page and "cannot be undone" in page
    response = teacher.post(reverse("coaching:relationship-status", args=[rel.pk, "end"]))
    assert response.status_code == 302
    rel.refresh_from_db()
    future.refresh_from_db()
    assert rel.status == RelationshipStatus.ENDED and future.status == SessionStatus.CANCELLED
    assert "This coaching ended on" in html(teacher.get(reverse("coaching:relationship-detail", args=[rel.pk])))


def test_group_member_sees_peers_consent_but_not_their_intake(world, client_for):
    other = add_teacher(world, "Gus Groupmate", "gus@a.example.org")
    rel = propose(world, teachers=[world.teacher, other])
    services.intake_record(
        actor=other, relationship=rel, teacher=other, framework_version=starter_version(), interests="Secret wish"
    )
    page = html(client_for(world.teacher).get(reverse("coaching:relationship-detail", args=[rel.pk])))
    assert "Gus Groupmate" in page and "Also in this group" in page
    assert reverse("coaching:intake", args=[rel.pk, other.pk]) not in page
    assert client_for(world.teacher).get(reverse("coaching:intake", args=[rel.pk, other.pk])).status_code == 403
    intake = Intake.objects.get(teacher=other)
    assert client_for(world.teacher).get(reverse("coaching:intake-focus", args=[intake.pk])).status_code == 404


# Intake and focus -------------------------------------------------------------------------------------------------------


def test_intake_page_and_save(world, client_for, rel):
    version = starter_version()
    url = reverse("coaching:intake", args=[rel.pk, world.teacher.pk])
    teacher = client_for(world.teacher)
    page = html(teacher.get(url))
    assert "Your intake" in page and "Goals and Success Criteria" in page and "Questions and Classroom Talk" in page
    assert "Starting" in page and "Shared" in page and "Not sure" in page

    goals, talk = component(version, "1.1"), component(version, "3.2")
    data = {
        f"place_{goals.pk}": level(version, "Starting").pk,
        f"place_{talk.pk}": level(version, "Consistent").pk,
        "interests": "Better questioning <b>now</b>",
        "strengths": "Warm relationships",
        "prior_pd": "",
        "constraints": "Bus duty on Fridays",
        "preferred_times": "Tuesdays after 3:30",
    }
    response = teacher.post(url, data)
    intake = Intake.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coaching:intake-focus", args=[intake.pk])
    assert (intake.teacher, intake.framework_version, intake.constraints) == (
        world.teacher,
        version,
        "Bus duty on Fridays",
    )
    assert dict(Placement.objects.filter(intake=intake).values_list("node__code", "level__label")) == {
        "1.1": "Starting",
        "3.2": "Consistent",
    }
    # The saved placements come back checked; the text is escaped.
    page = html(teacher.get(url))
    assert f'value="{level(version, "Starting").pk}" checked' in page
    assert "Better questioning &lt;b&gt;now&lt;/b&gt;" in page
    # The coach fills it in too, and saving again replaces the placements.
    client_for(world.coach).post(url, {**data, f"place_{talk.pk}": ""})
    assert Placement.objects.filter(intake=intake).count() == 1


def test_intake_bad_input(world, client_for, rel):
    version = starter_version()
    url = reverse("coaching:intake", args=[rel.pk, world.teacher.pk])
    goals = component(version, "1.1")
    response = client_for(world.teacher).post(url, {f"place_{goals.pk}": "999999", "interests": "x"})
    assert response.status_code == 200 and "Choose one of the levels shown for this area." in html(response)
    assert not Intake.objects.exists()
    # Not a member of this relationship: 404, whoever asks.
    assert (
        client_for(world.coach)
        .get(reverse("coaching:intake", args=[rel.pk, world.teacher_other_campus.pk]))
        .status_code
        == 404
    )
    assert client_for(world.coach).get(reverse("coaching:intake", args=[rel.pk, 999999])).status_code == 404
    assert client_for(world.facilitator).get(url).status_code == 404  # supports the teacher, not in this relationship


def _intake(world, rel, interests="", **placements):
    version = starter_version()
    return services.intake_record(
        actor=world.teacher,
        relationship=rel,
        teacher=world.teacher,
        framework_version=version,
        placements={component(version, code).pk: level(version, label).pk for code, label in placements.items()},
        interests=interests,
    )


def _shared_observation(world, node):
    return Observation.objects.create(
        district=world.district,
        observer=world.coach,
        teacher=world.teacher,
        purpose=Purpose.COACHING,
        state=State.SHARED,
        shared_at=timezone.now(),
        framework_version=node.version,
        growth_node=node,
    )


def test_suggest_focus_ranks_by_gap_interest_and_observation(world, rel):
    version = starter_version()
    intake = _intake(
        world, rel, interests="I want to work on questioning.",
        **{"1.1": "Starting", "3.2": "Consistent", "2.2": "Shared", "4.2": "Building"},
    )  # fmt: skip
    codes = [s.node.code for s in suggest_focus(intake, limit=5)]
    # 1.1 is three levels below the top; 3.2 one level plus the interest; 4.2 two levels; 2.2 is at the top.
    assert codes == ["1.1", "3.2", "4.2"]
    by_code = {s.node.code: s for s in suggest_focus(intake, limit=5)}
    assert by_code["1.1"].reasons == ["You placed yourself at Starting"]
    assert "You said you want to work on questioning" in by_code["3.2"].reasons
    assert [s.node.code for s in suggest_focus(intake, limit=1)] == ["1.1"]

    _shared_observation(world, component(version, "2.2"))
    suggestions = suggest_focus(intake, limit=5)
    assert "2.2" in [s.node.code for s in suggestions]
    assert "The latest observation chose this area" in {s.node.code: s for s in suggestions}["2.2"].reasons
    # Worded for the coach when the coach looks.
    coach_view = {s.node.code: s for s in suggest_focus(intake, limit=5, viewer=world.coach)}
    assert coach_view["1.1"].reasons == ["Ana Teacher placed themselves at Starting"]


def test_suggest_focus_respects_a_descending_scale(world, rel):
    PerformanceScale.objects.filter(version=starter_version()).update(direction="descending")
    intake = _intake(world, rel, **{"1.1": "Starting", "2.2": "Shared"})
    # Level 1 is the ideal on a descending scale: "Shared" (position 4) is furthest from it.
    assert [s.node.code for s in suggest_focus(intake)] == ["2.2"]


def test_suggest_focus_ignores_observations_the_viewer_may_not_read(world, rel):
    version = starter_version()
    intake = _intake(world, rel)
    obs = _shared_observation(world, component(version, "4.3"))
    obs.observer = world.campus_leader
    obs.save()
    assert suggest_focus(intake, viewer=world.teacher)[0].node.code == "4.3"
    assert suggest_focus(intake, viewer=world.coach) == []


def test_focus_page_suggests_and_confirms(world, client_for, rel):
    version = starter_version()
    intake = _intake(world, rel, interests="questioning", **{"1.1": "Starting", "3.2": "Consistent"})
    url = reverse("coaching:intake-focus", args=[intake.pk])
    teacher = client_for(world.teacher)
    page = html(teacher.get(url))
    assert "Suggested" in page and "You placed yourself at Starting" in page
    assert "You said you want to work on questioning" in page
    goals, talk, routines = component(version, "1.1"), component(version, "3.2"), component(version, "2.2")
    assert f'value="{goals.pk}" id="focus-{goals.pk}" checked' in page

    response = teacher.post(url, {"nodes": [goals.pk, routines.pk]})
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:relationship-detail", args=[rel.pk])
    intake.refresh_from_db()
    assert set(intake.focus_nodes.all()) == {goals, routines} and intake.confirmed_at is not None
    detail = html(client_for(world.coach).get(reverse("coaching:relationship-detail", args=[rel.pk])))
    assert "Routines and Use of Time" in detail and "Change the focus" in detail

    too_many = [goals.pk, talk.pk, routines.pk, component(version, "4.1").pk]
    response = teacher.post(url, {"nodes": too_many})
    assert "Choose one to three focus areas; you chose 4." in html(response)
    assert teacher.post(url, {}).status_code == 200
    other_framework = Framework.objects.create(district=world.district, title="Another framework")
    other_version = FrameworkVersion.objects.create(framework=other_framework, district=world.district, label="1")
    other = FrameworkNode.objects.create(version=other_version, district=world.district, statement="Elsewhere", depth=1)
    assert "Choose focus areas from the list." in html(teacher.post(url, {"nodes": [other.pk]}))
    assert "Choose focus areas from the list." in html(teacher.post(url, {"nodes": ["999999"]}))
    assert set(intake.focus_nodes.all()) == {goals, routines}


# Scheduling -------------------------------------------------------------------------------------------------------------


def schedule_data(world, **overrides):
    start = local(world, days=7)
    data = {
        "first_date": start.date().isoformat(),
        "first_time": "15:30",
        "interval_weeks": "2",
        "until": (start.date() + datetime.timedelta(days=28)).isoformat(),
        "minutes": "30",
        "protocol": protocol().pk,
        "skip_dates": "",
    }
    data.update(overrides)
    return data


def test_schedule_page_defaults(world, client_for, rel):
    page = html(client_for(world.coach).get(reverse("coaching:schedule-create", args=[rel.pk])))
    assert world.district.timezone in page
    assert 'name="interval_weeks" value="2"' in page  # two meetings a month: every two weeks
    assert "Preview the dates" in page and "Save the schedule" in page


def test_schedule_preview_then_save(world, client_for, rel, django_capture_on_commit_callbacks):
    url = reverse("coaching:schedule-create", args=[rel.pk])
    coach = client_for(world.coach)
    data = schedule_data(world)
    skip = (local(world, days=21)).date()
    data["skip_dates"] = skip.isoformat()
    page = html(coach.post(url, {**data, "preview": "1"}))
    assert "2 sessions" in page and "Skipped:" in page
    assert not SessionSeries.objects.exists()  # a preview books nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = coach.post(url, {**data, "save": "1"}, follow=True)
    series = SessionSeries.objects.get()
    assert series.interval_weeks == 2 and series.skip_dates == [skip.isoformat()]
    starts = list(series.sessions.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(ZoneInfo(world.district.timezone)).time() for s in starts] == [datetime.time(15, 30)] * 2
    assert "Invitations were emailed to you and Ana Teacher" in html(response)
    assert any(world.teacher.email in m.to for m in mail.outbox)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_date": "2020-01-07"}, "The first session must be in the future."),
        ({"skip_dates": "2030-01-01\nnot a date"}, "Line 2: “not a date” is not a date."),
        ({"interval_weeks": "12"}, "Enter a whole number from 1 to 8."),
        ({"first_time": "25:99"}, "Enter a time, for example 15:30."),
        ({"protocol": "999999"}, "Choose one of the protocols listed."),
    ],
)
def test_schedule_bad_input(world, client_for, rel, overrides, message):
    url = reverse("coaching:schedule-create", args=[rel.pk])
    response = client_for(world.coach).post(url, {**schedule_data(world, **overrides), "save": "1"})
    assert response.status_code == 200 and message in html(response)
    assert not SessionSeries.objects.exists() and not CoachingSession.objects.exists()


def test_schedule_until_before_start_and_other_district_protocol(world, client_for, rel):
    url = reverse("coaching:schedule-create", args=[rel.pk])
    coach = client_for(world.coach)
    data = schedule_data(world, until=local(world, days=1).date().isoformat())
    assert "The schedule must end on or after the day of its first session." in html(coach.post(url, data))
    b_protocol = Protocol.objects.create(district=world.district_b, key="b", name="Willow talk", purpose="other")
    response = coach.post(url, schedule_data(world, protocol=b_protocol.pk))
    assert "Choose one of the protocols listed." in html(response)
    assert not SessionSeries.objects.exists()


def test_schedule_needs_an_active_relationship_and_the_coach(world, client_for):
    rel = propose(world)
    url = reverse("coaching:schedule-create", args=[rel.pk])
    page = html(client_for(world.coach).post(url, {**schedule_data(world), "save": "1"}))
    assert "Sessions are scheduled once every teacher has consented" in page
    assert not SessionSeries.objects.exists()
    activate(world, rel)
    assert client_for(world.teacher).get(url).status_code == 403
    assert client_for(world.teacher).post(url, {**schedule_data(world), "save": "1"}).status_code == 403
    assert not SessionSeries.objects.exists()


def test_schedule_stop(world, client_for, rel):
    series = services.schedule_create(
        actor=world.coach,
        relationship=rel,
        first_start=local(world),
        until=local(world, 40).date(),
        protocol=protocol(),
    )
    url = reverse("coaching:schedule-stop", args=[series.pk])
    assert client_for(world.teacher).post(url).status_code == 403
    page = html(client_for(world.coach).get(url))
    assert "End this schedule?" in page and "3 sessions still to come are cancelled" in page
    response = client_for(world.coach).post(url, follow=True)
    assert "3 sessions still to come were cancelled" in html(response)
    series.refresh_from_db()
    assert series.stopped_at is not None
    assert not series.sessions.filter(status=SessionStatus.SCHEDULED).exists()
    # Stopping again only says so.
    assert "already ended" in html(client_for(world.coach).get(url, follow=True))


def session_data(world, when=None, **overrides):
    when = when or local(world, days=3)
    data = {
        "date": when.date().isoformat(),
        "time": when.strftime("%H:%M"),
        "minutes": "45",
        "protocol": protocol("intake").pk,
        "location": "",
    }
    data.update(overrides)
    return data


def test_session_create(world, client_for, rel):
    url = reverse("coaching:session-create", args=[rel.pk])
    coach = client_for(world.coach)
    page = html(coach.get(url))
    assert "Intake conversation" in page and world.district.timezone in page
    response = coach.post(url, session_data(world, location="Room 4 <i>"), follow=True)
    session = CoachingSession.objects.get()
    assert (session.minutes, session.protocol.key, session.location) == (45, "intake", "Room 4 <i>")
    assert session.starts_at == local(world, days=3)
    assert "An invitation was emailed" in html(response) and "Room 4 &lt;i&gt;" in html(response)
    # Recording one that already happened is fine, long ago is not.
    response = coach.post(url, session_data(world, when=local(world, days=-40)))
    assert "A session can be recorded at most 30 days back." in html(response)
    assert CoachingSession.objects.count() == 1
    assert client_for(world.teacher).post(url, session_data(world)).status_code == 403


def test_session_reschedule_and_cancel(world, client_for, rel):
    session = services.session_schedule(
        actor=world.coach, relationship=rel, starts_at=local(world), protocol=protocol()
    )
    move = reverse("coaching:session-reschedule", args=[session.pk])
    coach = client_for(world.coach)
    page = html(coach.get(move))
    assert f'value="{local(world).date().isoformat()}"' in page and 'value="15:30"' in page
    response = coach.post(move, {"date": local(world, 8).date().isoformat(), "time": "09:00", "minutes": "30",
                                 "location": "Library"})  # fmt: skip
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == local(world, 8, 9, 0) and session.location == "Library" and session.sequence == 1
    past = coach.post(move, {"date": "2020-01-01", "time": "09:00", "minutes": "30", "location": ""})
    assert "Move the session to a time in the future." in html(past)
    assert client_for(world.teacher).get(move).status_code == 403

    cancel = reverse("coaching:session-cancel", args=[session.pk])
    teacher = client_for(world.teacher)
    assert "Cancel this session?" in html(teacher.get(cancel))
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    response = teacher.post(cancel, {"reason": "Field trip"}, follow=True)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and session.cancel_reason == "Field trip"
    assert "Field trip" in html(response)
    # Cancelled sessions are neither moved nor cancelled again.
    assert "only a scheduled session is moved" in html(coach.get(move, follow=True))
    assert "only a scheduled session is cancelled" in html(teacher.get(cancel, follow=True))


def test_session_ics(world, client_for, rel):
    single = services.session_schedule(actor=world.coach, relationship=rel, starts_at=local(world), protocol=protocol())
    response = client_for(world.teacher).get(reverse("coaching:session-ics", args=[single.pk]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert f"coaching-session-{single.pk}@" in body and "RRULE" not in body
    series = services.schedule_create(
        actor=world.coach, relationship=rel, first_start=local(world, 10), until=local(world, 40).date(),
        protocol=protocol(),
    )  # fmt: skip
    response = client_for(world.coach).get(reverse("coaching:session-ics", args=[series.sessions.first().pk]))
    body = response.content.decode()
    assert f"coaching-series-{series.pk}@" in body
    rrule = next(line for line in body.splitlines() if line.startswith("RRULE:"))
    assert "FREQ=WEEKLY" in rrule and "INTERVAL=2" in rrule
    assert client_for(world.coach).post(reverse("coaching:session-ics", args=[single.pk])).status_code == 405


def test_schedule_create_url_reaches_the_schedule_page(world, client_for, rel):
    # The schedule page sits beside the status actions under relationships/<pk>/: the URL must reach it.
    response = client_for(world.coach).get(reverse("coaching:schedule-create", args=[rel.pk]))
    assert response.status_code == 200 and "Set up the schedule" in html(response)


# The district's policy --------------------------------------------------------------------------------------------------


def test_policy_page_saves_with_audit(world, client_for):
    admin = client_for(world.district_admin)
    page = html(admin.get(reverse("coaching:policy")))
    assert "Coaching policy" in page and "Cedar Valley ISD" in page and "Trellis's defaults" in page
    data = {"meetings_per_month": "4", "meeting_minutes": "40", "max_open_steps": "1", "follow_up_days": "10"}
    response = admin.post(reverse("coaching:policy"), data)
    assert response.status_code == 302
    policy = CoachingPolicy.objects.get(district=world.district)
    assert (policy.meetings_per_month, policy.meeting_minutes, policy.max_open_steps, policy.follow_up_days) == (
        4, 40, 1, 10,
    )  # fmt: skip
    assert AuditEntry.objects.filter(action="coaching_policy.update", district=world.district).exists()
    # The coach's forms now start from it.
    assert 'placeholder="4"' in html(client_for(world.coach).get(reverse("coaching:relationship-create")))


@pytest.mark.parametrize(
    ("field", "value"),
    [("meetings_per_month", "9"), ("meeting_minutes", "5"), ("max_open_steps", "3"), ("follow_up_days", "0")],
)
def test_policy_bad_input(world, client_for, field, value):
    data = {"meetings_per_month": "2", "meeting_minutes": "30", "max_open_steps": "2", "follow_up_days": "7"}
    response = client_for(world.district_admin).post(reverse("coaching:policy"), {**data, field: value})
    assert response.status_code == 200 and "Enter a whole number from" in html(response)
    assert not CoachingPolicy.objects.exists()


def test_policy_is_for_district_admins_of_their_district(world, client_for):
    for persona in ("coach", "teacher", "campus_leader", "sc_admin", "facilitator"):
        assert client_for(getattr(world, persona)).get(reverse("coaching:policy")).status_code == 403
    response = client_for(None).get(reverse("coaching:policy"))
    assert response.status_code == 302 and "login" in response["Location"]
    client_for(world.other_admin).post(
        reverse("coaching:policy"),
        {"meetings_per_month": "1", "meeting_minutes": "60", "max_open_steps": "1", "follow_up_days": "14"},
    )
    assert CoachingPolicy.objects.get().district == world.district_b


def test_policy_update_service_refuses_others(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        policy_update(actor=world.other_admin, district=world.district, meetings_per_month=3)
    with pytest.raises(ValidationError):
        policy_update(actor=world.district_admin, district=world.district, meetings_per_month=True)
    with pytest.raises(ValueError):
        policy_update(actor=world.district_admin, district=world.district, colour="red")
    assert not CoachingPolicy.objects.exists()
