"""Background work for professional learning: emails, calendar invitations and reminders.

Tasks take ids, load the rows and check they still say what the task was queued for
(a registration confirmed a moment ago may be cancelled by the time a worker runs), so
a late task never sends a stale message.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from trellis.learning import models as m
from trellis.learning.calendar import registration_ics
from trellis.learning.notify import absolute_url, page_url
from trellis.lib.ical import send_invitation

# Event -> (status the registration must still have, calendar method to attach or None).
_REGISTRATION_EVENTS = {
    "confirmed": (m.RegistrationStatus.CONFIRMED, "REQUEST"),
    "promoted": (m.RegistrationStatus.CONFIRMED, "REQUEST"),
    "waitlisted": (m.RegistrationStatus.WAITLISTED, None),
    "pending": (m.RegistrationStatus.PENDING, None),
    "declined": (m.RegistrationStatus.DECLINED, None),
    # Cancelled while holding a seat: the calendar entry goes too.
    "cancelled": (m.RegistrationStatus.CANCELLED, "CANCEL"),
    # Cancelled while waiting (no seat, no calendar entry).
    "withdrawn": (m.RegistrationStatus.CANCELLED, None),
}


def _subject(event: str, title: str) -> str:
    subjects = {
        "confirmed": _("You are registered: %(title)s"),
        "promoted": _("A seat opened for you: %(title)s"),
        "waitlisted": _("You are on the waiting list: %(title)s"),
        "pending": _("Your registration waits for your district's approval: %(title)s"),
        "declined": _("Your registration was not approved: %(title)s"),
        "cancelled": _("Registration cancelled: %(title)s"),
        "withdrawn": _("Registration cancelled: %(title)s"),
        "changed": _("Updated time or place: %(title)s"),
        "session_cancelled": _("Session cancelled: %(title)s"),
        "reminder": _("Tomorrow: %(title)s"),
    }
    return subjects[event] % {"title": title}


def _registrations():
    return m.Registration.objects.select_related("participant", "session__cohort__program", "session__owner")


def _context(registration: m.Registration, event: str) -> dict:
    session = registration.session
    link = page_url("session", session.pk)
    return {
        "registration": registration,
        "participant": registration.participant,
        "session": session,
        "program": session.cohort.program,
        "event": event,
        "start": session.local_start,
        "end": session.local_end,
        "url": absolute_url(link) if link else settings.SITE_URL,
    }


def _send(registration: m.Registration, event: str, template: str, method: str | None) -> None:
    person = registration.participant
    if not person.is_active or not person.email:
        return
    subject = _subject(event, registration.session.title)
    body = render_to_string(template, _context(registration, event))
    if method:
        ics = registration_ics(registration, method=method)
        send_invitation(subject=subject, body=body, to=[person.email], ics=ics, method=method)
    else:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


@task()
def send_registration_email(registration_id: int, event: str) -> None:
    """Tell a participant what happened to their registration (with a calendar invitation or cancellation)."""
    expected_status, method = _REGISTRATION_EVENTS[event]
    registration = _registrations().filter(pk=registration_id).first()
    if registration is None or registration.status != expected_status:
        return
    _send(registration, event, f"learning/email/registration_{event}.txt", method)


@task()
def send_session_changed(session_id: int) -> None:
    """The session's time or place changed: an updated invitation (higher SEQUENCE) to everyone with a seat."""
    for registration in _registrations().filter(session_id=session_id, status=m.RegistrationStatus.CONFIRMED):
        _send(registration, "changed", "learning/email/session_changed.txt", "REQUEST")


@task()
def send_session_cancelled(session_id: int, registration_ids: list[int]) -> None:
    """The session was cancelled: a calendar cancellation to everyone who held a seat."""
    for registration in _registrations().filter(session_id=session_id, pk__in=registration_ids):
        _send(registration, "session_cancelled", "learning/email/session_cancelled.txt", "CANCEL")


@task()
def send_session_reminders() -> int:
    """Email everyone with a seat in a session that starts tomorrow (in the session's time zone).

    Idempotent: each registration is claimed (``reminded_at`` set by a conditional
    UPDATE) before its email goes, so a second run, or two workers at once, never
    remind anyone twice. Run it a few times a day (``manage.py send_learning_reminders``).
    Returns how many reminders were sent.
    """
    now = timezone.now()
    sessions = m.Session.objects.filter(
        status=m.SessionStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + datetime.timedelta(hours=50)
    ).only("pk", "starts_at", "timezone")
    due = [s.pk for s in sessions if s.local_start.date() == now.astimezone(s.zone).date() + datetime.timedelta(days=1)]
    sent = 0
    waiting = _registrations().filter(
        session_id__in=due, status=m.RegistrationStatus.CONFIRMED, reminded_at__isnull=True
    )
    for registration in waiting:
        claimed = m.Registration.objects.filter(
            pk=registration.pk, status=m.RegistrationStatus.CONFIRMED, reminded_at__isnull=True
        ).update(reminded_at=now)
        if claimed:
            _send(registration, "reminder", "learning/email/reminder.txt", None)
            sent += 1
    return sent
