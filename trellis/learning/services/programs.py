"""Writes for programs, cohorts, sessions, materials, invitations and the per-organization policy.

Program managers (admins of the owning service center or district) create and change
programs, cohorts and sessions and assign facilitators; facilitators change their
sessions' content (title, agenda, objectives, materials). ``actor=None`` is system work
(the demo loader, imports) and skips the permission checks, never the rules.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.learning import models as m
from trellis.learning.access import may_manage, may_run_session
from trellis.learning.notify import after_commit, notify
from trellis.learning.services._common import (
    aware,
    check_facilitators,
    check_timezone,
    clean_text,
    confirmed_count,
    deny,
    district_of,
    lock_session,
)
from trellis.orgs.models import OrgKind

PROGRAM_FIELDS = ["title", "summary", "goals", *m.Program.OUTCOME_FIELDS, "completion_percent"]
COHORT_FIELDS = ["name", "description", "registration_mode"]
SESSION_CONTENT_FIELDS = ["title", "agenda", "objectives"]
SESSION_PLAN_FIELDS = [
    "starts_at",
    "ends_at",
    "timezone",
    "location",
    "online_url",
    "capacity",
    "contact_minutes",
    "registration_closes_at",
    "cancel_deadline",
]
# A change of these moves the event in people's calendars (SEQUENCE + 1, updated invitations).
CALENDAR_FIELDS = ["starts_at", "ends_at", "timezone", "location", "online_url"]
POLICY_FIELDS = [
    "approval_required",
    "minutes_per_hour",
    "hour_step",
    "rounding",
    "ceu_enabled",
    "credit_label",
    "sponsor_number",
]
MAX_SESSION_HOURS = 16


def _check_manager(actor, owner_id) -> None:
    if not may_manage(actor, owner_id):
        deny(_("Only the program's managers can do this."))


def _check_fields(fields: dict, allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Not an editable field here: {sorted(unknown)}")


def _full_clean(obj, exclude=()) -> None:
    obj.full_clean(exclude=["owner", "district", "program", "cohort", "session", "created_by", *exclude])


# Policy ---------------------------------------------------------------------------------------------


def policy_update(*, actor, organization, **fields) -> m.LearningPolicy:
    """Set an organization's professional-learning policy (approval, credit rule, sponsor number).

    Fields: ``approval_required``, ``minutes_per_hour`` (30-120), ``hour_step`` (0.1, 0.25,
    0.5 or 1), ``rounding`` ("down" or "nearest"), ``ceu_enabled``, ``credit_label``,
    ``sponsor_number``. Only the organization's admins change it.
    """
    _check_fields(fields, POLICY_FIELDS)
    if organization.kind not in (OrgKind.DISTRICT, OrgKind.SERVICE_CENTER):
        raise ValidationError({"organization": _("A policy belongs to a district or a service center.")})
    _check_manager(actor, organization.pk)
    with transaction.atomic():
        policy, _created = m.LearningPolicy.objects.select_for_update().get_or_create(
            organization=organization, defaults={"district_id": district_of(organization)}
        )
        before = snapshot(policy, POLICY_FIELDS)
        for key, value in fields.items():
            setattr(policy, key, value.strip() if isinstance(value, str) else value)
        policy.updated_by = actor
        policy.full_clean(exclude=["organization", "district", "updated_by"])
        policy.save()
        audit_record(
            actor=actor,
            action="learning.policy.update",
            obj=policy,
            district=organization if organization.kind == OrgKind.DISTRICT else None,
            before=before,
            after=snapshot(policy, POLICY_FIELDS),
        )
    return policy


# Programs ---------------------------------------------------------------------------------------


def _check_frameworks(owner, frameworks) -> list:
    frameworks = list(frameworks or [])
    allowed_districts = {None, owner.pk}
    if owner.kind == OrgKind.SERVICE_CENTER:
        allowed_districts |= set(owner.children.values_list("pk", flat=True))
    wrong = [f.title for f in frameworks if f.district_id not in allowed_districts]
    if wrong:
        raise ValidationError(
            {
                "frameworks": _("Choose frameworks this organization uses (not: %(names)s).")
                % {"names": ", ".join(wrong)}
            }
        )
    return frameworks


def program_create(*, actor, owner, title: str, frameworks=(), **fields) -> m.Program:
    """Create a program (as a draft) run by ``owner``, a service center or a district.

    Fields: ``summary``, ``goals``, the intended outcome per Guskey level
    (``outcome_reactions``, ``outcome_learning``, ``outcome_support``, ``outcome_practice``,
    ``outcome_students``), ``completion_percent`` (attendance needed for a certificate).
    ``frameworks``: shipped frameworks or the owner's (for a service center, its districts').
    """
    _check_fields(fields, PROGRAM_FIELDS)
    if owner is None or owner.kind not in (OrgKind.DISTRICT, OrgKind.SERVICE_CENTER):
        raise ValidationError({"owner": _("A program is run by a service center or a district.")})
    _check_manager(actor, owner.pk)
    frameworks = _check_frameworks(owner, frameworks)
    program = m.Program(
        owner=owner,
        district_id=district_of(owner),
        title=clean_text(title, "title", required=True),
        created_by=actor,
        **{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()},
    )
    _full_clean(program)
    with transaction.atomic():
        program.save()
        program.frameworks.set(frameworks)
        audit_record(
            actor=actor,
            action="learning.program.create",
            obj=program,
            after={**snapshot(program, ["owner", "title", "status"]), "frameworks": [f.pk for f in frameworks]},
        )
    return program


def program_update(*, actor, program: m.Program, frameworks=None, **fields) -> m.Program:
    """Change a program's description, outcomes, completion rule or frameworks."""
    _check_fields(fields, PROGRAM_FIELDS)
    _check_manager(actor, program.owner_id)
    if frameworks is not None:
        frameworks = _check_frameworks(program.owner, frameworks)
    with transaction.atomic():
        locked = m.Program.objects.select_for_update().get(pk=program.pk)
        before = snapshot(locked, list(fields))
        for key, value in fields.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        if "title" in fields:
            locked.title = clean_text(locked.title, "title", required=True)
        _full_clean(locked)
        locked.save()
        after = snapshot(locked, list(fields))
        if frameworks is not None:
            before["frameworks"] = sorted(locked.frameworks.values_list("pk", flat=True))
            locked.frameworks.set(frameworks)
            after["frameworks"] = sorted(f.pk for f in frameworks)
        audit_record(actor=actor, action="learning.program.update", obj=locked, before=before, after=after)
    return locked


