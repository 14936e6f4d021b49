"""Authorization matrix rows for the learning pages (see tests/authz.py).

For now one page: the public certificate check. Everyone, signed in or not, reads a
certificate by its code; an unknown code is "not found" for everyone; it only answers GET.
"""

import datetime

from django.utils import timezone

from tests.authz import Row
from tests.personas import PERSONA_NAMES


def _certificate_code(world) -> list:
    """A certificate of ``teacher`` for a service-center session held last week (system work)."""
    from trellis.learning import services as s

    day = timezone.now() - datetime.timedelta(days=7)
    program = s.program_create(actor=None, owner=world.service_center, title="Literacy cohort")
    cohort = s.cohort_create(actor=None, program=program, name="Cohort 1")
    session = s.session_create(
        actor=None, cohort=cohort, title="Day 1", starts_at=day, ends_at=day + datetime.timedelta(hours=3)
    )
    registration = s.registration_create(actor=None, session=session, participant=world.teacher)
    s.attendance_mark(actor=None, registration=registration)
    return [s.certificate_issue(actor=None, cohort=cohort, participant=world.teacher).code]


ROWS = [
    Row("learning:verify", expect=dict.fromkeys(PERSONA_NAMES, 200), args=_certificate_code, label="valid"),
    Row(
        "learning:verify",
        expect=dict.fromkeys(PERSONA_NAMES, 404),
        args=lambda world: ["no-such-code"],
        label="unknown",
    ),
    Row(
        "learning:verify",
        expect=dict.fromkeys(PERSONA_NAMES, 405),
        args=_certificate_code,
        method="POST",
        label="post",
    ),
]

# The participant and district pages, and the program and facilitator pages.
from trellis.learning.tests.authz_participant import ROWS as PARTICIPANT_ROWS  # noqa: E402
from trellis.learning.tests.authz_running import ROWS as RUNNING_ROWS  # noqa: E402

ROWS += PARTICIPANT_ROWS + RUNNING_ROWS
