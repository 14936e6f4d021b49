"""Scheduling coaching sessions: a recurring schedule, single sessions, moving, cancelling, holding.

Calendars are kept in step: every change raises the iCalendar SEQUENCE of the
event it touches and sends the people involved an updated invitation (or a
cancellation) by background task.
"""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.cadence import expand
from trellis.coaching.models import (
    CoachingSession,
    Protocol,
    Relationship,
    RelationshipStatus,
    SessionSeries,
    SessionStatus,
)
from trellis.coaching.services.common import clean_text

__all__ = [
    "MAX_SCHEDULE_DAYS",
    "schedule_create",
    "schedule_stop",
    "session_schedule",
    "session_reschedule",
    "session_cancel",
    "session_save_notes",
    "session_complete",
    "session_mark_missed",
    "send_cancellations",
]

MAX_SCHEDULE_DAYS = 366


def _require_coach(actor, rel: Relationship) -> None:
    from trellis.coaching.access import relationship_coach_q

    # The coach, while they still support the teachers (a facilitator's access ends with the district's grant).
    if rel.coach_id != actor.pk or not Relationship.objects.filter(relationship_coach_q(actor), pk=rel.pk).exists():
        raise ValidationError(_("Only the coach schedules this relationship's sessions."))


def _require_active(rel: Relationship) -> None:
    if rel.status != RelationshipStatus.ACTIVE:
        raise ValidationError(
            _("Sessions are scheduled while the relationship is active; it is %(status)s.")
            % {"status": rel.get_status_display().lower()}
        )


def _check_protocol(protocol: Protocol, rel: Relationship) -> None:
    if not (protocol.is_active and protocol.district_id in (None, rel.district_id)):
        raise ValidationError({"protocol": _("Choose one of the protocols your district offers.")})


def _check_minutes(minutes: int) -> None:
    if not 10 <= minutes <= 180:
        raise ValidationError({"minutes": _("A session lasts from 10 to 180 minutes.")})


def _on_commit_send(task, *args) -> None:
    transaction.on_commit(lambda: task.enqueue(*args))


def schedule_create(
    *,
    actor,
    relationship: Relationship,
    first_start: datetime.datetime,
    until: datetime.date,
    protocol: Protocol,
    interval_weeks: int | None = None,
    minutes: int | None = None,
    skip_dates=(),
) -> SessionSeries:
    """A recurring schedule: one session every ``interval_weeks`` weeks (two a month by default)."""
    from trellis.coaching.services.common import policy_for
    from trellis.coaching.tasks import send_series_invitation

    _require_coach(actor, relationship)
    _require_active(relationship)
    _check_protocol(protocol, relationship)
    policy = policy_for(relationship.district_id)
    per_month = relationship.meetings_per_month or policy.meetings_per_month
    if interval_weeks is None:
        interval_weeks = max(1, round(4 / per_month))
    if minutes is None:
        minutes = relationship.meeting_minutes or policy.meeting_minutes
    _check_minutes(minutes)
    tz = relationship.district.timezone
    errors = {}
    if first_start <= timezone.now():
        errors["first_start"] = _("The first session must be in the future.")
    first_day = first_start.astimezone(ZoneInfo(tz)).date()
    if until < first_day:
        errors["until"] = _("The schedule must end after its first session.")
    elif (until - first_day).days > MAX_SCHEDULE_DAYS:
        errors["until"] = _("Schedule at most a year ahead.")
    if not 1 <= interval_weeks <= 8:
        errors["interval_weeks"] = _("Choose every 1 to 8 weeks.")
    running = relationship.series.filter(stopped_at__isnull=True, until__gte=timezone.localdate())
    if running.exists():
        errors["__all__"] = _("This relationship already has a schedule running: end it before setting up another.")
    if errors:
        raise ValidationError(errors)
    skip = sorted({d.isoformat() if isinstance(d, datetime.date) else d for d in skip_dates})
    starts = expand(first_start, tz=tz, interval_weeks=interval_weeks, until=until, skip_dates=skip)
    if not starts:
        raise ValidationError({"skip_dates": _("Every date of this schedule is skipped.")})
    with transaction.atomic():
        series = SessionSeries.objects.create(
            relationship=relationship,
            district_id=relationship.district_id,
            first_start=first_start,
            timezone=tz,
            interval_weeks=interval_weeks,
            until=until,
            minutes=minutes,
            protocol=protocol,
            skip_dates=skip,
        )
        CoachingSession.objects.bulk_create(
            CoachingSession(
                relationship=relationship,
                district_id=relationship.district_id,
                series=series,
                occurrence_start=start,
                protocol=protocol,
                starts_at=start,
                minutes=minutes,
                location=relationship.location,
            )
            for start in starts
        )
        audit_record(
            actor=actor,
            action="coaching_schedule.create",
            obj=relationship,
            after={"series": series.pk, "sessions": len(starts), "interval_weeks": interval_weeks},
        )
        _on_commit_send(send_series_invitation, series.pk)
    return series


