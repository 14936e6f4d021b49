"""A teacher's action steps: proposed -> agreed -> practising -> using it in class -> follow-up -> mastered.

A step may be superseded by a higher-leverage one while open, or dropped while
only proposed. A teacher works on at most the district's number of open steps
(one or two). Mastery needs a follow-up observation of the step in class.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import OPEN_STATES, CoachingStep, PracticeRound, RoundQuality, StepState
from trellis.coaching.services.common import clean_text, coaches, move, notify, policy_for, require_coach_of
from trellis.observations.access import observation_content_q
from trellis.observations.models import Observation

__all__ = [
    "step_propose",
    "step_propose_from_observation",
    "step_agree",
    "practice_round_add",
    "step_implement",
    "step_follow_up",
    "step_master",
    "step_retry",
    "step_supersede",
    "step_drop",
]

_S = StepState
_TRANSITIONS = {
    "agree": ({_S.PROPOSED}, _S.AGREED),
    "practise": ({_S.AGREED, _S.PRACTISING, _S.FOLLOW_UP}, _S.PRACTISING),
    "implement": ({_S.PRACTISING}, _S.IMPLEMENTING),
    "follow_up": ({_S.IMPLEMENTING}, _S.FOLLOW_UP),
    "master": ({_S.FOLLOW_UP}, _S.MASTERED),
    "retry": ({_S.FOLLOW_UP}, _S.PRACTISING),
    "supersede": (set(OPEN_STATES), _S.SUPERSEDED),
    "drop": ({_S.PROPOSED}, _S.DROPPED),
}
_WORDS = {
    "agree": _("agreed"),
    "practise": _("practised"),
    "implement": _("marked as in use"),
    "follow_up": _("followed up"),
    "master": _("marked mastered"),
    "retry": _("sent back to practice"),
    "supersede": _("superseded"),
    "drop": _("dropped"),
}
_FIELDS = ["title", "look_fors", "state", "follow_up_due"]


def _move(step, action):
    return move(step, _TRANSITIONS, action, _WORDS, _("action step"))


def _lock(step: CoachingStep) -> CoachingStep:
    return CoachingStep.objects.select_for_update().select_related("teacher").get(pk=step.pk)


def _audit(actor, step, action, before_state):
    audit_record(
        actor=actor,
        action=f"coaching_step.{action}",
        obj=step,
        before={"state": before_state},
        after={"state": step.state},
    )


def _url(step) -> str:
    return reverse("coaching:step-detail", args=[step.pk])


def step_propose(
    *,
    actor,
    teacher,
    title: str,
    look_fors: str = "",
    library_step=None,
    node=None,
    relationship=None,
    source_observation=None,
) -> CoachingStep:
    """The coach proposes an action step from the evidence (the teacher names and agrees it next)."""
    require_coach_of(actor, teacher)
    title = clean_text(title) or (library_step.title if library_step else "")
    if not title:
        raise ValidationError({"title": _("Write the action step, or choose one from the library.")})
    if library_step is not None and library_step.district_id not in (None, teacher.district_id):
        raise ValidationError({"library_step": _("That step is not in a library your district uses.")})
    if relationship is not None and not relationship.members.filter(teacher=teacher).exists():
        raise ValidationError({"relationship": _("This teacher is not in that coaching relationship.")})
    if node is not None and node.version.framework.district_id not in (None, teacher.district_id):
        raise ValidationError({"node": _("That area is not in a framework your district uses.")})
    if not look_fors and library_step is not None:
        look_fors = "\n".join(library_step.look_fors or [])
    with transaction.atomic():
        step = CoachingStep.objects.create(
            district_id=teacher.district_id,
            teacher=teacher,
            relationship=relationship,
            proposed_by=actor,
            library_step=library_step,
            title=title[:300],
            look_fors=clean_text(look_fors)[:2000],
            node=node,
            source_observation=source_observation,
        )
        audit_record(actor=actor, action="coaching_step.propose", obj=step, after=snapshot(step, _FIELDS))
        notify(teacher, text=_("Your coach proposed an action step for you to agree."), url=_url(step))
    return step


def step_propose_from_observation(*, actor, observation, relationship=None) -> CoachingStep:
    """Carry an observation's proposed step (from implementation support) into coaching."""
    if observation.observer_id != actor.pk:
        raise ValidationError(_("Only the observer carries this observation's step into coaching."))
    if not (observation.proposed_step_id or observation.proposed_step_text):
        raise ValidationError(_("This observation has no proposed action step."))
    return step_propose(
        actor=actor,
        teacher=observation.teacher,
        title=observation.proposed_step_text or observation.proposed_step.title,
        library_step=observation.proposed_step,
        node=observation.growth_node,
        relationship=relationship,
        source_observation=observation,
    )


def _may_agree(actor, step) -> bool:
    return actor.pk == step.teacher_id or coaches(actor, step.teacher)


def step_agree(*, actor, step: CoachingStep, follow_up_due: datetime.date | None = None) -> CoachingStep:
    """The teacher (or the coach, in the meeting) agrees the step; follow-up is due a week later by default."""
    if not _may_agree(actor, step):
        raise ValidationError(_("Only the teacher and their coach agree this step."))
    with transaction.atomic():
        step = _lock(step)
        limit = policy_for(step.district_id).max_open_steps
        open_now = CoachingStep.objects.filter(teacher=step.teacher, state__in=OPEN_STATES).exclude(pk=step.pk).count()
        if step.state == _S.PROPOSED and open_now >= limit:
            raise ValidationError(
                ngettext(
                    "%(name)s already works on %(n)s action step; mark it mastered or superseded first.",
                    "%(name)s already works on %(n)s action steps; mark one mastered or superseded first.",
                    open_now,
                )
                % {"name": step.teacher.display_name, "n": open_now}
            )
        before = _move(step, "agree")
        today = timezone.localdate()
        due = follow_up_due or today + datetime.timedelta(days=policy_for(step.district_id).follow_up_days)
        if due < today:
            raise ValidationError({"follow_up_due": _("The follow-up date cannot be in the past.")})
        step.agreed_at = timezone.now()
        step.follow_up_due = due
        step.save()
        _audit(actor, step, "agree", before)
    return step


