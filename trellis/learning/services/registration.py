"""Registration, the waiting list, district approval, check-in and attendance.

Seats are race-safe: every change of a session's registrations first locks the
session row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite runs one writing
transaction at a time), then counts the confirmed seats, then writes. A unique
constraint allows one active registration per person per session, so two requests
from the same person at once cannot both get in.

Statuses: pending (waits for the participant's district's approval; holds no seat)
-> confirmed (holds a seat) or waitlisted (in line, first come first served);
any active one -> cancelled; pending -> declined. When a seat frees before the
session starts, the first person waiting gets it and is told (notice and email).

Check-in: the facilitator opens check-in and shows a six-character code (or a QR code of
a URL holding it); each participant enters it on their phone. A conditional UPDATE
records the first check-in only, so a double tap or a retry never checks anyone in twice.
"""

import datetime
import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.learning import models as m
from trellis.learning.access import is_open_to, may_manage, may_run_session
from trellis.learning.credits import policies_for
from trellis.learning.notify import after_commit, notify
from trellis.learning.services._common import aware, confirmed_count, deny, lock_session
from trellis.orgs.access import active_memberships, people_at
from trellis.orgs.models import Role
from trellis.orgs.roles import roles_of

User = get_user_model()
S = m.RegistrationStatus

# Arrivals up to this many minutes after the start count as on time: scanning the code at the door takes a moment.
LATE_GRACE_MINUTES = 10
# Check-in (and taking attendance) opens this long before the start.
CHECKIN_OPENS_BEFORE = datetime.timedelta(hours=2)
# Letters and digits that cannot be mistaken for one another on a projected screen (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

_EMAIL_EVENT = {S.CONFIRMED: "confirmed", S.WAITLISTED: "waitlisted", S.PENDING: "pending"}


@dataclass
class Enrolment:
    """What a bulk or series registration did."""

    created: list = field(default_factory=list)  # new registrations (confirmed, waitlisted or pending)
    already: list = field(default_factory=list)  # active registrations that existed before


def _send_later(registration_id: int, event: str) -> None:
    from trellis.learning.tasks import send_registration_email

    after_commit(lambda: send_registration_email.enqueue(registration_id, event))


def _when(value: datetime.datetime, session: m.Session) -> str:
    return date_format(value.astimezone(session.zone), "DATETIME_FORMAT")


# Who may register whom ----------------------------------------------------------------------------


def _may_enrol(actor, participant, session) -> bool:
    """The participant themselves, their district's admins, leaders of their campus, the program's managers."""
    if actor is None or actor.pk == participant.pk:
        return True
    roles = roles_of(actor)
    if participant.district_id in roles.admin_district_ids or may_manage(actor, session.owner_id):
        return True
    return bool(roles.leader_campus_ids) and (
        User.objects.filter(people_at(roles.leader_campus_ids), pk=participant.pk).exists()
    )


def _approved_by(actor, participant) -> bool:
    """Registrations made by the participant's district admin (or by the system) need no further approval."""
    return actor is None or participant.district_id in roles_of(actor).admin_district_ids


def _open_problem(session, participant, *, system: bool, now) -> str | None:
    """Why ``participant`` cannot register for ``session`` now, or None."""
    if not participant.district_id:
        return _("%(name)s is not employed by a district; only district staff register for sessions.") % {
            "name": participant.display_name
        }
    if not participant.is_active:
        return _("%(name)s's account is closed.") % {"name": participant.display_name}
    if session.is_cancelled:
        return _("This session was cancelled.")
    if system:
        return None
    if now >= session.registration_deadline:
        return _("Registration for this session closed on %(when)s.") % {
            "when": _when(session.registration_deadline, session)
        }
    if not is_open_to(participant, session):
        return _("This session is not open to %(name)s.") % {"name": participant.display_name}
    return None


def _seat_status(session, confirmed: int, someone_waiting: bool) -> str:
    if session.capacity is None:
        return S.CONFIRMED
    # Nobody jumps the line: a free seat goes to the waiting list first.
    return S.CONFIRMED if confirmed < session.capacity and not someone_waiting else S.WAITLISTED


def _waiting(session) -> bool:
    return session.registrations.filter(status=S.WAITLISTED).exists()


