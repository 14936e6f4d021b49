"""Authorization matrix rows for the program managers' and facilitators' pages (see tests/authz.py).

The service center's program (published, so district A's and district B's people see its
sessions in their catalogue) has a cohort facilitated by ``facilitator``; its session next
week has ``teacher`` registered. District A runs its own program, its cohort facilitated by
``coach``. What the rows pin:

- program, cohort-wide and certificate-revoking pages are the managers' (the owner's admins):
  people who see the program as participants or facilitators get 403, anyone else 404;
- the session pages are its facilitators' and managers': participants who see the session
  in their catalogue get 403, facilitators of other cohorts and other districts' admins 404;
- cancelling a session and changing its plan stay with the managers (a facilitator gets 403);
- a material is downloaded by people registered for the session and by those who run it;
- every POST-only address answers GET with 405, and a POST changes only what that persona may.
"""

import datetime

from django.utils import timezone

from tests.authz import LOGIN, Row
from tests.personas import PERSONA_NAMES


def _expect(default, **overrides) -> dict:
    table = dict.fromkeys(PERSONA_NAMES, default)
    table["anonymous"] = LOGIN
    table.update(overrides)
    return table


# Builders (the services, as the managers would; actor=None where the past is being made) ---------------


def sc_program(world, *, publish=True):
    from trellis.learning import services as s

    program = s.program_create(actor=world.sc_admin, owner=world.service_center, title="Year-long literacy cohort")
    if publish:
        program = s.program_publish(actor=world.sc_admin, program=program)
    return program


def sc_cohort(world):
    from trellis.learning import services as s

    return s.cohort_create(
        actor=world.sc_admin, program=sc_program(world), name="Cohort 1 (fall)", facilitators=[world.facilitator]
    )


def sc_session(world, *, days=7, cohort=None):
    """The cohort's session ``days`` from now, 9:00 to 12:00 local, three seats, ``teacher`` registered."""
    from trellis.learning import services as s

    cohort = cohort or sc_cohort(world)
    start = (timezone.now() + datetime.timedelta(days=days)).replace(second=0, microsecond=0)
    system = days <= 0  # the past, or now: registration has closed
    session = s.session_create(
        actor=None if system else world.sc_admin,
        cohort=cohort,
        title="Read-alouds that build talk",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        location="Prairie RSC, Room 4",
        capacity=3,
        objectives="Plan two turn-and-talk stops\nUse evidence prompts",
    )
    s.registration_create(actor=None if system else world.teacher, session=session, participant=world.teacher)
    return session


def sc_program_seen(world, *, publish=True):
    """The service center's program with its cohort and session: seen by participants and the facilitator."""
    cohort = sc_cohort(world)
    sc_session(world, cohort=cohort)
    if not publish:  # back to a draft after ``teacher`` registered
        from trellis.learning.models import Program

        Program.objects.filter(pk=cohort.program_id).update(status="draft")
    return cohort.program


def district_session(world):
    """District A's own program, its cohort facilitated by ``coach``, a session next week."""
    from trellis.learning import services as s

    program = s.program_create(actor=world.district_admin, owner=world.district, title="New-teacher induction")
    s.program_publish(actor=world.district_admin, program=program)
    cohort = s.cohort_create(
        actor=world.district_admin, program=program, name="Induction 2026", facilitators=[world.coach]
    )
    start = (timezone.now() + datetime.timedelta(days=9)).replace(second=0, microsecond=0)
    return s.session_create(
        actor=world.district_admin,
        cohort=cohort,
        title="Classroom routines",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Board room",
        capacity=20,
    )


def held_session(world):
    """A session of the service center's cohort held last week, ``teacher`` marked present."""
    from trellis.learning import models as m
    from trellis.learning import services as s

    session = sc_session(world, days=-7)
    s.attendance_mark(actor=None, registration=m.Registration.objects.get(session=session))
    return session


def certificate(world):
    from trellis.learning import services as s

    session = held_session(world)
    return s.certificate_issue(actor=None, cohort=session.cohort, participant=world.teacher)


