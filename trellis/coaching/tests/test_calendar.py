"""Calendar invitations and the personal feed, read back the way calendar clients read them.

Every check parses the iCalendar text that leaves Trellis (the email's .ics
attachment and its text/calendar part, or the feed) and expands it with
``recurring_ical_events``: what a person's calendar shows must be exactly the
sessions Trellis holds.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from trellis.accounts.services import calendar_feed_create, calendar_feed_revoke
from trellis.coaching import services
from trellis.coaching.models import SessionStatus
from trellis.coaching.tests import cycle
from trellis.coaching.tests.cycle import CHICAGO, local, occurrences, starts, vevents
from trellis.orgs.factories import CaseloadFactory, PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = local(2027, 2, 23, 9, 0)
FIRST = local(2027, 3, 2, 15, 30)
UNTIL = D(2027, 5, 25)
SKIP = D(2027, 4, 13)
WINDOW = (D(2027, 2, 1), D(2027, 7, 1))
STEP_TITLE = "Cold call after think time"
NOTES = "Ana worried about the parent meeting"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rel(world, now):
    return cycle.active(world, location="Room 12", title="Ana and Cora")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service and deliver the emails it queues on commit."""

    def run(func, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(**kwargs)

    return run


@pytest.fixture
def series(world, rel, send):
    return send(
        services.schedule_create,
        actor=world.coach,
        relationship=rel,
        first_start=FIRST,
        until=UNTIL,
        protocol=cycle.protocol(),
        interval_weeks=2,
        skip_dates=[SKIP],
    )


def scheduled_starts(series_or_rel) -> list[datetime.datetime]:
    return sorted(series_or_rel.sessions.filter(status=SessionStatus.SCHEDULED).values_list("starts_at", flat=True))


def sessions(series):
    return list(series.sessions.order_by("occurrence_start"))


def only_event(cal: Calendar):
    events = vevents(cal)
    assert len(events) == 1, events
    return events[0]


def sequence_of(event) -> int:
    return int(event.get("sequence"))


def series_view(series) -> Calendar:
    """The series as it stands now, as the personal feed and any re-sent invitation write it."""
    from trellis.coaching.calendar import series_events
    from trellis.lib.ical import calendar_bytes

    series.refresh_from_db()
    return Calendar.from_ical(calendar_bytes(series_events(series, list(series.sessions.all()))))


def merge(*cals: Calendar) -> Calendar:
    """What a client holds after applying these messages in order (same UID and RECURRENCE-ID replace)."""
    held = {}
    for cal in cals:
        for event in vevents(cal):
            rid = event.get("recurrence-id")
            key = (str(event["uid"]), rid.dt if rid else None)
            if str(event.get("status", "")).upper() == "CANCELLED" and rid is not None:
                master = held[(str(event["uid"]), None)]
                master.add("exdate", rid.dt)
                held.pop(key, None)
                continue
            held[key] = event
    out = Calendar()
    out.add("prodid", "-//test//EN")
    out.add("version", "2.0")
    for event in held.values():
        out.add_component(event)
    return out


# The invitation ----------------------------------------------------------------------------


class TestSeriesInvitation:
    def test_one_email_to_coach_and_teacher_with_the_calendar_twice(self, world, series, mailoutbox):
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == ["coach@a.example.org", "teacher@a.example.org"]
        alternative = [a for a in message.alternatives if a[1].startswith("text/calendar")][0]
        assert alternative[1] == "text/calendar; method=REQUEST; charset=UTF-8"
        attachment, part = cycle.ics_parts(message)
        assert attachment.to_ical() == part.to_ical()
        assert str(attachment["method"]) == "REQUEST"
        assert str(attachment["version"]) == "2.0" and attachment["prodid"]

    def test_the_occurrences_are_the_sessions(self, world, series, mailoutbox):
        cal = cycle.ics_of(mailoutbox[0])
        shown = starts(occurrences(cal, *WINDOW))
        assert shown == scheduled_starts(series)
        assert len(shown) == 6
        # 15:30 on the wall clock on both sides of the change to daylight saving time on 14 March.
        assert {(s.astimezone(CHICAGO).hour, s.astimezone(CHICAGO).minute) for s in shown} == {(15, 30)}
        assert [s.utcoffset() for s in shown][:2] == [datetime.timedelta(hours=-6), datetime.timedelta(hours=-5)]
        assert SKIP not in [s.date() for s in shown]

    def test_the_event_is_well_formed(self, world, series, mailoutbox):
        cal = cycle.ics_of(mailoutbox[0])
        event = only_event(cal)
        assert str(event["uid"]).startswith(f"coaching-series-{series.pk}@")
        assert sequence_of(event) == 0
        dtstart = event["dtstart"]
        assert dtstart.params["TZID"] == "America/Chicago"
        assert dtstart.dt.tzinfo is not None
        assert dtstart.dt == FIRST
        assert event["dtend"].params["TZID"] == "America/Chicago"
        assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=30)
        assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["America/Chicago"]
        rrule = event["rrule"]
        assert rrule["FREQ"] == ["WEEKLY"] and rrule["INTERVAL"] == [2]
        assert rrule["UNTIL"][0] == datetime.datetime(2027, 5, 26, 4, 59, 59, tzinfo=datetime.UTC)
        exdates = [
            d.dt
            for ex in ([event["exdate"]] if not isinstance(event["exdate"], list) else event["exdate"])
            for d in ex.dts
        ]
        assert exdates == [local(2027, 4, 13, 15, 30)]
        assert str(event["organizer"]) == "mailto:coach@a.example.org"
        assert event["organizer"].params["CN"] == "Cora Coach"
        attendees = event["attendee"] if isinstance(event["attendee"], list) else [event["attendee"]]
        assert [str(a) for a in attendees] == ["mailto:teacher@a.example.org"]
        assert attendees[0].params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendees[0].params["RSVP"] == "TRUE"
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["location"]) == "Room 12"
        assert str(event["url"]).endswith(reverse("coaching:relationship-detail", args=[series.relationship.pk]))

    def test_the_ics_text_has_tzid_and_no_floating_times(self, series, mailoutbox):
        text = cycle.ics_of(mailoutbox[0]).to_ical().decode()
        assert "BEGIN:VTIMEZONE" in text
        assert "DTSTART;TZID=America/Chicago:20270302T153000" in text
        assert "EXDATE;TZID=America/Chicago:20270413T153000" in text
        in_event, checked = False, 0
        for line in text.splitlines():
            if line in ("BEGIN:VEVENT", "END:VEVENT"):
                in_event = line == "BEGIN:VEVENT"
            elif in_event and line.startswith(("DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID")):
                # Never a floating time: a zone, or UTC.
                assert ";TZID=America/Chicago:" in line or line.endswith("Z"), line
                checked += 1
        assert checked == 3

    def test_a_group_invites_every_teacher(self, world, now, send, mailoutbox):
        others = cycle.extra_teachers(world, 2)
        rel = cycle.active(world, teachers=[world.teacher, *others])
        send(
            services.schedule_create,
            actor=world.coach,
            relationship=rel,
            first_start=FIRST,
            until=D(2027, 3, 30),
            protocol=cycle.protocol(),
        )
        event = only_event(cycle.ics_of(mailoutbox[0]))
        assert sorted(str(a) for a in event["attendee"]) == sorted(
            f"mailto:{p.email}" for p in [world.teacher, *others]
        )
        assert sorted(mailoutbox[0].to) == sorted([world.coach.email, world.teacher.email, *(p.email for p in others)])


