"""Coaching sessions as iCalendar events, for invitations and personal feeds.

A schedule is one recurring event (UID ``coaching-series-<id>``): skipped dates
and cancelled sessions are exception dates, moved sessions are overrides that
carry the original start as RECURRENCE-ID. A session outside a schedule is an
event of its own (UID ``coaching-session-<id>``). Summaries name the meeting,
never its content.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.coaching.cadence import until_utc
from trellis.coaching.models import CoachingSession, Relationship, SessionSeries, SessionStatus
from trellis.lib.ical import make_event, uid_for

FEED_PAST_DAYS = 90


def _people(rel: Relationship):
    return [m.teacher for m in rel.members.all()]


def _summary(rel: Relationship) -> str:
    return _("Coaching: %(coach)s") % {"coach": rel.coach.display_name}


def _url(rel: Relationship) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("coaching:relationship-detail", args=[rel.pk])


def series_uid(series: SessionSeries) -> str:
    return uid_for("coaching-series", series.pk)


def session_uid(session: CoachingSession) -> str:
    return uid_for("coaching-session", session.pk)


def _end(start, minutes):
    return start + datetime.timedelta(minutes=minutes)


def series_events(series: SessionSeries, sessions) -> list:
    """The recurring event of a schedule and one override per moved session."""
    rel = series.relationship
    tz = series.timezone
    sessions = [s for s in sessions if s.series_id == series.pk]
    local_start = series.first_start.astimezone(ZoneInfo(tz))
    exdates = [
        datetime.datetime.combine(datetime.date.fromisoformat(d), local_start.time(), tzinfo=ZoneInfo(tz))
        for d in series.skip_dates
    ]
    exdates += [s.occurrence_start for s in sessions if s.status == SessionStatus.CANCELLED]
    common = {"tz": tz, "location": rel.location, "url": _url(rel), "organizer": rel.coach, "attendees": _people(rel)}
    until = until_utc(series.until, tz)
    main = make_event(
        uid=series_uid(series),
        start=series.first_start,
        end=_end(series.first_start, series.minutes),
        summary=_summary(rel),
        sequence=series.sequence,
        rrule={"freq": "weekly", "interval": series.interval_weeks, "until": until},
        exdates=exdates,
        **common,
    )
    events = [main]
    for s in sessions:
        # Any change to one occurrence (even moving it back) is sent as an override of it.
        if s.status != SessionStatus.CANCELLED and (s.sequence or s.is_moved or s.minutes != series.minutes):
            events.append(
                make_event(
                    uid=series_uid(series),
                    recurrence_id=s.occurrence_start,
                    start=s.starts_at,
                    end=_end(s.starts_at, s.minutes),
                    summary=_summary(rel),
                    sequence=s.sequence,
                    **{**common, "location": s.location or rel.location},
                )
            )
    return events


def session_event(session: CoachingSession):
    """The event of one session outside a schedule (cancelled ones are sent as cancelled)."""
    rel = session.relationship
    return make_event(
        uid=session_uid(session),
        start=session.starts_at,
        end=_end(session.starts_at, session.minutes),
        summary=_summary(rel),
        tz=rel.district.timezone,
        sequence=session.sequence,
        location=session.location or rel.location,
        url=_url(rel),
        organizer=rel.coach,
        attendees=_people(rel),
        cancelled=session.status == SessionStatus.CANCELLED,
    )


def occurrence_cancel_event(session: CoachingSession):
    """A cancellation of one occurrence of a schedule (METHOD:CANCEL with its RECURRENCE-ID)."""
    series, rel = session.series, session.relationship
    return make_event(
        uid=series_uid(series),
        recurrence_id=session.occurrence_start,
        start=session.starts_at,
        end=_end(session.starts_at, session.minutes),
        summary=_summary(rel),
        tz=series.timezone,
        sequence=session.sequence,
        organizer=rel.coach,
        attendees=_people(rel),
        cancelled=True,
    )


def relationship_events(relationships) -> list:
    """Every event of these relationships' schedules and one-off sessions (from 90 days ago)."""
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    rel_ids = [r.pk for r in relationships]
    sessions = list(
        CoachingSession.objects.filter(relationship_id__in=rel_ids)
        .filter(Q(series__isnull=False) | Q(starts_at__gte=since))
        .select_related("relationship__coach", "relationship__district", "series")
    )
    by_rel = {r.pk: r for r in relationships}
    for s in sessions:
        s.relationship = by_rel[s.relationship_id]
    series = SessionSeries.objects.filter(relationship_id__in=rel_ids)
    events = []
    for item in series:
        item.relationship = by_rel[item.relationship_id]
        events.extend(series_events(item, sessions))
    events.extend(session_event(s) for s in sessions if s.series_id is None)
    return events


def feed_events(user) -> list:
    """The user's coaching sessions, as coach or as teacher, for their personal calendar feed."""
    from trellis.coaching.access import relationship_q

    # The same rule as the pages: a facilitator whose access was withdrawn no longer sees the sessions.
    relationships = list(
        Relationship.objects.filter(relationship_q(user))
        .select_related("coach", "district")
        .prefetch_related("members__teacher")
    )
    return relationship_events(relationships)