def schedule_stop(*, actor, series: SessionSeries) -> int:
    """End a schedule today: its sessions still to come are cancelled. Returns how many."""
    from trellis.coaching.tasks import send_series_invitation

    rel = series.relationship
    _require_coach(actor, rel)
    with transaction.atomic():
        series = SessionSeries.objects.select_for_update().get(pk=series.pk)
        if series.stopped_at:
            raise ValidationError(_("This schedule has already ended."))
        now = timezone.now()
        cancelled = series.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now).update(
            status=SessionStatus.CANCELLED, cancel_reason=_("The schedule ended.")
        )
        series.stopped_at = now
        series.until = min(series.until, timezone.localdate())
        series.sequence += 1
        series.save(update_fields=["stopped_at", "until", "sequence"])
        audit_record(actor=actor, action="coaching_schedule.stop", obj=rel, after={"cancelled": cancelled})
        _on_commit_send(send_series_invitation, series.pk)
    return cancelled


def session_schedule(
    *,
    actor,
    relationship: Relationship,
    starts_at: datetime.datetime,
    protocol: Protocol,
    minutes: int | None = None,
    location: str = "",
) -> CoachingSession:
    """One session outside a schedule (an intake, an extra meeting)."""
    from trellis.coaching.services.common import policy_for
    from trellis.coaching.tasks import send_session_update

    _require_coach(actor, relationship)
    _require_active(relationship)
    _check_protocol(protocol, relationship)
    if minutes is None:
        minutes = relationship.meeting_minutes or policy_for(relationship.district_id).meeting_minutes
    _check_minutes(minutes)
    if starts_at <= timezone.now() - datetime.timedelta(days=30):
        raise ValidationError({"starts_at": _("A session can be recorded at most 30 days back.")})
    with transaction.atomic():
        session = CoachingSession.objects.create(
            relationship=relationship,
            district_id=relationship.district_id,
            protocol=protocol,
            starts_at=starts_at,
            minutes=minutes,
            location=clean_text(location) or relationship.location,
        )
        audit_record(actor=actor, action="coaching_session.create", obj=session, after={"starts_at": str(starts_at)})
        if starts_at > timezone.now():
            _on_commit_send(send_session_update, session.pk)
    return session


def _lock(session: CoachingSession) -> CoachingSession:
    # ``of=self``: PostgreSQL cannot lock the nullable side of the outer join to the schedule.
    return (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("series", "relationship")
        .get(pk=session.pk)
    )


def session_reschedule(
    *, actor, session: CoachingSession, starts_at: datetime.datetime, minutes: int | None = None, location=None
) -> CoachingSession:
    """Move one session; calendars get the change as an update of the same event."""
    from trellis.coaching.tasks import send_session_update

    _require_coach(actor, session.relationship)
    with transaction.atomic():
        session = _lock(session)
        if session.status != SessionStatus.SCHEDULED:
            raise ValidationError(
                _("This session is %(status)s; only a scheduled session is moved.")
                % {"status": session.get_status_display().lower()}
            )
        if starts_at <= timezone.now():
            raise ValidationError({"starts_at": _("Move the session to a time in the future.")})
        if minutes is not None:
            _check_minutes(minutes)
        before = snapshot(session, ["starts_at", "minutes", "location"])
        session.starts_at = starts_at
        session.minutes = minutes or session.minutes
        if location is not None:
            session.location = clean_text(location)
        session.sequence = _next_sequence(session)
        # A reminder sent for the old time says nothing about the new one.
        session.reminder_sent_at = None
        session.save()
        audit_record(
            actor=actor,
            action="coaching_session.reschedule",
            obj=session,
            before=before,
            after=snapshot(session, ["starts_at", "minutes", "location"]),
        )
        _on_commit_send(send_session_update, session.pk)
    return session