def _insert(actor, session, participant, status) -> m.Registration:
    # Each earlier, ended registration of this person for this session moved their calendar's SEQUENCE on by 2.
    previous = m.Registration.objects.filter(session=session, participant=participant).exclude(
        status__in=m.ACTIVE_STATUSES
    )
    try:
        with transaction.atomic():
            return m.Registration.objects.create(
                session=session,
                participant=participant,
                district_id=participant.district_id,
                status=status,
                registered_by=actor,
                ics_offset=min(2 * previous.count(), 30000),
            )
    except IntegrityError:
        raise ValidationError(
            {"participant": _("%(name)s is already registered for this session.") % {"name": participant.display_name}}
        ) from None


def _tell_approvers(counts: dict[int, int]) -> None:
    """One notice per district admin: registrations of their people wait for approval."""
    admins = active_memberships().filter(role=Role.DISTRICT_ADMIN, organization_id__in=counts).select_related("person")
    for membership in admins:
        n = counts[membership.organization_id]
        notify(
            membership.person,
            _("%(n)s registration(s) for professional learning wait for your approval.") % {"n": n},
            "approvals",
        )


def _register_many(actor, session, participants, *, now) -> Enrolment:
    """Register people for a locked session. Callers checked permission and eligibility."""
    result = Enrolment()
    existing = {
        r.participant_id: r
        for r in session.registrations.filter(
            status__in=m.ACTIVE_STATUSES, participant__in=[p.pk for p in participants]
        )
    }
    policies = policies_for({p.district_id for p in participants})
    confirmed, waiting = confirmed_count(session), _waiting(session)
    pending_by_district: dict[int, int] = {}
    for person in participants:
        if person.pk in existing:
            result.already.append(existing[person.pk])
            continue
        if policies[person.district_id].approval_required and not _approved_by(actor, person):
            status = S.PENDING
            pending_by_district[person.district_id] = pending_by_district.get(person.district_id, 0) + 1
        else:
            status = _seat_status(session, confirmed, waiting)
        registration = _insert(actor, session, person, status)
        confirmed += status == S.CONFIRMED
        waiting = waiting or status == S.WAITLISTED
        result.created.append(registration)
        if actor is not None and actor.pk != person.pk:
            notify(
                person,
                _("%(who)s registered you for %(title)s.") % {"who": actor.display_name, "title": session.title},
                "session",
                session.pk,
            )
        _send_later(registration.pk, _EMAIL_EVENT[status])
    if pending_by_district:
        _tell_approvers(pending_by_district)
    return result


def registration_create(*, actor, session: m.Session, participant=None) -> m.Registration:
    """Register ``participant`` (default: the actor) for ``session``.

    Gives a seat while there is one, else a place on the waiting list; when the
    participant's district approves registrations (and the actor is not that district's
    admin), the registration waits for approval first. The participant gets an email
    (with the calendar invitation once they hold a seat).

    Who may register someone else: their district's admins, leaders of their campus and
    the program's managers. Raises ``ValidationError`` when the session is not open to
    the participant, registration has closed, the session is cancelled, or they are
    already registered; ``PermissionDenied`` when the actor may not register this person.
    """
    participant = participant or actor
    if not _may_enrol(actor, participant, session):
        deny(_("You cannot register %(name)s.") % {"name": participant.display_name})
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        problem = _open_problem(locked, participant, system=actor is None, now=now)
        if problem:
            raise ValidationError({"session": problem})
        result = _register_many(actor, locked, [participant], now=now)
        if result.already:
            raise ValidationError(
                {
                    "participant": _("%(name)s is already registered for this session.")
                    % {"name": participant.display_name}
                }
            )
        registration = result.created[0]
        audit_record(
            actor=actor,
            action="learning.registration.create",
            obj=registration,
            after=snapshot(registration, ["session", "participant", "status"]),
        )
    return registration


