"""Sessions as iCalendar events: invitations, cancellations and the personal feed.

Every session has one UID for its whole life (``learning-session-<pk>@host``) and a
SEQUENCE that rises on every change of its time or place. A person's own copy adds the
registration's ``ics_offset``: a CANCEL is sent one above the invitation it cancels,
and a later re-registration starts two above the last one, so each person's calendar
always sees a higher SEQUENCE than the message before and never ignores an update.
Summaries and descriptions name the program and session only, never people.
"""

import datetime
from email.utils import parseaddr
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.learning import models as m
from trellis.learning.notify import absolute_url, page_url
from trellis.lib.ical import calendar_bytes, make_event, uid_for

UID_KIND = "learning-session"
# How far back the personal feed reaches.
FEED_PAST_DAYS = 120


def session_uid(session: m.Session) -> str:
    return uid_for(UID_KIND, session.pk)


def _organizer(session: m.Session):
    # Invitations come from Trellis on behalf of the provider; replies go nowhere that matters.
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return SimpleNamespace(email=address or "no-reply@trellis.invalid", display_name=session.owner.name)


def _description(session: m.Session) -> str:
    lines = []
    if session.objective_list:
        lines.append(_("Objectives:"))
        lines.extend(f"- {objective}" for objective in session.objective_list)
    if session.online_url:
        lines.append(_("Join online: %(url)s") % {"url": session.online_url})
    link = page_url("session", session.pk)
    if link:
        lines.append(_("In Trellis: %(url)s") % {"url": absolute_url(link)})
    return "\n".join(lines)


def session_event(session: m.Session, *, attendees=(), sequence: int | None = None, cancelled: bool | None = None):
    """The VEVENT of a session (``session`` with ``cohort__program`` and ``owner`` loaded)."""
    link = page_url("session", session.pk)
    return make_event(
        uid=session_uid(session),
        start=session.starts_at,
        end=session.ends_at,
        tz=session.timezone,
        sequence=session.sequence if sequence is None else sequence,
        summary=f"{session.cohort.program.title}: {session.title}",
        location=session.location or session.online_url,
        url=session.online_url or (absolute_url(link) if link else ""),
        description=_description(session),
        organizer=_organizer(session),
        attendees=attendees,
        cancelled=session.is_cancelled if cancelled is None else cancelled,
    )


def registration_sequence(registration: m.Registration, *, cancelling: bool = False) -> int:
    return registration.session.sequence + registration.ics_offset + (1 if cancelling else 0)


def registration_ics(registration: m.Registration, *, method: str = "REQUEST") -> bytes:
    """The calendar sent to one participant: an invitation (REQUEST) or its cancellation (CANCEL)."""
    cancelling = method == "CANCEL"
    event = session_event(
        registration.session,
        attendees=[registration.participant],
        sequence=registration_sequence(registration, cancelling=cancelling),
        cancelled=cancelling or registration.session.is_cancelled,
    )
    return calendar_bytes([event], method=method)


def feed_events(user) -> list:
    """Sessions ``user`` is confirmed for or facilitates, for their personal calendar feed.

    Registered with ``trellis.lib.ical.register_feed_source`` in ``LearningConfig.ready``.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    from trellis.learning.access import led_session_q

    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    confirmed = m.Registration.objects.filter(participant_id=user.pk, status=m.RegistrationStatus.CONFIRMED)
    sessions = (
        m.Session.objects.filter(Q(pk__in=confirmed.values("session_id")) | led_session_q(user), ends_at__gte=since)
        .select_related("cohort__program", "owner")
        .order_by("starts_at", "pk")
    )
    return [session_event(session) for session in sessions]