def _next_sequence(session: CoachingSession) -> int:
    """The SEQUENCE of the next message about this session.

    A schedule's messages (the series, its moved and cancelled occurrences) share one counter, so every
    message outranks the one before it whichever occurrence it is about; a one-off session has its own.
    """
    if session.series_id is None:
        return session.sequence + 1
    series = SessionSeries.objects.select_for_update().get(pk=session.series_id)
    series.sequence = F("sequence") + 1
    series.save(update_fields=["sequence"])
    series.refresh_from_db(fields=["sequence"])
    session.series.sequence = series.sequence
    return series.sequence


def session_cancel(*, actor, session: CoachingSession, reason: str = "") -> CoachingSession:
    """Cancel one session (the schedule goes on); calendars drop that occurrence."""
    from trellis.coaching.tasks import send_session_update

    rel = session.relationship
    is_member = rel.members.filter(teacher=actor).exists()
    if rel.coach_id != actor.pk and not is_member:
        raise ValidationError(_("Only the coach and the teacher cancel this session."))
    with transaction.atomic():
        session = _lock(session)
        if session.status != SessionStatus.SCHEDULED:
            raise ValidationError(
                _("This session is %(status)s; only a scheduled session is cancelled.")
                % {"status": session.get_status_display().lower()}
            )
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = clean_text(reason)[:300]
        session.sequence = _next_sequence(session)
        session.save()
        audit_record(
            actor=actor,
            action="coaching_session.cancel",
            obj=session,
            before={"status": "scheduled"},
            after={"status": "cancelled"},
        )
        _on_commit_send(send_session_update, session.pk)
    return session


def send_cancellations(rel: Relationship, sessions) -> None:
    """Tell calendars about sessions cancelled in bulk (when a relationship ends)."""
    from trellis.coaching.tasks import send_session_update

    for session in sessions:
        _on_commit_send(send_session_update, session.pk)


def _step_keys(session: CoachingSession) -> set[str]:
    return {step["key"] for step in session.protocol.steps}


def session_save_notes(*, actor, session: CoachingSession, notes: dict[str, str]) -> CoachingSession:
    """Save the notes of one or more protocol steps (the session screen saves as you go)."""
    if session.relationship.coach_id != actor.pk:
        raise ValidationError(_("Only the coach writes the session notes."))
    unknown = set(notes) - _step_keys(session)
    if unknown:
        raise ValidationError(_("That step is not part of this session's protocol."))
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session was cancelled."))
    if session.relationship.status == RelationshipStatus.ENDED:
        raise ValidationError(_("This coaching relationship has ended; its sessions can no longer change."))
    too_long = [k for k, v in notes.items() if len(v or "") > 8000]
    if too_long:
        raise ValidationError(_("Notes for one step are limited to 8,000 characters."))
    with transaction.atomic():
        session = _lock(session)
        session.step_notes = {**session.step_notes, **{k: clean_text(v) for k, v in notes.items()}}
        session.save(update_fields=["step_notes", "updated_at"])
        audit_record(actor=actor, action="coaching_session.notes", obj=session, after={"steps": sorted(notes)})
    return session


def session_complete(*, actor, session: CoachingSession, next_steps: str = "") -> CoachingSession:
    """Mark the session held, with the next steps agreed."""
    if session.relationship.coach_id != actor.pk:
        raise ValidationError(_("Only the coach records that a session was held."))
    if session.relationship.status == RelationshipStatus.ENDED:
        raise ValidationError(_("This coaching relationship has ended; its sessions can no longer change."))
    with transaction.atomic():
        session = _lock(session)
        if session.status not in (SessionStatus.SCHEDULED, SessionStatus.NO_SHOW):
            raise ValidationError(_("This session is %(status)s.") % {"status": session.get_status_display().lower()})
        if session.starts_at > timezone.now() + datetime.timedelta(hours=1):
            raise ValidationError(_("A session is held on or after its start time."))
        before = session.status
        session.status = SessionStatus.HELD
        session.held_at = timezone.now()
        session.next_steps = clean_text(next_steps)
        session.save()
        audit_record(
            actor=actor,
            action="coaching_session.held",
            obj=session,
            before={"status": before},
            after={"status": "held"},
        )
    return session


def session_mark_missed(*, actor, session: CoachingSession) -> CoachingSession:
    if session.relationship.coach_id != actor.pk:
        raise ValidationError(_("Only the coach records a missed session."))
    with transaction.atomic():
        session = _lock(session)
        if session.status != SessionStatus.SCHEDULED or session.starts_at > timezone.now():
            raise ValidationError(_("Only a scheduled session that has started can be marked missed."))
        session.status = SessionStatus.NO_SHOW
        session.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="coaching_session.missed", obj=session, after={"status": "no_show"})
    return session
