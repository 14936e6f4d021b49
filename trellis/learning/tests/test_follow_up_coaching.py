"""Follow-up after PD counts held coaching sessions, not only coaching notes (counts only)."""

import datetime

from django.utils import timezone

from trellis.coaching import services as coaching
from trellis.coaching.models import CycleModel, Protocol
from trellis.learning import selectors
from trellis.learning import services as s


def test_held_coaching_sessions_count_as_follow_up(world):
    start = timezone.now() - datetime.timedelta(days=10)
    program = s.program_create(actor=None, owner=world.service_center, title="Literacy cohort")
    cohort = s.cohort_create(actor=None, program=program, name="Cohort 1", facilitators=[world.facilitator])
    session = s.session_create(
        actor=None,
        cohort=cohort,
        title="Day 1",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        facilitators=[world.facilitator],
    )
    s.registration_create(actor=None, session=session, participant=world.teacher)
    rel = coaching.relationship_create(
        actor=world.coach, teachers=[world.teacher], cycle_model=CycleModel.objects.get(key="see-name-do")
    )
    rel = coaching.relationship_consent(actor=world.teacher, relationship=rel)
    protocol = Protocol.objects.get(district=None, key="check-in")
    for days_ago in (5, 2):
        held = coaching.session_schedule(
            actor=world.coach,
            relationship=rel,
            starts_at=timezone.now() - datetime.timedelta(days=days_ago),
            protocol=protocol,
        )
        coaching.session_complete(actor=world.coach, session=held)
    before = coaching.session_schedule(
        actor=world.coach, relationship=rel, starts_at=start - datetime.timedelta(days=3), protocol=protocol
    )
    coaching.session_complete(actor=world.coach, session=before)
    [row] = selectors.follow_up(world.facilitator, session)
    assert row.covered is True
    assert row.coaching == 2
