"""Scheduling coaching sessions as pages: a recurring schedule (with a preview), single sessions, moving and
cancelling one, its calendar file, and the district's coaching policy.

Dates and times are entered and shown in the district's time zone. Every write
goes through ``trellis.coaching.services``; the services send the calendar
invitations.
"""

import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from trellis.coaching.access import access_relationship, access_session
from trellis.coaching.cadence import expand
from trellis.coaching.calendar import series_events, session_event
from trellis.coaching.forms.cycle import CancelForm, PolicyForm, RescheduleForm, ScheduleForm, SessionForm
from trellis.coaching.models import ProtocolPurpose, RelationshipStatus, SessionSeries, SessionStatus
from trellis.coaching.selectors import relationships as sel
from trellis.coaching.services import (
    MAX_SCHEDULE_DAYS,
    schedule_create,
    schedule_stop,
    session_cancel,
    session_reschedule,
    session_schedule,
)
from trellis.coaching.services.policy import POLICY_FIELDS, policy_update
from trellis.lib.ical import calendar_bytes, ics_response
from trellis.lib.rules import fetch
from trellis.observations.views.common import add_service_errors
from trellis.orgs.views.common import current_district, render_page

# Term length used for the default end of a schedule: about one school term.
TERM_DAYS = 122


def _add_errors(form, exc: ValidationError, fields: dict) -> None:
    """A service's errors on the form, with the service's field names mapped to the form's (first_start -> date)."""
    if hasattr(exc, "error_dict"):
        exc = ValidationError({fields.get(name, name): errors for name, errors in exc.error_dict.items()})
    add_service_errors(form, exc)


def _coach_relationship(user, pk):
    """A relationship the user coaches: 404 outside it, 403 for its teachers."""
    rel = access_relationship(user, pk, write=True)
    if rel.coach_id != user.pk:
        raise PermissionDenied
    return rel


def _teacher_names(rel) -> str:
    return ", ".join(
        m.teacher.display_name for m in rel.members.select_related("teacher").order_by("teacher__full_name")
    )


def _local_now(tz: str) -> datetime.datetime:
    return timezone.now().astimezone(ZoneInfo(tz))


