"""The session screen: the protocol walked step by step, notes saved per step, the panels each step pulls in."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import CoachingSession, CoachingStep, PracticeRound, SessionStatus
from trellis.coaching.tests import authz_sessions as build
from trellis.frameworks.models import ActionStep, ExemplarResource
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def run_url(session):
    return reverse("coaching:session-run", args=[session.pk])


def notes_url(session):
    return reverse("coaching:session-notes", args=[session.pk])


def page(client, session):
    response = client.get(run_url(session))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def session(world):
    return build.session(world)


def test_coach_walks_the_protocol_steps_in_order(world, client_for, session):
    html = page(client_for(world.coach), session)
    labels = [step["label"] for step in session.protocol.steps]
    positions = [html.index(f'<span class="step-label">{label}</span>') for label in labels]
    assert positions == sorted(positions), "steps in protocol order"
    for step in session.protocol.steps:
        assert f'name="note__{step["key"]}"' in html
        for prompt in step["prompts"]:
            assert prompt.replace("'", "&#x27;") in html
    assert "14 min" in html  # the "Do it" time box
    # A timer for the current step and the whole session, driven by the page script (no inline script).
    assert 'id="session-timer"' in html and 'role="timer"' in html
    assert "trellis/js/session.js" in html and 'id="session-config"' in html
    assert f'hx-post="{notes_url(session)}"' in html
    # Without JavaScript the notes are one plain form with a submit button per step.
    assert f'action="{notes_url(session)}"' in html and 'form="session-notes-form"' in html
    assert "Mark session held" in html and "Mark missed" in html


def test_teacher_reads_the_screen_without_forms(world, client_for, session):
    services.session_save_notes(actor=world.coach, session=session, notes={"praise": "Greeted every student."})
    html = page(client_for(world.teacher), session)
    assert "Greeted every student." in html
    assert "only your coach writes them" in html
    assert "<textarea" not in html
    assert notes_url(session) not in html
    assert reverse("coaching:session-complete", args=[session.pk]) not in html
    assert "session.js" not in html


@pytest.mark.parametrize(
    "persona", ["teacher_other_campus", "campus_leader", "district_admin", "facilitator", "sc_admin", "other_admin"]
)
def test_others_cannot_learn_the_session_exists(world, client_for, session, persona):
    services.session_save_notes(actor=world.coach, session=session, notes={"praise": "Private words"})
    client = client_for(getattr(world, persona))
    assert client.get(run_url(session)).status_code == 404
    response = client.post(notes_url(session), {"note__praise": "overwritten"})
    assert response.status_code == 404
    assert CoachingSession.objects.get(pk=session.pk).step_notes == {"praise": "Private words"}


def test_unknown_session_id_is_404(world, client_for):
    assert client_for(world.coach).get(reverse("coaching:session-run", args=[999999])).status_code == 404


def test_notes_save_per_step_with_htmx(world, client_for, session):
    response = client_for(world.coach).post(notes_url(session), {"note__see": "Watched the clip twice."}, **HTMX)
    assert response.status_code == 200
    assert "Saved at" in response.content.decode()
    assert CoachingSession.objects.get(pk=session.pk).step_notes == {"see": "Watched the clip twice."}
    assert AuditEntry.objects.filter(action="coaching_session.notes", actor=world.coach).exists()


def test_notes_save_as_a_whole_form_without_javascript(world, client_for, session):
    client = client_for(world.coach)
    data = {"note__praise": "Strong launch", "note__name": "Name the countdown", "at": "name"}
    response = client.post(notes_url(session), data)
    assert response.status_code == 302
    assert response["Location"] == run_url(session) + "#step-name"
    stored = CoachingSession.objects.get(pk=session.pk).step_notes
    assert stored == {"praise": "Strong launch", "name": "Name the countdown"}
    assert "Your session notes are saved." in client.get(run_url(session)).content.decode()


def test_a_note_for_a_step_not_in_the_protocol_is_refused(world, client_for, session):
    client = client_for(world.coach)
    response = client.post(notes_url(session), {"note__bogus": "x", "note__see": "y"}, follow=True)
    assert "That step is not part of this session&#x27;s protocol." in response.content.decode()
    assert CoachingSession.objects.get(pk=session.pk).step_notes == {}
    fragment = client.post(notes_url(session), {"note__bogus": "x"}, **HTMX).content.decode()
    assert 'role="alert"' in fragment and "Not saved" in fragment


def test_notes_too_long_or_missing_are_explained(world, client_for, session):
    client = client_for(world.coach)
    response = client.post(notes_url(session), {"note__see": "x" * 8001}, follow=True)
    assert "limited to 8,000 characters" in response.content.decode()
    response = client.post(notes_url(session), {"unrelated": "x"}, follow=True)
    assert "There were no notes to save." in response.content.decode()


def test_script_in_notes_is_shown_escaped(world, client_for, session):
    services.session_save_notes(actor=world.coach, session=session, notes={"see": "<script>alert(1)</script>"})
    for person in (world.coach, world.teacher):
        html = page(client_for(person), session)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cancelled_session_refuses_notes(world, client_for, session):
    services.session_cancel(actor=world.coach, session=session, reason="Fire drill")
    client = client_for(world.coach)
    html = page(client, session)
    assert "This session was cancelled." in html and "Fire drill" in html
    assert "<textarea" not in html
    response = client.post(notes_url(session), {"note__see": "x"}, follow=True)
    assert "This session was cancelled." in response.content.decode()
    assert CoachingSession.objects.get(pk=session.pk).step_notes == {}


# Panels ------------------------------------------------------------------------------------------------------------


def _library_step():
    return ActionStep.objects.filter(library__key="open-action-steps").order_by("sequence").first()


def test_panels_bring_the_evidence_the_proposed_step_the_model_and_practice(world, client_for, session):
    obs = build.observation(
        world,
        notes=(("Greeted every student at the door", "strength"), ("Transitions took four minutes", "growth")),
        proposed_step_text="Use a 3-2-1 countdown",
        growth_rationale="Transitions cost ten minutes a lesson.",
    )
    library_step = _library_step()
    ExemplarResource.objects.create(step=library_step, title="Entry routine video", url="https://example.org/video")
    step = services.step_propose(
        actor=world.coach, teacher=world.teacher, title="Entry routine", library_step=library_step, relationship=None
    )
    step = services.step_agree(actor=world.teacher, step=step)
    services.practice_round_add(actor=world.coach, step=step, quality="close", scenario="Launch", feedback="Slower")
    html = page(client_for(world.coach), session)
    # "Name it" pulls the evidence and the proposed step.
    assert "Greeted every student at the door" in html and "Transitions took four minutes" in html
    assert obs.growth_node.title in html
    assert "Use a 3-2-1 countdown" in html and "Name this step" in html
    # "See it" pulls the library's model of the step.
    assert "Entry routine video" in html and 'href="https://example.org/video"' in html
    # "Do it" pulls the open step with its rounds and a form for the next round.
    assert reverse("coaching:step-practice", args=[step.pk]) in html
    assert "Round 2: how did it go?" in html and "Slower" in html


def test_name_this_step_carries_the_observation_step_into_coaching(world, client_for, session):
    obs = build.observation(world, proposed_step_text="Use a 3-2-1 countdown")
    back = run_url(session) + "#step-name"
    url = reverse("coaching:step-create") + f"?teacher={world.teacher.pk}&observation={obs.pk}"
    response = client_for(world.coach).post(
        url, {"from_observation": "1", "relationship": session.relationship_id, "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    step = CoachingStep.objects.get()
    assert (step.title, step.source_observation, step.relationship_id) == (
        "Use a 3-2-1 countdown",
        obs,
        session.relationship_id,
    )
    assert step.node == obs.growth_node
    html = page(client_for(world.coach), session)
    assert "Named as an action step:" in html and "Name this step" not in html


def test_name_this_step_refuses_an_observation_without_a_step(world, client_for, session):
    obs = build.observation(world)
    url = reverse("coaching:step-create") + f"?teacher={world.teacher.pk}&observation={obs.pk}"
    response = client_for(world.coach).post(url, {"from_observation": "1", "next": run_url(session)}, follow=True)
    assert "This observation has no proposed action step." in response.content.decode()
    assert not CoachingStep.objects.exists()


def test_practice_round_from_the_session_returns_to_the_session(world, client_for, session):
    step = build.agreed_step(world, rel=session.relationship)
    back = run_url(session) + "#step-do"
    response = client_for(world.coach).post(
        reverse("coaching:step-practice", args=[step.pk]),
        {"quality": "got_it", "scenario": "Transition to groups", "feedback": "Crisp", "session": session.pk,
         "next": back},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back
    practice = PracticeRound.objects.get()
    assert (practice.session, practice.quality, practice.number) == (session, "got_it", 1)


def test_practice_round_without_a_quality_is_explained(world, client_for, session):
    step = build.agreed_step(world, rel=session.relationship)
    response = client_for(world.coach).post(
        reverse("coaching:step-practice", args=[step.pk]),
        {"scenario": "x", "session": session.pk, "next": run_url(session)},
        follow=True,
    )
    assert "Say how the round went." in response.content.decode()
    assert not PracticeRound.objects.exists()


def test_teacher_sees_only_observations_shared_with_them(world, client_for, session):
    build.observation(world, notes=(("Unshared detail", "growth"),), proposed_step_text="Draft step")
    html = page(client_for(world.teacher), session)
    assert "Unshared detail" not in html and "Draft step" not in html
    assert "No observation has been shared with you yet." in html
    build.observation(world, notes=(("Shared detail", "growth"),), share=True)
    html = page(client_for(world.teacher), session)
    assert "Shared detail" in html and "Unshared detail" not in html
    assert "Name this step" not in html


def _second_teacher(world, email="tia@a.example.org", name="Tia Teacher"):
    person = PersonFactory(district=world.district, email=email, full_name=name)
    MembershipFactory(person=person, organization=world.campus, role=Role.TEACHER)
    CaseloadFactory(coach=world.coach, teacher=person)
    return person


def test_group_relationship_shows_every_members_panels(world, client_for):
    tia = _second_teacher(world)
    rel = build.relationship(world, teachers=[world.teacher, tia], title="Grade 3 team")
    session = build.session(world, rel=rel, key="check-in")
    build.agreed_step(world, teacher=tia, title="Tia's step", rel=rel)
    build.goal(world, active=True, statement="Ana's goal statement")
    html = page(client_for(world.coach), session)
    assert "Session with Grade 3 team" in html
    assert html.count('class="session-member-name"') == 2 * sum(1 for s in session.protocol.steps if s.get("pulls"))
    assert "Tia&#x27;s step" in html and "Ana&#x27;s goal statement" in html


def test_goal_and_continuum_panels(world, client_for):
    rel = build.relationship(world)
    goal = build.goal(world, active=True)
    services.data_point_add(
        actor=world.teacher, goal=goal, recorded_on=timezone.localdate(), value=42, source="student_work"
    )
    check_in = build.session(world, rel=rel, key="check-in")
    html = page(client_for(world.coach), check_in)
    assert reverse("coaching:goal-detail", args=[goal.pk]) in html and "42 %" in html
    services.placement_record(actor=world.teacher, node=build.component(), level=build.level(2))
    intake = build.session(world, rel=rel, key="intake")
    html = page(client_for(world.coach), intake)
    assert build.level(2).label in html and build.component().code in html


# Closing -----------------------------------------------------------------------------------------------------------


def test_mark_held_saves_next_steps_and_unsaved_notes(world, client_for, session):
    client = client_for(world.coach)
    response = client.post(
        reverse("coaching:session-complete", args=[session.pk]),
        {"next_steps": "Try the countdown on Monday.", "note__do": "Rehearsed twice"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD and session.held_at is not None
    assert session.next_steps == "Try the countdown on Monday."
    assert session.step_notes == {"do": "Rehearsed twice"}
    html = page(client, session)
    assert "Held on" in html and "Try the countdown on Monday." in html and "Mark session held" not in html


def test_mark_held_before_the_start_is_refused(world, client_for):
    later = build.session(world, starts_at=timezone.now() + datetime.timedelta(days=2))
    response = client_for(world.coach).post(
        reverse("coaching:session-complete", args=[later.pk]), {"next_steps": ""}, follow=True
    )
    assert "A session is held on or after its start time." in response.content.decode()
    assert CoachingSession.objects.get(pk=later.pk).status == SessionStatus.SCHEDULED


def test_mark_missed_and_then_held(world, client_for, session):
    client = client_for(world.coach)
    response = client.post(reverse("coaching:session-missed", args=[session.pk]), follow=True)
    assert "recorded as missed" in response.content.decode()
    assert CoachingSession.objects.get(pk=session.pk).status == SessionStatus.NO_SHOW
    again = client.post(reverse("coaching:session-missed", args=[session.pk]), follow=True)
    assert "Only a scheduled session that has started can be marked missed." in again.content.decode()
    client.post(reverse("coaching:session-complete", args=[session.pk]), {"next_steps": ""})
    assert CoachingSession.objects.get(pk=session.pk).status == SessionStatus.HELD


def test_teacher_cannot_close_or_write(world, client_for, session):
    client = client_for(world.teacher)
    assert client.post(reverse("coaching:session-complete", args=[session.pk])).status_code == 403
    assert client.post(reverse("coaching:session-missed", args=[session.pk])).status_code == 403
    assert client.post(notes_url(session), {"note__see": "x"}).status_code == 403
    assert CoachingSession.objects.get(pk=session.pk).status == SessionStatus.SCHEDULED


def test_a_former_coach_loses_the_screen(world, client_for, session):
    from trellis.orgs.models import CaseloadAssignment

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2), tick=False):
        CaseloadAssignment.objects.filter(coach=world.coach).update(
            valid_to=timezone.localdate() - datetime.timedelta(days=1)
        )
        assert client_for(world.coach).get(run_url(session)).status_code == 404


# Bounded queries ---------------------------------------------------------------------------------------------------


def _grow(world, session, n):
    """n more of everything the screen shows: evidence notes, practice rounds, data points, notes."""
    build.observation(world, notes=[(f"Note {i}", "strength" if i % 2 else "growth") for i in range(n)],
                      proposed_step_text="Countdown")  # fmt: skip
    step = CoachingStep.objects.filter(teacher=world.teacher, state__in=("agreed", "practising")).first()
    if step is None:
        step = services.step_propose(
            actor=world.coach, teacher=world.teacher, title="", library_step=_library_step(),
            relationship=session.relationship,
        )  # fmt: skip
        step = services.step_agree(actor=world.teacher, step=step)
    for i in range(n):
        services.practice_round_add(actor=world.coach, step=step, quality="close", scenario=f"Round {i}")


def _count(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Pinned: the request's session, user and roles; the coaching session, its members, the latest observation,
# its evidence notes, the current steps, their rounds, the library's exemplars, the district policy (the
# follow-up default), the unread notices of the navigation; saving the request's session (3).
SESSION_RUN_QUERIES = 12


def test_session_run_query_count_is_fixed(world, client_for, session):
    client = client_for(world.coach)
    ExemplarResource.objects.create(step=_library_step(), title="Video", url="https://example.org/v")
    _grow(world, session, 1)
    small = _count(client, run_url(session))
    _grow(world, session, 10)
    for i in range(9):
        build.proposed_step(world, title=f"Proposed {i}")
    large = _count(client, run_url(session))
    assert small == large == SESSION_RUN_QUERIES, (small, large)


def test_a_teacher_of_a_group_sees_only_their_own_panels(world, client_for):
    tia = _second_teacher(world)
    rel = build.relationship(world, teachers=[world.teacher, tia], title="Grade 3 team")
    session = build.session(world, rel=rel, key="check-in")
    build.agreed_step(world, teacher=tia, title="Tia's private step", rel=rel)
    build.goal(world, teacher=tia, active=True, statement="Tia's private goal")
    build.agreed_step(world, title="Ana's own step", rel=rel)
    html = page(client_for(world.teacher), session)
    assert "Ana&#x27;s own step" in html
    assert "Tia&#x27;s private step" not in html and "Tia&#x27;s private goal" not in html
    assert 'class="session-member-name"' not in html
    coach_html = page(client_for(world.coach), session)
    assert "Tia&#x27;s private step" in coach_html and "Ana&#x27;s own step" in coach_html
