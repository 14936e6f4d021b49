"""Background work for coaching: calendar invitations and reminders. Tasks take ids and load rows."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from trellis.lib.ical import calendar_bytes, send_invitation


def _emails(rel) -> list[str]:
    people = [rel.coach] + [m.teacher for m in rel.members.select_related("teacher")]
    return [p.email for p in people if p.is_active]


def _relationship_url(rel) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("coaching:relationship-detail", args=[rel.pk])


@task()
def send_series_invitation(series_id: int) -> None:
    """The whole schedule as one recurring invitation (sent again, with a higher SEQUENCE, after a change)."""
    from trellis.coaching.calendar import series_events
    from trellis.coaching.models import SessionSeries

    series = SessionSeries.objects.select_related("relationship__coach", "relationship__district").get(pk=series_id)
    rel = series.relationship
    ics = calendar_bytes(series_events(series, list(series.sessions.all())), method="REQUEST")
    body = render_to_string(
        "coaching/email/schedule.txt", {"series": series, "rel": rel, "url": _relationship_url(rel)}
    )
    send_invitation(
        subject=_("Coaching sessions with %(coach)s") % {"coach": rel.coach.display_name},
        body=body,
        to=_emails(rel),
        ics=ics,
    )


@task()
def send_session_update(session_id: int) -> None:
    """One session booked, moved or cancelled, as an update of the calendar event people already have."""
    from trellis.coaching.calendar import occurrence_cancel_event, series_events, session_event
    from trellis.coaching.models import CoachingSession, SessionStatus

    session = CoachingSession.objects.select_related("relationship__coach", "relationship__district", "series").get(
        pk=session_id
    )
    rel = session.relationship
    cancelled = session.status == SessionStatus.CANCELLED
    if session.series_id and cancelled:
        events, method = [occurrence_cancel_event(session)], "CANCEL"
    elif session.series_id:
        events = [e for e in series_events(session.series, [session]) if "RECURRENCE-ID" in e]
        method = "REQUEST"
    else:
        events, method = [session_event(session)], "CANCEL" if cancelled else "REQUEST"
    if not events:
        return
    body = render_to_string(
        "coaching/email/session_update.txt",
        {"session": session, "rel": rel, "cancelled": cancelled, "url": _relationship_url(rel)},
    )
    subject = (
        _("Cancelled: coaching session with %(coach)s") if cancelled else _("Coaching session with %(coach)s")
    ) % {"coach": rel.coach.display_name}
    send_invitation(
        subject=subject, body=body, to=_emails(rel), ics=calendar_bytes(events, method=method), method=method
    )


@task()
def send_coaching_reminders() -> int:
    """Email everyone with a coaching session tomorrow (in the district's time zone), once. Returns sessions."""
    from trellis.coaching.models import CoachingSession, RelationshipStatus, SessionStatus

    now = timezone.now()
    candidates = CoachingSession.objects.filter(
        status=SessionStatus.SCHEDULED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lt=now + datetime.timedelta(hours=50),
        relationship__status=RelationshipStatus.ACTIVE,
    ).select_related("relationship__coach", "relationship__district")
    sent = 0
    for session in candidates:
        zone = ZoneInfo(session.relationship.district.timezone)
        tomorrow = now.astimezone(zone).date() + datetime.timedelta(days=1)
        local = session.starts_at.astimezone(zone)
        if local.date() != tomorrow:
            continue
        rel = session.relationship
        # Claim the reminder first so two workers never both send it.
        if not CoachingSession.objects.filter(pk=session.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            continue
        body = render_to_string(
            "coaching/email/reminder.txt",
            {"session": session, "local": local, "rel": rel, "url": _relationship_url(rel)},
        )
        send_mail(
            _("Reminder: coaching session tomorrow at %(time)s") % {"time": local.strftime("%H:%M")},
            body,
            settings.DEFAULT_FROM_EMAIL,
            _emails(rel),
        )
        sent += 1
    return sent
