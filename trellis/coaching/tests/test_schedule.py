"""Cadence expansion across daylight-saving changes, and the schedule and session services."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.coaching import services
from trellis.coaching.cadence import expand, until_utc
from trellis.coaching.models import CoachingPolicy, CoachingSession, Protocol, SessionSeries, SessionStatus
from trellis.coaching.tests import cycle
from trellis.coaching.tests.cycle import CHICAGO, UTC, local

pytestmark = pytest.mark.django_db

D = datetime.date
H = datetime.timedelta(hours=1)
CST, CDT = datetime.timedelta(hours=-6), datetime.timedelta(hours=-5)
# In 2027 US daylight saving starts on 14 March and ends on 7 November.
NOW = local(2027, 2, 23, 9, 0)


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def wall(values) -> list[tuple]:
    return [(v.date(), v.hour, v.minute) for v in (x.astimezone(CHICAGO) for x in values)]


# Cadence -----------------------------------------------------------------------------


class TestExpand:
    def test_wall_time_is_kept_across_the_march_change(self):
        starts = expand(local(2027, 3, 2, 15, 30), tz="America/Chicago", interval_weeks=2, until=D(2027, 4, 13))
        assert [s.date() for s in starts] == [D(2027, 3, 2), D(2027, 3, 16), D(2027, 3, 30), D(2027, 4, 13)]
        assert all((s.hour, s.minute) == (15, 30) for s in starts)
        assert [s.utcoffset() for s in starts] == [CST, CDT, CDT, CDT]
        assert [s.astimezone(UTC).hour for s in starts] == [21, 20, 20, 20]

    def test_wall_time_is_kept_across_the_november_change(self):
        starts = expand(local(2027, 10, 19, 15, 30), tz="America/Chicago", interval_weeks=1, until=D(2027, 11, 16))
        assert [s.date() for s in starts] == [
            D(2027, 10, 19),
            D(2027, 10, 26),
            D(2027, 11, 2),
            D(2027, 11, 9),
            D(2027, 11, 16),
        ]
        assert all((s.hour, s.minute) == (15, 30) for s in starts)
        assert [s.utcoffset() for s in starts] == [CDT, CDT, CDT, CST, CST]

    def test_a_first_start_given_in_utc_is_read_on_the_local_clock(self):
        from_utc = expand(
            datetime.datetime(2027, 3, 2, 21, 30, tzinfo=UTC),
            tz="America/Chicago",
            interval_weeks=2,
            until=D(2027, 3, 30),
        )
        from_local = expand(local(2027, 3, 2, 15, 30), tz="America/Chicago", interval_weeks=2, until=D(2027, 3, 30))
        assert from_utc == from_local
        assert wall(from_utc) == [(D(2027, 3, 2), 15, 30), (D(2027, 3, 16), 15, 30), (D(2027, 3, 30), 15, 30)]

    def test_another_zone(self):
        # Europe changes on 28 March 2027: 16:00 stays 16:00 while the offset goes from +1 to +2.
        berlin = "Europe/Berlin"
        from zoneinfo import ZoneInfo

        first = datetime.datetime(2027, 3, 23, 16, 0, tzinfo=ZoneInfo(berlin))
        starts = expand(first, tz=berlin, interval_weeks=1, until=D(2027, 3, 30))
        assert [(s.hour, s.utcoffset()) for s in starts] == [(16, 1 * H), (16, 2 * H)]

    @pytest.mark.parametrize("skip", [D(2027, 3, 16), "2027-03-16"])
    def test_a_skipped_date_is_left_out(self, skip):
        starts = expand(
            local(2027, 3, 2, 15, 30), tz="America/Chicago", interval_weeks=2, until=D(2027, 4, 13), skip_dates=[skip]
        )
        assert [s.date() for s in starts] == [D(2027, 3, 2), D(2027, 3, 30), D(2027, 4, 13)]

    def test_until_on_an_occurrence_includes_it(self):
        starts = expand(local(2027, 3, 2, 15, 30), tz="America/Chicago", interval_weeks=2, until=D(2027, 3, 30))
        assert starts[-1] == local(2027, 3, 30, 15, 30)
        before = expand(local(2027, 3, 2, 15, 30), tz="America/Chicago", interval_weeks=2, until=D(2027, 3, 29))
        assert before[-1] == local(2027, 3, 16, 15, 30)

    def test_a_late_evening_occurrence_on_the_until_date_is_included(self):
        starts = expand(local(2027, 3, 2, 23, 45), tz="America/Chicago", interval_weeks=1, until=D(2027, 3, 9))
        assert starts == [local(2027, 3, 2, 23, 45), local(2027, 3, 9, 23, 45)]

    def test_until_utc_is_the_end_of_the_local_day(self):
        assert until_utc(D(2027, 3, 30), "America/Chicago") == datetime.datetime(2027, 3, 31, 4, 59, 59, tzinfo=UTC)
        assert until_utc(D(2027, 1, 5), "America/Chicago") == datetime.datetime(2027, 1, 6, 5, 59, 59, tzinfo=UTC)
        assert until_utc(D(2027, 1, 5), "America/Chicago").tzinfo == UTC


# Creating a schedule ----------------------------------------------------------------


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rel(world, now):
    return cycle.active(world, location="Room 12")


def create(world, rel, **kwargs):
    kwargs.setdefault("first_start", local(2027, 3, 2, 15, 30))
    kwargs.setdefault("until", D(2027, 5, 25))
    kwargs.setdefault("protocol", cycle.protocol())
    return services.schedule_create(actor=kwargs.pop("actor", world.coach), relationship=rel, **kwargs)


class TestScheduleCreate:
    def test_one_session_per_date(self, world, rel):
        series = create(world, rel, skip_dates=[D(2027, 4, 13)])
        sessions = list(series.sessions.order_by("starts_at"))
        assert wall(s.starts_at for s in sessions) == [
            (D(2027, 3, 2), 15, 30),
            (D(2027, 3, 16), 15, 30),
            (D(2027, 3, 30), 15, 30),
            (D(2027, 4, 27), 15, 30),
            (D(2027, 5, 11), 15, 30),
            (D(2027, 5, 25), 15, 30),
        ]
        assert [s.starts_at for s in sessions] == expand(
            series.first_start,
            tz="America/Chicago",
            interval_weeks=2,
            until=series.until,
            skip_dates=series.skip_dates,
        )
        for session in sessions:
            assert session.occurrence_start == session.starts_at
            assert not session.is_moved
            assert session.status == SessionStatus.SCHEDULED
            assert (session.relationship, session.district, session.series) == (rel, world.district, series)
            assert (session.protocol, session.minutes, session.location) == (cycle.protocol(), 30, "Room 12")
        assert (series.timezone, series.interval_weeks, series.minutes) == ("America/Chicago", 2, 30)
        assert series.skip_dates == ["2027-04-13"]
        assert series.sequence == 0 and series.stopped_at is None
        entry = AuditEntry.objects.get(action="coaching_schedule.create", object_id=str(rel.pk))
        assert entry.object_type == "coaching.relationship"

    def test_two_meetings_a_month_is_every_two_weeks(self, world, rel):
        assert create(world, rel).interval_weeks == 2

    def test_four_meetings_a_month_is_weekly(self, world, rel):
        services.relationship_update(actor=world.coach, relationship=rel, meetings_per_month=4)
        rel.refresh_from_db()
        series = create(world, rel, until=D(2027, 3, 23))
        assert series.interval_weeks == 1
        assert [s.starts_at.astimezone(CHICAGO).day for s in series.sessions.order_by("starts_at")] == [2, 9, 16, 23]

    def test_the_district_policy_sets_the_default(self, world, rel):
        CoachingPolicy.objects.create(district=world.district, meetings_per_month=4, meeting_minutes=45)
        series = create(world, rel)
        assert (series.interval_weeks, series.minutes) == (1, 45)
        assert set(series.sessions.values_list("minutes", flat=True)) == {45}

    def test_the_relationship_overrides_the_policy(self, world, rel):
        CoachingPolicy.objects.create(district=world.district, meetings_per_month=4)
        services.relationship_update(actor=world.coach, relationship=rel, meetings_per_month=1, meeting_minutes=50)
        rel.refresh_from_db()
        series = create(world, rel)
        assert (series.interval_weeks, series.minutes) == (4, 50)

    def test_an_explicit_interval_wins(self, world, rel):
        assert create(world, rel, interval_weeks=3).interval_weeks == 3

    def test_the_districts_time_zone_is_used(self, world, now):
        from zoneinfo import ZoneInfo

        world.district.timezone = "America/New_York"
        world.district.save()
        rel = cycle.active(world)
        rel.refresh_from_db()
        ny = ZoneInfo("America/New_York")
        series = create(world, rel, first_start=datetime.datetime(2027, 3, 2, 15, 30, tzinfo=ny), until=D(2027, 3, 16))
        assert series.timezone == "America/New_York"
        assert [
            (s.astimezone(ny).hour, s.astimezone(ny).minute)
            for s in series.sessions.values_list("starts_at", flat=True)
        ] == [(15, 30), (15, 30)]

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"first_start": local(2027, 2, 22, 15, 30)}, "first_start"),
            ({"first_start": NOW}, "first_start"),
            ({"until": D(2027, 3, 1)}, "until"),
            ({"until": D(2028, 3, 10)}, "until"),
            ({"interval_weeks": 9}, "interval_weeks"),
            ({"skip_dates": [D(2027, 3, 2), D(2027, 3, 16)], "until": D(2027, 3, 16)}, "skip_dates"),
            ({"minutes": 5}, "minutes"),
            ({"minutes": 181}, "minutes"),
        ],
    )
    def test_validation(self, world, rel, kwargs, field):
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, **kwargs)
        assert field in excinfo.value.message_dict
        assert not SessionSeries.objects.exists() and not CoachingSession.objects.exists()

    def test_the_error_messages(self, world, rel):
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, first_start=local(2027, 2, 1, 15, 30), until=D(2027, 1, 30), interval_weeks=12)
        assert excinfo.value.message_dict == {
            "first_start": ["The first session must be in the future."],
            "until": ["The schedule must end after its first session."],
            "interval_weeks": ["Choose every 1 to 8 weeks."],
        }
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, until=D(2028, 3, 10))
        assert excinfo.value.message_dict == {"until": ["Schedule at most a year ahead."]}

    def test_a_year_ahead_is_allowed(self, world, rel):
        series = create(world, rel, until=D(2028, 3, 1))
        assert series.sessions.count() == 27

    def test_one_running_schedule_per_relationship(self, world, rel, now):
        series = create(world, rel)
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, first_start=local(2027, 6, 1, 15, 30), until=D(2027, 6, 29))
        assert "already has a schedule running" in messages(excinfo)
        services.schedule_stop(actor=world.coach, series=series)
        assert create(world, rel, first_start=local(2027, 6, 1, 15, 30), until=D(2027, 6, 29)).sessions.count() == 3

    def test_until_the_first_day_gives_one_session(self, world, rel):
        assert create(world, rel, until=D(2027, 3, 2)).sessions.count() == 1

    def test_an_interval_of_zero_is_refused(self, world, rel):
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, interval_weeks=0)
        assert "interval_weeks" in excinfo.value.message_dict

    @pytest.mark.parametrize("persona", ["teacher", "facilitator", "district_admin"])
    def test_only_the_coach_schedules(self, world, rel, persona):
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, actor=world.persona(persona))
        assert "Only the coach schedules" in messages(excinfo)

    def test_a_proposed_relationship_is_not_scheduled(self, world, now):
        with pytest.raises(ValidationError) as excinfo:
            create(world, cycle.proposed(world))
        assert messages(excinfo) == "Sessions are scheduled while the relationship is active; it is proposed."

    def test_another_districts_protocol_is_refused(self, world, rel):
        theirs = Protocol.objects.create(district=world.district_b, key="theirs", name="Theirs", purpose="other")
        with pytest.raises(ValidationError) as excinfo:
            create(world, rel, protocol=theirs)
        assert "protocol" in excinfo.value.message_dict


class TestScheduleStop:
    def test_stopping_cancels_what_is_to_come(self, world, rel, now):
        series = create(world, rel)
        now.move_to(local(2027, 3, 20, 9, 0))
        cancelled = services.schedule_stop(actor=world.coach, series=series)
        series.refresh_from_db()
        assert cancelled == 5
        statuses = dict(series.sessions.values_list("starts_at", "status"))
        assert statuses[local(2027, 3, 2, 15, 30)] == SessionStatus.SCHEDULED
        assert statuses[local(2027, 3, 16, 15, 30)] == SessionStatus.SCHEDULED
        assert sorted(s for s, st in statuses.items() if st == SessionStatus.CANCELLED)[0] == local(2027, 3, 30, 15, 30)
        assert series.stopped_at == timezone.now()
        assert series.until == D(2027, 3, 20)
        assert series.sequence == 1
        with pytest.raises(ValidationError) as excinfo:
            services.schedule_stop(actor=world.coach, series=series)
        assert "already ended" in messages(excinfo)

    def test_only_the_coach_stops_it(self, world, rel):
        series = create(world, rel)
        with pytest.raises(ValidationError):
            services.schedule_stop(actor=world.teacher, series=series)
        series.refresh_from_db()
        assert series.stopped_at is None


# Single sessions -----------------------------------------------------------------------


class TestSessions:
    def test_every_session_write_works(self, world, rel, now):
        """Each write that locks a session row, once: on PostgreSQL too (the production database)."""
        first, second, third = create(world, rel, until=D(2027, 3, 30)).sessions.order_by("starts_at")
        services.session_save_notes(actor=world.coach, session=first, notes={"see": "Model"})
        services.session_reschedule(actor=world.coach, session=second, starts_at=local(2027, 3, 17, 15, 30))
        services.session_cancel(actor=world.coach, session=third)
        now.move_to(local(2027, 3, 2, 16, 0))
        services.session_mark_missed(actor=world.coach, session=first)
        assert services.session_complete(actor=world.coach, session=first).status == SessionStatus.HELD

    def test_a_one_off_session(self, world, rel):
        session = services.session_schedule(
            actor=world.coach,
            relationship=rel,
            starts_at=local(2027, 2, 25, 10, 0),
            protocol=cycle.protocol("intake"),
            location="  Library ",
        )
        assert session.series is None and session.occurrence_start is None
        assert (session.location, session.minutes, session.sequence) == ("Library", 30, 0)

    def test_a_session_from_long_ago_is_refused(self, world, rel):
        with pytest.raises(ValidationError) as excinfo:
            services.session_schedule(
                actor=world.coach,
                relationship=rel,
                starts_at=NOW - datetime.timedelta(days=31),
                protocol=cycle.protocol(),
            )
        assert "starts_at" in excinfo.value.message_dict

    def test_reschedule_moves_one_session_and_raises_its_sequence(self, world, rel):
        series = create(world, rel)
        session = series.sessions.order_by("starts_at")[2]
        moved = services.session_reschedule(actor=world.coach, session=session, starts_at=local(2027, 3, 31, 16, 0))
        assert moved.starts_at == local(2027, 3, 31, 16, 0)
        assert moved.occurrence_start == local(2027, 3, 30, 15, 30)
        assert moved.is_moved and moved.sequence == 1
        moved = services.session_reschedule(actor=world.coach, session=moved, starts_at=local(2027, 4, 1, 16, 0))
        assert moved.sequence == 2 and moved.occurrence_start == local(2027, 3, 30, 15, 30)
        # The other sessions stay where the rule put them.
        assert series.sessions.exclude(pk=moved.pk).filter(starts_at=F("occurrence_start")).count() == 6

    def test_reschedule_into_the_past_is_refused(self, world, rel):
        session = create(world, rel).sessions.first()
        with pytest.raises(ValidationError) as excinfo:
            services.session_reschedule(actor=world.coach, session=session, starts_at=NOW - H)
        assert "starts_at" in excinfo.value.message_dict

    def test_only_the_coach_reschedules(self, world, rel):
        session = create(world, rel).sessions.first()
        with pytest.raises(ValidationError):
            services.session_reschedule(actor=world.teacher, session=session, starts_at=local(2027, 3, 3, 15, 30))

    def test_the_teacher_may_cancel_an_outsider_may_not(self, world, rel):
        series = create(world, rel)
        first, second = series.sessions.order_by("starts_at")[:2]
        with pytest.raises(ValidationError):
            services.session_cancel(actor=world.campus_leader, session=first)
        cancelled = services.session_cancel(actor=world.teacher, session=first, reason="  Field trip ")
        assert (cancelled.status, cancelled.cancel_reason) == (SessionStatus.CANCELLED, "Field trip")
        series.refresh_from_db()
        assert series.sequence == 1
        services.session_cancel(actor=world.coach, session=second)
        series.refresh_from_db()
        assert series.sequence == 2
        with pytest.raises(ValidationError) as excinfo:
            services.session_cancel(actor=world.coach, session=first)
        assert "only a scheduled session is cancelled" in messages(excinfo)
        with pytest.raises(ValidationError):
            services.session_reschedule(actor=world.coach, session=first, starts_at=local(2027, 3, 3, 15, 30))

    def test_held_and_missed(self, world, rel, now):
        series = create(world, rel)
        first, second, third = series.sessions.order_by("starts_at")[:3]
        with pytest.raises(ValidationError) as excinfo:
            services.session_complete(actor=world.coach, session=first)
        assert "on or after its start time" in messages(excinfo)
        with pytest.raises(ValidationError):
            services.session_mark_missed(actor=world.coach, session=first)
        now.move_to(local(2027, 3, 2, 16, 0))
        with pytest.raises(ValidationError):
            services.session_complete(actor=world.teacher, session=first)
        held = services.session_complete(actor=world.coach, session=first, next_steps="Rehearse the routine")
        assert held.status == SessionStatus.HELD and held.held_at == timezone.now()
        now.move_to(local(2027, 3, 16, 16, 0))
        missed = services.session_mark_missed(actor=world.coach, session=second)
        assert missed.status == SessionStatus.NO_SHOW
        # A missed session can still be recorded as held later.
        assert services.session_complete(actor=world.coach, session=missed).status == SessionStatus.HELD
        with pytest.raises(ValidationError):
            services.session_complete(actor=world.coach, session=held)
        services.session_cancel(actor=world.coach, session=third)
        with pytest.raises(ValidationError):
            services.session_complete(actor=world.coach, session=third)

    def test_session_notes_follow_the_protocol(self, world, rel):
        session = create(world, rel).sessions.first()
        session = services.session_save_notes(actor=world.coach, session=session, notes={"see": " The model "})
        session = services.session_save_notes(actor=world.coach, session=session, notes={"do": "Rehearsed twice"})
        assert session.step_notes == {"see": "The model", "do": "Rehearsed twice"}
        with pytest.raises(ValidationError):
            services.session_save_notes(actor=world.coach, session=session, notes={"nope": "x"})
        with pytest.raises(ValidationError):
            services.session_save_notes(actor=world.coach, session=session, notes={"see": "x" * 8001})
        with pytest.raises(ValidationError):
            services.session_save_notes(actor=world.teacher, session=session, notes={"see": "Mine"})
        entry = AuditEntry.objects.filter(action="coaching_session.notes", object_id=str(session.pk)).first()
        assert "Rehearsed" not in f"{entry.before} {entry.after} {entry.object_repr}"