_PROGRAM_MOVES = {
    "publish": ({m.ProgramStatus.DRAFT, m.ProgramStatus.ARCHIVED}, m.ProgramStatus.PUBLISHED),
    "archive": ({m.ProgramStatus.DRAFT, m.ProgramStatus.PUBLISHED}, m.ProgramStatus.ARCHIVED),
}


def _program_move(actor, program, action) -> m.Program:
    _check_manager(actor, program.owner_id)
    allowed_from, target = _PROGRAM_MOVES[action]
    with transaction.atomic():
        locked = m.Program.objects.select_for_update().get(pk=program.pk)
        if locked.status not in allowed_from:
            words = {"publish": _("published"), "archive": _("archived")}
            raise ValidationError(
                _("This program is %(state)s; it cannot be %(action)s now.")
                % {"state": locked.get_status_display().lower(), "action": words[action]}
            )
        before = locked.status
        locked.status = target
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=f"learning.program.{action}",
            obj=locked,
            before={"status": before},
            after={"status": target},
        )
    return locked


def program_publish(*, actor, program: m.Program) -> m.Program:
    """Publish: its open cohorts' sessions appear in the catalogue of the people it serves."""
    return _program_move(actor, program, "publish")


def program_archive(*, actor, program: m.Program) -> m.Program:
    """Archive: it leaves the catalogue; registrations, attendance and certificates stay."""
    return _program_move(actor, program, "archive")


# Cohorts ----------------------------------------------------------------------------------------


