"""Authorization matrix rows for the session screen, action steps, goals and the dashboards (see tests/authz.py).

The coaching firewall in one table: a session is read by the teachers of its
relationship and by its coach; steps and goals by their teacher and the coaches
who support the teacher (``coach`` and ``facilitator`` here). Leaders, admins and
other teachers get 404, so the record's existence is not confirmed to them.

The builders below are shared with the view tests of these pages.
"""

import datetime
import uuid

from django.db.models import Count
from django.utils import timezone

from tests.authz import LOGIN, Row, everyone
from trellis.coaching import services
from trellis.coaching.models import (
    CoachingSession,
    CoachingStep,
    CycleModel,
    Goal,
    GoalDataPoint,
    Placement,
    PracticeRound,
    Protocol,
    Relationship,
    RelationshipStatus,
    SessionStatus,
    StepState,
    StrategyTrial,
)
from trellis.frameworks.models import Framework, FrameworkNode, ScaleLevel
from trellis.frameworks.starter import starter_framework_identifier

# Builders ------------------------------------------------------------------------------------------------------------


def starter_version():
    return Framework.objects.get(
        district=None, case_identifier=starter_framework_identifier("open-instructional-practice")
    ).current_version


def component(code=None):
    nodes = FrameworkNode.objects.filter(version=starter_version(), depth=2).order_by("outline")
    return nodes.get(code=code) if code else nodes.first()


def level(position=2):
    return ScaleLevel.objects.get(scale__version=starter_version(), position=position)


def protocol(key="see-name-do"):
    return Protocol.objects.get(district=None, key=key)


def relationship(world, *, coach=None, teachers=None, title=""):
    """An active relationship: proposed by the coach, consented to by every teacher."""
    coach = coach or world.coach
    teachers = teachers or [world.teacher]
    if len(teachers) == 1:
        # A coach coaches a teacher one-on-one in one relationship at a time: reuse it.
        existing = (
            Relationship.objects.filter(coach=coach, members__teacher=teachers[0], status=RelationshipStatus.ACTIVE)
            .annotate(n=Count("members"))
            .filter(n=1)
            .first()
        )
        if existing is not None:
            return existing
    rel = services.relationship_create(
        actor=coach,
        teachers=teachers,
        cycle_model=CycleModel.objects.get(district=None, key="see-name-do"),
        title=title,
    )
    for teacher in teachers:
        rel = services.relationship_consent(actor=teacher, relationship=rel)
    return rel


def session(world, *, rel=None, starts_at=None, key="see-name-do", minutes=30):
    rel = rel or relationship(world)
    starts_at = starts_at or timezone.now() - datetime.timedelta(minutes=5)
    return services.session_schedule(
        actor=rel.coach, relationship=rel, starts_at=starts_at, protocol=protocol(key), minutes=minutes
    )


def proposed_step(world, *, teacher=None, rel=None, title="Narrate what students do well", coach=None):
    return services.step_propose(
        actor=coach or world.coach,
        teacher=teacher or world.teacher,
        title=title,
        look_fors="Three specific praise statements in the first five minutes.",
        relationship=rel,
    )


def agreed_step(world, **kwargs):
    step = proposed_step(world, **kwargs)
    return services.step_agree(actor=step.teacher, step=step)


def goal(world, *, teacher=None, active=False, **fields):
    teacher = teacher or world.teacher
    values = {
        "statement": "More students explain their reasoning in writing.",
        "measure": "Exit tickets with a written explanation",
        "unit": "%",
        "baseline": 20,
        "target": 60,
        **fields,
    }
    made = services.goal_create(actor=teacher, teacher=teacher, **values)
    return services.goal_activate(actor=teacher, goal=made) if active else made


def observation(world, *, observer=None, teacher=None, notes=(("Clear launch", "strength"),), share=False, **focus):
    """An observation with evidence notes, finished and (optionally) shared with the teacher."""
    from trellis.observations.services import (
        capture_sync,
        observation_finish,
        observation_plan,
        observation_set_focus,
        observation_share,
    )

    observer = observer or world.coach
    obs = observation_plan(
        actor=observer,
        teacher=teacher or world.teacher,
        kind="informal",
        campus=world.campus,
        framework_version=starter_version(),
    )
    ops = [{"op": "note.add", "client_id": str(uuid.uuid4()), "text": text, "valence": v} for text, v in notes]
    capture_sync(actor=observer, obs=obs, ops=ops)
    obs = observation_finish(actor=observer, obs=obs)
    if focus or share:
        focus.setdefault("growth_node", component())
        if "proposed_step" not in focus:
            focus.setdefault("proposed_step_text", "Use a 3-2-1 countdown before transitions")
        obs = observation_set_focus(actor=observer, obs=obs, **focus)
    if share:
        obs = observation_share(actor=observer, obs=obs)
    return obs


