"""Authorization matrix rows for the coaching cycle pages (see tests/authz.py).

A relationship proposed by ``coach`` to ``teacher`` is content of those two only:
everyone else, campus leaders and district admins included, gets 404 (its
existence is not confirmed). Inside it, the coach runs the schedule and edits the
agreement (the teacher gets 403); the teacher consents; both may end it, fill the
intake and cancel a session. The district's coaching policy is for its admins.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.authz import LOGIN, Row, everyone
from trellis.coaching import services
from trellis.coaching.models import (
    CoachingPolicy,
    CoachingSession,
    CycleModel,
    Intake,
    Protocol,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    SessionSeries,
    SessionStatus,
)
from trellis.frameworks.models import Framework, FrameworkNode


def _model():
    return CycleModel.objects.get(district=None, key="see-name-do")


def _protocol():
    return Protocol.objects.get(district=None, key="see-name-do")


def _version():
    return Framework.objects.get(district=None, title="Open Instructional Practice").current_version


def _proposed(world):
    return services.relationship_create(
        actor=world.coach, teachers=[world.teacher], cycle_model=_model(), norms="Every other Tuesday."
    )


def _active(world):
    rel = _proposed(world)
    services.relationship_consent(actor=world.teacher, relationship=rel)
    rel.refresh_from_db()
    return rel


def _later(world, days=7):
    zone = ZoneInfo(world.district.timezone)
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(15, 30), tzinfo=zone)


def _session(world):
    return services.session_schedule(
        actor=world.coach, relationship=_active(world), starts_at=_later(world), protocol=_protocol()
    )


def _series(world):
    return services.schedule_create(
        actor=world.coach,
        relationship=_active(world),
        first_start=_later(world),
        until=_later(world, 30).date(),
        protocol=_protocol(),
    )


def _intake(world):
    return services.intake_record(
        actor=world.teacher, relationship=_active(world), teacher=world.teacher, framework_version=_version()
    )


def _facilitators(world):
    return services.relationship_create(actor=world.facilitator, teachers=[world.teacher], cycle_model=_model())


def _without_grant(world):
    """A relationship ``facilitator_no_grant`` leads with a teacher of district B, which never granted access."""
    rel = Relationship.objects.create(district=world.district_b, coach=world.facilitator_no_grant, cycle_model=_model())
    RelationshipMember.objects.create(relationship=rel, teacher=world.teacher_b, district=world.district_b)
    return rel


def _agreement(world):
    return {
        "teachers": [world.teacher.pk],
        "cycle_model": _model().pk,
        "title": "Matrix agreement",
        "norms": "Matrix norms.",
        "sharing": "",
        "meetings_per_month": "",
        "meeting_minutes": "",
        "location": "",
    }


def _agreement_edit(world):
    data = _agreement(world)
    data.pop("teachers")
    return data


def _intake_data(world):
    return {"interests": "Matrix interests", "strengths": "", "prior_pd": "", "constraints": "", "preferred_times": ""}


def _focus_data(world):
    return {"nodes": [FrameworkNode.objects.get(version=_version(), code="1.1").pk]}


def _schedule_data(world):
    start = _later(world)
    return {
        "first_date": start.date().isoformat(),
        "first_time": "15:30",
        "interval_weeks": "2",
        "until": (start.date() + datetime.timedelta(days=30)).isoformat(),
        "minutes": "30",
        "protocol": _protocol().pk,
        "skip_dates": "",
        "save": "1",
    }


def _session_data(world):
    start = _later(world, 3)
    return {"date": start.date().isoformat(), "time": "09:00", "minutes": "30", "protocol": _protocol().pk}


def _move_data(world):
    start = _later(world, 9)
    return {"date": start.date().isoformat(), "time": "10:00", "minutes": "30", "location": "Library"}


def _policy_data(world):
    return {"meetings_per_month": "3", "meeting_minutes": "40", "max_open_steps": "1", "follow_up_days": "10"}


# Follow-up checks: the write happened for exactly the personas allowed to make it.


def _created_by(*personas):
    def check(world, response, persona):
        made = Relationship.objects.filter(title="Matrix agreement")
        assert made.exists() == (persona in personas)
        if persona in personas:
            assert made.get().coach == world.persona(persona)

    return check


def _status_is(allowed, status, otherwise):
    def check(world, response, persona):
        rel = Relationship.objects.get(coach=world.coach)
        assert rel.status == (status if persona in allowed else otherwise)

    return check


def _norms_changed(world, response, persona):
    assert Relationship.objects.get().norms == ("Matrix norms." if persona == "coach" else "Every other Tuesday.")


def _intake_recorded(world, response, persona):
    assert Intake.objects.filter(interests="Matrix interests").exists() == (persona in ("teacher", "coach"))


def _focus_confirmed(world, response, persona):
    assert (Intake.objects.get().confirmed_at is not None) == (persona in ("teacher", "coach"))


def _series_created(world, response, persona):
    assert SessionSeries.objects.exists() == (persona == "coach")


def _series_stopped(world, response, persona):
    assert (SessionSeries.objects.get().stopped_at is not None) == (persona == "coach")


def _session_created(world, response, persona):
    assert CoachingSession.objects.exists() == (persona == "coach")


def _session_moved(world, response, persona):
    assert (CoachingSession.objects.get().location == "Library") == (persona == "coach")


def _session_cancelled(world, response, persona):
    cancelled = CoachingSession.objects.get().status == SessionStatus.CANCELLED
    assert cancelled == (persona in ("coach", "teacher"))


def _policy_saved(world, response, persona):
    district = {"district_admin": world.district, "other_admin": world.district_b}.get(persona)
    saved = CoachingPolicy.objects.filter(meetings_per_month=3)
    assert list(saved.values_list("district", flat=True)) == ([district.pk] if district else [])


# Expectations.

# Lists: the people who take part in coaching (teachers, coaches, facilitators); admins and leaders are refused.
LIST = everyone(200, campus_leader=403, district_admin=403, sc_admin=403, other_admin=403)
# Proposing: coaches and facilitators (an empty caseload still sees the page).
CREATE = everyone(403, coach=200, facilitator=200, facilitator_no_grant=200, anonymous=LOGIN)
# Relationship content: its coach and its teacher; 404 for everyone else.
INSIDE = everyone(404, teacher=200, coach=200)
COACH_ONLY = everyone(404, teacher=403, coach=200)


def _posted(table, done=302, **overrides):
    """The expectation of a POST: ``done`` where the GET showed the page, the same refusal elsewhere."""
    return {**{k: (done if v == 200 else v) for k, v in table.items()}, **overrides}


ROWS = [
    # The list and proposing.
    Row("coaching:relationship-list", LIST, args=lambda w: []),
    Row("coaching:relationship-create", CREATE),
    Row(
        "coaching:relationship-create",
        _posted(CREATE, facilitator_no_grant=200),  # nobody on that caseload: the form says so
        method="POST",
        data=_agreement,
        label="post",
        follow_up=_created_by("coach", "facilitator"),
    ),
    # The relationship page, agreement and consent.
    Row("coaching:relationship-detail", INSIDE, args=lambda w: [_active(w).pk]),
    Row("coaching:relationship-detail", INSIDE, args=lambda w: [_proposed(w).pk], label="proposed"),
    Row(
        "coaching:relationship-detail",
        everyone(404, teacher=200, facilitator=200),
        args=lambda w: [_facilitators(w).pk],
        label="led by a facilitator",
    ),
    Row(
        "coaching:relationship-detail",
        everyone(404),
        args=lambda w: [_without_grant(w).pk],
        label="no grant from the district",
    ),
    Row("coaching:relationship-edit", COACH_ONLY, args=lambda w: [_active(w).pk]),
    Row(
        "coaching:relationship-edit",
        _posted(COACH_ONLY),
        args=lambda w: [_active(w).pk],
        method="POST",
        data=_agreement_edit,
        label="post",
        follow_up=_norms_changed,
    ),
    Row(
        "coaching:relationship-consent",
        everyone(404, teacher=302, coach=403),
        args=lambda w: [_proposed(w).pk],
        method="POST",
        follow_up=_status_is({"teacher"}, RelationshipStatus.ACTIVE, RelationshipStatus.PROPOSED),
    ),
    Row("coaching:relationship-consent", everyone(405), args=lambda w: [_proposed(w).pk], label="get"),
    # Status: the coach pauses, resumes and ends; the teacher may end. GET asks first.
    Row("coaching:relationship-status", COACH_ONLY, args=lambda w: [_active(w).pk, "pause"], label="pause"),
    Row(
        "coaching:relationship-status",
        _posted(COACH_ONLY),
        args=lambda w: [_active(w).pk, "pause"],
        method="POST",
        label="pause post",
        follow_up=_status_is({"coach"}, RelationshipStatus.PAUSED, RelationshipStatus.ACTIVE),
    ),
    Row("coaching:relationship-status", INSIDE, args=lambda w: [_active(w).pk, "end"], label="end"),
    Row(
        "coaching:relationship-status",
        _posted(INSIDE),
        args=lambda w: [_active(w).pk, "end"],
        method="POST",
        label="end post",
        follow_up=_status_is({"coach", "teacher"}, RelationshipStatus.ENDED, RelationshipStatus.ACTIVE),
    ),
    Row("coaching:relationship-status", everyone(404), args=lambda w: [_active(w).pk, "explode"], label="unknown"),
    # The intake: the teacher it is about and the coach.
    Row("coaching:intake", INSIDE, args=lambda w: [_active(w).pk, w.teacher.pk]),
    Row(
        "coaching:intake",
        _posted(INSIDE),
        args=lambda w: [_active(w).pk, w.teacher.pk],
        method="POST",
        data=_intake_data,
        label="post",
        follow_up=_intake_recorded,
    ),
    Row(
        "coaching:intake",
        everyone(404),
        args=lambda w: [_active(w).pk, w.teacher_other_campus.pk],
        label="teacher not in the relationship",
    ),
    Row("coaching:intake-focus", INSIDE, args=lambda w: [_intake(w).pk]),
    Row(
        "coaching:intake-focus",
        _posted(INSIDE),
        args=lambda w: [_intake(w).pk],
        method="POST",
        data=_focus_data,
        label="post",
        follow_up=_focus_confirmed,
    ),
    # Scheduling: the coach; the teacher sees the sessions and may cancel one.
    Row("coaching:schedule-create", COACH_ONLY, args=lambda w: [_active(w).pk]),
    Row(
        "coaching:schedule-create",
        _posted(COACH_ONLY),
        args=lambda w: [_active(w).pk],
        method="POST",
        data=_schedule_data,
        label="post",
        follow_up=_series_created,
    ),
    Row("coaching:schedule-stop", COACH_ONLY, args=lambda w: [_series(w).pk]),
    Row(
        "coaching:schedule-stop",
        _posted(COACH_ONLY),
        args=lambda w: [_series(w).pk],
        method="POST",
        label="post",
        follow_up=_series_stopped,
    ),
    Row("coaching:session-create", COACH_ONLY, args=lambda w: [_active(w).pk]),
    Row(
        "coaching:session-create",
        _posted(COACH_ONLY),
        args=lambda w: [_active(w).pk],
        method="POST",
        data=_session_data,
        label="post",
        follow_up=_session_created,
    ),
    Row("coaching:session-reschedule", COACH_ONLY, args=lambda w: [_session(w).pk]),
    Row(
        "coaching:session-reschedule",
        _posted(COACH_ONLY),
        args=lambda w: [_session(w).pk],
        method="POST",
        data=_move_data,
        label="post",
        follow_up=_session_moved,
    ),
    Row("coaching:session-cancel", INSIDE, args=lambda w: [_session(w).pk]),
    Row(
        "coaching:session-cancel",
        _posted(INSIDE),
        args=lambda w: [_session(w).pk],
        method="POST",
        data=lambda w: {"reason": "Testing day"},
        label="post",
        follow_up=_session_cancelled,
    ),
    Row("coaching:session-ics", INSIDE, args=lambda w: [_session(w).pk]),
    Row("coaching:session-ics", INSIDE, args=lambda w: [_series(w).sessions.first().pk], label="of a schedule"),
    Row("coaching:session-ics", everyone(405), args=lambda w: [_session(w).pk], method="POST", label="post"),
    # The district's coaching policy: district admins, each for their own district.
    Row("coaching:policy", everyone(403, district_admin=200, other_admin=200)),
    Row(
        "coaching:policy",
        everyone(403, district_admin=302, other_admin=302),
        method="POST",
        data=_policy_data,
        label="post",
        follow_up=_policy_saved,
    ),
]
