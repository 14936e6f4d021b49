"""Day-before reminders: tomorrow on the district's clock, once per session, never for what will not happen."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from trellis.coaching import services
from trellis.coaching.models import CoachingSession
from trellis.coaching.tasks import send_coaching_reminders
from trellis.coaching.tests import cycle
from trellis.coaching.tests.cycle import local

pytestmark = pytest.mark.django_db

# 23:30 on 9 March in Chicago is already 05:30 on 10 March in UTC: "tomorrow" differs between the two.
LATE_EVENING = local(2027, 3, 9, 23, 30)


@pytest.fixture
def clock():
    with time_machine.travel(LATE_EVENING, tick=False) as traveller:
        yield traveller


def book(world, rel, when, coach=None):
    return services.session_schedule(
        actor=coach or world.coach, relationship=rel, starts_at=when, protocol=cycle.protocol("check-in")
    )


def remind() -> int:
    return send_coaching_reminders.call()


class TestTomorrow:
    def test_a_session_tomorrow_is_reminded_to_coach_and_teacher(self, world, clock, mailoutbox):
        rel = cycle.active(world, location="Room 12")
        session = book(world, rel, local(2027, 3, 10, 15, 0))
        assert remind() == 1
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["coach@a.example.org", "teacher@a.example.org"]
        assert message.subject == "Reminder: coaching session tomorrow at 15:00"
        assert "tomorrow" in message.body and "Cora Coach" in message.body and "Room 12" in message.body
        assert "3:00 PM" in message.body or "3:00 p.m." in message.body
        session.refresh_from_db()
        assert session.reminder_sent_at == LATE_EVENING

    def test_tomorrow_is_the_district_day_not_the_utc_day(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        tomorrow_morning = book(world, rel, local(2027, 3, 10, 0, 15))
        tomorrow_night = book(world, rel, local(2027, 3, 10, 23, 45))
        # 11 March 09:00 local is 15:00 UTC on 11 March: "tomorrow" by the UTC date, but the day after locally.
        day_after = book(world, rel, local(2027, 3, 11, 9, 0))
        later_today = book(world, rel, local(2027, 3, 9, 23, 50))
        assert remind() == 2
        assert len(mailoutbox) == 2
        reminded = set(CoachingSession.objects.filter(reminder_sent_at__isnull=False).values_list("pk", flat=True))
        assert reminded == {tomorrow_morning.pk, tomorrow_night.pk}
        assert day_after.pk not in reminded and later_today.pk not in reminded
        assert sorted(m.subject for m in mailoutbox) == [
            "Reminder: coaching session tomorrow at 00:15",
            "Reminder: coaching session tomorrow at 23:45",
        ]

    def test_the_session_the_day_after_is_reminded_the_next_evening(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        day_after = book(world, rel, local(2027, 3, 11, 9, 0))
        assert remind() == 0
        clock.move_to(local(2027, 3, 10, 18, 0))
        assert remind() == 1
        day_after.refresh_from_db()
        assert day_after.reminder_sent_at is not None
        assert len(mailoutbox) == 1

    def test_another_time_zone(self, world, clock, mailoutbox):
        # In Los Angeles it is 21:30 on 9 March; tomorrow there is 10 March.
        world.district.timezone = "America/Los_Angeles"
        world.district.save()
        rel = cycle.active(world)
        rel.refresh_from_db()
        from zoneinfo import ZoneInfo

        la = ZoneInfo("America/Los_Angeles")
        tomorrow = book(world, rel, datetime.datetime(2027, 3, 10, 22, 30, tzinfo=la))  # 00:30 on the 11th in Chicago
        book(world, rel, datetime.datetime(2027, 3, 11, 8, 0, tzinfo=la))
        assert remind() == 1
        tomorrow.refresh_from_db()
        assert tomorrow.reminder_sent_at is not None
        assert mailoutbox[0].subject == "Reminder: coaching session tomorrow at 22:30"

    def test_twice_sends_nothing_more(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        book(world, rel, local(2027, 3, 10, 15, 0))
        assert remind() == 1
        assert remind() == 0
        clock.shift(datetime.timedelta(hours=2))
        assert remind() == 0
        assert len(mailoutbox) == 1

    def test_a_group_reminds_every_active_member(self, world, clock, mailoutbox):
        others = cycle.extra_teachers(world, 2)
        rel = cycle.active(world, teachers=[world.teacher, *others])
        others[1].is_active = False
        others[1].save()
        book(world, rel, local(2027, 3, 10, 15, 0))
        assert remind() == 1
        assert sorted(mailoutbox[0].to) == sorted([world.coach.email, world.teacher.email, others[0].email])


class TestNoReminder:
    def test_not_for_a_cancelled_session(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        session = book(world, rel, local(2027, 3, 10, 15, 0))
        services.session_cancel(actor=world.teacher, session=session)
        assert remind() == 0
        assert mailoutbox == []

    def test_not_while_the_relationship_is_paused(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        session = book(world, rel, local(2027, 3, 10, 15, 0))
        services.relationship_pause(actor=world.coach, relationship=rel)
        assert remind() == 0
        assert mailoutbox == []
        session.refresh_from_db()
        assert session.reminder_sent_at is None
        # Resumed before the evening run: the reminder goes out.
        services.relationship_resume(actor=world.coach, relationship=rel)
        assert remind() == 1

    def test_not_after_the_relationship_ended(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        book(world, rel, local(2027, 3, 10, 15, 0))
        services.relationship_end(actor=world.teacher, relationship=rel)
        assert remind() == 0
        assert mailoutbox == []

    def test_only_the_right_relationship(self, world, clock, mailoutbox):
        paused = cycle.active(world, coach=world.facilitator)
        book(world, paused, local(2027, 3, 10, 9, 0), coach=world.facilitator)
        services.relationship_pause(actor=world.facilitator, relationship=paused)
        rel = cycle.active(world)
        book(world, rel, local(2027, 3, 10, 15, 0))
        assert remind() == 1
        assert mailoutbox[0].to == ["coach@a.example.org", "teacher@a.example.org"]

    def test_a_moved_session_is_reminded_at_its_new_time(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        session = book(world, rel, local(2027, 3, 10, 15, 0))
        assert remind() == 1
        services.session_reschedule(actor=world.coach, session=session, starts_at=local(2027, 3, 17, 15, 0))
        clock.move_to(local(2027, 3, 16, 19, 0))
        assert remind() == 1
        assert len(mailoutbox) == 2


class TestCommand:
    def test_the_command_queues_the_task(self, world, clock, mailoutbox):
        rel = cycle.active(world)
        session = book(world, rel, local(2027, 3, 10, 15, 0))
        out = StringIO()
        call_command("send_coaching_reminders", stdout=out)
        assert out.getvalue().startswith("Queued coaching reminders (")
        # The test backend runs the task as soon as it is queued.
        assert len(mailoutbox) == 1
        session.refresh_from_db()
        assert session.reminder_sent_at is not None
        call_command("send_coaching_reminders", stdout=StringIO())
        assert len(mailoutbox) == 1

    def test_the_command_enqueues_without_running_it_inline(self, world, clock, monkeypatch, mailoutbox):
        queued = []

        class Result:
            id = "task-42"

        class FakeTask:
            def enqueue(self, *args, **kwargs):
                queued.append((args, kwargs))
                return Result()

        monkeypatch.setattr(
            "trellis.coaching.management.commands.send_coaching_reminders.send_coaching_reminders", FakeTask()
        )
        book(world, cycle.active(world), local(2027, 3, 10, 15, 0))
        out = StringIO()
        call_command("send_coaching_reminders", stdout=out)
        assert queued == [((), {})]
        assert "task-42" in out.getvalue()
        assert mailoutbox == []
