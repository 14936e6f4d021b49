"""Authorization matrix rows for the observation pages (see tests/authz.py).

The firewall in one table. An observation by ``coach`` of ``teacher`` is worked on
by the coach alone; the teacher reads it only once it is shared; ``campus_leader``
reads it only while the teacher shares it with them (they see that it happened on
the list, never what was written). Everyone else gets 404, so the observation's
existence is not confirmed to them. Check-ins are the coach's and facilitator's.
"""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz import LOGIN, Row, everyone
from trellis.coaching.models import CoachingShare
from trellis.coaching.services import share_create
from trellis.frameworks.models import FrameworkNode
from trellis.observations import models as m
from trellis.observations import services as s
from trellis.observations.selectors import default_framework, plan_frameworks


def _version(world):
    frameworks = plan_frameworks(world.coach, {world.district.pk})
    return default_framework(frameworks, world.district.pk).current_version


def _planned(world):
    return s.observation_plan(
        actor=world.coach, teacher=world.teacher, campus=world.campus, framework_version=_version(world)
    )


def _in_progress(world):
    obs = _planned(world)
    s.capture_sync(
        actor=world.coach,
        obs=obs,
        ops=[
            {
                "op": "note.add",
                "client_id": str(uuid.uuid4()),
                "text": "Hands up for every question",
                "valence": "growth",
            }
        ],
    )
    return m.Observation.objects.get(pk=obs.pk)


def _ready(world):
    obs = s.observation_finish(actor=world.coach, obs=_in_progress(world))
    node = FrameworkNode.objects.filter(version=obs.framework_version, depth=2).order_by("outline").first()
    return s.observation_set_focus(actor=world.coach, obs=obs, growth_node=node, growth_rationale="Few voices heard")


def _shared(world):
    return s.observation_share(actor=world.coach, obs=_ready(world))


def _shared_with_leader(world):
    obs = _shared(world)
    share_create(actor=world.teacher, record=obs, shared_with=world.campus_leader)
    return obs


def _leader_share_args(world):
    share = share_create(actor=world.teacher, record=_shared(world), shared_with=world.campus_leader)
    return [share.object_id, share.pk]


