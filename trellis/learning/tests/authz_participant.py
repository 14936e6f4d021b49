"""Authorization matrix rows for the participant, district and campus pages of professional learning
(see tests/authz.py), and the builders they share with the page tests.

The session under test belongs to the service center's published program, its cohort
facilitated by ``facilitator``; it is open to both districts' people (the service center
serves them). ``teacher`` (district A, campus A1) is the participant. What the rows pin:

- a person sees the sessions open to them, their own registrations, surveys, commitments
  and certificates; other districts' rows are 404 (never confirmed to exist);
- people without a district (service-center staff) see the catalogue and their sessions but
  never register (403);
- a district admin acts for their district's people, a campus leader for their campus's, the
  program's managers for everyone in their programs; a facilitator sees what they run but
  neither cancels for others nor approves (403);
- a commitment is its author's; facilitators read a shared one but never change it (403).
"""

import datetime

from django.utils import timezone

from tests.authz import LOGIN, Row, everyone
from tests.personas import PERSONA_NAMES

SURVEY_KEYS = ["time-well-spent", "relevant-to-my-work", "recommend"]


def _expect(default, **overrides) -> dict:
    table = dict.fromkeys(PERSONA_NAMES, default)
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


# Builders (system work, actor=None, unless a person's own action is the point) --------------------


def sc_cohort(world, *, registration_mode="open"):
    from trellis.learning import services as s

    program = s.program_create(actor=world.sc_admin, owner=world.service_center, title="Year-long literacy cohort")
    s.program_publish(actor=world.sc_admin, program=program)
    return s.cohort_create(
        actor=world.sc_admin,
        program=program,
        name="Cohort 1 (fall)",
        facilitators=[world.facilitator],
        registration_mode=registration_mode,
    )