def registration_bulk_create(*, actor, session: m.Session, participants) -> Enrolment:
    """Enrol several people at once, e.g. a campus team by its campus leader.

    Everyone is checked first; if anyone cannot be enrolled, nothing is written and the
    ``ValidationError`` (on ``participants``) names each person and why. People already
    registered are left as they are (``Enrolment.already``). Seats go in the order given;
    the rest join the waiting list.
    """
    participants = list(dict.fromkeys(participants or []))
    if not participants:
        raise ValidationError({"participants": _("Choose at least one person.")})
    if len(participants) > 500:
        raise ValidationError({"participants": _("Enrol at most 500 people at a time.")})
    refused = [p.display_name for p in participants if not _may_enrol(actor, p, session)]
    if refused:
        raise ValidationError({"participants": _("You cannot register %(names)s.") % {"names": ", ".join(refused)}})
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        problems = []
        for person in participants:
            problem = _open_problem(locked, person, system=actor is None, now=now)
            if problem:
                problems.append(problem)
        if problems:
            raise ValidationError({"participants": list(dict.fromkeys(problems))})
        result = _register_many(actor, locked, participants, now=now)
        audit_record(
            actor=actor,
            action="learning.registration.bulk_create",
            obj=locked,
            after={
                "registered": [r.participant_id for r in result.created],
                "statuses": [r.status for r in result.created],
                "already": [r.participant_id for r in result.already],
            },
        )
    return result


def registration_create_series(*, actor, cohort: m.Cohort, participant=None) -> Enrolment:
    """Register ``participant`` (default: the actor) for every session of a cohort still open for registration.

    Sessions they are already registered for are left alone (``Enrolment.already``).
    Raises ``ValidationError`` when no session of the cohort is open to them.
    """
    participant = participant or actor
    now = timezone.now()
    sessions = list(cohort.sessions.filter(status=m.SessionStatus.SCHEDULED, starts_at__gt=now).order_by("pk"))
    if not sessions:
        raise ValidationError({"cohort": _("This cohort has no upcoming sessions to register for.")})
    if not _may_enrol(actor, participant, sessions[0]):
        deny(_("You cannot register %(name)s.") % {"name": participant.display_name})
    result = Enrolment()
    with transaction.atomic():
        # Locked in id order, as every service does, so two series registrations cannot deadlock.
        for session in sessions:
            locked = lock_session(session)
            if _open_problem(locked, participant, system=actor is None, now=now):
                continue
            done = _register_many(actor, locked, [participant], now=now)
            result.created += done.created
            result.already += done.already
        if not result.created and not result.already:
            raise ValidationError({"cohort": _("None of this cohort's sessions is open to you now.")})
        audit_record(
            actor=actor,
            action="learning.registration.create_series",
            obj=cohort,
            district=participant.district,
            after={"participant": participant.pk, "registered": [r.session_id for r in result.created]},
        )
    return result


def promote_waitlist(session: m.Session, *, now=None) -> list[m.Registration]:
    """Give free seats to the first people waiting. The caller holds the session lock.

    Nobody is promoted once the session has started. Each promoted person gets a notice
    and an email with the calendar invitation.
    """
    now = now or timezone.now()
    if session.is_cancelled or now >= session.starts_at:
        return []
    waiting = (
        session.registrations.filter(status=S.WAITLISTED).select_related("participant").order_by("queued_at", "id")
    )
    if session.capacity is not None:
        free = session.capacity - confirmed_count(session)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.status = S.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        notify(
            registration.participant,
            _("A seat opened in %(title)s: you are registered now.") % {"title": session.title},
            "session",
            session.pk,
        )
        _send_later(registration.pk, "promoted")
    return promoted


def _lock_registration(registration) -> m.Registration:
    return (
        m.Registration.objects.select_for_update(of=("self",))
        .select_related("participant", "session")
        .get(pk=registration.pk)
    )


