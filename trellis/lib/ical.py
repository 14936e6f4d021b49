"""iCalendar (RFC 5545) output: invitations, cancellations and personal feeds.

Every event carries a UID that stays the same for the life of the thing it
describes and a SEQUENCE that rises on every change of time or place, so
calendar clients update the event they already have instead of adding another.
Times are written with their time zone (never floating) and each calendar
carries the VTIMEZONE blocks it needs (Outlook refuses events without them).

Apps add their events to a person's feed by registering a source:
``register_feed_source(callable)`` where the callable takes a user and returns
``icalendar.Event`` objects.
"""

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Trellis//Trellis coaching and professional learning//EN"

_FEED_SOURCES: list[Callable] = []


def register_feed_source(source: Callable) -> None:
    """Add ``source(user) -> Iterable[Event]`` to every person's calendar feed."""
    if source not in _FEED_SOURCES:
        _FEED_SOURCES.append(source)


def feed_events(user) -> list[Event]:
    events = []
    for source in _FEED_SOURCES:
        events.extend(source(user))
    return events


def uid_for(kind: str, pk) -> str:
    """A stable UID, e.g. ``coaching-session-42@trellis.example.org``."""
    host = urlsplit(settings.SITE_URL).hostname or "trellis.invalid"
    return f"{kind}-{pk}@{host}"


def new_calendar(method: str | None = None, *, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _address(person, *, attendee: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = person.display_name
    if attendee:
        address.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION", "rsvp": "TRUE"})
    return address


def make_event(
    *,
    uid: str,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    tz: str = "UTC",
    sequence: int = 0,
    location: str = "",
    url: str = "",
    description: str = "",
    organizer=None,
    attendees: Iterable = (),
    cancelled: bool = False,
    rrule: dict | None = None,
    exdates: Iterable[datetime.datetime] = (),
    recurrence_id: datetime.datetime | None = None,
    dtstamp: datetime.datetime | None = None,
) -> Event:
    """One VEVENT. ``start``/``end`` are aware datetimes, written in the zone ``tz``.

    Keep personal and student details out of ``summary`` and ``description``:
    feeds end up in calendars that others may see.
    """
    zone = ZoneInfo(tz)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", dtstamp or timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", summary)
    event.add("sequence", sequence)
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id.astimezone(zone))
    if rrule:
        event.add("rrule", rrule)
    for exdate in exdates:
        event.add("exdate", exdate.astimezone(zone))
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    if description:
        event.add("description", description)
    if organizer is not None:
        event.add("organizer", _address(organizer, attendee=False))
    for person in attendees:
        event.add("attendee", _address(person, attendee=True))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def to_bytes(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def calendar_bytes(events: Iterable[Event], *, method: str | None = None, name: str | None = None) -> bytes:
    cal = new_calendar(method, name=name)
    for event in events:
        cal.add_component(event)
    return to_bytes(cal)


def ics_response(data: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def send_invitation(*, subject: str, body: str, to: list[str], ics: bytes, method: str = "REQUEST") -> None:
    """An email with the event as a text/calendar part (what Outlook acts on) and as an .ics attachment."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=UTF-8")
    message.attach("invite.ics", ics, "application/ics")
    message.send()