def sc_session(world, *, days=7, capacity=3, cohort=None, **fields):
    """A session of the service center's cohort, ``days`` from now, 9:00 to 12:00 (negative: past)."""
    from trellis.learning import services as s

    cohort = cohort or sc_cohort(world)
    start = (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
    return s.session_create(
        actor=None,
        cohort=cohort,
        title=fields.pop("title", "Read-alouds that build talk"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        location=fields.pop("location", "Prairie RSC, Room 4"),
        capacity=capacity,
        objectives=fields.pop("objectives", "Plan two turn-and-talk stops\nUse evidence prompts"),
        **fields,
    )


def teacher_registration(world, session=None):
    from trellis.learning import services as s

    return s.registration_create(actor=world.teacher, session=session or sc_session(world))


def pending_registration(world):
    """The teacher's registration waiting for district A's approval."""
    from trellis.learning import services as s

    s.policy_update(actor=world.district_admin, organization=world.district, approval_required=True)
    return teacher_registration(world)


def attended(world, *, days=-7):
    """The teacher's registration for a session held ``days`` ago, marked present."""
    from trellis.learning import services as s

    session = sc_session(world, days=days)
    registration = s.registration_create(actor=None, session=session, participant=world.teacher)
    return s.attendance_mark(actor=None, registration=registration)


def survey_for(session):
    from trellis.learning import services as s
    from trellis.learning.models import QuestionBankItem
    from trellis.learning.starter import install_starter_questions

    install_starter_questions()
    questions = {q.key: q for q in QuestionBankItem.objects.filter(owner__isnull=True, key__in=SURVEY_KEYS)}
    return s.survey_create(actor=None, session=session, questions=[questions[key] for key in SURVEY_KEYS])


def survey_answers(survey) -> dict:
    """Valid answers to ``survey`` as the form posts them."""
    answers = {}
    for item in survey.items.all():
        answers[f"item_{item.pk}"] = {"scale": "4", "yes_no": "yes"}.get(item.kind, "Turn-and-talk stems")
    return answers


def shared_commitment(world):
    from trellis.learning import services as s

    registration = attended(world)
    return s.commitment_create(
        actor=world.teacher, session=registration.session, text="Two stops in every read-aloud", shared=True
    )


def certificate(world):
    from trellis.learning import services as s

    registration = attended(world)
    return s.certificate_issue(actor=None, cohort=registration.session.cohort, participant=world.teacher)


def open_checkin(world):
    """A session under way with check-in open; the teacher holds a seat. Returns the code."""
    from trellis.learning import services as s

    start = timezone.now() - datetime.timedelta(minutes=5)
    session = s.session_create(
        actor=None,
        cohort=sc_cohort(world),
        title="Day 2: partner talk",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        capacity=10,
    )
    s.registration_create(actor=None, session=session, participant=world.teacher)
    return s.session_open_checkin(actor=None, session=session).checkin_code


def _checked_in(world, response, persona):
    from trellis.learning.models import Registration

    registration = Registration.objects.get(participant=world.teacher)
    assert (registration.checked_in_at is not None) == (persona == "teacher"), persona


def _registered(world, response, persona):
    from trellis.learning.models import Registration

    person = world.persona(persona)
    if person is None:
        return
    n = Registration.objects.filter(participant=person).count()
    assert n == (1 if response.status_code == 302 else 0), (persona, n)


def _first_survey(world):
    from trellis.learning.models import Survey

    return Survey.objects.get()


# Expectations -----------------------------------------------------------------------------------

# The service center's session: seen by both districts' people, its facilitator and its managers.
SEES_SC_SESSION = _expect(200, facilitator_no_grant=404)
# The teacher's own registration: seen by them, their campus leader and district admin, the session's staff.
REGISTRATION_VIEWERS = {
    "teacher_other_campus": 404,
    "coach": 404,
    "facilitator_no_grant": 404,
    "other_admin": 404,
    "facilitator": 403,
}
# The teacher's certificate: seen by them, their district admin, the cohort's facilitators and managers.
CERTIFICATE = _expect(404, teacher=200, district_admin=200, facilitator=200, sc_admin=200)
# The teacher's shared commitment: theirs to change; staff of the session read it (403 on change).
COMMITMENT = _expect(404, teacher=200, facilitator=403, sc_admin=403)
# District admins (any district) and campus leaders.
ADMIN_OR_LEADER = _expect(403, district_admin=200, other_admin=200, campus_leader=200)
# Deciding on the teacher's pending registration: their district admin only; others who see it get 403.
DECISION = _expect(404, district_admin=200, teacher=403, campus_leader=403, facilitator=403, sc_admin=403)


def _with(table: dict, **changes) -> dict:
    return {**table, **changes}


def _as_post(table: dict, ok=302) -> dict:
    return {k: (ok if v == 200 else v) for k, v in table.items()}


ROWS = [
    # The catalogue: every signed-in person (service-center staff get an explanation).
    Row("learning:catalogue", expect=everyone(200)),
    Row(
        "learning:catalogue",
        expect=_expect(405),
        method="POST",
        label="post",
    ),
    # A session.
    Row("learning:session", expect=SEES_SC_SESSION, args=lambda w: [sc_session(w).pk], label="service center's"),
    Row(
        "learning:session",
        expect=_expect(
            404,
            teacher=200,
            teacher_other_campus=200,
            coach=200,
            campus_leader=200,
            district_admin=200,
        ),
        args=lambda w: [_district_session(w).pk],
        label="district A's own",
    ),
    Row("learning:session", expect=everyone(404), args=lambda w: [999999], label="unknown"),
    # Registering: district people only; staff without a district are refused.
    Row(
        "learning:register",
        expect=_as_post(_with(SEES_SC_SESSION, facilitator=403, sc_admin=403)),
        args=lambda w: [sc_session(w).pk],
        method="POST",
        follow_up=_registered,
    ),
    Row("learning:register", expect=_expect(405), args=lambda w: [sc_session(w).pk], label="get"),
    Row(
        "learning:register-series",
        expect=_as_post(_with(SEES_SC_SESSION, facilitator=403, sc_admin=403)),
        args=lambda w: [sc_session(w).cohort_id],
        method="POST",
        follow_up=_registered,
    ),
    Row("learning:register-series", expect=_expect(405), args=lambda w: [sc_session(w).cohort_id], label="get"),
    # Cancelling: the participant, their campus leader and district admin, the program's managers.
    Row(
        "learning:registration-cancel",
        expect=_expect(200, **REGISTRATION_VIEWERS),
        args=lambda w: [teacher_registration(w).pk],
    ),
    Row(
        "learning:registration-cancel",
        expect=_expect(302, **REGISTRATION_VIEWERS),
        args=lambda w: [teacher_registration(w).pk],
        method="POST",
        label="post",
    ),
    # The calendar file: the participant's own.
    Row(
        "learning:registration-ics",
        expect=_expect(403, **_with(REGISTRATION_VIEWERS, teacher=200)),
        args=lambda w: [teacher_registration(w).pk],
    ),
    # One's own learning.
    Row("learning:my-learning", expect=everyone(200)),
    Row("learning:my-transcript", expect=everyone(200)),
    # Check-in: anyone signed in may try; only a registered participant gets checked in.
    Row("learning:checkin-form", expect=everyone(200)),
    Row(
        "learning:checkin-form",
        expect=everyone(200),
        method="POST",
        data=lambda w: {"code": "ZZ-ZZZZ"},
        label="wrong code",
    ),
    Row("learning:checkin", expect=everyone(200), args=lambda w: [open_checkin(w)]),
    Row(
        "learning:checkin",
        expect=everyone(200),
        args=lambda w: [open_checkin(w)],
        method="POST",
        label="post",
        follow_up=lambda w, r, p: _checked_in(w, r, p) if p != "anonymous" else None,
    ),
    # The survey: answered by those who attended; others who see the session get 403.
    Row(
        "learning:survey",
        expect=_with(_expect(403, teacher=200), facilitator_no_grant=404),
        args=lambda w: [survey_for(attended(w).session).pk],
    ),
    Row(
        "learning:survey",
        expect=_with(_expect(403, teacher=302), facilitator_no_grant=404),
        args=lambda w: [survey_for(attended(w).session).pk],
        method="POST",
        data=lambda w: survey_answers(_first_survey(w)),
        label="post",
    ),
    # Commitments: written by people with a seat; changed only by their author.
    Row(
        "learning:commitment-create",
        expect=_with(
            SEES_SC_SESSION,
            teacher_other_campus=403,
            coach=403,
            campus_leader=403,
            district_admin=403,
            facilitator=403,
            sc_admin=403,
            other_admin=403,
        ),
        args=lambda w: [attended(w).session_id],
    ),
    Row(
        "learning:commitment-create",
        expect=_with(
            SEES_SC_SESSION,
            teacher=302,
            teacher_other_campus=403,
            coach=403,
            campus_leader=403,
            district_admin=403,
            facilitator=403,
            sc_admin=403,
            other_admin=403,
        ),
        args=lambda w: [attended(w).session_id],
        method="POST",
        data=lambda w: {"text": "Two stops in every read-aloud"},
        label="post",
    ),
    Row("learning:commitment-edit", expect=COMMITMENT, args=lambda w: [shared_commitment(w).pk]),
    Row(
        "learning:commitment-edit",
        expect=_as_post(COMMITMENT),
        args=lambda w: [shared_commitment(w).pk],
        method="POST",
        data=lambda w: {"text": "Three stops", "shared": "on"},
        label="post",
    ),
    Row("learning:commitment-delete", expect=COMMITMENT, args=lambda w: [shared_commitment(w).pk]),
    Row(
        "learning:commitment-delete",
        expect=_as_post(COMMITMENT),
        args=lambda w: [shared_commitment(w).pk],
        method="POST",
        label="post",
    ),
    # Certificates.
    Row("learning:certificate", expect=CERTIFICATE, args=lambda w: [certificate(w).pk]),
    Row("learning:certificate-pdf", expect=CERTIFICATE, args=lambda w: [certificate(w).pk]),
    Row(
        "learning:certificate-pdf", expect=_expect(405), args=lambda w: [certificate(w).pk], method="POST", label="post"
    ),
    # District side: approvals.
    Row("learning:approvals", expect=_expect(403, district_admin=200, other_admin=200)),
    Row(
        "learning:registration-approve",
        expect=_as_post(DECISION),
        args=lambda w: [pending_registration(w).pk],
        method="POST",
    ),
    Row("learning:registration-approve", expect=_expect(405), args=lambda w: [pending_registration(w).pk], label="get"),
    Row("learning:registration-decline", expect=DECISION, args=lambda w: [pending_registration(w).pk]),
    Row(
        "learning:registration-decline",
        expect=_as_post(DECISION),
        args=lambda w: [pending_registration(w).pk],
        method="POST",
        data=lambda w: {"reason": "Our district covers this in its own induction."},
        label="post",
    ),
    # Enrolling a team: district admins and campus leaders; only their own people.
    Row(
        "learning:enrol",
        expect=_with(ADMIN_OR_LEADER, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).pk],
    ),
    Row(
        "learning:enrol",
        # District B's admin may not enrol district A's teacher: the form says so (200).
        expect=_with(_as_post(ADMIN_OR_LEADER), other_admin=200, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).pk],
        method="POST",
        data=lambda w: {"people": [w.teacher.pk]},
        label="post",
    ),
    Row("learning:people-registrations", expect=ADMIN_OR_LEADER),
    # A transcript: one's own, or a person of the district one administers.
    Row(
        "learning:transcript",
        expect=_expect(404, teacher=200, district_admin=200),
        args=lambda w: [w.teacher.pk],
    ),
    Row("learning:transcript", expect=everyone(404), args=lambda w: [999999], label="unknown"),
    # The credit rule: district admins and service-center admins, for their own organization.
    Row("learning:policy", expect=_expect(403, district_admin=200, other_admin=200, sc_admin=200)),
    Row(
        "learning:policy",
        expect=_expect(403, district_admin=302, other_admin=302, sc_admin=302),
        method="POST",
        data=lambda w: {
            "minutes_per_hour": "60",
            "hour_step": "0.25",
            "rounding": "down",
            "credit_label": "",
            "sponsor_number": "CPE-1",
        },
        label="post",
    ),
]


def _district_session(world):
    from trellis.learning import services as s

    program = s.program_create(actor=world.district_admin, owner=world.district, title="New-teacher induction")
    s.program_publish(actor=world.district_admin, program=program)
    cohort = s.cohort_create(
        actor=world.district_admin, program=program, name="Induction 2026", facilitators=[world.coach]
    )
    return sc_session(world, cohort=cohort, capacity=20, title="Classroom routines")