def registration_approve(*, actor, registration: m.Registration) -> m.Registration:
    """A district admin approves a registration of one of their people: it takes a seat, or joins the waiting list."""
    if actor is not None and registration.district_id not in roles_of(actor).admin_district_ids:
        deny(_("Only an admin of the participant's district approves their registrations."))
    now = timezone.now()
    with transaction.atomic():
        session = lock_session(registration.session)
        locked = _lock_registration(registration)
        if locked.status != S.PENDING:
            raise ValidationError(
                _("Only a registration waiting for approval can be approved; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        if session.is_cancelled:
            raise ValidationError(_("This session was cancelled."))
        if now >= session.starts_at:
            raise ValidationError(_("This session has started; it is too late to approve."))
        locked.status = _seat_status(session, confirmed_count(session), _waiting(session))
        locked.decided_by, locked.decided_at = actor, now
        locked.save()
        audit_record(
            actor=actor,
            action="learning.registration.approve",
            obj=locked,
            before={"status": S.PENDING},
            after={"status": locked.status},
        )
        notify(
            locked.participant,
            _("Your registration for %(title)s was approved.") % {"title": session.title},
            "session",
            session.pk,
        )
        _send_later(locked.pk, _EMAIL_EVENT[locked.status])
    return locked


def registration_decline(*, actor, registration: m.Registration, reason: str = "") -> m.Registration:
    """A district admin declines a registration waiting for approval (the reason is shown to the participant)."""
    if actor is not None and registration.district_id not in roles_of(actor).admin_district_ids:
        deny(_("Only an admin of the participant's district declines their registrations."))
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": _("Use at most 300 characters.")})
    with transaction.atomic():
        lock_session(registration.session)
        locked = _lock_registration(registration)
        if locked.status != S.PENDING:
            raise ValidationError(
                _("Only a registration waiting for approval can be declined; this one is %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.status, locked.reason = S.DECLINED, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save()
        audit_record(
            actor=actor,
            action="learning.registration.decline",
            obj=locked,
            before={"status": S.PENDING},
            after={"status": S.DECLINED, "reason": reason},
        )
        notify(
            locked.participant,
            _("Your registration for %(title)s was not approved.") % {"title": locked.session.title},
            "my_learning",
        )
        _send_later(locked.pk, "declined")
    return locked


def _check_may_cancel(actor, registration, session, now) -> None:
    if actor is None:
        return
    if actor.pk == registration.participant_id:
        if now >= session.cancellation_deadline:
            raise ValidationError(
                _("The deadline to cancel was %(when)s. Ask the facilitator or your district to cancel for you.")
                % {"when": _when(session.cancellation_deadline, session)}
            )
        return
    if may_manage(actor, session.owner_id):
        return
    roles = roles_of(actor)
    if registration.district_id in roles.admin_district_ids:
        return
    if (
        roles.leader_campus_ids
        and User.objects.filter(people_at(roles.leader_campus_ids), pk=registration.participant_id).exists()
    ):
        return
    deny(_("You cannot cancel this registration."))


def registration_cancel(*, actor, registration: m.Registration, reason: str = "") -> m.Registration:
    """Cancel a registration: by the participant before the session's cancellation deadline, or at any
    time by the program's managers, the participant's district admins or campus leader.

    A freed seat goes straight to the first person waiting. The participant gets an email
    with a calendar cancellation (when they held a seat).
    """
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": _("Use at most 300 characters.")})
    now = timezone.now()
    with transaction.atomic():
        session = lock_session(registration.session)
        locked = _lock_registration(registration)
        _check_may_cancel(actor, locked, session, now)
        if not locked.is_active:
            raise ValidationError(
                _("This registration is already %(status)s.") % {"status": locked.get_status_display().lower()}
            )
        if locked.checked_in_at:
            raise ValidationError(
                _("%(name)s attended this session: the facilitator removes attendance, it is not cancelled.")
                % {"name": locked.participant.display_name}
            )
        held_seat = locked.status == S.CONFIRMED
        before = locked.status
        locked.status, locked.reason = S.CANCELLED, reason
        locked.cancelled_by, locked.cancelled_at = actor, now
        locked.save()
        promoted = promote_waitlist(session, now=now) if held_seat else []
        audit_record(
            actor=actor,
            action="learning.registration.cancel",
            obj=locked,
            before={"status": before},
            after={"status": S.CANCELLED, "reason": reason, "promoted": [r.participant_id for r in promoted]},
        )
        if actor is not None and actor.pk != locked.participant_id:
            notify(
                locked.participant,
                _("%(who)s cancelled your registration for %(title)s.")
                % {"who": actor.display_name, "title": session.title},
                "my_learning",
            )
        _send_later(locked.pk, "cancelled" if held_seat else "withdrawn")
    return locked


# Check-in and attendance --------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code) -> str:
    """What people type, in any case, with spaces or dashes, as the code is stored."""
    return re.sub(r"[^A-Z0-9]", "", str(code or "").upper())


def session_open_checkin(*, actor, session: m.Session) -> m.Session:
    """Open check-in: the session gets a short code to show on the facilitator's screen.

    Opening again while open keeps the same code (a refreshed screen shows what people
    already typed). Opens from two hours before the start until the end.
    """
    if not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers run check-in."))
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        if locked.is_cancelled:
            raise ValidationError(_("This session was cancelled."))
        if now < locked.starts_at - CHECKIN_OPENS_BEFORE:
            raise ValidationError(_("Check-in opens two hours before the session starts."))
        if now > locked.ends_at:
            raise ValidationError(_("This session has ended; mark attendance on the roster instead."))
        if locked.checkin_code:
            return locked
        for _attempt in range(8):
            code = _new_code()
            try:
                with transaction.atomic():
                    m.Session.objects.filter(pk=locked.pk).update(checkin_code=code, checkin_opened_at=now)
                break
            except IntegrityError:  # another open session has this code: draw again
                continue
        else:
            raise ValidationError(_("Could not make a check-in code; please try again."))
        locked.checkin_code, locked.checkin_opened_at = code, now
        audit_record(actor=actor, action="learning.session.open_checkin", obj=locked, after={"checkin": "open"})
    return locked


def session_close_checkin(*, actor, session: m.Session) -> m.Session:
    """Close check-in: the code stops working. Closing a closed check-in does nothing."""
    if not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers run check-in."))
    with transaction.atomic():
        locked = lock_session(session)
        if locked.checkin_code:
            locked.checkin_code = ""
            locked.save(update_fields=["checkin_code", "updated_at"])
            audit_record(actor=actor, action="learning.session.close_checkin", obj=locked, after={"checkin": "closed"})
    return locked


def minutes_between(session: m.Session, arrived: datetime.datetime, left: datetime.datetime) -> int:
    """Contact minutes earned between arriving and leaving (late arrival and early leave deducted)."""
    arrived, left = max(arrived, session.starts_at), min(left, session.ends_at)
    if left <= arrived:
        return 0
    late = int((arrived - session.starts_at).total_seconds() // 60)
    if late <= LATE_GRACE_MINUTES:
        late = 0
    early = int((session.ends_at - left).total_seconds() // 60)
    return max(0, session.contact_minutes - late - early)


def attendance_check_in(*, actor, code: str) -> m.Registration:
    """A participant checks in with the code on the facilitator's screen (typed, or from the QR code's URL).

    Returns the participant's registration with ``checked_in_at`` set. Checking in again
    returns the same registration unchanged: the first check-in counts. Minutes attended
    start at the arrival (a late arrival beyond the grace period is deducted) and run to
    the end; the facilitator records an early leave with ``attendance_adjust``.
    """
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        raise ValidationError({"code": _("Check the code: it has six letters and digits.")})
    session = (
        m.Session.objects.filter(checkin_code=code, status=m.SessionStatus.SCHEDULED)
        .only("pk", "title", "starts_at", "ends_at", "contact_minutes", "timezone")
        .first()
    )
    if session is None:
        raise ValidationError({"code": _("No session is checking in with this code. Check it with the facilitator.")})
    now = timezone.now()
    if now > session.ends_at:
        raise ValidationError({"code": _("Check-in for this session has closed.")})
    registration = (
        m.Registration.objects.filter(session=session, participant=actor, status__in=m.ACTIVE_STATUSES)
        .select_related("participant")
        .first()
    )
    if registration is None or registration.status != S.CONFIRMED:
        message = {
            None: _("You are not registered for this session. Ask the facilitator to add you."),
            S.WAITLISTED: _(
                "You are on the waiting list for this session. Ask the facilitator whether a seat is free."
            ),
            S.PENDING: _("Your registration still waits for your district's approval. Ask the facilitator."),
        }[registration.status if registration else None]
        raise ValidationError({"code": message})
    registration.session = session
    if registration.checked_in_at:
        return registration
    arrived = max(now, session.starts_at)
    values = {
        "checked_in_at": now,
        "checkin_method": m.CheckinMethod.CODE,
        "arrived_at": arrived,
        "left_at": session.ends_at,
        "minutes_attended": minutes_between(session, arrived, session.ends_at),
        "updated_at": now,
    }
    with transaction.atomic():
        # Conditional: of two check-ins at the same moment, exactly one updates the row.
        won = m.Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(**values)
        if won:
            for key, value in values.items():
                setattr(registration, key, value)
            audit_record(actor=actor, action="learning.attendance.check_in", obj=registration, after={"method": "code"})
    if not won:
        registration.refresh_from_db()
    return registration


def _check_attendance_window(session, now) -> None:
    if session.is_cancelled:
        raise ValidationError(_("This session was cancelled."))
    if now < session.starts_at - CHECKIN_OPENS_BEFORE:
        raise ValidationError(_("Attendance is taken from two hours before the session starts."))


def attendance_mark(*, actor, registration: m.Registration, present: bool = True) -> m.Registration:
    """The facilitator ticks (or unticks) a participant on the roster.

    Ticked: present for the whole session (contact minutes in full) unless already
    checked in; adjust late arrival or early leave with ``attendance_adjust``. Unticked:
    the attendance is removed.
    """
    if not may_run_session(actor, registration.session):
        deny(_("Only the session's facilitators and managers take attendance."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_registration(registration)
        session = locked.session
        _check_attendance_window(session, now)
        if present and locked.status != S.CONFIRMED:
            raise ValidationError(
                _("%(name)s does not hold a seat (%(status)s); only confirmed participants are marked present.")
                % {"name": locked.participant.display_name, "status": locked.get_status_display().lower()}
            )
        before = snapshot(locked, ["checked_in_at", "minutes_attended"])
        if present and locked.checked_in_at is None:
            locked.checked_in_at, locked.checkin_method, locked.checked_in_by = now, m.CheckinMethod.ROSTER, actor
            locked.arrived_at, locked.left_at = session.starts_at, session.ends_at
            locked.minutes_attended = session.contact_minutes
        elif not present:
            locked.checked_in_at = locked.arrived_at = locked.left_at = locked.minutes_attended = None
            locked.checkin_method, locked.checked_in_by = "", None
        else:
            return locked
        locked.save()
        audit_record(
            actor=actor,
            action="learning.attendance.mark",
            obj=locked,
            before=before,
            after=snapshot(locked, ["checked_in_at", "minutes_attended"]),
        )
    return locked


def attendance_adjust(
    *, actor, registration: m.Registration, arrived_at=None, left_at=None, minutes: int | None = None
) -> m.Registration:
    """Record a late arrival or an early leave (naive times are read in the session's time zone),
    or set the minutes attended directly (0 to the session's contact minutes)."""
    if not may_run_session(actor, registration.session):
        deny(_("Only the session's facilitators and managers take attendance."))
    with transaction.atomic():
        locked = _lock_registration(registration)
        session = locked.session
        if locked.checked_in_at is None:
            raise ValidationError(
                _("Mark %(name)s present before adjusting their time.") % {"name": locked.participant.display_name}
            )
        arrived = aware(arrived_at, session.timezone, "arrived_at") or locked.arrived_at or session.starts_at
        left = aware(left_at, session.timezone, "left_at") or locked.left_at or session.ends_at
        if not session.starts_at - CHECKIN_OPENS_BEFORE <= arrived <= session.ends_at:
            raise ValidationError({"arrived_at": _("Give a time of arrival during the session.")})
        if not arrived < left <= session.ends_at + CHECKIN_OPENS_BEFORE:
            raise ValidationError({"left_at": _("The time of leaving comes after the arrival, by the session's end.")})
        if minutes is not None and minutes != "":
            try:
                minutes = int(minutes)
            except (TypeError, ValueError):
                raise ValidationError({"minutes": _("Enter a whole number of minutes.")}) from None
            if not 0 <= minutes <= session.contact_minutes:
                raise ValidationError(
                    {"minutes": _("Enter between 0 and %(max)s minutes.") % {"max": session.contact_minutes}}
                )
        else:
            minutes = minutes_between(session, arrived, left)
        fields = ["arrived_at", "left_at", "minutes_attended"]
        before = snapshot(locked, fields)
        locked.arrived_at, locked.left_at, locked.minutes_attended = arrived, left, minutes
        locked.save()
        audit_record(
            actor=actor, action="learning.attendance.adjust", obj=locked, before=before, after=snapshot(locked, fields)
        )
    return locked