def file_material(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trellis.learning import services as s

    upload = SimpleUploadedFile("handout.pdf", b"%PDF-1.4\n% handout\n", content_type="application/pdf")
    return s.material_add(actor=world.sc_admin, session=sc_session(world), title="Handout", upload=upload)


def survey(world):
    from trellis.learning import models as m
    from trellis.learning import services as s

    session = held_session(world)
    questions = list(m.QuestionBankItem.objects.filter(owner__isnull=True, is_active=True)[:3])
    return s.survey_create(actor=world.facilitator, session=session, questions=questions)


def review_point(world):
    from trellis.learning import services as s

    review = s.review_start(actor=world.facilitator, session=held_session(world))
    return s.review_point_add(
        actor=world.facilitator, review=review, kind="sustain", text="Model first", responsible=world.facilitator
    )


def invitation(world):
    from trellis.learning import services as s

    return s.invitation_create(actor=world.sc_admin, cohort=sc_cohort(world), people=[world.teacher])[0]


def own_question(world):
    from trellis.learning import services as s

    return s.question_create(
        actor=world.sc_admin, owner=world.service_center, text="I will try it this week.", kind="yes_no", guskey_level=4
    )


def starter_question(world):
    from trellis.learning.models import QuestionBankItem

    return QuestionBankItem.objects.filter(owner__isnull=True).order_by("pk").first()


# Follow-up checks: what a POST stored ---------------------------------------------------------------


def _made_only_by(model_path, personas, **lookup):
    def check(world, response, persona):
        from django.apps import apps

        model = apps.get_model(model_path)
        assert model.objects.filter(**lookup).exists() == (persona in personas), persona

    return check


def _program_status_is(expected_by_persona, default):
    def check(world, response, persona):
        from trellis.learning.models import Program

        assert Program.objects.get().status == expected_by_persona.get(persona, default), persona

    return check


def _session_status(persona_cancels):
    def check(world, response, persona):
        from trellis.learning.models import Session

        cancelled = Session.objects.get().is_cancelled
        assert cancelled == (persona in persona_cancels), persona

    return check


def _attendance_marked_by(personas):
    def check(world, response, persona):
        from trellis.learning.models import Registration

        assert (Registration.objects.get().checked_in_at is not None) == (persona in personas), persona

    return check


def _session_edit_data(world):
    """The session as it is, with a new title (what a manager's full form posts)."""
    from trellis.learning.forms.programs import session_initial
    from trellis.learning.models import Session

    initial = session_initial(Session.objects.get())
    return {
        "title": "Renamed day",
        "agenda": "",
        "objectives": initial["objectives"],
        "date": initial["date"].isoformat(),
        "start_time": initial["start_time"].strftime("%H:%M"),
        "end_time": initial["end_time"].strftime("%H:%M"),
        "timezone": initial["timezone"],
        "location": initial["location"],
        "capacity": initial["capacity"],
        "contact_minutes": initial["contact_minutes"],
    }


def _roster_data(world):
    from trellis.learning.models import Registration

    registration = Registration.objects.get()
    return {"rows": [registration.pk], f"r{registration.pk}-present": "on"}


def _gone_unless(model_path, personas):
    def check(world, response, persona):
        from django.apps import apps

        exists = apps.get_model(model_path).objects.exists()
        assert exists == (persona not in personas), persona

    return check


def _certificate_revoked_by(personas):
    def check(world, response, persona):
        from trellis.learning.models import Certificate

        assert (Certificate.objects.get().revoked_at is not None) == (persona in personas), persona

    return check


def _survey_open_unless(personas):
    def check(world, response, persona):
        from trellis.learning.models import Survey

        assert Survey.objects.get().is_open == (persona not in personas), persona

    return check


def _question_active_unless(personas):
    def check(world, response, persona):
        from trellis.learning.models import QuestionBankItem

        item = QuestionBankItem.objects.get(text="I will try it this week.")
        assert item.is_active == (persona not in personas), persona

    return check


# Expectations ------------------------------------------------------------------------------------------

MANAGERS = ("district_admin", "sc_admin", "other_admin")
# Who has the programs-and-sessions pages at all: program managers and service-center facilitators.
RUNS = _expect(403, **dict.fromkeys(MANAGERS, 200), facilitator=200, facilitator_no_grant=200)
# The service center's published program: seen by both districts' people (catalogue) and its facilitator.
SC_PROGRAM_MANAGER = _expect(403, sc_admin=200, facilitator_no_grant=404)
# Pages of the cohort that its facilitators and managers use.
SC_COHORT_RUNNERS = _expect(403, sc_admin=200, facilitator=200, facilitator_no_grant=404)
# The session pages.
SC_STAFF = _expect(403, sc_admin=200, facilitator=200, facilitator_no_grant=404)
# POST-only addresses answer GET with 405.
GET_NOT_ALLOWED = _expect(405)


def _none(*_made) -> list:
    """No URL arguments (the data was made for the page to show)."""
    return []


def _post(table, ok=302) -> dict:
    return {persona: (ok if outcome == 200 else outcome) for persona, outcome in table.items()}


ROWS = [
    # Programs
    Row("learning:program-list", RUNS),
    Row(
        "learning:program-list",
        {**RUNS, "coach": 200},
        args=lambda w: _none(district_session(w)),
        label="coach facilitates",
    ),
    Row("learning:program-create", _expect(403, **dict.fromkeys(MANAGERS, 200))),
    Row(
        "learning:program-create",
        _expect(403, **dict.fromkeys(MANAGERS, 302)),
        method="POST",
        data=lambda w: {"title": "Matrix program", "completion_percent": "80"},
        label="post",
        follow_up=_made_only_by("learning.Program", MANAGERS, title="Matrix program"),
    ),
    Row("learning:program-overview", SC_PROGRAM_MANAGER, args=lambda w: [sc_program_seen(w).pk]),
    Row(
        "learning:program-overview",
        _expect(404, district_admin=200, teacher=403, teacher_other_campus=403, coach=403, campus_leader=403),
        args=lambda w: [district_session(w).cohort.program_id],
        label="district's own program",
    ),
    Row(
        "learning:program-overview",
        _expect(404, sc_admin=200),
        args=lambda w: [sc_program(w, publish=False).pk],
        label="draft",
    ),
    Row("learning:program-edit", SC_PROGRAM_MANAGER, args=lambda w: [sc_program_seen(w).pk]),
    Row(
        "learning:program-edit",
        _post(SC_PROGRAM_MANAGER),
        args=lambda w: [sc_program_seen(w).pk],
        method="POST",
        data=lambda w: {"title": "Renamed by the matrix", "completion_percent": "75"},
        label="post",
        follow_up=_made_only_by("learning.Program", ("sc_admin",), title="Renamed by the matrix"),
    ),
    Row("learning:program-action", SC_PROGRAM_MANAGER, args=lambda w: [sc_program_seen(w).pk, "archive"]),
    Row(
        "learning:program-action",
        _post(SC_PROGRAM_MANAGER),
        args=lambda w: [sc_program_seen(w).pk, "archive"],
        method="POST",
        label="post archive",
        follow_up=_program_status_is({"sc_admin": "archived"}, "published"),
    ),
    Row(
        "learning:program-action",
        _expect(404, sc_admin=302, facilitator=403, teacher=403, campus_leader=403, district_admin=403),
        args=lambda w: [sc_program_seen(w, publish=False).pk, "publish"],
        method="POST",
        label="post publish",
        follow_up=_program_status_is({"sc_admin": "published"}, "draft"),
    ),
    Row("learning:program-action", _expect(404), args=lambda w: [sc_program(w).pk, "delete"], label="unknown"),
    # Cohorts
    Row("learning:cohort-create", SC_PROGRAM_MANAGER, args=lambda w: [sc_program_seen(w).pk]),
    Row(
        "learning:cohort-create",
        _post(SC_PROGRAM_MANAGER),
        args=lambda w: [sc_program_seen(w).pk],
        method="POST",
        data=lambda w: {"name": "Matrix cohort", "registration_mode": "open"},
        label="post",
        follow_up=_made_only_by("learning.Cohort", ("sc_admin",), name="Matrix cohort"),
    ),
    Row("learning:cohort-detail", SC_COHORT_RUNNERS, args=lambda w: [sc_session(w).cohort_id]),
    Row(
        "learning:cohort-detail",
        _post({**SC_COHORT_RUNNERS, "facilitator": 403}),
        args=lambda w: [sc_session(w).cohort_id],
        method="POST",
        data=lambda w: {"facilitators": [w.facilitator_no_grant.pk]},
        label="post facilitators",
        follow_up=_made_only_by("learning.Cohort", ("sc_admin",), facilitators__full_name="Finn Facilitator"),
    ),
    Row(
        "learning:cohort-edit",
        _expect(403, sc_admin=200, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
    ),
    Row(
        "learning:cohort-edit",
        _expect(403, sc_admin=302, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
        method="POST",
        data=lambda w: {"name": "Cohort renamed", "registration_mode": "invitation"},
        label="post",
        follow_up=_made_only_by("learning.Cohort", ("sc_admin",), name="Cohort renamed"),
    ),
    Row(
        "learning:cohort-invite",
        _expect(403, sc_admin=200, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
    ),
    Row(
        "learning:cohort-invite",
        _expect(403, sc_admin=302, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
        method="POST",
        data=lambda w: {"people": [w.teacher_other_campus.pk]},
        label="post",
        follow_up=_made_only_by("learning.Invitation", ("sc_admin",)),
    ),
    Row("learning:invitation-withdraw", GET_NOT_ALLOWED, args=lambda w: [invitation(w).pk]),
    Row(
        "learning:invitation-withdraw",
        _expect(404, sc_admin=302, teacher=403, facilitator=403, district_admin=403),
        args=lambda w: [invitation(w).pk],
        method="POST",
        label="post",
        follow_up=_gone_unless("learning.Invitation", ("sc_admin",)),
    ),
    # Sessions: scheduling (managers)
    Row(
        "learning:session-create",
        _expect(403, sc_admin=200, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
    ),
    Row(
        "learning:session-create",
        _expect(403, sc_admin=302, facilitator_no_grant=404),
        args=lambda w: [sc_session(w).cohort_id],
        method="POST",
        data=lambda w: {
            "title": "Matrix day",
            "date": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "timezone": "America/Chicago",
            "location": "Room 4",
        },
        label="post",
        follow_up=_made_only_by("learning.Session", ("sc_admin",), title="Matrix day"),
    ),
    # Certificates
    Row("learning:cohort-certificates", SC_COHORT_RUNNERS, args=lambda w: [held_session(w).cohort_id]),
    Row(
        "learning:cohort-certificates",
        _post(SC_COHORT_RUNNERS),
        args=lambda w: [held_session(w).cohort_id],
        method="POST",
        data=lambda w: {"issue": "all"},
        label="post issue all",
        follow_up=_made_only_by("learning.Certificate", ("sc_admin", "facilitator")),
    ),
    Row(
        "learning:certificate-revoke",
        _expect(404, sc_admin=200, teacher=403, facilitator=403, district_admin=403),
        args=lambda w: [certificate(w).pk],
    ),
    Row(
        "learning:certificate-revoke",
        _expect(404, sc_admin=302, teacher=403, facilitator=403, district_admin=403),
        args=lambda w: [certificate(w).pk],
        method="POST",
        data=lambda w: {"reason": "Issued in error"},
        label="post",
        follow_up=_certificate_revoked_by(("sc_admin",)),
    ),
    # The question bank
    Row("learning:question-bank", RUNS),
    Row(
        "learning:question-bank",
        _expect(403, **dict.fromkeys(MANAGERS, 302)),
        method="POST",
        data=lambda w: {"text": "The matrix asks.", "kind": "scale", "guskey_level": "2"},
        label="post",
        follow_up=_made_only_by("learning.QuestionBankItem", MANAGERS, text="The matrix asks."),
    ),
    Row("learning:question-retire", GET_NOT_ALLOWED, args=lambda w: [own_question(w).pk]),
    Row(
        "learning:question-retire",
        _expect(404, sc_admin=302, facilitator=403, facilitator_no_grant=403),
        args=lambda w: [own_question(w).pk],
        method="POST",
        label="post",
        follow_up=_question_active_unless(("sc_admin",)),
    ),
    Row(
        "learning:question-retire",
        _expect(403),
        args=lambda w: [starter_question(w).pk],
        method="POST",
        label="starter",
    ),
    # Running a session (facilitators and managers)
    Row("learning:session-manage", SC_STAFF, args=lambda w: [sc_session(w).pk]),
    Row(
        "learning:session-manage",
        _expect(404, coach=200, district_admin=200, teacher=403, teacher_other_campus=403, campus_leader=403),
        args=lambda w: [district_session(w).pk],
        label="district's own session",
    ),
    Row("learning:session-edit", SC_STAFF, args=lambda w: [sc_session(w).pk]),
    Row(
        "learning:session-edit",
        _post(SC_STAFF),
        args=lambda w: [sc_session(w).pk],
        method="POST",
        data=_session_edit_data,
        label="post content",
        follow_up=_made_only_by("learning.Session", ("sc_admin", "facilitator"), title="Renamed day"),
    ),
    Row("learning:session-cancel", {**SC_STAFF, "facilitator": 403}, args=lambda w: [sc_session(w).pk]),
    Row(
        "learning:session-cancel",
        _post({**SC_STAFF, "facilitator": 403}),
        args=lambda w: [sc_session(w).pk],
        method="POST",
        data=lambda w: {"reason": "Weather"},
        label="post",
        follow_up=_session_status(("sc_admin",)),
    ),
    Row("learning:session-materials", SC_STAFF, args=lambda w: [sc_session(w).pk]),
    Row(
        "learning:session-materials",
        _post(SC_STAFF),
        args=lambda w: [sc_session(w).pk],
        method="POST",
        data=lambda w: {"title": "Slides", "url": "https://example.org/slides"},
        label="post",
        follow_up=_made_only_by("learning.Material", ("sc_admin", "facilitator"), title="Slides"),
    ),
    Row(
        "learning:material-download",
        {**SC_STAFF, "teacher": 200},
        args=lambda w: [file_material(w).pk],
    ),
    Row("learning:material-remove", GET_NOT_ALLOWED, args=lambda w: [file_material(w).pk]),
    Row(
        "learning:material-remove",
        _post(SC_STAFF),
        args=lambda w: [file_material(w).pk],
        method="POST",
        label="post",
        follow_up=_gone_unless("learning.Material", ("sc_admin", "facilitator")),
    ),
    Row("learning:checkin-screen", SC_STAFF, args=lambda w: [sc_session(w).pk]),
    Row(
        "learning:checkin-screen",
        _post(SC_STAFF),
        args=lambda w: [sc_session(w, days=0).pk],
        method="POST",
        data=lambda w: {"action": "open"},
        label="post open",
        follow_up=_made_only_by("learning.Session", ("sc_admin", "facilitator"), checkin_opened_at__isnull=False),
    ),
    Row("learning:roster-update", GET_NOT_ALLOWED, args=lambda w: [held_session(w).pk]),
    Row(
        "learning:roster-update",
        _post(SC_STAFF),
        args=lambda w: [sc_session(w, days=0).pk],
        method="POST",
        data=_roster_data,
        label="post",
        follow_up=_attendance_marked_by(("sc_admin", "facilitator")),
    ),
    Row("learning:session-results", SC_STAFF, args=lambda w: [survey(w).session_id]),
    Row("learning:survey-build", SC_STAFF, args=lambda w: [held_session(w).pk]),
    Row(
        "learning:survey-build",
        _post(SC_STAFF),
        args=lambda w: [held_session(w).pk],
        method="POST",
        data=lambda w: {"questions": [starter_question(w).pk]},
        label="post",
        follow_up=_made_only_by("learning.Survey", ("sc_admin", "facilitator")),
    ),
    Row("learning:survey-action", GET_NOT_ALLOWED, args=lambda w: [survey(w).pk, "close"]),
    Row(
        "learning:survey-action",
        _post(SC_STAFF),
        args=lambda w: [survey(w).pk, "close"],
        method="POST",
        label="post close",
        follow_up=_survey_open_unless(("sc_admin", "facilitator")),
    ),
    Row(
        "learning:survey-action",
        _expect(404),
        args=lambda w: [survey(w).pk, "delete"],
        method="POST",
        label="unknown",
    ),
    Row("learning:review", SC_STAFF, args=lambda w: [held_session(w).pk]),
    Row(
        "learning:review",
        _post(SC_STAFF),
        args=lambda w: [held_session(w).pk],
        method="POST",
        data=lambda w: {
            "step": "answers",
            "planned": "Plan",
            "actual": "It ran long.",
            "why_different": "",
            "lessons": "",
        },  # fmt: skip
        label="post",
        follow_up=_made_only_by("learning.ActionReview", ("sc_admin", "facilitator"), actual="It ran long."),
    ),
    Row("learning:review-point-remove", GET_NOT_ALLOWED, args=lambda w: [review_point(w).pk]),
    Row(
        "learning:review-point-remove",
        _expect(404, sc_admin=302, facilitator=302),
        args=lambda w: [review_point(w).pk],
        method="POST",
        label="post",
        follow_up=_gone_unless("learning.ReviewPoint", ("sc_admin", "facilitator")),
    ),
]