def _next_hour(tz: str, days: int = 7) -> datetime.datetime:
    soon = _local_now(tz) + datetime.timedelta(days=days)
    return soon.replace(hour=15, minute=30, second=0, microsecond=0)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create_view(request, pk):
    user = request.user
    rel = _coach_relationship(user, pk)
    tz = rel.district.timezone
    policy = sel.policy_defaults(rel.district_id)
    per_month = rel.meetings_per_month or policy.meetings_per_month
    protocols = sel.protocols_for(user, rel)
    protocol_list = list(protocols)
    start = _next_hour(tz)
    initial = {
        "first_date": start.date(),
        "first_time": start.time(),
        "interval_weeks": sel.cadence_interval(per_month),
        "until": start.date() + datetime.timedelta(days=TERM_DAYS),
        "minutes": rel.meeting_minutes or policy.meeting_minutes,
        "protocol": sel.default_protocol(protocol_list, ProtocolPurpose.FEEDBACK),
    }
    is_active = rel.status == RelationshipStatus.ACTIVE
    form = ScheduleForm(request.POST or None, initial=initial, protocols=protocols, tz=tz)
    preview = None
    if request.method == "POST" and is_active and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            if (data["until"] - data["first_date"]).days > MAX_SCHEDULE_DAYS:
                form.add_error("until", _("Schedule at most a year ahead."))
            else:
                starts = expand(
                    data["first_start"],
                    tz=tz,
                    interval_weeks=data["interval_weeks"],
                    until=data["until"],
                    skip_dates=data["skip_dates"],
                )
                preview = {"starts": starts, "skipped": data["skip_dates"]}
                if not starts:
                    form.add_error("skip_dates", _("Every date of this schedule is skipped."))
        else:
            try:
                series = schedule_create(
                    actor=user,
                    relationship=rel,
                    first_start=data["first_start"],
                    until=data["until"],
                    protocol=data["protocol"],
                    interval_weeks=data["interval_weeks"],
                    minutes=data["minutes"],
                    skip_dates=data["skip_dates"],
                )
            except ValidationError as exc:
                _add_errors(form, exc, {"first_start": "first_date"})
            else:
                count = series.sessions.count()
                messages.success(
                    request,
                    ngettext(
                        "The schedule is saved: %(n)s session. Invitations were emailed to you and %(names)s.",
                        "The schedule is saved: %(n)s sessions. Invitations were emailed to you and %(names)s.",
                        count,
                    )
                    % {"n": count, "names": _teacher_names(rel)},
                )
                return redirect("coaching:relationship-detail", rel.pk)
    return render(
        request,
        "coaching/schedule_form.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "form": form,
            "preview": preview,
            "tz": tz,
            "per_month": per_month,
            "open_series": rel.series.filter(stopped_at__isnull=True).order_by("-created_at").first(),
            "is_active": is_active,
            "has_protocols": bool(protocol_list),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_stop_view(request, pk):
    user = request.user
    queryset = SessionSeries.objects.select_related("relationship__district", "protocol")
    series = fetch(SessionSeries, user, pk, write=True, queryset=queryset)
    rel = series.relationship
    if rel.coach_id != user.pk:
        raise PermissionDenied
    if series.stopped_at is not None:
        messages.info(request, _("This schedule has already ended."))
        return redirect("coaching:relationship-detail", rel.pk)
    if request.method == "POST":
        try:
            cancelled = schedule_stop(actor=user, series=series)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext(
                    "The schedule has ended: %(n)s session still to come was cancelled, and calendars are told.",
                    "The schedule has ended: %(n)s sessions still to come were cancelled, and calendars are told.",
                    cancelled,
                )
                % {"n": cancelled},
            )
        return redirect("coaching:relationship-detail", rel.pk)
    return render(
        request,
        "coaching/schedule_stop.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "series": series,
            "future": sel.future_sessions_of(series),
            "tz": series.timezone,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create_view(request, pk):
    user = request.user
    rel = _coach_relationship(user, pk)
    tz = rel.district.timezone
    policy = sel.policy_defaults(rel.district_id)
    protocols = sel.protocols_for(user, rel)
    protocol_list = list(protocols)
    start = _next_hour(tz, days=2)
    wants_intake = not rel.intakes.exists()
    initial = {
        "date": start.date(),
        "time": start.time(),
        "minutes": rel.meeting_minutes or policy.meeting_minutes,
        "protocol": sel.default_protocol(protocol_list, ProtocolPurpose.INTAKE if wants_intake else None),
    }
    is_active = rel.status == RelationshipStatus.ACTIVE
    form = SessionForm(request.POST or None, initial=initial, protocols=protocols, tz=tz)
    if request.method == "POST" and is_active and form.is_valid():
        data = form.cleaned_data
        try:
            session = session_schedule(
                actor=user,
                relationship=rel,
                starts_at=form.starts_at(),
                protocol=data["protocol"],
                minutes=data["minutes"],
                location=data["location"],
            )
        except ValidationError as exc:
            _add_errors(form, exc, {"starts_at": "date"})
        else:
            if session.starts_at > timezone.now():
                messages.success(
                    request,
                    _("The session is booked. An invitation was emailed to you and %(names)s.")
                    % {"names": _teacher_names(rel)},
                )
            else:
                messages.success(request, _("The session is recorded. Open it to write the notes."))
            return redirect("coaching:relationship-detail", rel.pk)
    return render(
        request,
        "coaching/session_form.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "form": form,
            "session": None,
            "tz": tz,
            "is_active": is_active,
            "has_protocols": bool(protocol_list),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule_view(request, pk):
    user = request.user
    session = access_session(user, pk, write=True)
    rel = session.relationship
    if rel.coach_id != user.pk:
        raise PermissionDenied
    tz = rel.district.timezone
    if session.status != SessionStatus.SCHEDULED:
        messages.error(
            request,
            _("This session is %(status)s; only a scheduled session is moved.")
            % {"status": session.get_status_display().lower()},
        )
        return redirect("coaching:relationship-detail", rel.pk)
    local = session.starts_at.astimezone(ZoneInfo(tz))
    initial = {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "minutes": session.minutes,
        "location": session.location,
    }
    form = RescheduleForm(request.POST or None, initial=initial, tz=tz)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session_reschedule(
                actor=user, session=session, starts_at=form.starts_at(), minutes=data["minutes"],
                location=data["location"],
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc, {"starts_at": "date"})
        else:
            messages.success(
                request,
                _("The session is moved. %(names)s and you get the updated invitation by email.")
                % {"names": _teacher_names(rel)},
            )
            return redirect("coaching:relationship-detail", rel.pk)
    context = {"rel": rel, "rel_label": sel.label_for(rel, user), "form": form, "session": session, "tz": tz}
    return render(request, "coaching/session_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request, pk):
    user = request.user
    session = access_session(user, pk)
    rel = session.relationship
    if rel.coach_id != user.pk and not rel.members.filter(teacher=user).exists():
        raise PermissionDenied
    if session.status != SessionStatus.SCHEDULED:
        messages.error(
            request,
            _("This session is %(status)s; only a scheduled session is cancelled.")
            % {"status": session.get_status_display().lower()},
        )
        return redirect("coaching:relationship-detail", rel.pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(actor=user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session is cancelled. Everyone in the relationship is told by email."))
            return redirect("coaching:relationship-detail", rel.pk)
    return render(
        request,
        "coaching/session_cancel.html",
        {
            "rel": rel,
            "rel_label": sel.label_for(rel, user),
            "session": session,
            "form": form,
            "tz": rel.district.timezone,
        },
    )


@login_required
@require_GET
def session_ics(request, pk):
    """The session's calendar file: the whole schedule for a session of a schedule, else the one event."""
    session = access_session(request.user, pk)
    rel = session.relationship
    if session.series_id:
        series = session.series
        series.relationship = rel
        events = series_events(series, list(series.sessions.all()))
        filename = f"coaching-schedule-{series.pk}.ics"
    else:
        events = [session_event(session)]
        filename = f"coaching-session-{session.pk}.ics"
    return ics_response(calendar_bytes(events, method="PUBLISH"), filename)


@login_required
@require_http_methods(["GET", "POST"])
def policy_view(request):
    district = current_district(request)
    policy = sel.policy_defaults(district.pk)
    form = PolicyForm(request.POST or None, initial={name: getattr(policy, name) for name in POLICY_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            policy_update(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The coaching policy is saved. New agreements and schedules start from it."))
            return redirect("coaching:policy")
    return render_page(request, district, "coaching/policy.html", {"form": form, "is_default": policy.pk is None})