class TestChanges:
    def test_a_moved_session_is_an_override_with_its_recurrence_id(self, world, series, send, mailoutbox):
        target = sessions(series)[2]  # 30 March
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 31, 16, 0))
        assert len(mailoutbox) == 2
        update = cycle.ics_of(mailoutbox[1])
        assert str(update["method"]) == "REQUEST"
        event = only_event(update)
        assert str(event["uid"]) == str(only_event(cycle.ics_of(mailoutbox[0]))["uid"])
        assert event["recurrence-id"].dt == local(2027, 3, 30, 15, 30)
        assert event["recurrence-id"].params["TZID"] == "America/Chicago"
        assert event["dtstart"].dt == local(2027, 3, 31, 16, 0)
        assert sequence_of(event) > 0
        # The client's calendar: the invitation with the update applied.
        held = merge(cycle.ics_of(mailoutbox[0]), update)
        assert starts(occurrences(held, *WINDOW)) == scheduled_starts(series)
        assert local(2027, 3, 31, 16, 0) in scheduled_starts(series)
        # The series as written now (feed, re-sent invitation) shows the same.
        assert starts(occurrences(series_view(series), *WINDOW)) == scheduled_starts(series)

    def test_a_cancelled_session_is_a_cancel_and_then_an_exdate(self, world, series, send, mailoutbox):
        target = sessions(series)[3]  # 27 April
        send(services.session_cancel, actor=world.teacher, session=target, reason="Testing week")
        assert len(mailoutbox) == 2
        assert mailoutbox[1].subject.startswith("Cancelled")
        assert mailoutbox[1].to == ["coach@a.example.org", "teacher@a.example.org"]
        part = [a for a in mailoutbox[1].alternatives if a[1].startswith("text/calendar")][0]
        assert part[1] == "text/calendar; method=CANCEL; charset=UTF-8"
        cancel = cycle.ics_of(mailoutbox[1])
        assert str(cancel["method"]) == "CANCEL"
        event = only_event(cancel)
        assert str(event["status"]) == "CANCELLED"
        assert event["recurrence-id"].dt == local(2027, 4, 27, 15, 30)
        assert str(event["uid"]) == str(only_event(cycle.ics_of(mailoutbox[0]))["uid"])
        assert sequence_of(event) > 0
        assert "Testing week" not in cancel.to_ical().decode()
        # In the series as written now, the date is an exception.
        view = series_view(series)
        master = [e for e in vevents(view) if e.get("recurrence-id") is None][0]
        exdates = [d.dt for ex in master["exdate"] for d in ex.dts]
        assert local(2027, 4, 27, 15, 30) in exdates
        shown = starts(occurrences(view, *WINDOW))
        assert shown == scheduled_starts(series)
        assert local(2027, 4, 27, 15, 30) not in shown
        assert starts(occurrences(merge(cycle.ics_of(mailoutbox[0]), cancel), *WINDOW)) == shown

    def test_move_and_cancel_together(self, world, series, send, mailoutbox):
        first, second, third, fourth, *_ = sessions(series)
        send(services.session_reschedule, actor=world.coach, session=second, starts_at=local(2027, 3, 17, 8, 0))
        send(services.session_cancel, actor=world.coach, session=fourth)
        send(services.session_reschedule, actor=world.coach, session=first, starts_at=local(2027, 3, 2, 16, 0))
        messages = [cycle.ics_of(m) for m in mailoutbox]
        expected = scheduled_starts(series)
        assert len(expected) == 5
        assert starts(occurrences(merge(*messages), *WINDOW)) == expected
        assert starts(occurrences(series_view(series), *WINDOW)) == expected
        uids = {str(e["uid"]) for cal in messages for e in vevents(cal)}
        assert len(uids) == 1

    def test_a_reschedule_twice_raises_the_sequence_each_time(self, world, series, send, mailoutbox):
        target = sessions(series)[1]
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 17, 8, 0))
        target.refresh_from_db()
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 18, 8, 0))
        seqs = [sequence_of(only_event(cycle.ics_of(m))) for m in mailoutbox]
        assert seqs[0] < seqs[1] < seqs[2]

    def test_stopping_the_schedule_resends_it_with_a_higher_sequence(self, world, series, send, mailoutbox, now):
        now.move_to(local(2027, 3, 20, 9, 0))
        send(services.schedule_stop, actor=world.coach, series=series)
        assert len(mailoutbox) == 2
        before, after = (only_event(cycle.ics_of(m)) for m in mailoutbox)
        assert str(after["uid"]) == str(before["uid"])
        assert sequence_of(after) > sequence_of(before)
        shown = starts(occurrences(cycle.ics_of(mailoutbox[1]), *WINDOW))
        assert shown == scheduled_starts(series) == [local(2027, 3, 2, 15, 30), local(2027, 3, 16, 15, 30)]

    def test_every_message_about_the_series_has_a_higher_sequence(self, world, series, send, mailoutbox):
        first, second, third, *_ = sessions(series)
        send(services.session_reschedule, actor=world.coach, session=second, starts_at=local(2027, 3, 17, 8, 0))
        send(services.session_cancel, actor=world.coach, session=third)
        send(services.session_reschedule, actor=world.coach, session=first, starts_at=local(2027, 3, 3, 8, 0))
        seqs = [sequence_of(only_event(cycle.ics_of(m))) for m in mailoutbox]
        assert len(seqs) == 4
        assert all(a < b for a, b in zip(seqs, seqs[1:], strict=False)), seqs

    def test_cancelling_a_moved_session_outranks_the_move(self, world, series, send, mailoutbox):
        target = sessions(series)[2]
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 31, 16, 0))
        target.refresh_from_db()
        send(services.session_cancel, actor=world.coach, session=target)
        moved, cancelled = (only_event(cycle.ics_of(m)) for m in mailoutbox[1:])
        assert moved["recurrence-id"].dt == cancelled["recurrence-id"].dt
        assert sequence_of(cancelled) > sequence_of(moved)

    def test_moving_a_session_back_tells_calendars(self, world, series, send, mailoutbox):
        target = sessions(series)[2]
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 31, 16, 0))
        target.refresh_from_db()
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=local(2027, 3, 30, 15, 30))
        assert len(mailoutbox) == 3
        held = merge(*(cycle.ics_of(m) for m in mailoutbox))
        assert starts(occurrences(held, *WINDOW)) == scheduled_starts(series)

    def test_a_longer_session_is_an_override_too(self, world, series, send, mailoutbox):
        target = sessions(series)[1]
        send(services.session_reschedule, actor=world.coach, session=target, starts_at=target.starts_at, minutes=60)
        event = only_event(cycle.ics_of(mailoutbox[1]))
        assert event["recurrence-id"].dt == target.occurrence_start
        assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=60)

    def test_a_new_place_for_one_session_reaches_calendars(self, world, series, send, mailoutbox):
        target = sessions(series)[1]
        send(
            services.session_reschedule,
            actor=world.coach,
            session=target,
            starts_at=target.starts_at,
            location="Gym",
        )
        assert len(mailoutbox) == 2
        assert str(only_event(cycle.ics_of(mailoutbox[1]))["location"]) == "Gym"
        overrides = [e for e in vevents(series_view(series)) if e.get("recurrence-id") is not None]
        assert [str(e["location"]) for e in overrides] == ["Gym"]

    def test_ending_the_relationship_updates_the_series(self, world, rel, series, send, mailoutbox, now):
        now.move_to(local(2027, 3, 20, 9, 0))
        send(services.relationship_end, actor=world.coach, relationship=rel)
        assert len(mailoutbox) == 2
        before, after = (only_event(cycle.ics_of(m)) for m in mailoutbox)
        assert str(cycle.ics_of(mailoutbox[1])["method"]) == "REQUEST"
        assert str(after["uid"]) == str(before["uid"])
        assert sequence_of(after) > sequence_of(before)
        shown = starts(occurrences(cycle.ics_of(mailoutbox[1]), *WINDOW))
        assert shown == scheduled_starts(series) == [local(2027, 3, 2, 15, 30), local(2027, 3, 16, 15, 30)]

    def test_ending_the_relationship_cancels_a_one_off_in_calendars(self, world, rel, send, mailoutbox):
        send(
            services.session_schedule,
            actor=world.coach,
            relationship=rel,
            starts_at=local(2027, 2, 26, 10, 0),
            protocol=cycle.protocol("intake"),
        )
        invited = only_event(cycle.ics_of(mailoutbox[0]))
        send(services.relationship_end, actor=world.coach, relationship=rel)
        assert len(mailoutbox) == 2
        cancel = cycle.ics_of(mailoutbox[1])
        assert str(cancel["method"]) == "CANCEL"
        event = only_event(cancel)
        assert str(event["uid"]) == str(invited["uid"])
        assert str(event["status"]) == "CANCELLED"
        assert sequence_of(event) > sequence_of(invited)