def cohort_create(
    *, actor, program: m.Program, name: str, description: str = "", registration_mode: str = "open", facilitators=()
) -> m.Cohort:
    """Add a cohort to a program: open to everyone the program serves, or by invitation only."""
    _check_manager(actor, program.owner_id)
    if program.status == m.ProgramStatus.ARCHIVED:
        raise ValidationError(_("This program is archived; publish it again before adding cohorts."))
    facilitators = check_facilitators(program.owner, facilitators)
    cohort = m.Cohort(
        program=program,
        owner_id=program.owner_id,
        district_id=program.district_id,
        name=clean_text(name, "name", required=True),
        description=str(description or "").strip(),
        registration_mode=registration_mode,
    )
    _full_clean(cohort)
    with transaction.atomic():
        cohort.save()
        cohort.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="learning.cohort.create",
            obj=cohort,
            after={**snapshot(cohort, ["program", *COHORT_FIELDS]), "facilitators": [p.pk for p in facilitators]},
        )
    return cohort


def cohort_update(*, actor, cohort: m.Cohort, **fields) -> m.Cohort:
    """Change a cohort's name, description or registration mode (``open`` / ``invitation``)."""
    _check_fields(fields, COHORT_FIELDS)
    _check_manager(actor, cohort.owner_id)
    with transaction.atomic():
        locked = m.Cohort.objects.select_for_update().get(pk=cohort.pk)
        before = snapshot(locked, list(fields))
        for key, value in fields.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        if "name" in fields:
            locked.name = clean_text(locked.name, "name", required=True)
        _full_clean(locked)
        locked.save()
        audit_record(
            actor=actor,
            action="learning.cohort.update",
            obj=locked,
            before=before,
            after=snapshot(locked, list(fields)),
        )
    return locked


def cohort_set_facilitators(*, actor, cohort: m.Cohort, facilitators) -> m.Cohort:
    """Name the cohort's facilitators (they run all its sessions). For a service center's cohort:
    its facilitators or admins; for a district's: its coaches or admins."""
    _check_manager(actor, cohort.owner_id)
    facilitators = check_facilitators(cohort.owner, facilitators)
    with transaction.atomic():
        before = sorted(cohort.facilitators.values_list("pk", flat=True))
        cohort.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="learning.cohort.set_facilitators",
            obj=cohort,
            before={"facilitators": before},
            after={"facilitators": sorted(p.pk for p in facilitators)},
        )
    return cohort


# Invitations ------------------------------------------------------------------------------------


def invitation_create(*, actor, cohort: m.Cohort, people) -> list[m.Invitation]:
    """Invite people to a cohort (they may then register for its sessions, even when it is invitation-only).

    Invitees must work in a district the program serves: the owning district, or a
    district of the owning service center. Inviting someone twice keeps one invitation.
    Each new invitee gets a notice.
    """
    _check_manager(actor, cohort.owner_id)
    people = list(dict.fromkeys(people or []))
    if not people:
        raise ValidationError({"people": _("Choose at least one person.")})
    served = {cohort.owner_id} | set(cohort.owner.children.values_list("pk", flat=True))
    wrong = [p.display_name for p in people if p.district_id not in served or not p.is_active]
    if wrong:
        raise ValidationError(
            {"people": _("%(names)s work outside the districts this program serves.") % {"names": ", ".join(wrong)}}
        )
    created = []
    with transaction.atomic():
        existing = set(cohort.invitations.filter(person__in=people).values_list("person_id", flat=True))
        for person in people:
            if person.pk in existing:
                continue
            created.append(
                m.Invitation.objects.create(
                    cohort=cohort, person=person, district_id=person.district_id, invited_by=actor
                )
            )
            notify(
                person,
                _("You are invited to %(cohort)s (%(program)s).")
                % {"cohort": cohort.name, "program": cohort.program.title},
                "my_learning",
            )
        audit_record(
            actor=actor,
            action="learning.invitation.create",
            obj=cohort,
            after={"invited": [i.person_id for i in created]},
        )
    return created


def invitation_withdraw(*, actor, invitation: m.Invitation) -> None:
    """Withdraw an invitation. Registrations already made stay (cancel them separately)."""
    _check_manager(actor, invitation.cohort.owner_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="learning.invitation.withdraw",
            obj=invitation,
            before=snapshot(invitation, ["cohort", "person"]),
        )
        invitation.delete()


