"""Authorization matrix rows for the coaching pages (see tests/authz.py).

The coaching firewall in one table: a note written by ``coach`` about ``teacher``
is read by those two only, and by ``campus_leader`` only while the teacher shares
it. Everyone else gets 404, so the note's existence is not confirmed to them.
"""

import datetime

from django.utils import timezone

from tests.authz import LOGIN, Row, everyone
from trellis.coaching import services
from trellis.coaching.models import CoachingNote, CoachingShare


def _note(world):
    return services.note_create(
        actor=world.coach, teacher=world.teacher, title="Exit tickets", body="Sorted tickets by misconception."
    )


def _share(world):
    return services.share_create(actor=world.teacher, record=_note(world), shared_with=world.campus_leader)


def _note_data(world):
    return {
        "met_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "title": "Matrix note",
        "body": "Written through the matrix.",
        "next_steps": "",
    }


def _created_only_by(*personas):
    def check(world, response, persona):
        made = CoachingNote.objects.filter(title="Matrix note")
        if persona in personas:
            assert made.filter(coach=world.persona(persona)).count() == 1
        else:
            assert not made.exists()

    return check


def _note_still_there(world, response, persona):
    gone = not CoachingNote.objects.filter(title="Exit tickets").exists()
    assert gone == (persona == "coach")


def _shared_only_by_teacher(world, response, persona):
    shares = CoachingShare.objects.filter(revoked_at=None)
    assert shares.count() == (1 if persona == "teacher" else 0)


def _revoked_only_by_teacher(world, response, persona):
    share = CoachingShare.objects.get()
    assert (share.revoked_at is not None) == (persona == "teacher")


def _only(outcome_by_persona, default=404):
    return everyone(default, **outcome_by_persona)


# Roles that have coaching notes to list: teachers, coaches, facilitators, campus leaders.
LIST = everyone(200, district_admin=403, sc_admin=403, other_admin=403)
# Writing a note: coaches and facilitators, for a teacher they support now; other roles are refused outright.
CREATE = everyone(
    403, coach=200, facilitator=200, facilitator_no_grant=404, teacher=403, teacher_other_campus=403, anonymous=LOGIN
)
READ = _only({"teacher": 200, "coach": 200, "anonymous": LOGIN})
READ_SHARED = _only({"teacher": 200, "coach": 200, "campus_leader": 200, "anonymous": LOGIN})
AUTHOR = _only({"coach": 200, "teacher": 403, "anonymous": LOGIN})

ROWS = [
    Row("coaching:note-list", LIST),
    Row("coaching:note-create", CREATE, args=lambda w: [w.teacher.pk]),
    Row(
        "coaching:note-create",
        {**CREATE, "coach": 302, "facilitator": 302},
        args=lambda w: [w.teacher.pk],
        method="POST",
        data=_note_data,
        label="post",
        follow_up=_created_only_by("coach", "facilitator"),
    ),
    Row(
        "coaching:note-create",
        {**CREATE, "coach": 404, "facilitator": 404},
        args=lambda w: [w.teacher_other_campus.pk],
        label="not on caseload",
    ),
    Row("coaching:note-detail", READ, args=lambda w: [_note(w).pk]),
    Row("coaching:note-detail", READ_SHARED, args=lambda w: [_share(w).object_id], label="shared with leader"),
    Row("coaching:note-edit", AUTHOR, args=lambda w: [_note(w).pk]),
    Row(
        "coaching:note-edit",
        {**AUTHOR, "coach": 302},
        args=lambda w: [_note(w).pk],
        method="POST",
        data=_note_data,
        label="post",
    ),
    Row(
        "coaching:note-edit",
        {**READ_SHARED, "teacher": 403, "campus_leader": 403},
        args=lambda w: [_share(w).object_id],
        label="shared",
    ),
    Row("coaching:note-delete", AUTHOR, args=lambda w: [_note(w).pk]),
    Row(
        "coaching:note-delete",
        {**AUTHOR, "coach": 302},
        args=lambda w: [_note(w).pk],
        method="POST",
        label="post",
        follow_up=_note_still_there,
    ),
    Row(
        "coaching:note-share",
        _only({"teacher": 302, "coach": 403, "anonymous": LOGIN}),
        args=lambda w: [_note(w).pk],
        method="POST",
        data=lambda w: {"shared_with": w.campus_leader.pk},
        follow_up=_shared_only_by_teacher,
    ),
    Row(
        "coaching:note-share",
        everyone(405),
        args=lambda w: [_note(w).pk],
        label="get",
    ),
    Row(
        "coaching:share-revoke",
        _only({"teacher": 302, "campus_leader": 403, "anonymous": LOGIN}),
        args=lambda w: [_share(w).pk],
        method="POST",
        follow_up=_revoked_only_by_teacher,
    ),
    Row("coaching:share-revoke", everyone(405), args=lambda w: [_share(w).pk], label="get"),
]

# The coaching cycle (relationships, intake, scheduling) and the session screen, steps, goals, dashboards.
from trellis.coaching.tests.authz_cycle import ROWS as CYCLE_ROWS  # noqa: E402
from trellis.coaching.tests.authz_sessions import ROWS as SESSION_ROWS  # noqa: E402

ROWS += CYCLE_ROWS + SESSION_ROWS


# The district's library of cycle models and protocols: coaches read it, district admins edit their own.
def _shipped_model(world):
    from trellis.coaching.models import CycleModel

    return CycleModel.objects.get(district=None, key="see-name-do")


def _own_protocol(world):
    from trellis.coaching.services.library import protocol_save

    return protocol_save(
        actor=world.district_admin,
        district=world.district,
        name="Our check-in",
        purpose="check_in",
        steps=[{"label": "Wins", "minutes": 5, "prompts": ["What went well?"]}],
    )


_READERS = everyone(403, coach=200, facilitator=200, facilitator_no_grant=200, district_admin=200, other_admin=200)
_ADMINS = everyone(403, district_admin=200, other_admin=200)
ROWS += [
    Row("coaching:library", _READERS),
    Row("coaching:cycle-model-create", _ADMINS),
    Row(
        "coaching:cycle-model-edit",
        everyone(403, district_admin=403, other_admin=403),
        args=lambda w: [_shipped_model(w).pk],
        label="shipped",
    ),
    Row("coaching:protocol-create", _ADMINS),
    Row(
        "coaching:protocol-edit",
        everyone(403, district_admin=200, other_admin=404),
        args=lambda w: [_own_protocol(w).pk],
    ),
    Row(
        "coaching:library-offer",
        everyone(403, district_admin=302, other_admin=404),
        args=lambda w: ["protocol", _own_protocol(w).pk],
        method="POST",
        data=lambda w: {"offered": "0"},
    ),
    Row("coaching:library-offer", everyone(405), args=lambda w: ["protocol", _own_protocol(w).pk], label="get"),
]