def _file(world, obs=None):
    obs = obs or _planned(world)
    return s.evidence_file_add(actor=world.coach, obs=obs, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF"))


def _plan_data(world):
    return {
        "teacher": world.teacher.pk,
        "kind": "informal",
        "purpose": "coaching",
        "framework": plan_frameworks(world.coach, {world.district.pk}).first().pk,
        "class_name": "Matrix class",
        "save": "1",
    }


def _edit_data(world):
    return {
        "kind": "formal",
        "purpose": "coaching",
        "framework": _version(world).framework_id,
        "class_name": "Matrix edit",
        "save": "1",
    }


def _edited_only_by_coach(world, response, persona):
    assert (m.Observation.objects.get().class_name == "Matrix edit") == (persona == "coach")


def _planned_only_by(*personas):
    def check(world, response, persona):
        made = m.Observation.objects.filter(class_name="Matrix class")
        if persona in personas:
            assert made.filter(observer=world.persona(persona)).count() == 1
        else:
            assert not made.exists()

    return check


def _state_is(expected_by_persona, default):
    def check(world, response, persona):
        assert m.Observation.objects.get().state == expected_by_persona.get(persona, default)

    return check


def _acknowledged_only_by_teacher(world, response, persona):
    assert (m.Observation.objects.get().acknowledged_at is not None) == (persona == "teacher")


def _shared_only_by_teacher(world, response, persona):
    assert CoachingShare.objects.filter(revoked_at=None).count() == (1 if persona == "teacher" else 0)


def _revoked_only_by_teacher(world, response, persona):
    assert (CoachingShare.objects.get().revoked_at is not None) == (persona == "teacher")


def _check_in_only_by(*personas):
    def check(world, response, persona):
        made = m.CheckIn.objects.filter(priorities="Matrix priorities")
        assert made.count() == (1 if persona in personas else 0)

    return check


def _only(outcome_by_persona, default=404):
    return everyone(default, **outcome_by_persona)


# Everyone with a role that observes or is observed has a list; district admins get counts; others nothing.
LIST = everyone(200, sc_admin=403)
# Planning: coaches, facilitators, campus leaders, teachers (a self-review). Admin-only roles are refused.
PLAN = everyone(200, district_admin=403, other_admin=403, sc_admin=403)
OBSERVER = _only({"coach": 200, "anonymous": LOGIN})
READ_SHARED = _only({"coach": 200, "teacher": 200, "anonymous": LOGIN})
READ_LEADER = _only({"coach": 200, "teacher": 200, "campus_leader": 200, "anonymous": LOGIN})
COACHES = everyone(403, coach=200, facilitator=200, facilitator_no_grant=200)
COACH_OF_TEACHER = everyone(403, coach=200, facilitator=200, facilitator_no_grant=404)
POST_ONLY = everyone(405)
# The JSON and upload endpoints refuse a GET before anything else, signed in or not.
POST_ONLY_ANYONE = everyone(405, anonymous=405)

ROWS = [
    # The list and planning
    Row("observations:list", LIST),
    Row("observations:create", PLAN),
    Row(
        "observations:create",
        {**PLAN, "coach": 302, "facilitator": 302, "campus_leader": 302, "teacher": 302},
        method="POST",
        data=_plan_data,
        label="post",
        follow_up=_planned_only_by("coach", "facilitator", "campus_leader", "teacher"),
    ),
    # The read view
    Row("observations:detail", OBSERVER, args=lambda w: [_planned(w).pk], label="planned"),
    Row("observations:detail", READ_SHARED, args=lambda w: [_shared(w).pk], label="shared"),
    Row("observations:detail", READ_LEADER, args=lambda w: [_shared_with_leader(w).pk], label="shared with leader"),
    Row("observations:edit", OBSERVER, args=lambda w: [_planned(w).pk]),
    Row(
        "observations:edit",
        {**OBSERVER, "coach": 302},
        args=lambda w: [_planned(w).pk],
        method="POST",
        data=_edit_data,
        label="post",
        follow_up=_edited_only_by_coach,
    ),
    Row(
        "observations:edit",
        {**READ_SHARED, "coach": 302, "teacher": 403},
        args=lambda w: [_shared(w).pk],
        label="shared",
    ),
    Row("observations:cancel", OBSERVER, args=lambda w: [_planned(w).pk]),
    Row(
        "observations:cancel",
        {**OBSERVER, "coach": 302},
        args=lambda w: [_planned(w).pk],
        method="POST",
        label="post",
        follow_up=_state_is({"coach": "cancelled"}, "planned"),
    ),
    Row(
        "observations:cancel",
        {**READ_SHARED, "coach": 302, "teacher": 403},
        args=lambda w: [_shared(w).pk],
        label="shared",
    ),
    # During the visit
    Row("observations:capture", OBSERVER, args=lambda w: [_planned(w).pk]),
    Row(
        "observations:capture",
        {**READ_SHARED, "coach": 302, "teacher": 403},
        args=lambda w: [_shared(w).pk],
        label="shared",
    ),
    # The sync endpoint answers JSON, also to people who are signed out (401, not a redirect to a page).
    Row(
        "observations:sync",
        {**_only({"coach": 400}), "anonymous": 401},
        args=lambda w: [_planned(w).pk],
        method="POST",
        data=lambda w: {"not": "json"},
    ),
    Row("observations:sync", POST_ONLY_ANYONE, args=lambda w: [_planned(w).pk], label="get"),
    Row(
        "observations:upload",
        {**OBSERVER, "coach": 302},
        args=lambda w: [_planned(w).pk],
        method="POST",
        label="no file",
    ),
    Row("observations:upload", POST_ONLY_ANYONE, args=lambda w: [_planned(w).pk], label="get"),
    Row("observations:file", OBSERVER, args=lambda w: [_file(w).pk]),
    Row("observations:file", READ_SHARED, args=lambda w: [_shared_file(w)], label="shared"),
    Row(
        "observations:finish",
        {**OBSERVER, "coach": 302},
        args=lambda w: [_in_progress(w).pk],
        method="POST",
        follow_up=_state_is({"coach": "draft"}, "in_progress"),
    ),
    Row("observations:finish", POST_ONLY, args=lambda w: [_planned(w).pk], label="get"),
    # After the visit
    Row("observations:review", OBSERVER, args=lambda w: [_in_progress(w).pk]),
    Row("observations:review", {**OBSERVER, "coach": 302}, args=lambda w: [_planned(w).pk], label="planned"),
    Row("observations:share", OBSERVER, args=lambda w: [_ready(w).pk]),
    Row(
        "observations:share",
        {**OBSERVER, "coach": 302},
        args=lambda w: [_ready(w).pk],
        method="POST",
        label="post",
        follow_up=_state_is({"coach": "shared"}, "draft"),
    ),
    Row(
        "observations:discussed",
        {**READ_SHARED, "coach": 302, "teacher": 403},
        args=lambda w: [_shared(w).pk],
        method="POST",
        follow_up=_state_is({"coach": "discussed"}, "shared"),
    ),
    Row("observations:discussed", POST_ONLY, args=lambda w: [_shared(w).pk], label="get"),
    # The teacher's side
    Row(
        "observations:acknowledge",
        {**READ_SHARED, "coach": 403, "teacher": 302},
        args=lambda w: [_shared(w).pk],
        method="POST",
        data=lambda w: {"reflection": "I will try wait time."},
        follow_up=_acknowledged_only_by_teacher,
    ),
    Row("observations:acknowledge", POST_ONLY, args=lambda w: [_shared(w).pk], label="get"),
    Row(
        "observations:share-with-leader",
        {**READ_SHARED, "coach": 403, "teacher": 302},
        args=lambda w: [_shared(w).pk],
        method="POST",
        data=lambda w: {"shared_with": w.campus_leader.pk},
        follow_up=_shared_only_by_teacher,
    ),
    Row("observations:share-with-leader", POST_ONLY, args=lambda w: [_shared(w).pk], label="get"),
    Row(
        "observations:share-revoke",
        {**READ_LEADER, "coach": 403, "teacher": 302, "campus_leader": 403},
        args=_leader_share_args,
        method="POST",
        follow_up=_revoked_only_by_teacher,
    ),
    Row(
        "observations:share-revoke",
        POST_ONLY,
        args=_leader_share_args,
        label="get",
    ),
    # Check-ins and the timeline
    Row("observations:checkins", COACHES),
    Row("observations:checkin-create", COACH_OF_TEACHER, args=lambda w: [w.teacher.pk]),
    Row(
        "observations:checkin-create",
        {**COACH_OF_TEACHER, "coach": 302, "facilitator": 302},
        args=lambda w: [w.teacher.pk],
        method="POST",
        data=lambda w: {"held_on": "2020-01-06", "priorities": "Matrix priorities"},
        label="post",
        follow_up=_check_in_only_by("coach", "facilitator"),
    ),
    Row(
        "observations:checkin-create",
        {**COACH_OF_TEACHER, "coach": 404, "facilitator": 404},
        args=lambda w: [w.teacher_other_campus.pk],
        label="not on caseload",
    ),
    Row(
        "observations:cadence",
        {**COACH_OF_TEACHER, "coach": 302, "facilitator": 302},
        args=lambda w: [w.teacher.pk],
        method="POST",
        data=lambda w: {"every_days": 7},
    ),
    Row("observations:cadence", POST_ONLY, args=lambda w: [w.teacher.pk], label="get"),
    Row(
        "observations:timeline",
        _only({"teacher": 200, "coach": 200, "facilitator": 200, "anonymous": LOGIN}),
        args=lambda w: [w.teacher.pk],
    ),
    # Notices: everyone signed in has their own.
    Row("observations:notices", everyone(200)),
    Row("observations:notices", everyone(302), method="POST", label="mark all read"),
]


def _shared_file(world):
    """A file attached before sharing, on the now shared observation."""
    obs = _ready(world)
    record = _file(world, obs)
    s.observation_share(actor=world.coach, obs=obs)
    return record.pk