# Sessions ---------------------------------------------------------------------------------------


def _clean_plan(values: dict, owner) -> dict:
    """Check a session's time, place and capacity; returns the cleaned values."""
    tz = check_timezone(values.get("timezone") or owner.timezone)
    starts = aware(values.get("starts_at"), tz, "starts_at")
    ends = aware(values.get("ends_at"), tz, "ends_at")
    if starts is None:
        raise ValidationError({"starts_at": _("Enter when the session starts.")})
    if ends is None:
        raise ValidationError({"ends_at": _("Enter when the session ends.")})
    if ends <= starts:
        raise ValidationError({"ends_at": _("The session ends after it starts.")})
    if ends - starts > datetime.timedelta(hours=MAX_SESSION_HOURS):
        raise ValidationError(
            {
                "ends_at": _("A session lasts at most %(n)s hours; plan several sessions instead.")
                % {"n": MAX_SESSION_HOURS}
            }
        )
    duration = int((ends - starts).total_seconds() // 60)
    contact = values.get("contact_minutes")
    contact = duration if contact in (None, "") else contact
    try:
        contact = int(contact)
    except (TypeError, ValueError):
        raise ValidationError({"contact_minutes": _("Enter a whole number of minutes.")}) from None
    if not 1 <= contact <= duration:
        raise ValidationError(
            {"contact_minutes": _("Contact minutes are between 1 and the session's length (%(n)s).") % {"n": duration}}
        )
    capacity = values.get("capacity")
    if capacity in ("", None):
        capacity = None
    else:
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            raise ValidationError(
                {"capacity": _("Enter a whole number of seats, or leave it empty for no limit.")}
            ) from None
        if capacity < 1:
            raise ValidationError({"capacity": _("A session has at least one seat.")})
    closes = aware(values.get("registration_closes_at"), tz, "registration_closes_at")
    if closes is not None and closes > ends:
        raise ValidationError({"registration_closes_at": _("Registration closes before the session ends.")})
    deadline = aware(values.get("cancel_deadline"), tz, "cancel_deadline")
    if deadline is not None and deadline > ends:
        raise ValidationError({"cancel_deadline": _("The cancellation deadline comes before the session ends.")})
    return {
        "starts_at": starts,
        "ends_at": ends,
        "timezone": tz,
        "location": clean_text(values.get("location"), "location", max_length=300),
        "online_url": str(values.get("online_url") or "").strip(),
        "capacity": capacity,
        "contact_minutes": contact,
        "registration_closes_at": closes,
        "cancel_deadline": deadline,
    }


def session_create(
    *,
    actor,
    cohort: m.Cohort,
    title: str,
    starts_at,
    ends_at,
    timezone: str = "",  # the field's name (shadows django.utils.timezone, unused in here)
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
    contact_minutes: int | None = None,
    agenda: str = "",
    objectives: str = "",
    registration_closes_at=None,
    cancel_deadline=None,
    facilitators=(),
) -> m.Session:
    """Schedule a session of a cohort.

    Times: aware datetimes, or naive ones read in the session's time zone
    (``timezone``, an IANA name, default the owner's). ``capacity`` None means no limit.
    ``contact_minutes`` (what full attendance earns) defaults to the length; give less
    when the day has breaks or a meal. ``registration_closes_at`` and ``cancel_deadline``
    default to the start. ``objectives``: one per line.
    """
    _check_manager(actor, cohort.owner_id)
    if cohort.program.status == m.ProgramStatus.ARCHIVED:
        raise ValidationError(_("This program is archived; publish it again before adding sessions."))
    owner = cohort.owner
    plan = _clean_plan(
        {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": timezone,
            "location": location,
            "online_url": online_url,
            "capacity": capacity,
            "contact_minutes": contact_minutes,
            "registration_closes_at": registration_closes_at,
            "cancel_deadline": cancel_deadline,
        },
        owner,
    )
    facilitators = check_facilitators(owner, facilitators)
    session = m.Session(
        cohort=cohort,
        owner=owner,
        district_id=cohort.district_id,
        title=clean_text(title, "title", required=True),
        agenda=str(agenda or "").strip(),
        objectives=str(objectives or "").strip(),
        **plan,
    )
    _full_clean(session)
    with transaction.atomic():
        session.save()
        session.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="learning.session.create",
            obj=session,
            after=snapshot(session, ["cohort", "title", "starts_at", "ends_at", "timezone", "capacity"]),
        )
    return session


