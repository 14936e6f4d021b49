"""Action steps: proposed -> agreed -> practising -> implementing -> follow-up -> mastered, and the side exits."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import CoachingPolicy, CoachingStep, RoundQuality, StepState
from trellis.coaching.tests import cycle
from trellis.frameworks.models import ActionStep
from trellis.observations.models import Notice

pytestmark = pytest.mark.django_db

S = StepState
TITLE = "Narrate what students do well before you correct anyone"
NOTE = "Every correction was preceded by two narrations"


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def state_of(step):
    return CoachingStep.objects.get(pk=step.pk).state


def propose(world, title=TITLE, coach=None, **kwargs):
    return services.step_propose(actor=coach or world.coach, teacher=world.teacher, title=title, **kwargs)


def agreed(world, **kwargs):
    return services.step_agree(actor=world.teacher, step=propose(world, **kwargs))


def practising(world, **kwargs):
    step = agreed(world, **kwargs)
    services.practice_round_add(actor=world.coach, step=step, quality=RoundQuality.CLOSE, feedback="Shorter")
    return CoachingStep.objects.get(pk=step.pk)


def implementing(world, **kwargs):
    return services.step_implement(actor=world.teacher, step=practising(world, **kwargs))


def follow_up(world, **kwargs):
    step = implementing(world, **kwargs)
    obs = cycle.observation(world)
    return services.step_follow_up(actor=world.coach, step=step, observation=obs, evidence_notes=[])


def move_to(world, state):
    return {
        S.PROPOSED: propose,
        S.AGREED: agreed,
        S.PRACTISING: practising,
        S.IMPLEMENTING: implementing,
        S.FOLLOW_UP: follow_up,
    }[state](world)


@pytest.fixture
def clock():
    """A clock that only moves when told (forward from today, so caseloads stay current)."""
    start = timezone.now() + datetime.timedelta(days=1)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


class TestFullPath:
    def test_proposed_to_mastered(self, world, clock):
        step = propose(world)
        assert step.state == S.PROPOSED and step.proposed_by == world.coach
        assert Notice.objects.filter(recipient=world.teacher, url__contains=f"/steps/{step.pk}/").exists()

        step = services.step_agree(actor=world.teacher, step=step)
        assert step.state == S.AGREED
        assert step.agreed_at == timezone.now()
        assert step.follow_up_due == timezone.localdate() + datetime.timedelta(days=7)

        clock.shift(datetime.timedelta(hours=1))
        first = services.practice_round_add(
            actor=world.coach, step=step, quality=RoundQuality.NOT_YET, scenario="Opening routine"
        )
        second = services.practice_round_add(actor=world.coach, step=step, quality=RoundQuality.GOT_IT)
        assert (first.number, second.number) == (1, 2)
        assert state_of(step) == S.PRACTISING

        step = services.step_implement(actor=world.teacher, step=step)
        assert step.state == S.IMPLEMENTING

        clock.shift(datetime.timedelta(days=3))
        obs = cycle.observation(world)
        notes = [cycle.evidence_note(obs), cycle.evidence_note(obs, "Praise, then redirect")]
        step = services.step_follow_up(actor=world.coach, step=step, observation=obs, evidence_notes=notes)
        assert step.state == S.FOLLOW_UP
        assert step.follow_up_observation == obs
        assert set(step.mastery_evidence.all()) == set(notes)

        step = services.step_master(actor=world.coach, step=step, note=NOTE)
        assert step.state == S.MASTERED
        assert step.mastered_at == step.closed_at == timezone.now()
        assert step.mastery_note == NOTE
        assert Notice.objects.filter(recipient=world.teacher, text__contains="mastered").exists()

    def test_every_transition_is_audited_without_the_step_text(self, world, clock):
        step = propose(world, look_fors="Two narrations before each correction")
        step = services.step_agree(actor=world.teacher, step=step)
        services.practice_round_add(actor=world.coach, step=step, quality=RoundQuality.CLOSE, feedback=NOTE)
        step = services.step_implement(actor=world.teacher, step=step)
        clock.shift(datetime.timedelta(days=2))
        obs = cycle.observation(world)
        step = services.step_follow_up(actor=world.coach, step=step, observation=obs)
        step = services.step_retry(actor=world.coach, step=step)
        step = services.step_implement(actor=world.teacher, step=step)
        step = services.step_follow_up(actor=world.coach, step=step, observation=obs)
        services.step_master(actor=world.teacher, step=step, note=NOTE)
        entries = list(AuditEntry.objects.filter(object_type="coaching.coachingstep", object_id=str(step.pk)))
        actions = [e.action for e in sorted(entries, key=lambda e: e.pk)]
        assert actions == [
            "coaching_step.propose",
            "coaching_step.agree",
            "coaching_step.practice",
            "coaching_step.practise",
            "coaching_step.implement",
            "coaching_step.follow_up",
            "coaching_step.retry",
            "coaching_step.implement",
            "coaching_step.follow_up",
            "coaching_step.master",
        ]
        for entry in entries:
            text = f"{entry.object_repr} {entry.before} {entry.after} {entry.actor_label}"
            assert TITLE not in text and "Narrate" not in text
            assert NOTE not in text and "Two narrations" not in text
            assert entry.object_repr == f"action step #{step.pk}"
            assert entry.district_id == world.district.pk

    @pytest.mark.parametrize("action", ["supersede", "drop"])
    def test_side_exits_are_audited_without_the_step_text(self, world, action):
        step = agreed(world) if action == "supersede" else propose(world)
        getattr(services, f"step_{action}")(actor=world.coach, step=step)
        entry = AuditEntry.objects.get(action=f"coaching_step.{action}", object_id=str(step.pk))
        assert TITLE not in f"{entry.object_repr} {entry.before} {entry.after}"


class TestPropose:
    def test_only_a_coach_of_the_teacher_proposes(self, world):
        for actor in (world.teacher, world.campus_leader, world.district_admin, world.teacher_other_campus):
            with pytest.raises(ValidationError) as excinfo:
                propose(world, coach=actor)
            assert "Ana Teacher is not on your caseload." in messages(excinfo)
        assert not CoachingStep.objects.exists()

    def test_a_facilitator_with_a_grant_proposes(self, world):
        assert propose(world, coach=world.facilitator).proposed_by == world.facilitator

    def test_a_step_needs_words(self, world):
        with pytest.raises(ValidationError) as excinfo:
            propose(world, title="   ")
        assert "title" in excinfo.value.message_dict

    def test_a_library_step_gives_title_and_look_fors(self, world):
        library_step = ActionStep.objects.filter(library__key="open-action-steps").order_by("sequence").first()
        step = propose(world, title="", library_step=library_step)
        assert step.title == library_step.title
        assert step.look_fors == "\n".join(library_step.look_fors).strip()

    def test_a_relationship_without_the_teacher_is_refused(self, world):
        other = cycle.extra_teachers(world, 1)[0]
        rel = cycle.active(world, teachers=[other])
        with pytest.raises(ValidationError) as excinfo:
            propose(world, relationship=rel)
        assert "relationship" in excinfo.value.message_dict


class TestAgree:
    def test_follow_up_due_defaults_to_the_districts_days(self, world):
        CoachingPolicy.objects.create(district=world.district, follow_up_days=10)
        step = agreed(world)
        assert step.follow_up_due == timezone.localdate() + datetime.timedelta(days=10)

    def test_an_explicit_follow_up_date(self, world):
        due = timezone.localdate() + datetime.timedelta(days=3)
        step = services.step_agree(actor=world.coach, step=propose(world), follow_up_due=due)
        assert step.follow_up_due == due

    def test_a_follow_up_date_in_the_past_is_refused(self, world):
        step = propose(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_agree(
                actor=world.teacher, step=step, follow_up_due=timezone.localdate() - datetime.timedelta(days=1)
            )
        assert "follow_up_due" in excinfo.value.message_dict
        assert state_of(step) == S.PROPOSED

    @pytest.mark.parametrize("persona", ["campus_leader", "district_admin", "teacher_other_campus"])
    def test_only_the_teacher_and_their_coaches_agree(self, world, persona):
        step = propose(world)
        with pytest.raises(ValidationError):
            services.step_agree(actor=world.persona(persona), step=step)
        assert state_of(step) == S.PROPOSED

    def test_an_agreed_step_is_not_agreed_again(self, world):
        step = agreed(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_agree(actor=world.teacher, step=step)
        assert messages(excinfo) == "This action step is agreed; it cannot be agreed now."

    def test_at_most_two_open_steps_by_default(self, world):
        agreed(world, title="First")
        services.step_agree(
            actor=world.teacher,
            step=services.step_propose(actor=world.facilitator, teacher=world.teacher, title="Second"),
        )
        third = propose(world, title="Third")
        with pytest.raises(ValidationError) as excinfo:
            services.step_agree(actor=world.teacher, step=third)
        assert messages(excinfo) == (
            "Ana Teacher already works on 2 action steps; mark one mastered or superseded first."
        )
        assert state_of(third) == S.PROPOSED

    def test_one_open_step_when_the_district_says_so(self, world):
        CoachingPolicy.objects.create(district=world.district, max_open_steps=1)
        first = agreed(world, title="First")
        second = propose(world, title="Second")
        with pytest.raises(ValidationError) as excinfo:
            services.step_agree(actor=world.coach, step=second)
        assert messages(excinfo) == "Ana Teacher already works on 1 action step; mark it mastered or superseded first."
        # Superseding the open one makes room.
        services.step_supersede(actor=world.coach, step=first, by=second)
        assert services.step_agree(actor=world.coach, step=second).state == S.AGREED

    def test_closed_and_proposed_steps_do_not_count(self, world):
        CoachingPolicy.objects.create(district=world.district, max_open_steps=1)
        services.step_drop(actor=world.coach, step=propose(world, title="Dropped"))
        propose(world, title="Only proposed")
        assert agreed(world, title="The one").state == S.AGREED

    def test_another_teachers_steps_do_not_count(self, world):
        CoachingPolicy.objects.create(district=world.district, max_open_steps=1)
        other = cycle.extra_teachers(world, 1)[0]
        theirs = services.step_propose(actor=world.coach, teacher=other, title="Theirs")
        services.step_agree(actor=other, step=theirs)
        assert agreed(world).state == S.AGREED


class TestPractice:
    def test_only_a_coach_records_a_round(self, world):
        step = agreed(world)
        with pytest.raises(ValidationError):
            services.practice_round_add(actor=world.teacher, step=step, quality=RoundQuality.CLOSE)
        assert not step.rounds.exists()

    def test_a_round_needs_a_quality(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.practice_round_add(actor=world.coach, step=agreed(world), quality="great")
        assert "quality" in excinfo.value.message_dict

    def test_a_proposed_step_is_not_practised(self, world):
        step = propose(world)
        with pytest.raises(ValidationError):
            services.practice_round_add(actor=world.coach, step=step, quality=RoundQuality.CLOSE)
        assert state_of(step) == S.PROPOSED and not step.rounds.exists()

    def test_a_session_of_other_coaching_is_refused(self, world):
        rel = cycle.active(world)
        other_rel = cycle.active(world, coach=world.facilitator)
        step = agreed(world, relationship=rel)
        session = services.session_schedule(
            actor=world.facilitator,
            relationship=other_rel,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            protocol=cycle.protocol(),
        )
        with pytest.raises(ValidationError) as excinfo:
            services.practice_round_add(actor=world.coach, step=step, quality=RoundQuality.CLOSE, session=session)
        assert "session" in excinfo.value.message_dict

    def test_implementing_comes_after_practice(self, world):
        step = agreed(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_implement(actor=world.teacher, step=step)
        assert messages(excinfo) == "This action step is agreed; it cannot be marked as in use now."


class TestFollowUp:
    def test_the_observation_must_be_of_the_same_teacher(self, world):
        step = implementing(world)
        obs = cycle.observation(world, teacher=world.teacher_other_campus)
        with pytest.raises(ValidationError) as excinfo:
            services.step_follow_up(actor=world.coach, step=step, observation=obs)
        assert "That observation is of another teacher." in messages(excinfo)
        assert state_of(step) == S.IMPLEMENTING

    def test_the_observation_must_come_after_the_agreement(self, world, clock):
        before = cycle.observation(world)
        clock.shift(datetime.timedelta(minutes=5))
        step = implementing(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_follow_up(actor=world.coach, step=step, observation=before)
        assert "comes after the step was agreed" in messages(excinfo)
        clock.shift(datetime.timedelta(minutes=5))
        after = cycle.observation(world)
        assert services.step_follow_up(actor=world.coach, step=step, observation=after).state == S.FOLLOW_UP

    def test_evidence_notes_must_come_from_that_observation(self, world):
        step = implementing(world)
        obs, elsewhere = cycle.observation(world), cycle.observation(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_follow_up(
                actor=world.coach,
                step=step,
                observation=obs,
                evidence_notes=[cycle.evidence_note(obs), cycle.evidence_note(elsewhere)],
            )
        assert "Those notes are not from that observation." in messages(excinfo)
        assert state_of(step) == S.IMPLEMENTING
        assert not CoachingStep.objects.get(pk=step.pk).mastery_evidence.exists()

    @pytest.mark.parametrize("state", ["draft", "shared"])
    def test_an_observation_the_coach_cannot_read_is_refused(self, world, state):
        # Another observer's observation is behind the firewall for this coach, shared with the teacher or not.
        step = implementing(world)
        theirs = cycle.observation(world, observer=world.facilitator, state=state)
        with pytest.raises(ValidationError) as excinfo:
            services.step_follow_up(actor=world.coach, step=step, observation=theirs)
        assert "Use an observation you can read" in messages(excinfo)
        assert state_of(step) == S.IMPLEMENTING
        own = cycle.observation(world, state=state)
        assert services.step_follow_up(actor=world.coach, step=step, observation=own).state == S.FOLLOW_UP

    def test_follow_up_comes_after_implementing(self, world):
        step = practising(world)
        with pytest.raises(ValidationError):
            services.step_follow_up(actor=world.coach, step=step, observation=cycle.observation(world))
        assert state_of(step) == S.PRACTISING


class TestMasterAndRetry:
    def test_master_needs_the_follow_up_observation(self, world):
        step = follow_up(world)
        CoachingStep.objects.filter(pk=step.pk).update(follow_up_observation=None)
        with pytest.raises(ValidationError) as excinfo:
            services.step_master(actor=world.coach, step=step)
        assert "Link the follow-up observation" in messages(excinfo)
        assert state_of(step) == S.FOLLOW_UP

    @pytest.mark.parametrize("state", [S.PROPOSED, S.AGREED, S.PRACTISING, S.IMPLEMENTING])
    def test_mastery_is_not_reached_without_a_follow_up(self, world, state):
        step = move_to(world, state)
        with pytest.raises(ValidationError) as excinfo:
            services.step_master(actor=world.coach, step=step)
        assert "cannot be marked mastered now" in messages(excinfo)
        assert state_of(step) == state

    def test_retry_goes_back_to_practice_with_a_new_follow_up_date(self, world, clock):
        step = follow_up(world)
        first_due = step.follow_up_due
        clock.shift(datetime.timedelta(days=10))
        step = services.step_retry(actor=world.coach, step=step)
        assert step.state == S.PRACTISING
        assert step.follow_up_due == timezone.localdate() + datetime.timedelta(days=7)
        assert step.follow_up_due > first_due
        # And round again: implement, follow up, master.
        step = services.step_implement(actor=world.teacher, step=step)
        obs = cycle.observation(world)
        step = services.step_follow_up(actor=world.coach, step=step, observation=obs)
        assert services.step_master(actor=world.teacher, step=step).state == S.MASTERED

    @pytest.mark.parametrize("state", [S.PROPOSED, S.AGREED, S.PRACTISING, S.IMPLEMENTING])
    def test_retry_is_only_from_follow_up(self, world, state):
        step = move_to(world, state)
        with pytest.raises(ValidationError):
            services.step_retry(actor=world.coach, step=step)
        assert state_of(step) == state

    def test_a_mastered_step_stays_mastered(self, world):
        step = services.step_master(actor=world.coach, step=follow_up(world))
        for action in ("retry", "supersede", "drop", "implement", "master"):
            with pytest.raises(ValidationError):
                getattr(services, f"step_{action}")(actor=world.coach, step=step)
        assert state_of(step) == S.MASTERED


class TestSupersedeAndDrop:
    @pytest.mark.parametrize("state", [S.AGREED, S.PRACTISING, S.IMPLEMENTING, S.FOLLOW_UP])
    def test_supersede_from_each_open_state(self, world, state):
        step = move_to(world, state)
        better = propose(world, title="A higher-leverage step")
        step = services.step_supersede(actor=world.coach, step=step, by=better)
        assert step.state == S.SUPERSEDED
        assert step.superseded_by == better
        assert step.closed_at is not None
        assert not step.is_open

    def test_a_proposed_step_is_dropped_not_superseded(self, world):
        step = propose(world)
        with pytest.raises(ValidationError) as excinfo:
            services.step_supersede(actor=world.coach, step=step)
        assert messages(excinfo) == "This action step is proposed; it cannot be superseded now."
        assert state_of(step) == S.PROPOSED

    def test_superseded_by_another_teachers_step_is_refused(self, world):
        step = agreed(world)
        other = cycle.extra_teachers(world, 1)[0]
        theirs = services.step_propose(actor=world.coach, teacher=other, title="Theirs")
        with pytest.raises(ValidationError) as excinfo:
            services.step_supersede(actor=world.coach, step=step, by=theirs)
        assert "by" in excinfo.value.message_dict
        with pytest.raises(ValidationError):
            services.step_supersede(actor=world.coach, step=step, by=step)
        assert state_of(step) == S.AGREED

    def test_only_a_coach_supersedes(self, world):
        step = agreed(world)
        with pytest.raises(ValidationError):
            services.step_supersede(actor=world.teacher, step=step)
        assert state_of(step) == S.AGREED

    @pytest.mark.parametrize("persona", ["teacher", "coach"])
    def test_a_proposed_step_is_dropped(self, world, persona):
        step = services.step_drop(actor=world.persona(persona), step=propose(world))
        assert step.state == S.DROPPED and step.closed_at is not None

    @pytest.mark.parametrize("state", [S.AGREED, S.PRACTISING, S.IMPLEMENTING, S.FOLLOW_UP])
    def test_drop_only_from_proposed(self, world, state):
        step = move_to(world, state)
        with pytest.raises(ValidationError) as excinfo:
            services.step_drop(actor=world.teacher, step=step)
        assert "cannot be dropped now" in messages(excinfo)
        assert state_of(step) == state

    def test_outsiders_cannot_drop(self, world):
        step = propose(world)
        with pytest.raises(ValidationError):
            services.step_drop(actor=world.campus_leader, step=step)
        assert state_of(step) == S.PROPOSED
