"""Teacher goals: draft -> active -> met | revised | set aside; data points and strategy trials."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.models import DataSource, Goal, GoalStatus, TrialResult
from trellis.coaching.tests import cycle

pytestmark = pytest.mark.django_db

STATEMENT = "More of my students explain their reasoning out loud"


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def draft(world, actor=None, **fields):
    fields.setdefault("statement", STATEMENT)
    fields.setdefault("measure", "Students who explain their reasoning in a lesson")
    fields.setdefault("unit", "% of students")
    fields.setdefault("baseline", Decimal("20"))
    fields.setdefault("target", Decimal("60"))
    return services.goal_create(actor=actor or world.teacher, teacher=world.teacher, **fields)


def active(world, **fields):
    return services.goal_activate(actor=world.teacher, goal=draft(world, **fields))


def point(world, goal, value="35", on=None, actor=None, **extra):
    return services.data_point_add(
        actor=actor or world.teacher,
        goal=goal,
        recorded_on=on or timezone.localdate(),
        value=Decimal(value),
        source=extra.pop("source", DataSource.OBSERVATION),
        **extra,
    )


def status_of(goal):
    return Goal.objects.get(pk=goal.pk).status


class TestCreate:
    def test_the_teacher_drafts_a_goal(self, world):
        goal = draft(world, statement=f"  {STATEMENT}  ")
        assert goal.status == GoalStatus.DRAFT
        assert (goal.teacher, goal.created_by, goal.district) == (world.teacher, world.teacher, world.district)
        assert goal.statement == STATEMENT
        assert goal.activated_at is None

    def test_the_coach_drafts_with_the_teacher(self, world):
        rel = cycle.active(world)
        goal = draft(world, actor=world.coach, relationship=rel)
        assert (goal.created_by, goal.relationship) == (world.coach, rel)

    @pytest.mark.parametrize(
        "persona", ["campus_leader", "district_admin", "teacher_other_campus", "facilitator_no_grant", "other_admin"]
    )
    def test_others_cannot_set_a_teachers_goal(self, world, persona):
        with pytest.raises(ValidationError) as excinfo:
            draft(world, actor=world.persona(persona))
        assert "Only the teacher and their coach" in messages(excinfo)
        assert not Goal.objects.exists()

    def test_statement_and_measure_are_required(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.goal_create(actor=world.teacher, teacher=world.teacher, statement="Only a statement")
        assert "measure" in excinfo.value.message_dict
        with pytest.raises(ValidationError) as excinfo:
            draft(world, statement="   ")
        assert "statement" in excinfo.value.message_dict

    def test_a_relationship_the_teacher_is_not_in_is_refused(self, world):
        other = cycle.extra_teachers(world, 1)[0]
        rel = cycle.active(world, teachers=[other])
        with pytest.raises(ValidationError) as excinfo:
            draft(world, relationship=rel)
        assert "relationship" in excinfo.value.message_dict

    def test_an_unknown_kind_is_refused(self, world):
        with pytest.raises(ValidationError) as excinfo:
            draft(world, kind="world_peace")
        assert "kind" in excinfo.value.message_dict

    def test_the_audit_log_holds_no_goal_text(self, world):
        goal = draft(world)
        entry = AuditEntry.objects.get(action="coaching_goal.create", object_id=str(goal.pk))
        assert STATEMENT not in f"{entry.before} {entry.after} {entry.object_repr}"
        assert "statement" in entry.after["changed"]


class TestActivate:
    def test_a_draft_with_baseline_and_target_starts(self, world):
        goal = active(world)
        assert goal.status == GoalStatus.ACTIVE
        assert goal.activated_at is not None
        assert AuditEntry.objects.filter(action="coaching_goal.activate", object_id=str(goal.pk)).exists()

    @pytest.mark.parametrize(("missing", "field"), [({"baseline": None}, "baseline"), ({"target": None}, "target")])
    def test_baseline_and_target_are_needed(self, world, missing, field):
        goal = draft(world, **missing)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_activate(actor=world.teacher, goal=goal)
        assert list(excinfo.value.message_dict) == [field]
        assert status_of(goal) == GoalStatus.DRAFT

    def test_both_missing_name_both(self, world):
        goal = draft(world, baseline=None, target=None)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_activate(actor=world.teacher, goal=goal)
        assert set(excinfo.value.message_dict) == {"baseline", "target"}

    def test_an_active_goal_does_not_start_again(self, world):
        goal = active(world)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_activate(actor=world.teacher, goal=goal)
        assert "only a draft is started" in messages(excinfo)

    def test_only_a_draft_is_edited(self, world):
        goal = draft(world)
        services.goal_update(actor=world.teacher, goal=goal, target=Decimal("70"))
        assert Goal.objects.get(pk=goal.pk).target == Decimal("70")
        goal = services.goal_activate(actor=world.teacher, goal=goal)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_update(actor=world.teacher, goal=goal, target=Decimal("80"))
        assert "revise an active goal instead" in messages(excinfo)
        assert Goal.objects.get(pk=goal.pk).target == Decimal("70")


class TestClose:
    def test_met_needs_a_data_point_since_activation(self, world):
        goal = active(world)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_close(actor=world.teacher, goal=goal, outcome=GoalStatus.MET)
        assert "Record at least one data point" in messages(excinfo)
        assert status_of(goal) == GoalStatus.ACTIVE
        point(world, goal, "62")
        goal = services.goal_close(actor=world.teacher, goal=goal, outcome=GoalStatus.MET)
        assert goal.status == GoalStatus.MET and goal.closed_at is not None

    def test_data_from_before_activation_does_not_count(self, world):
        start = timezone.now() + datetime.timedelta(hours=1)
        with time_machine.travel(start, tick=False) as clock:
            goal = draft(world)
            point(world, goal, "20")  # recorded while a draft
            clock.shift(datetime.timedelta(minutes=1))
            goal = services.goal_activate(actor=world.teacher, goal=goal)
        with pytest.raises(ValidationError):
            services.goal_close(actor=world.teacher, goal=goal, outcome=GoalStatus.MET)
        assert status_of(goal) == GoalStatus.ACTIVE

    def test_set_aside_needs_no_data(self, world):
        goal = services.goal_close(actor=world.coach, goal=active(world), outcome=GoalStatus.ABANDONED)
        assert goal.status == GoalStatus.ABANDONED and goal.closed_at is not None

    def test_a_draft_can_be_set_aside_but_not_met(self, world):
        with pytest.raises(ValidationError):
            services.goal_close(actor=world.teacher, goal=draft(world), outcome=GoalStatus.MET)
        goal = services.goal_close(actor=world.teacher, goal=draft(world), outcome=GoalStatus.ABANDONED)
        assert goal.status == GoalStatus.ABANDONED

    def test_a_closed_goal_does_not_close_again(self, world):
        goal = services.goal_close(actor=world.teacher, goal=active(world), outcome=GoalStatus.ABANDONED)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_close(actor=world.teacher, goal=goal, outcome=GoalStatus.ABANDONED)
        assert "set aside; it cannot be closed now" in messages(excinfo)

    def test_revised_is_not_an_outcome(self, world):
        with pytest.raises(ValueError):
            services.goal_close(actor=world.teacher, goal=active(world), outcome=GoalStatus.REVISED)


class TestRevise:
    def test_revising_keeps_the_old_goal_and_links_the_new(self, world):
        rel = cycle.active(world)
        version = cycle.starter_version()
        nodes = cycle.components(version, 2)
        old = active(world, relationship=rel, nodes=nodes)
        old_point = point(world, old, "30")
        new = services.goal_revise(actor=world.coach, goal=old, target=Decimal("50"), measure="Students who explain")
        old.refresh_from_db()
        assert old.status == GoalStatus.REVISED and old.closed_at is not None
        assert new.pk != old.pk
        assert new.revised_from == old
        assert list(old.revisions.all()) == [new]
        assert new.status == GoalStatus.ACTIVE and new.activated_at is not None
        assert (new.target, new.measure, new.baseline) == (Decimal("50"), "Students who explain", old.baseline)
        assert (new.statement, new.relationship, new.teacher) == (old.statement, rel, world.teacher)
        assert set(new.nodes.all()) == set(nodes)
        # The data stays with the goal it measured.
        assert list(old.data_points.all()) == [old_point]
        assert not new.data_points.exists()

    def test_only_an_active_goal_is_revised(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.goal_revise(actor=world.teacher, goal=draft(world), target=Decimal("50"))
        assert "Only an active goal is revised." in messages(excinfo)
        assert Goal.objects.count() == 1

    def test_a_revised_goal_is_not_revised_twice(self, world):
        old = active(world)
        services.goal_revise(actor=world.teacher, goal=old, target=Decimal("50"))
        with pytest.raises(ValidationError):
            services.goal_revise(actor=world.teacher, goal=old, target=Decimal("55"))
        assert Goal.objects.count() == 2

    @pytest.mark.parametrize("field", ["baseline", "target"])
    def test_a_revision_keeps_a_baseline_and_a_target(self, world, field):
        old = active(world)
        with pytest.raises(ValidationError) as excinfo:
            services.goal_revise(actor=world.teacher, goal=old, **{field: None})
        assert field in excinfo.value.message_dict
        assert status_of(old) == GoalStatus.ACTIVE
        assert not Goal.objects.filter(status=GoalStatus.ACTIVE, **{f"{field}__isnull": True}).exists()

    def test_outsiders_cannot_revise(self, world):
        goal = active(world)
        with pytest.raises(ValidationError):
            services.goal_revise(actor=world.campus_leader, goal=goal, target=Decimal("50"))
        assert status_of(goal) == GoalStatus.ACTIVE


class TestData:
    def test_a_data_point_on_an_active_goal(self, world):
        goal = active(world)
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        p = point(world, goal, "41.5", on=yesterday, actor=world.coach, note="  Tuesday's lesson  ")
        assert (p.goal, p.value, p.recorded_on, p.recorded_by) == (goal, Decimal("41.5"), yesterday, world.coach)
        assert p.note == "Tuesday's lesson"
        assert p.district_id == world.district.pk

    def test_a_future_date_is_refused(self, world):
        goal = active(world)
        with pytest.raises(ValidationError) as excinfo:
            point(world, goal, on=timezone.localdate() + datetime.timedelta(days=1))
        assert "recorded_on" in excinfo.value.message_dict
        assert not goal.data_points.exists()

    def test_an_unknown_source_is_refused(self, world):
        with pytest.raises(ValidationError) as excinfo:
            point(world, active(world), source="gut_feeling")
        assert "source" in excinfo.value.message_dict

    def test_an_observation_of_another_teacher_is_refused(self, world):
        goal = active(world)
        theirs = cycle.observation(world, teacher=world.teacher_other_campus)
        with pytest.raises(ValidationError) as excinfo:
            point(world, goal, observation=theirs)
        assert "observation" in excinfo.value.message_dict
        # The teacher links an observation once it is shared with her; a draft she cannot read is refused.
        draft = cycle.observation(world)
        with pytest.raises(ValidationError):
            point(world, goal, observation=draft)
        mine = cycle.observation(world, state="shared")
        assert point(world, goal, observation=mine).observation == mine
        assert point(world, goal, observation=draft, actor=world.coach).observation == draft

    @pytest.mark.parametrize("outcome", ["met", "abandoned", "revised"])
    def test_closed_goals_refuse_data_and_trials(self, world, outcome):
        goal = active(world)
        if outcome == "revised":
            services.goal_revise(actor=world.teacher, goal=goal, target=Decimal("65"))
        else:
            if outcome == "met":
                point(world, goal)
            services.goal_close(actor=world.teacher, goal=goal, outcome=outcome)
        goal.refresh_from_db()
        count = goal.data_points.count()
        with pytest.raises(ValidationError) as excinfo:
            point(world, goal)
        assert "closed" in messages(excinfo)
        assert goal.data_points.count() == count
        with pytest.raises(ValidationError):
            services.trial_record(
                actor=world.teacher,
                goal=goal,
                strategy="Think-pair-share",
                tried_on=timezone.localdate(),
                evidence="Counted hands",
                result=TrialResult.WORKED,
            )
        assert not goal.trials.exists()

    @pytest.mark.parametrize("persona", ["campus_leader", "district_admin", "teacher_other_campus"])
    def test_outsiders_cannot_record_data(self, world, persona):
        goal = active(world)
        with pytest.raises(ValidationError):
            point(world, goal, actor=world.persona(persona))

    def test_the_audit_log_holds_no_note(self, world):
        goal = active(world)
        point(world, goal, note="Jamie finally spoke up")
        entries = AuditEntry.objects.filter(object_id=str(goal.pk), object_type="coaching.goal")
        assert not any("Jamie" in f"{e.before} {e.after} {e.object_repr}" for e in entries)


class TestTrials:
    def test_the_teacher_records_a_trial(self, world):
        goal = active(world)
        trial = services.trial_record(
            actor=world.teacher,
            goal=goal,
            strategy=" Think-pair-share ",
            tried_on=timezone.localdate(),
            evidence="12 of 24 students explained",
            result=TrialResult.PARTLY,
            reflection="Give more wait time",
        )
        assert (trial.goal, trial.strategy, trial.result, trial.created_by) == (
            goal,
            "Think-pair-share",
            TrialResult.PARTLY,
            world.teacher,
        )
        entry = AuditEntry.objects.get(action="coaching_trial.create", object_id=str(trial.pk))
        assert "Think-pair-share" not in f"{entry.after} {entry.object_repr}"

    def test_a_trial_needs_strategy_evidence_result_and_no_future_date(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.trial_record(
                actor=world.teacher,
                goal=active(world),
                strategy=" ",
                tried_on=timezone.localdate() + datetime.timedelta(days=2),
                evidence="",
                result="maybe",
            )
        assert set(excinfo.value.message_dict) == {"strategy", "evidence", "result", "tried_on"}