def session_update(*, actor, session: m.Session, **fields) -> m.Session:
    """Change a session.

    Facilitators change its content (``title``, ``agenda``, ``objectives``); managers
    also its plan (``starts_at``, ``ends_at``, ``timezone``, ``location``, ``online_url``,
    ``capacity``, ``contact_minutes``, ``registration_closes_at``, ``cancel_deadline``).
    A change of time or place raises the calendar SEQUENCE and sends everyone with a
    seat an updated invitation (and a new reminder). More seats go to the waiting list
    at once; fewer seats than people already holding one is refused. Attendance minutes
    are recomputed when the times or contact minutes change.
    """
    _check_fields(fields, SESSION_CONTENT_FIELDS + SESSION_PLAN_FIELDS)
    plan_changes = set(fields) & set(SESSION_PLAN_FIELDS)
    if plan_changes:
        _check_manager(actor, session.owner_id)
    elif not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers can change it."))
    from trellis.learning.services.registration import minutes_between, promote_waitlist

    with transaction.atomic():
        locked = lock_session(session)
        if locked.is_cancelled:
            raise ValidationError(_("This session was cancelled; it can no longer change."))
        tracked = SESSION_CONTENT_FIELDS + SESSION_PLAN_FIELDS
        before = snapshot(locked, tracked)
        if plan_changes:
            current = {name: getattr(locked, name) for name in SESSION_PLAN_FIELDS}
            if "starts_at" in fields or "ends_at" in fields:
                # New times without new contact minutes: full attendance is the new length.
                current["contact_minutes"] = None
            current.update(fields)
            for key, value in _clean_plan({k: current[k] for k in SESSION_PLAN_FIELDS}, locked.owner).items():
                setattr(locked, key, value)
        for name in set(fields) & set(SESSION_CONTENT_FIELDS):
            setattr(locked, name, str(fields[name] or "").strip())
        locked.title = clean_text(locked.title, "title", required=True)
        if locked.capacity is not None and locked.capacity < (seated := confirmed_count(locked)):
            raise ValidationError(
                {
                    "capacity": _("%(n)s people already hold seats; cancel registrations before removing seats.")
                    % {"n": seated}
                }
            )
        moved = any(before[name] != snapshot(locked, [name])[name] for name in CALENDAR_FIELDS)
        if moved:
            locked.sequence += 1
        _full_clean(locked)
        locked.save()
        if moved:
            # Reminders follow the new date.
            locked.registrations.filter(reminded_at__isnull=False).update(reminded_at=None)
        timing = {"starts_at", "ends_at", "contact_minutes"} & plan_changes
        if timing:
            for registration in locked.registrations.filter(checked_in_at__isnull=False):
                registration.minutes_attended = minutes_between(
                    locked, registration.arrived_at or locked.starts_at, registration.left_at or locked.ends_at
                )
                registration.save(update_fields=["minutes_attended", "updated_at"])
        promoted = promote_waitlist(locked) if "capacity" in plan_changes else []
        after = snapshot(locked, tracked)
        if promoted:
            after["promoted"] = [r.participant_id for r in promoted]
        audit_record(actor=actor, action="learning.session.update", obj=locked, before=before, after=after)
        if moved:
            from trellis.learning.tasks import send_session_changed

            after_commit(lambda: send_session_changed.enqueue(locked.pk))
    return locked


def session_set_facilitators(*, actor, session: m.Session, facilitators) -> m.Session:
    """Name facilitators for one session (besides the cohort's, who run every session)."""
    _check_manager(actor, session.owner_id)
    facilitators = check_facilitators(session.owner, facilitators)
    with transaction.atomic():
        before = sorted(session.facilitators.values_list("pk", flat=True))
        session.facilitators.set(facilitators)
        audit_record(
            actor=actor,
            action="learning.session.set_facilitators",
            obj=session,
            before={"facilitators": before},
            after={"facilitators": sorted(p.pk for p in facilitators)},
        )
    return session


