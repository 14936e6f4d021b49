"""Goals the teacher defines, with a measure and data over time, and the strategies tried toward them.

Lifecycle: draft -> active -> met | revised | set aside. A goal becomes active
only with a measure and a baseline; it is met only once data has been recorded
since it became active. Revising keeps the old goal and starts a new one from it.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import (
    DataSource,
    Goal,
    GoalDataPoint,
    GoalKind,
    GoalStatus,
    Relationship,
    StrategyTrial,
    TrialResult,
)
from trellis.coaching.services.common import clean_text, coaches
from trellis.observations.access import observation_content_q
from trellis.observations.models import Observation

__all__ = [
    "GOAL_FIELDS",
    "goal_create",
    "goal_update",
    "goal_activate",
    "goal_close",
    "goal_revise",
    "data_point_add",
    "trial_record",
]

GOAL_FIELDS = ["kind", "statement", "measure", "unit", "baseline", "target", "collection"]


def _may_work_on_goals(actor, teacher) -> bool:
    return actor.pk == teacher.pk or coaches(actor, teacher)


def _clean_goal(fields: dict) -> dict:
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise ValueError(f"Not a goal field: {sorted(unknown)}")
    for name in ("statement", "measure", "unit", "collection"):
        if name in fields:
            fields[name] = clean_text(fields[name])
    errors = {}
    if "kind" in fields and fields["kind"] not in GoalKind.values:
        errors["kind"] = _("Choose what kind of goal this is.")
    if "statement" in fields and not fields["statement"]:
        errors["statement"] = _("Write the goal in a sentence.")
    if "measure" in fields and not fields["measure"]:
        errors["measure"] = _("Say what you will measure to know the goal is met.")
    if errors:
        raise ValidationError(errors)
    return fields


def _check_nodes(nodes, teacher) -> list:
    nodes = list(nodes or [])
    for node in nodes:
        district_id = node.version.framework.district_id
        if district_id not in (None, teacher.district_id):
            raise ValidationError({"nodes": _("A framework area is not available in your district.")})
    return nodes


def goal_create(*, actor, teacher, relationship: Relationship | None = None, nodes=(), **fields) -> Goal:
    """The teacher (or their coach, with them) drafts a goal."""
    if not _may_work_on_goals(actor, teacher):
        raise ValidationError(_("Only the teacher and their coach set the teacher's goals."))
    if relationship is not None and not relationship.members.filter(teacher=teacher).exists():
        raise ValidationError({"relationship": _("This teacher is not in that coaching relationship.")})
    fields = _clean_goal({"kind": GoalKind.TEACHER_PRACTICE, **fields})
    for required in ("statement", "measure"):
        if required not in fields:
            _clean_goal({required: ""})
    nodes = _check_nodes(nodes, teacher)
    with transaction.atomic():
        goal = Goal.objects.create(
            district_id=teacher.district_id, teacher=teacher, relationship=relationship, created_by=actor, **fields
        )
        goal.nodes.set(nodes)
        audit_record(actor=actor, action="coaching_goal.create", obj=goal, after=snapshot(goal, GOAL_FIELDS))
    return goal


def _lock(goal: Goal) -> Goal:
    return Goal.objects.select_for_update().get(pk=goal.pk)


def goal_update(*, actor, goal: Goal, nodes=None, **fields) -> Goal:
    """Edit a draft. An active goal is revised instead, so its history stays."""
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach change the teacher's goals."))
    fields = _clean_goal(fields)
    with transaction.atomic():
        goal = _lock(goal)
        if goal.status != GoalStatus.DRAFT:
            raise ValidationError(_("Only a draft goal is edited; revise an active goal instead."))
        before = snapshot(goal, GOAL_FIELDS)
        for name, value in fields.items():
            setattr(goal, name, value)
        goal.save()
        if nodes is not None:
            goal.nodes.set(_check_nodes(nodes, goal.teacher))
        audit_record(
            actor=actor, action="coaching_goal.update", obj=goal, before=before, after=snapshot(goal, GOAL_FIELDS)
        )
    return goal


def goal_activate(*, actor, goal: Goal) -> Goal:
    """Start working toward the goal; it needs a measure, a baseline and a target."""
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach change the teacher's goals."))
    with transaction.atomic():
        goal = _lock(goal)
        if goal.status != GoalStatus.DRAFT:
            raise ValidationError(
                _("This goal is %(status)s; only a draft is started.") % {"status": goal.get_status_display().lower()}
            )
        errors = {}
        if goal.baseline is None:
            errors["baseline"] = _("Record where things stand now (the baseline) before starting.")
        if goal.target is None:
            errors["target"] = _("Set the target the goal aims for before starting.")
        if errors:
            raise ValidationError(errors)
        goal.status = GoalStatus.ACTIVE
        goal.activated_at = timezone.now()
        goal.save(update_fields=["status", "activated_at"])
        audit_record(
            actor=actor,
            action="coaching_goal.activate",
            obj=goal,
            before={"status": "draft"},
            after={"status": "active"},
        )
    return goal


def goal_close(*, actor, goal: Goal, outcome: str) -> Goal:
    """Mark an active goal met (with data recorded since it started) or set it aside."""
    if outcome not in (GoalStatus.MET, GoalStatus.ABANDONED):
        raise ValueError(outcome)
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach change the teacher's goals."))
    with transaction.atomic():
        goal = _lock(goal)
        if goal.status != GoalStatus.ACTIVE and not (outcome == GoalStatus.ABANDONED and goal.status == "draft"):
            raise ValidationError(
                _("This goal is %(status)s; it cannot be closed now.") % {"status": goal.get_status_display().lower()}
            )
        if outcome == GoalStatus.MET and not goal.data_points.filter(created_at__gte=goal.activated_at).exists():
            raise ValidationError(_("Record at least one data point since the goal started before marking it met."))
        before = goal.status
        goal.status = outcome
        goal.closed_at = timezone.now()
        goal.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action=f"coaching_goal.{outcome}",
            obj=goal,
            before={"status": before},
            after={"status": outcome},
        )
    return goal


def goal_revise(*, actor, goal: Goal, nodes=None, **fields) -> Goal:
    """Replace an active goal with a revised one; the old one is kept as revised, with its data."""
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach change the teacher's goals."))
    fields = _clean_goal(fields)
    with transaction.atomic():
        old = _lock(goal)
        if old.status != GoalStatus.ACTIVE:
            raise ValidationError(_("Only an active goal is revised."))
        values = {name: fields.get(name, getattr(old, name)) for name in GOAL_FIELDS}
        errors = {}
        if values["baseline"] is None:
            errors["baseline"] = _("A revised goal keeps a baseline.")
        if values["target"] is None:
            errors["target"] = _("A revised goal keeps a target.")
        if errors:
            raise ValidationError(errors)
        new = Goal.objects.create(
            district_id=old.district_id,
            teacher=old.teacher,
            relationship=old.relationship,
            created_by=actor,
            revised_from=old,
            status=GoalStatus.ACTIVE,
            activated_at=timezone.now(),
            **values,
        )
        new.nodes.set(_check_nodes(nodes, old.teacher) if nodes is not None else old.nodes.all())
        old.status = GoalStatus.REVISED
        old.closed_at = timezone.now()
        old.save(update_fields=["status", "closed_at"])
        audit_record(actor=actor, action="coaching_goal.revise", obj=old, after={"revised_to": new.pk})
        audit_record(actor=actor, action="coaching_goal.create", obj=new, after=snapshot(new, GOAL_FIELDS))
    return new


def data_point_add(
    *,
    actor,
    goal: Goal,
    recorded_on: datetime.date,
    value: Decimal,
    source: str,
    note: str = "",
    observation=None,
) -> GoalDataPoint:
    """Add a measurement to a goal that is being worked on."""
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach record data for this goal."))
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.ACTIVE):
        raise ValidationError(_("This goal is closed; its data can no longer change."))
    errors = {}
    if source not in DataSource.values:
        errors["source"] = _("Choose where the number comes from.")
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = _("The date cannot be in the future.")
    if observation is not None and (
        observation.teacher_id != goal.teacher_id
        or not Observation.objects.filter(observation_content_q(actor), pk=observation.pk).exists()
    ):
        errors["observation"] = _("Choose an observation of this teacher that you can read.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        point = GoalDataPoint.objects.create(
            goal=goal,
            district_id=goal.district_id,
            recorded_on=recorded_on,
            value=value,
            source=source,
            note=clean_text(note)[:500],
            observation=observation,
            recorded_by=actor,
        )
        audit_record(actor=actor, action="coaching_goal.data_point", obj=goal, after={"data_point": point.pk})
    return point


def trial_record(
    *, actor, goal: Goal, strategy: str, tried_on: datetime.date, evidence: str, result: str, reflection: str = ""
) -> StrategyTrial:
    """The teacher records a strategy they tried, what the data showed, and what they will change."""
    if not _may_work_on_goals(actor, goal.teacher):
        raise ValidationError(_("Only the teacher and their coach record trials for this goal."))
    strategy, evidence = clean_text(strategy), clean_text(evidence)
    errors = {}
    if not strategy:
        errors["strategy"] = _("Name the strategy you tried.")
    if not evidence:
        errors["evidence"] = _("Say what data you gathered about its effect.")
    if result not in TrialResult.values:
        errors["result"] = _("Say whether it worked.")
    if tried_on > timezone.localdate():
        errors["tried_on"] = _("The date cannot be in the future.")
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.ACTIVE):
        errors["__all__"] = _("This goal is closed.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        trial = StrategyTrial.objects.create(
            goal=goal,
            district_id=goal.district_id,
            strategy=strategy,
            tried_on=tried_on,
            evidence=evidence,
            result=result,
            reflection=clean_text(reflection),
            created_by=actor,
        )
        audit_record(actor=actor, action="coaching_trial.create", obj=trial, after={"goal": goal.pk})
    return trial