# Follow-up checks ------------------------------------------------------------------------------------------------------


def _only(done_by, check):
    def follow_up(world, response, persona):
        assert check(world) == (persona in done_by), persona

    return follow_up


def _notes_saved(world):
    return CoachingSession.objects.filter(step_notes__see="Watched the model clip").exists()


def _held(world):
    return CoachingSession.objects.filter(status=SessionStatus.HELD).exists()


def _missed(world):
    return CoachingSession.objects.filter(status=SessionStatus.NO_SHOW).exists()


def _agreed(world):
    return CoachingStep.objects.filter(state=StepState.AGREED).exists()


def _practised(world):
    return PracticeRound.objects.exists()


def _goal_made(world):
    return Goal.objects.filter(statement="Matrix goal").exists()


def _goal_edited(world):
    return Goal.objects.filter(statement="Edited in the matrix").exists()


def _data_added(world):
    return GoalDataPoint.objects.exists()


def _trial_added(world):
    return StrategyTrial.objects.exists()


def _placed(world):
    return Placement.objects.exists()


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _goal_data(world):
    return {"kind": "teacher_practice", "statement": "Matrix goal", "measure": "Exit tickets", "baseline": "1"}


# Expectations ----------------------------------------------------------------------------------------------------------

SESSION_READ = everyone(404, teacher=200, coach=200, anonymous=LOGIN)
SESSION_WRITE = everyone(404, teacher=403, coach=302, anonymous=LOGIN)
SESSION_WRITERS = {"coach"}
# The teacher and the coaches who support them: ``coach`` and ``facilitator`` (whose district grants access).
GROWTH_READ = everyone(404, teacher=200, coach=200, facilitator=200, anonymous=LOGIN)
GROWTH_WRITE = everyone(404, teacher=302, coach=302, facilitator=302, anonymous=LOGIN)
GROWTH_WRITERS = {"teacher", "coach", "facilitator"}
STEP_COACH = everyone(404, teacher=403, coach=200, facilitator=200, anonymous=LOGIN)
NOT_FOUND = everyone(404)
POST_ONLY = everyone(405)
COACHES = everyone(403, coach=200, facilitator=200, facilitator_no_grant=200, anonymous=LOGIN)
# Without ?teacher= a coach is sent to the caseload to choose one; other roles may not propose steps.
COACH_CHOOSES_TEACHER = everyone(403, coach=302, facilitator=302, facilitator_no_grant=302, anonymous=LOGIN)
TEACHERS = everyone(403, teacher=200, teacher_other_campus=200, anonymous=LOGIN)
TEACHERS_POST = everyone(403, teacher=302, teacher_other_campus=302, anonymous=LOGIN)
GOAL_CREATE = everyone(
    403, teacher=200, teacher_other_campus=200, coach=302, facilitator=302, facilitator_no_grant=302, anonymous=LOGIN
)