class TestOneOffSessions:
    def test_own_uid_request_then_cancel(self, world, rel, send, mailoutbox):
        session = send(
            services.session_schedule,
            actor=world.coach,
            relationship=rel,
            starts_at=local(2027, 2, 26, 10, 0),
            protocol=cycle.protocol("intake"),
            minutes=45,
            location="Library",
        )
        invite = cycle.ics_of(mailoutbox[0])
        assert str(invite["method"]) == "REQUEST"
        event = only_event(invite)
        assert str(event["uid"]).startswith(f"coaching-session-{session.pk}@")
        assert "rrule" not in event and "recurrence-id" not in event
        assert event["dtstart"].params["TZID"] == "America/Chicago"
        assert event["dtstart"].dt == local(2027, 2, 26, 10, 0)
        assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=45)
        assert str(event["location"]) == "Library"
        assert invite.walk("VTIMEZONE")
        assert starts(occurrences(invite, *WINDOW)) == [local(2027, 2, 26, 10, 0)]

        send(services.session_reschedule, actor=world.coach, session=session, starts_at=local(2027, 2, 27, 9, 0))
        moved = only_event(cycle.ics_of(mailoutbox[1]))
        assert str(moved["uid"]) == str(event["uid"])
        assert moved["dtstart"].dt == local(2027, 2, 27, 9, 0)
        assert sequence_of(moved) > sequence_of(event)

        session.refresh_from_db()
        send(services.session_cancel, actor=world.coach, session=session)
        cancel = cycle.ics_of(mailoutbox[2])
        assert str(cancel["method"]) == "CANCEL"
        cancelled = only_event(cancel)
        assert str(cancelled["uid"]) == str(event["uid"])
        assert str(cancelled["status"]) == "CANCELLED"
        assert sequence_of(cancelled) > sequence_of(moved)
        part = [a for a in mailoutbox[2].alternatives if a[1].startswith("text/calendar")][0]
        assert "method=CANCEL" in part[1]

    def test_a_session_recorded_afterwards_sends_no_invitation(self, world, rel, send, mailoutbox):
        send(
            services.session_schedule,
            actor=world.coach,
            relationship=rel,
            starts_at=NOW - datetime.timedelta(days=1),
            protocol=cycle.protocol("check-in"),
        )
        assert mailoutbox == []


