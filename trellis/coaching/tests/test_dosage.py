"""Leaders see that coaching happens (counts), never what is said in it."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse

from trellis.coaching import services as s
from trellis.coaching.models import CycleModel, Protocol
from trellis.orgs.selectors import leader_home


def test_leader_home_counts_sessions_and_relationships_without_content(world, client_for):
    zone = ZoneInfo(world.district.timezone)
    with time_machine.travel(datetime.datetime(2027, 3, 10, 9, tzinfo=zone), tick=False):
        rel = s.relationship_create(
            actor=world.coach, teachers=[world.teacher], cycle_model=CycleModel.objects.get(key="see-name-do")
        )
        rel = s.relationship_consent(actor=world.teacher, relationship=rel)
        protocol = Protocol.objects.get(district=None, key="see-name-do")
        for day in (2, 8):
            session = s.session_schedule(
                actor=world.coach,
                relationship=rel,
                starts_at=datetime.datetime(2027, 3, day, 15, 30, tzinfo=zone),
                protocol=protocol,
            )
            s.session_save_notes(actor=world.coach, session=session, notes={"see": "A private remark about pacing"})
            s.session_complete(actor=world.coach, session=session)
        # Held last month: not this month's dosage.
        old = s.session_schedule(
            actor=world.coach,
            relationship=rel,
            starts_at=datetime.datetime(2027, 2, 25, 15, 30, tzinfo=zone),
            protocol=protocol,
        )
        s.session_complete(actor=world.coach, session=old)
        data = leader_home(world.campus_leader, [world.campus.pk])
        assert (data["sessions_this_month"], data["relationships_active"]) == (2, 1)
        page = client_for(world.campus_leader).get(reverse("home")).content.decode()
        assert "coaching sessions held this month, in 1 active coaching relationship" in page
        assert "private remark" not in page