def _session_serves(session, step) -> bool:
    if step.relationship_id is not None:
        return session.relationship_id == step.relationship_id
    return session.relationship.members.filter(teacher_id=step.teacher_id).exists()


def practice_round_add(
    *, actor, step: CoachingStep, quality: str, scenario: str = "", feedback: str = "", session=None
) -> PracticeRound:
    """Record one round of rehearsal with feedback; the step is then being practised."""
    require_coach_of(actor, step.teacher, "step")
    if quality not in RoundQuality.values:
        raise ValidationError({"quality": _("Say how the round went.")})
    if session is not None and not _session_serves(session, step):
        raise ValidationError({"session": _("That session is not part of this step's coaching.")})
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "practise")
        if before == _S.FOLLOW_UP:
            # Back to practice after a follow-up: as "not yet", with a new follow-up to come.
            _restart_follow_up(step)
        step.save(update_fields=["state", "follow_up_due", "follow_up_observation"])
        number = (step.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
        practice = PracticeRound.objects.create(
            step=step,
            district_id=step.district_id,
            session=session,
            number=number,
            scenario=clean_text(scenario)[:500],
            feedback=clean_text(feedback)[:2000],
            quality=quality,
        )
        audit_record(actor=actor, action="coaching_step.practice", obj=step, after={"round": number})
        if before != step.state:
            _audit(actor, step, "practise", before)
    return practice


def step_implement(*, actor, step: CoachingStep) -> CoachingStep:
    """The teacher is using the step in class."""
    if not _may_agree(actor, step):
        raise ValidationError(_("Only the teacher and their coach update this step."))
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "implement")
        step.save(update_fields=["state"])
        _audit(actor, step, "implement", before)
    return step


def step_follow_up(*, actor, step: CoachingStep, observation, evidence_notes=()) -> CoachingStep:
    """Link the follow-up observation (and the notes in it that show the step) to the step."""
    require_coach_of(actor, step.teacher, "step")
    evidence_notes = list(evidence_notes)
    errors = []
    if observation.teacher_id != step.teacher_id:
        errors.append(_("That observation is of another teacher."))
    elif not Observation.objects.filter(observation_content_q(actor), pk=observation.pk).exists():
        errors.append(_("Use an observation you can read: one you made, or one shared with you."))
    if step.agreed_at and (observation.started_at or observation.created_at) < step.agreed_at:
        errors.append(_("A follow-up observation comes after the step was agreed."))
    if any(note.observation_id != observation.pk for note in evidence_notes):
        errors.append(_("Those notes are not from that observation."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "follow_up")
        step.follow_up_observation = observation
        step.save(update_fields=["state", "follow_up_observation"])
        step.mastery_evidence.set(evidence_notes)
        _audit(actor, step, "follow_up", before)
    return step


def step_master(*, actor, step: CoachingStep, note: str = "") -> CoachingStep:
    """Coach and teacher agree the look-fors are consistently in place."""
    if not _may_agree(actor, step):
        raise ValidationError(_("Only the teacher and their coach mark this step mastered."))
    with transaction.atomic():
        step = _lock(step)
        if step.state == _S.FOLLOW_UP and step.follow_up_observation_id is None:
            raise ValidationError(_("Link the follow-up observation that shows the step before marking it mastered."))
        before = _move(step, "master")
        step.mastery_note = clean_text(note)[:2000]
        step.mastered_at = step.closed_at = timezone.now()
        step.save()
        _audit(actor, step, "master", before)
        other = step.teacher if actor.pk != step.teacher_id else step.proposed_by
        notify(other, text=_("Action step mastered. Well done!"), url=_url(step))
    return step


def _restart_follow_up(step: CoachingStep) -> None:
    step.follow_up_due = timezone.localdate() + datetime.timedelta(days=policy_for(step.district_id).follow_up_days)
    step.follow_up_observation = None
    step.mastery_evidence.clear()


def step_retry(*, actor, step: CoachingStep) -> CoachingStep:
    """Not yet: back to planning and practice, with a new follow-up date."""
    require_coach_of(actor, step.teacher, "step")
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "retry")
        _restart_follow_up(step)
        step.save(update_fields=["state", "follow_up_due", "follow_up_observation"])
        _audit(actor, step, "retry", before)
    return step


def step_supersede(*, actor, step: CoachingStep, by: CoachingStep | None = None) -> CoachingStep:
    """A higher-leverage step takes priority over this open one."""
    require_coach_of(actor, step.teacher, "step")
    if by is not None and (by.teacher_id != step.teacher_id or by.pk == step.pk):
        raise ValidationError({"by": _("Choose another step of the same teacher.")})
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "supersede")
        step.superseded_by = by
        step.closed_at = timezone.now()
        step.save(update_fields=["state", "superseded_by", "closed_at"])
        _audit(actor, step, "supersede", before)
    return step


def step_drop(*, actor, step: CoachingStep) -> CoachingStep:
    """Withdraw a proposed step that was not agreed."""
    if not _may_agree(actor, step):
        raise ValidationError(_("Only the teacher and their coach drop this step."))
    with transaction.atomic():
        step = _lock(step)
        before = _move(step, "drop")
        step.closed_at = timezone.now()
        step.save(update_fields=["state", "closed_at"])
        _audit(actor, step, "drop", before)
    return step
