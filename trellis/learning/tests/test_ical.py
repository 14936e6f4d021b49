"""Calendar invitations, read back with ``icalendar``: one UID per session, SEQUENCE rising on every
change of time or place and on every message to the same person, CANCEL on cancellation, the feed."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from icalendar import Calendar

from trellis.learning import services as s
from trellis.learning.calendar import feed_events, registration_ics
from trellis.lib.ical import calendar_bytes, uid_for
from trellis.lib.ical import feed_events as all_feed_events

pytestmark = pytest.mark.django_db


def parsed(message):
    """The VCALENDAR of an invitation email (its text/calendar part), and its one VEVENT."""
    content, mimetype = message.alternatives[0]
    assert mimetype.startswith("text/calendar; method=")
    calendar = Calendar.from_ical(content)
    attachment = message.attachments[0]
    assert attachment[0] == "invite.ics" and Calendar.from_ical(attachment[1]) == calendar
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0], mimetype


def test_invitation_on_a_seat(world, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s.registration_create(actor=world.teacher, session=session)
    calendar, event, mimetype = parsed(mail.outbox[0])
    assert mimetype == "text/calendar; method=REQUEST; charset=UTF-8"
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == uid_for("learning-session", session.pk)
    assert event["SEQUENCE"] == 0
    start = event.decoded("DTSTART")
    assert start == session.starts_at and start.tzinfo.key == "America/Chicago" and start.hour == 9
    assert event.decoded("DTEND") == session.ends_at
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Chicago"
    assert str(event["ATTENDEE"]) == "mailto:teacher@a.example.org"
    assert (
        str(event["ORGANIZER"]).startswith("mailto:") and event["ORGANIZER"].params["CN"] == world.service_center.name
    )
    assert str(event["SUMMARY"]) == "Year-long literacy cohort: Read-alouds that build talk"
    assert str(event["LOCATION"]) == "Prairie RSC, Room 4"
    assert "Plan two turn-and-talk stops" in str(event["DESCRIPTION"])
    # No person's name in what a shared calendar shows.
    assert "Ana" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


def test_waiting_gets_no_invitation(world, session, django_capture_on_commit_callbacks):
    for person in (world.teacher, world.coach, world.teacher_other_campus):
        s.registration_create(actor=person, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        s.registration_create(actor=world.teacher_b, session=session)
    assert mail.outbox[0].alternatives == [] and mail.outbox[0].attachments == []
    assert "waiting list" in mail.outbox[0].subject


def test_cancel_then_register_again_keeps_sequences_rising(world, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = s.registration_create(actor=world.teacher, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        s.registration_cancel(actor=world.teacher, registration=first)
    with django_capture_on_commit_callbacks(execute=True):
        s.registration_create(actor=world.teacher, session=session)
    (_c0, invite, _m0), (cal1, cancel, mime1), (_c2, again, _m2) = (parsed(msg) for msg in mail.outbox)
    assert mime1.startswith("text/calendar; method=CANCEL") and cal1["METHOD"] == "CANCEL"
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert invite["UID"] == cancel["UID"] == again["UID"]
    assert [invite["SEQUENCE"], cancel["SEQUENCE"], again["SEQUENCE"]] == [0, 1, 2]


def test_a_new_time_or_place_raises_the_sequence(world, session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s.registration_create(actor=world.teacher, session=session)
        s.registration_create(actor=world.teacher_b, session=session)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        s.session_update(actor=world.sc_admin, session=session, location="Cedar Valley High School, Library")
    with django_capture_on_commit_callbacks(execute=True):
        s.session_update(
            actor=world.sc_admin,
            session=session,
            starts_at=session.starts_at + datetime.timedelta(days=1),
            ends_at=session.ends_at + datetime.timedelta(days=1),
        )
    events = [parsed(msg)[1] for msg in mail.outbox]
    assert len(events) == 4  # two people, two changes
    by_person = {}
    for event in events:
        by_person.setdefault(str(event["ATTENDEE"]), []).append(event)
    for first, second in by_person.values():
        assert (first["SEQUENCE"], second["SEQUENCE"]) == (1, 2)
        assert str(first["LOCATION"]) == "Cedar Valley High School, Library"
        assert second.decoded("DTSTART").date() == first.decoded("DTSTART").date() + datetime.timedelta(days=1)


def test_other_time_zones_are_written_with_their_tzid(world, sc_cohort):
    denver = zoneinfo.ZoneInfo("America/Denver")
    session = s.session_create(
        actor=world.sc_admin,
        cohort=sc_cohort,
        title="Mountain time",
        starts_at=datetime.datetime(2027, 7, 1, 13, 0),
        ends_at=datetime.datetime(2027, 7, 1, 15, 0),
        timezone="America/Denver",
        online_url="https://meet.example.net/pd",
    )
    registration = s.registration_create(actor=world.teacher, session=session)
    calendar = Calendar.from_ical(registration_ics(registration))
    event = calendar.walk("VEVENT")[0]
    assert b"DTSTART;TZID=America/Denver:20270701T130000" in registration_ics(registration)
    assert event.decoded("DTSTART") == datetime.datetime(2027, 7, 1, 13, 0, tzinfo=denver)
    assert (
        str(event["URL"]) == "https://meet.example.net/pd" and str(event["LOCATION"]) == "https://meet.example.net/pd"
    )


def test_personal_feed(world, session, sc_cohort):
    later = s.session_create(
        actor=world.sc_admin,
        cohort=sc_cohort,
        title="Later day",
        starts_at=session.starts_at + datetime.timedelta(days=30),
        ends_at=session.ends_at + datetime.timedelta(days=30),
        capacity=1,
    )
    s.registration_create(actor=world.coach, session=later)
    s.registration_create(actor=world.teacher, session=session)
    s.registration_create(actor=world.teacher, session=later)  # waiting: not in the feed
    uids = lambda events: {str(e["UID"]) for e in events}  # noqa: E731
    assert uids(feed_events(world.teacher)) == {uid_for("learning-session", session.pk)}
    assert uids(feed_events(world.facilitator)) == {uid_for("learning-session", x.pk) for x in (session, later)}
    assert feed_events(world.teacher_b) == []
    # Registered with the project's feed, and the whole feed parses.
    assert uids(all_feed_events(world.teacher)) >= uids(feed_events(world.teacher))
    feed = Calendar.from_ical(calendar_bytes(all_feed_events(world.facilitator), name="Trellis"))
    assert len(feed.walk("VEVENT")) >= 2
    assert all("ATTENDEE" not in event for event in feed.walk("VEVENT"))  # no participant lists in feeds