class TestPrivacy:
    def test_summary_names_the_meeting_never_its_content(self, world, rel, series, send, mailoutbox):
        step = services.step_propose(actor=world.coach, teacher=world.teacher, title=STEP_TITLE, relationship=rel)
        first = sessions(series)[0]
        services.session_save_notes(actor=world.coach, session=first, notes={"see": NOTES})
        send(services.session_reschedule, actor=world.coach, session=first, starts_at=local(2027, 3, 3, 15, 30))
        texts = [cycle.ics_of(m).to_ical().decode() for m in mailoutbox] + [series_view(series).to_ical().decode()]
        for cal in [cycle.ics_of(m) for m in mailoutbox] + [series_view(series)]:
            for event in vevents(cal):
                assert str(event["summary"]) == "Coaching: Cora Coach"
                assert "description" not in event
        for text in texts:
            for secret in (STEP_TITLE, NOTES, step.title, "Ana and Cora"):
                assert secret not in text


# The personal feed -------------------------------------------------------------------------------


def feed(client_for, token):
    return client_for(None).get(reverse("accounts:calendar-feed", args=[token]))


def feed_calendar(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


class TestFeed:
    def test_a_teacher_sees_every_session_of_theirs(self, world, rel, series, send, client_for):
        fac_rel = cycle.active(world, coach=world.facilitator)
        fac_session = services.session_schedule(
            actor=world.facilitator,
            relationship=fac_rel,
            starts_at=local(2027, 3, 4, 9, 0),
            protocol=cycle.protocol("check-in"),
        )
        moved = sessions(series)[1]
        services.session_reschedule(actor=world.coach, session=moved, starts_at=local(2027, 3, 17, 8, 0))
        services.session_cancel(actor=world.coach, session=sessions(series)[4])
        token = calendar_feed_create(actor=world.teacher)
        cal = feed_calendar(feed(client_for, token))
        shown = starts(occurrences(cal, *WINDOW))
        assert shown == sorted([*scheduled_starts(series), fac_session.starts_at])
        assert cal.walk("VTIMEZONE")
        for event in vevents(cal):
            assert event["dtstart"].params["TZID"] == "America/Chicago"

    def test_a_coach_sees_sessions_as_coach_and_as_teacher(self, world, rel, series, client_for):
        mentor = PersonFactory(full_name="Mo Mentor", email="mentor@a.example.org", district=world.district)
        CaseloadFactory(coach=mentor, teacher=world.coach)
        mentoring = cycle.active(world, coach=mentor, teachers=[world.coach])
        mentored = services.session_schedule(
            actor=mentor,
            relationship=mentoring,
            starts_at=local(2027, 3, 5, 14, 0),
            protocol=cycle.protocol("check-in"),
        )
        token = calendar_feed_create(actor=world.coach)
        shown = starts(occurrences(feed_calendar(feed(client_for, token)), *WINDOW))
        assert shown == sorted([*scheduled_starts(series), mentored.starts_at])
        # The teacher does not see the coach's own coaching.
        teacher_token = calendar_feed_create(actor=world.teacher)
        assert mentored.starts_at not in starts(occurrences(feed_calendar(feed(client_for, teacher_token)), *WINDOW))

    @pytest.mark.parametrize("persona", ["teacher_other_campus", "campus_leader", "district_admin", "facilitator"])
    def test_another_persons_sessions_never_appear(self, world, series, client_for, persona):
        token = calendar_feed_create(actor=world.persona(persona))
        cal = feed_calendar(feed(client_for, token))
        assert vevents(cal) == []

    def test_revoked_wrong_and_replaced_addresses_are_404(self, world, series, client_for):
        token = calendar_feed_create(actor=world.teacher)
        assert feed(client_for, token).status_code == 200
        assert feed(client_for, token[:-2] + "xx").status_code == 404
        assert feed(client_for, "not-a-token").status_code == 404
        new_token = calendar_feed_create(actor=world.teacher)
        assert feed(client_for, token).status_code == 404
        assert feed(client_for, new_token).status_code == 200
        assert calendar_feed_revoke(actor=world.teacher) == 1
        assert feed(client_for, new_token).status_code == 404

    def test_an_inactive_person_has_no_feed(self, world, series, client_for):
        token = calendar_feed_create(actor=world.teacher)
        world.teacher.is_active = False
        world.teacher.save()
        assert feed(client_for, token).status_code == 404

    def test_the_feed_is_not_cached_and_not_an_attachment(self, world, series, client_for):
        response = feed(client_for, calendar_feed_create(actor=world.teacher))
        assert "no-store" in response["Cache-Control"]
        assert "attachment" not in response.get("Content-Disposition", "")

    def test_a_revoked_grant_empties_the_facilitators_feed(self, world, now, client_for):
        from trellis.orgs.services import grant_revoke

        fac_rel = cycle.active(world, coach=world.facilitator)
        services.session_schedule(
            actor=world.facilitator,
            relationship=fac_rel,
            starts_at=local(2027, 3, 4, 9, 0),
            protocol=cycle.protocol("check-in"),
        )
        token = calendar_feed_create(actor=world.facilitator)
        assert len(vevents(feed_calendar(feed(client_for, token)))) == 1
        grant_revoke(actor=world.district_admin, grant=world.grant)
        cal = feed_calendar(feed(client_for, token))
        assert vevents(cal) == []
        assert "teacher@a.example.org" not in cal.to_ical().decode()
