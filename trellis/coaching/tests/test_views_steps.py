"""Action steps as pages: proposing from the library or in one's words, the progression, and every move."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from trellis.coaching import services
from trellis.coaching.models import CoachingStep, PracticeRound, StepState
from trellis.coaching.tests import authz_sessions as build
from trellis.frameworks.models import ActionStep, ActionStepLibrary, LibraryPhase
from trellis.observations.models import EvidenceNote

pytestmark = pytest.mark.django_db


def create_url(teacher, observation=None, **params):
    url = reverse("coaching:step-create") + f"?teacher={teacher.pk}"
    if observation is not None:
        url += f"&observation={observation.pk}"
    for key, value in params.items():
        url += f"&{key}={value}"
    return url


def detail(step):
    return reverse("coaching:step-detail", args=[step.pk])


def action(step, name):
    return reverse("coaching:step-action", args=[step.pk, name])


def library_steps():
    return ActionStep.objects.filter(library__key="open-action-steps").order_by("sequence")


# Proposing ---------------------------------------------------------------------------------------------------------


def test_coach_browses_and_filters_the_library(world, client_for):
    client = client_for(world.coach)
    first, second = library_steps()[:2]
    html = client.get(create_url(world.teacher)).content.decode()
    assert "Propose an action step for Ana Teacher" in html
    assert first.title in html and second.title in html
    html = client.get(create_url(world.teacher, q=second.title.split()[0] + "+" + second.title.split()[1])).content
    assert second.title in html.decode()
    phase = first.phase
    other = LibraryPhase.objects.filter(library=phase.library).exclude(pk=phase.pk).first()
    html = client.get(create_url(world.teacher, phase=other.pk)).content.decode()
    assert f'id="ls-{first.pk}"' not in html and first.title not in html


def test_propose_a_library_step_takes_its_words_and_look_fors(world, client_for):
    step_from_library = library_steps().first()
    rel = build.relationship(world)
    response = client_for(world.coach).post(
        create_url(world.teacher),
        {"library_step": step_from_library.pk, "title": "", "look_fors": "", "node": "", "relationship": rel.pk},
    )
    step = CoachingStep.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(step)
    assert (step.title, step.library_step, step.relationship, step.state) == (
        step_from_library.title,
        step_from_library,
        rel,
        StepState.PROPOSED,
    )
    assert step.look_fors == "\n".join(step_from_library.look_fors)
    assert step.teacher == world.teacher and step.proposed_by == world.coach


def test_propose_in_ones_own_words_with_an_area(world, client_for):
    node = build.component()
    client_for(world.coach).post(
        create_url(world.teacher),
        {"library_step": "", "title": "Pause three seconds after every question", "look_fors": "Hands wait",
         "node": node.pk},
    )  # fmt: skip
    step = CoachingStep.objects.get()
    assert (step.title, step.look_fors, step.node, step.library_step) == (
        "Pause three seconds after every question",
        "Hands wait",
        node,
        None,
    )


def test_propose_needs_a_step(world, client_for):
    response = client_for(world.coach).post(create_url(world.teacher), {"library_step": "", "title": "  "})
    assert response.status_code == 200
    assert "Write the action step, or choose one from the library." in response.content.decode()
    assert not CoachingStep.objects.exists()


def test_propose_refuses_another_districts_library_step(world, client_for):
    own = ActionStepLibrary.objects.create(district=world.district_b, title="Willow steps")
    phase = LibraryPhase.objects.create(library=own, district=world.district_b, key="p", label="P")
    foreign = ActionStep.objects.create(
        library=own, district=world.district_b, phase=phase, code="W1", sequence=1, title="Willow only"
    )
    response = client_for(world.coach).post(create_url(world.teacher), {"library_step": foreign.pk, "title": ""})
    assert response.status_code == 200
    assert "Choose a step from the list shown." in response.content.decode()
    assert not CoachingStep.objects.exists()


def test_propose_refuses_an_area_not_offered(world, client_for):
    response = client_for(world.coach).post(create_url(world.teacher), {"title": "Step", "node": 99999999})
    assert "Choose an area of your district&#x27;s framework." in response.content.decode()
    assert not CoachingStep.objects.exists()


def test_propose_is_prefilled_from_an_observation(world, client_for):
    library_step = library_steps()[3]
    obs = build.observation(world, proposed_step=library_step)
    html = client_for(world.coach).get(create_url(world.teacher, obs)).content.decode()
    assert "From the visit on" in html and library_step.title in html
    assert f'value="{library_step.pk}" id="ls-{library_step.pk}" form="propose-form" checked' in html or (
        f'value="{library_step.pk}" id="ls-extra-{library_step.pk}" checked' in html
    )
    client_for(world.coach).post(create_url(world.teacher, obs), {"library_step": library_step.pk, "title": ""})
    step = CoachingStep.objects.get()
    assert step.source_observation == obs and step.library_step == library_step


@pytest.mark.parametrize("who", ["teacher_other_campus", "teacher_b"])
def test_propose_for_someone_off_the_caseload_is_404(world, client_for, who):
    assert client_for(world.coach).get(create_url(getattr(world, who))).status_code == 404


def test_propose_with_another_teachers_observation_is_404(world, client_for):
    from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
    from trellis.orgs.models import Role

    tia = PersonFactory(district=world.district, email="tia@a.example.org")
    MembershipFactory(person=tia, organization=world.campus, role=Role.TEACHER)
    CaseloadFactory(coach=world.coach, teacher=tia)
    obs = build.observation(world, teacher=tia)
    assert client_for(world.coach).get(create_url(world.teacher, obs)).status_code == 404
    assert client_for(world.coach).get(create_url(world.teacher) + "&observation=abc").status_code == 404


def test_propose_without_a_teacher_goes_to_the_caseload(world, client_for):
    response = client_for(world.coach).get(reverse("coaching:step-create"))
    assert response.status_code == 302 and response["Location"] == reverse("coaching:caseload")


def test_teachers_and_leaders_cannot_propose(world, client_for):
    for person in (world.teacher, world.campus_leader, world.district_admin):
        assert client_for(person).get(create_url(world.teacher)).status_code == 403


# The step's page -----------------------------------------------------------------------------------------------------


def test_progression_and_actions_for_each_person(world, client_for):
    step = build.proposed_step(world)
    teacher_html = client_for(world.teacher).get(detail(step)).content.decode()
    assert 'aria-current="step"><span class="step-progress-label">Proposed' in teacher_html
    for label in ("Agreed", "Practising", "Using it in class", "Follow-up", "Mastered"):
        assert f'<span class="step-progress-label">{label}</span>' in teacher_html
    assert "Agree the step" in teacher_html and 'name="follow_up_due"' in teacher_html
    assert reverse("coaching:step-practice", args=[step.pk]) not in teacher_html
    coach_html = client_for(world.coach).get(detail(step)).content.decode()
    assert "agreed it in our meeting" in coach_html and action(step, "drop") in coach_html


def test_overdue_follow_up_is_flagged(world, client_for):
    step = build.agreed_step(world)
    html = client_for(world.coach).get(detail(step)).content.decode()
    assert "Overdue" not in html
    with time_machine.travel(timezone.now() + datetime.timedelta(days=9), tick=False):
        html = client_for(world.coach).get(detail(step)).content.decode()
        assert "Follow-up overdue" in html and "Overdue" in html


def test_script_in_the_title_is_escaped(world, client_for):
    step = build.proposed_step(world, title="<script>alert('x')</script>")
    html = client_for(world.teacher).get(detail(step)).content.decode()
    assert "<script>alert(" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("persona", ["campus_leader", "district_admin", "other_admin", "teacher_other_campus"])
def test_leaders_and_others_never_see_a_step(world, client_for, persona):
    step = build.proposed_step(world)
    client = client_for(getattr(world, persona))
    for url in (detail(step), action(step, "agree"), reverse("coaching:step-practice", args=[step.pk])):
        assert client.get(url).status_code == 404


# Moves ---------------------------------------------------------------------------------------------------------------


def test_teacher_agrees_with_a_follow_up_date(world, client_for):
    step = build.proposed_step(world)
    due = timezone.localdate() + datetime.timedelta(days=5)
    response = client_for(world.teacher).post(action(step, "agree"), {"follow_up_due": due.isoformat()})
    assert response.status_code == 302 and response["Location"] == detail(step)
    step.refresh_from_db()
    assert (step.state, step.follow_up_due) == (StepState.AGREED, due)


def test_agree_refuses_a_past_date_on_the_form(world, client_for):
    step = build.proposed_step(world)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client_for(world.teacher).post(action(step, "agree"), {"follow_up_due": past})
    assert response.status_code == 200
    assert "The follow-up date cannot be in the past." in response.content.decode()
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.PROPOSED


def test_agree_a_third_step_is_refused_in_plain_words(world, client_for):
    build.agreed_step(world, title="One")
    build.agreed_step(world, title="Two")
    third = build.proposed_step(world, title="Three")
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client_for(world.teacher).post(action(third, "agree"), {"follow_up_due": due})
    assert response.status_code == 200
    assert "Ana Teacher already works on 2 action steps" in response.content.decode()
    assert CoachingStep.objects.get(pk=third.pk).state == StepState.PROPOSED


def test_agree_from_the_session_screen_returns_there_with_the_refusal(world, client_for):
    build.agreed_step(world, title="One")
    build.agreed_step(world, title="Two")
    third = build.proposed_step(world, title="Three")
    back = reverse("coaching:session-run", args=[build.session(world).pk])
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = client_for(world.coach).post(action(third, "agree"), {"follow_up_due": due, "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client_for(world.coach).post(
        action(third, "agree"), {"follow_up_due": due, "next": "https://evil.example.com/"}
    )
    assert response.status_code == 200  # a foreign "next" is ignored: the refusal shows on the page


def test_the_whole_road_to_mastery(world, client_for):
    teacher, coach = client_for(world.teacher), client_for(world.coach)
    step = build.agreed_step(world)
    # Practice in a session or on the step's page.
    response = coach.post(reverse("coaching:step-practice", args=[step.pk]), {"quality": "close", "scenario": "Launch"})
    assert response.status_code == 302
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.PRACTISING
    # The teacher uses it in class.
    teacher.post(action(step, "implement"))
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.IMPLEMENTING
    # The coach follows it up with a visit made after the step was agreed, ticking the notes that show it.
    obs = build.observation(world, notes=(("Countdown used twice", "strength"), ("Off-topic aside", "neutral")))
    shows, other = EvidenceNote.objects.filter(observation=obs).order_by("at", "id")
    page = coach.get(reverse("coaching:step-follow-up", args=[step.pk])).content.decode()
    assert "Countdown used twice" in page  # the one visit is chosen: its notes are offered
    response = coach.post(
        reverse("coaching:step-follow-up", args=[step.pk]), {"observation": obs.pk, "evidence": [shows.pk]}
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.FOLLOW_UP and step.follow_up_observation == obs
    assert list(step.mastery_evidence.all()) == [shows]
    html = teacher.get(detail(step)).content.decode()
    assert "Countdown used twice" in html and "Off-topic aside" not in html
    # The teacher confirms mastery.
    assert "Mark this step mastered?" in teacher.get(action(step, "master")).content.decode()
    teacher.post(action(step, "master"), {"note": "Consistent in three visits"})
    step.refresh_from_db()
    assert step.state == StepState.MASTERED and step.mastery_note == "Consistent in three visits"
    growth = teacher.get(reverse("coaching:my-growth")).content.decode()
    assert "Steps I have mastered" in growth and step.title in growth


def test_follow_up_refuses_notes_from_another_observation(world, client_for):
    step = build.agreed_step(world)
    services.practice_round_add(actor=world.coach, step=step, quality="got_it")
    services.step_implement(actor=world.teacher, step=step)
    first = build.observation(world, notes=(("First visit", "strength"),))
    second = build.observation(world, notes=(("Second visit", "strength"),))
    foreign = EvidenceNote.objects.get(observation=second)
    response = client_for(world.coach).post(
        reverse("coaching:step-follow-up", args=[step.pk]), {"observation": first.pk, "evidence": [foreign.pk]}
    )
    assert response.status_code == 200
    assert "Choose notes from the observation shown." in response.content.decode()
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.IMPLEMENTING


def test_follow_up_before_the_step_is_in_class_is_refused(world, client_for):
    step = build.agreed_step(world)
    obs = build.observation(world)
    client = client_for(world.coach)
    page = client.get(reverse("coaching:step-follow-up", args=[step.pk])).content.decode()
    assert "Follow-up comes once Ana Teacher is using it in class." in page
    response = client.post(reverse("coaching:step-follow-up", args=[step.pk]), {"observation": obs.pk})
    assert "it cannot be followed up now" in response.content.decode()


def test_follow_up_lists_only_visits_after_the_agreement(world, client_for):
    before = build.observation(world, notes=(("Before agreement", "strength"),))
    step = build.agreed_step(world)
    html = client_for(world.coach).get(reverse("coaching:step-follow-up", args=[step.pk])).content.decode()
    assert f'value="{before.pk}"' not in html
    assert "No visit to Ana Teacher since the step was agreed." in html


def test_retry_sends_the_step_back_to_practice(world, client_for):
    step = build.agreed_step(world)
    services.practice_round_add(actor=world.coach, step=step, quality="got_it")
    services.step_implement(actor=world.teacher, step=step)
    services.step_follow_up(actor=world.coach, step=step, observation=build.observation(world))
    assert client_for(world.teacher).post(action(step, "retry")).status_code == 403
    client_for(world.coach).post(action(step, "retry"))
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.PRACTISING


def test_supersede_asks_first_then_closes(world, client_for):
    step = build.agreed_step(world, title="Old step")
    newer = build.proposed_step(world, title="Higher leverage")
    client = client_for(world.coach)
    page = client.get(action(step, "supersede")).content.decode()
    assert "Supersede this action step?" in page and "cannot be reopened" in page and "Higher leverage" in page
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.AGREED
    client.post(action(step, "supersede"), {"by": newer.pk})
    step.refresh_from_db()
    assert step.state == StepState.SUPERSEDED and step.superseded_by == newer
    html = client.get(detail(step)).content.decode()
    assert "superseded by a higher-leverage one" in html and detail(newer) in html


def test_supersede_refuses_another_teachers_step(world, client_for):
    step = build.agreed_step(world)
    response = client_for(world.coach).post(action(step, "supersede"), {"by": 99999})
    assert "Choose another step of the same teacher." in response.content.decode()
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.AGREED


def test_drop_asks_first_and_only_a_proposed_step(world, client_for):
    step = build.proposed_step(world)
    client = client_for(world.coach)
    assert "Drop this proposed step?" in client.get(action(step, "drop")).content.decode()
    client.post(action(step, "drop"))
    assert CoachingStep.objects.get(pk=step.pk).state == StepState.DROPPED
    agreed = build.agreed_step(world)
    response = client.post(action(agreed, "drop"))
    assert "This action step is agreed; it cannot be dropped now." in response.content.decode()
    assert CoachingStep.objects.get(pk=agreed.pk).state == StepState.AGREED


def test_implement_too_early_is_refused(world, client_for):
    step = build.agreed_step(world)
    response = client_for(world.teacher).post(action(step, "implement"))
    assert "it cannot be marked as in use now" in response.content.decode()


def test_unknown_move_is_404(world, client_for):
    step = build.proposed_step(world)
    assert client_for(world.teacher).get(action(step, "publish")).status_code == 404
    assert client_for(world.teacher).post(action(step, "publish")).status_code == 404


def test_practice_page_without_a_session(world, client_for):
    step = build.agreed_step(world)
    client = client_for(world.facilitator)
    assert "Record a practice round" in client.get(reverse("coaching:step-practice", args=[step.pk])).content.decode()
    response = client.post(reverse("coaching:step-practice", args=[step.pk]), {"quality": "wrong"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    client.post(reverse("coaching:step-practice", args=[step.pk]), {"quality": "got_it"})
    assert PracticeRound.objects.get().session is None
    assert client_for(world.teacher).get(reverse("coaching:step-practice", args=[step.pk])).status_code == 403