def session_cancel(*, actor, session: m.Session, reason: str = "") -> m.Session:
    """Cancel a session that has not taken place: every registration is cancelled, people with a seat
    get a calendar cancellation, everyone registered gets a notice."""
    _check_manager(actor, session.owner_id)
    reason = clean_text(reason, "reason", max_length=300)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        if locked.is_cancelled:
            raise ValidationError(_("This session is already cancelled."))
        if locked.registrations.filter(checked_in_at__isnull=False).exists():
            raise ValidationError(_("People checked in to this session: it took place and cannot be cancelled."))
        active = list(locked.registrations.filter(status__in=m.ACTIVE_STATUSES).select_related("participant"))
        seated = [r.pk for r in active if r.status == m.RegistrationStatus.CONFIRMED]
        locked.status, locked.cancelled_at, locked.cancel_reason = m.SessionStatus.CANCELLED, now, reason
        locked.checkin_code = ""
        locked.sequence += 1
        locked.save()
        locked.registrations.filter(pk__in=[r.pk for r in active]).update(
            status=m.RegistrationStatus.CANCELLED, cancelled_at=now, cancelled_by=actor, reason=reason, updated_at=now
        )
        for registration in active:
            notify(
                registration.participant,
                _("%(title)s on %(day)s is cancelled.")
                % {"title": locked.title, "day": date_format(locked.local_start, "DATE_FORMAT")},
                "my_learning",
            )
        audit_record(
            actor=actor,
            action="learning.session.cancel",
            obj=locked,
            before={"status": m.SessionStatus.SCHEDULED},
            after={"status": m.SessionStatus.CANCELLED, "reason": reason, "registrations_cancelled": len(active)},
        )
        from trellis.learning.tasks import send_session_cancelled

        after_commit(lambda: send_session_cancelled.enqueue(locked.pk, seated))
    return locked


# Materials --------------------------------------------------------------------------------------


def material_add(*, actor, session: m.Session, title: str, url: str = "", upload=None) -> m.Material:
    """Attach a link or a file (PDF, image, Word, PowerPoint, Excel; checked by content) to a session."""
    from trellis.observations.uploads import check_upload

    if not may_run_session(actor, session):
        deny(_("Only the session's facilitators and managers add materials."))
    title = clean_text(title, "title", required=True, max_length=200)
    url = str(url or "").strip()
    if bool(url) == bool(upload):
        raise ValidationError({"url": _("Give a link or a file (one of the two).")})
    material = m.Material(
        session=session,
        owner_id=session.owner_id,
        district_id=session.district_id,
        title=title,
        url=url,
        added_by=actor,
        position=session.materials.count(),
    )
    checked = check_upload(upload, max_bytes=settings.EVIDENCE_MAX_BYTES) if upload else None
    if checked:
        material.original_name, material.content_type, material.size = (
            checked.name[:255],
            checked.content_type,
            checked.size,
        )
        material.file.save(f"{uuid.uuid4().hex}{checked.extension}", checked.content, save=False)
    try:
        material.full_clean(exclude=["owner", "district", "session", "added_by", "file"])
    except ValidationError:
        if material.file:
            material.file.delete(save=False)
        raise
    with transaction.atomic():
        material.save()
        audit_record(
            actor=actor, action="learning.material.add", obj=material, after=snapshot(material, ["title", "url"])
        )
    return material


def material_remove(*, actor, material: m.Material) -> None:
    if not may_run_session(actor, material.session):
        deny(_("Only the session's facilitators and managers remove materials."))
    with transaction.atomic():
        audit_record(
            actor=actor, action="learning.material.remove", obj=material, before=snapshot(material, ["title", "url"])
        )
        stored = material.file.name if material.file else ""
        material.delete()
        if stored:
            transaction.on_commit(lambda: material.file.storage.delete(stored))