ROWS = [
    # The session screen
    Row("coaching:session-run", SESSION_READ, args=lambda w: [session(w).pk]),
    Row(
        "coaching:session-notes",
        SESSION_WRITE,
        args=lambda w: [session(w).pk],
        method="POST",
        data=lambda w: {"note__see": "Watched the model clip"},
        follow_up=_only(SESSION_WRITERS, _notes_saved),
    ),
    Row("coaching:session-notes", POST_ONLY, args=lambda w: [session(w).pk], label="get"),
    Row(
        "coaching:session-complete",
        SESSION_WRITE,
        args=lambda w: [session(w).pk],
        method="POST",
        data=lambda w: {"next_steps": "Try the countdown."},
        follow_up=_only(SESSION_WRITERS, _held),
    ),
    Row("coaching:session-complete", POST_ONLY, args=lambda w: [session(w).pk], label="get"),
    Row(
        "coaching:session-missed",
        SESSION_WRITE,
        args=lambda w: [session(w).pk],
        method="POST",
        follow_up=_only(SESSION_WRITERS, _missed),
    ),
    Row("coaching:session-missed", POST_ONLY, args=lambda w: [session(w).pk], label="get"),
    # Action steps
    Row("coaching:step-create", COACH_CHOOSES_TEACHER),
    Row("coaching:step-create", COACH_CHOOSES_TEACHER, method="POST", data=lambda w: {"title": "x"}, label="post"),
    Row("coaching:step-detail", GROWTH_READ, args=lambda w: [proposed_step(w).pk]),
    Row("coaching:step-practice", STEP_COACH, args=lambda w: [agreed_step(w).pk]),
    Row(
        "coaching:step-practice",
        {**STEP_COACH, "coach": 302, "facilitator": 302},
        args=lambda w: [agreed_step(w).pk],
        method="POST",
        data=lambda w: {"quality": "close", "scenario": "Launch"},
        label="post",
        follow_up=_only({"coach", "facilitator"}, _practised),
    ),
    Row("coaching:step-follow-up", STEP_COACH, args=lambda w: [agreed_step(w).pk]),
    Row("coaching:step-action", GROWTH_READ, args=lambda w: [proposed_step(w).pk, "agree"]),
    Row(
        "coaching:step-action",
        GROWTH_WRITE,
        args=lambda w: [proposed_step(w).pk, "agree"],
        method="POST",
        data=lambda w: {"follow_up_due": _today(7)},
        label="agree post",
        follow_up=_only(GROWTH_WRITERS, _agreed),
    ),
    Row("coaching:step-action", GROWTH_READ, args=lambda w: [proposed_step(w).pk, "drop"], label="drop"),
    Row("coaching:step-action", STEP_COACH, args=lambda w: [agreed_step(w).pk, "supersede"], label="supersede"),
    Row("coaching:step-action", STEP_COACH, args=lambda w: [agreed_step(w).pk, "retry"], label="retry"),
    Row("coaching:step-action", GROWTH_READ, args=lambda w: [agreed_step(w).pk, "implement"], label="implement"),
    Row("coaching:step-action", GROWTH_READ, args=lambda w: [agreed_step(w).pk, "master"], label="master"),
    Row("coaching:step-action", NOT_FOUND, args=lambda w: [proposed_step(w).pk, "publish"], label="unknown"),
    # Goals and strategy trials
    Row("coaching:goal-create", GOAL_CREATE),
    Row(
        "coaching:goal-create",
        {**GOAL_CREATE, "teacher": 302, "teacher_other_campus": 302},
        method="POST",
        data=_goal_data,
        label="post",
        follow_up=_only({"teacher", "teacher_other_campus"}, _goal_made),
    ),
    Row("coaching:goal-detail", GROWTH_READ, args=lambda w: [goal(w).pk]),
    Row("coaching:goal-edit", GROWTH_READ, args=lambda w: [goal(w).pk]),
    Row(
        "coaching:goal-edit",
        GROWTH_WRITE,
        args=lambda w: [goal(w).pk],
        method="POST",
        data=lambda w: {**_goal_data(w), "statement": "Edited in the matrix"},
        label="post",
        follow_up=_only(GROWTH_WRITERS, _goal_edited),
    ),
    Row("coaching:goal-data", GROWTH_READ, args=lambda w: [goal(w, active=True).pk]),
    Row(
        "coaching:goal-data",
        GROWTH_WRITE,
        args=lambda w: [goal(w, active=True).pk],
        method="POST",
        data=lambda w: {"recorded_on": _today(), "value": "35", "source": "student_work"},
        label="post",
        follow_up=_only(GROWTH_WRITERS, _data_added),
    ),
    Row("coaching:trial-create", GROWTH_READ, args=lambda w: [goal(w, active=True).pk]),
    Row(
        "coaching:trial-create",
        GROWTH_WRITE,
        args=lambda w: [goal(w, active=True).pk],
        method="POST",
        data=lambda w: {"strategy": "Sentence stems", "tried_on": _today(), "evidence": "12 of 25", "result": "partly"},
        label="post",
        follow_up=_only(GROWTH_WRITERS, _trial_added),
    ),
    Row("coaching:goal-action", GROWTH_READ, args=lambda w: [goal(w).pk, "activate"]),
    Row("coaching:goal-action", GROWTH_READ, args=lambda w: [goal(w, active=True).pk, "revise"], label="revise"),
    Row("coaching:goal-action", GROWTH_READ, args=lambda w: [goal(w, active=True).pk, "abandon"], label="abandon"),
    Row("coaching:goal-action", NOT_FOUND, args=lambda w: [goal(w).pk, "delete"], label="unknown"),
    # Dashboards
    Row("coaching:caseload", COACHES),
    Row("coaching:my-growth", TEACHERS),
    Row(
        "coaching:placement-create",
        TEACHERS_POST,
        method="POST",
        data=lambda w: {"node": component().pk, "level": level().pk},
        follow_up=_only({"teacher", "teacher_other_campus"}, _placed),
    ),
    Row("coaching:placement-create", POST_ONLY, label="get"),
]
