"""Writes to organizations, people, memberships, caseloads and access grants.

Each service runs in one transaction and records one audit entry. Business rules
live here; views only authorise (through ``access``) and call a service. A
``ValidationError`` raised here names the field it is about, so forms show it
beside that field. ``actor`` is None only for system work (the demo loader, imports).
"""

import datetime
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.orgs.access import active_grants, grant_covers_teacher
from trellis.orgs.models import (
    ROLE_ORG_KINDS,
    AccessGrant,
    CaseloadAssignment,
    GrantScope,
    Membership,
    Organization,
    OrgKind,
    Role,
    active_on,
)

User = get_user_model()

ORG_FIELDS = ["name", "slug", "code", "timezone", "require_admin_mfa", "is_active"]
PERSON_FIELDS = ["email", "full_name", "preferred_name", "employee_group", "is_active"]


# Organizations -----------------------------------------------------------------


def _unique_slug(name: str, parent: Organization | None, kind: str, slug: str = "") -> str:
    base = slugify(slug or name)[:70] or "org"
    siblings = Organization.objects.filter(parent=parent) if parent else Organization.objects.filter(parent=None)
    candidate, n = base, 2
    while siblings.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def organization_create(
    *, actor, kind: str, name: str, parent: Organization | None = None, slug: str = "", **fields
) -> Organization:
    """Create a service center, a district (under a service center or alone) or a campus."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if kind == OrgKind.CAMPUS and (parent is None or parent.kind != OrgKind.DISTRICT):
        raise ValidationError({"parent": _("A campus belongs to a district.")})
    if kind == OrgKind.DISTRICT and parent is not None and parent.kind != OrgKind.SERVICE_CENTER:
        raise ValidationError({"parent": _("A district sits under a service center or stands alone.")})
    if kind == OrgKind.SERVICE_CENTER and parent is not None:
        raise ValidationError({"parent": _("A service center has no parent.")})
    with transaction.atomic():
        if parent is not None and kind == OrgKind.CAMPUS:
            duplicate = Organization.objects.filter(parent=parent, name__iexact=name).exists()
            if duplicate:
                raise ValidationError({"name": _("This district already has a campus with that name.")})
        org = Organization(kind=kind, name=name, parent=parent, slug=_unique_slug(name, parent, kind, slug), **fields)
        org.full_clean(exclude=["district", "parent"])
        org.save()
        org.district = org if kind == OrgKind.DISTRICT else (parent if kind == OrgKind.CAMPUS else None)
        org.save(update_fields=["district"])
        audit_record(actor=actor, action=f"{kind}.create", obj=org, after=snapshot(org, ORG_FIELDS))
    return org


def _check_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": _("Choose a time zone from the list, for example America/Chicago.")})


def organization_update(*, actor, organization: Organization, **changes) -> Organization:
    """Change a campus's or district's name, code, time zone or settings."""
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise ValidationError({"name": _("Enter a name.")})
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        before = snapshot(org, ORG_FIELDS)
        for key, value in changes.items():
            setattr(org, key, value)
        if org.kind == OrgKind.CAMPUS and "name" in changes:
            clash = Organization.objects.filter(parent=org.parent, name__iexact=org.name).exclude(pk=org.pk)
            if clash.exists():
                raise ValidationError({"name": _("This district already has a campus with that name.")})
        org.full_clean(exclude=["district", "parent", "slug"])
        org.save()
        audit_record(actor=actor, action=f"{org.kind}.update", obj=org, before=before, after=snapshot(org, ORG_FIELDS))
    return org


def campus_create(*, actor, district: Organization, name: str, code: str = "", timezone_name: str = "") -> Organization:
    fields = {"code": code.strip()}
    fields["timezone"] = timezone_name or district.timezone
    _check_timezone(fields["timezone"])
    return organization_create(actor=actor, kind=OrgKind.CAMPUS, name=name, parent=district, **fields)


def campus_set_active(*, actor, campus: Organization, active: bool) -> Organization:
    """Close or reopen a campus. Closing keeps its people and history."""
    return organization_update(actor=actor, organization=campus, is_active=active)


# People --------------------------------------------------------------------------


def _check_email_free(email: str, exclude_pk=None) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    taken = User.objects.filter(email__iexact=email)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"email": _("Someone already uses this email address.")})
    return email


def person_create(
    *,
    actor,
    email: str,
    full_name: str,
    employee_group: str,
    district: Organization | None = None,
    service_center: Organization | None = None,
    preferred_name: str = "",
    password: str | None = None,
    sourced_id: str = "",
):
    """Add a person to a district or a service center.

    Without a password the person sets one through "forgot password" (or signs in
    with their district's provider once single sign-on is configured).
    """
    if (district is None) == (service_center is None):
        raise ValueError("A person belongs to exactly one district or service center.")
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter the person's full name.")})
    with transaction.atomic():
        email = _check_email_free(email)
        person = User(
            email=email,
            full_name=full_name,
            preferred_name=(preferred_name or "").strip(),
            employee_group=employee_group,
            district=district,
            service_center=service_center,
            sourced_id=sourced_id,
        )
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.full_clean(exclude=["password", "district", "service_center"])
        try:
            person.save()
        except IntegrityError as exc:
            raise ValidationError({"email": _("Someone already uses this email address.")}) from exc
        audit_record(
            actor=actor,
            action="person.create",
            obj=person,
            district=district,
            after=snapshot(person, PERSON_FIELDS),
        )
    return person


def person_update(*, actor, person, **changes):
    unknown = set(changes) - {"email", "full_name", "preferred_name", "employee_group"}
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        before = snapshot(locked, PERSON_FIELDS)
        if "email" in changes:
            changes["email"] = _check_email_free(changes["email"], exclude_pk=locked.pk)
        if "full_name" in changes:
            changes["full_name"] = (changes["full_name"] or "").strip()
            if not changes["full_name"]:
                raise ValidationError({"full_name": _("Enter the person's full name.")})
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.full_clean(exclude=["password", "district", "service_center"])
        locked.save()
        audit_record(
            actor=actor, action="person.update", obj=locked, before=before, after=snapshot(locked, PERSON_FIELDS)
        )
    return locked


def person_set_active(*, actor, person, active: bool):
    """Deactivate (never delete) or reactivate a person. Their history stays."""
    if actor is not None and person.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=person.pk)
        before = snapshot(locked, ["is_active"])
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        action = "person.reactivate" if active else "person.deactivate"
        audit_record(actor=actor, action=action, obj=locked, before=before, after=snapshot(locked, ["is_active"]))
    return locked


# Memberships ---------------------------------------------------------------------


def _refuse_reopening(row, on: datetime.date, message: str) -> None:
    """Ending a row that already ended earlier would move its end date later and give access back."""
    if row.valid_to is not None and row.valid_to < on:
        raise ValidationError(message % {"date": row.valid_to.isoformat()})


def _check_dates(valid_from: datetime.date, valid_to: datetime.date | None, field: str = "valid_to") -> None:
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({field: _("The end date must be on or after the start date.")})


def membership_create(
    *,
    actor,
    person,
    organization: Organization,
    role: str,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> Membership:
    """Grant ``role`` on ``organization`` to ``person`` between two dates."""
    valid_from = valid_from or timezone.localdate()
    _check_dates(valid_from, valid_to)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if organization.kind not in ROLE_ORG_KINDS[role]:
        kinds = ", ".join(str(OrgKind(k).label).lower() for k in sorted(ROLE_ORG_KINDS[role]))
        raise ValidationError({"organization": _("This role is given on a %(kinds)s.") % {"kinds": kinds}})
    if organization.kind == OrgKind.SERVICE_CENTER:
        if person.service_center_id != organization.pk:
            raise ValidationError({"organization": _("Only this service center's own staff can hold its roles.")})
    elif person.district_id != organization.district_id:
        raise ValidationError({"organization": _("The person works in another district.")})
    with transaction.atomic():
        overlapping = Membership.objects.filter(person=person, organization=organization, role=role).filter(
            active_on(valid_from)
        )
        if overlapping.exists():
            raise ValidationError(_("The person already holds this role here on that date."))
        membership = Membership.objects.create(
            person=person,
            organization=organization,
            role=role,
            district_id=organization.district_id,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        audit_record(
            actor=actor,
            action="membership.create",
            obj=membership,
            after=snapshot(membership, ["person", "organization", "role", "valid_from", "valid_to"]),
        )
    return membership


def membership_end(*, actor, membership: Membership, on: datetime.date | None = None) -> Membership | None:
    """End a membership on ``on`` (default today). Ending is how roles are removed; history stays.

    A membership that has not started yet holds no history: ending it withdraws it
    (the row is removed, the audit log keeps the record) and returns None.
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        _refuse_reopening(locked, on, _("This role already ended on %(date)s."))
        _refuse_removing_last_admin(locked, on)
        if on < locked.valid_from:
            audit_record(
                actor=actor,
                action="membership.withdraw",
                obj=locked,
                before=snapshot(locked, ["person", "organization", "role", "valid_from", "valid_to"]),
            )
            locked.delete()
            return None
        before = snapshot(locked, ["valid_to"])
        locked.valid_to = on
        locked.save(update_fields=["valid_to"])
        audit_record(
            actor=actor, action="membership.end", obj=locked, before=before, after=snapshot(locked, ["valid_to"])
        )
    return locked


def _refuse_removing_last_admin(membership: Membership, on: datetime.date) -> None:
    """A district always keeps one administrator: someone must be able to manage it."""
    if membership.role != Role.DISTRICT_ADMIN:
        return
    tomorrow = on + datetime.timedelta(days=1)
    others = (
        Membership.objects.filter(
            organization=membership.organization, role=Role.DISTRICT_ADMIN, person__is_active=True
        )
        .exclude(pk=membership.pk)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=tomorrow))
    )
    if not others.exists():
        raise ValidationError(_("This is the district's last administrator. Give someone else the role first."))


# Caseloads -----------------------------------------------------------------------


def _holds_role(person, roles: set[str], day: datetime.date) -> bool:
    return Membership.objects.filter(person=person, role__in=roles).filter(active_on(day)).exists()


def caseload_assign(
    *,
    actor,
    coach,
    teacher,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> CaseloadAssignment:
    """Assign a coach (or a service-center facilitator) to support a teacher.

    A district coach works within their own district, across campuses. A
    facilitator needs an active grant from the teacher's district that covers
    the teacher.
    """
    valid_from = valid_from or timezone.localdate()
    _check_dates(valid_from, valid_to)
    if coach.pk == teacher.pk:
        raise ValidationError({"coach": _("A person cannot be on their own caseload.")})
    if teacher.district_id is None or not teacher.is_active:
        raise ValidationError({"teacher": _("Choose an active educator from a district.")})
    if not _holds_role(teacher, {Role.TEACHER}, valid_from):
        raise ValidationError({"teacher": _("This person does not hold a teacher role on that date.")})
    if coach.service_center_id:
        if not _holds_role(coach, {Role.FACILITATOR}, valid_from):
            raise ValidationError({"coach": _("This person is not a facilitator.")})
        grants = active_grants(valid_from).filter(service_center_id=coach.service_center_id)
        if not _grant_covers(grants, teacher):
            raise ValidationError(
                {"teacher": _("The teacher's district has not granted this service center access to them.")}
            )
    else:
        if coach.district_id != teacher.district_id:
            raise ValidationError({"coach": _("The coach works in another district.")})
        if not _holds_role(coach, {Role.COACH, Role.CAMPUS_LEADER}, valid_from):
            raise ValidationError({"coach": _("This person does not hold a coach role on that date.")})
    with transaction.atomic():
        current = CaseloadAssignment.objects.filter(coach=coach, teacher=teacher).filter(active_on(valid_from))
        if current.exists():
            raise ValidationError(_("This teacher is already on this coach's caseload."))
        assignment = CaseloadAssignment.objects.create(
            coach=coach, teacher=teacher, district_id=teacher.district_id, valid_from=valid_from, valid_to=valid_to
        )
        audit_record(
            actor=actor,
            action="caseload.assign",
            obj=assignment,
            after=snapshot(assignment, ["coach", "teacher", "valid_from", "valid_to"]),
        )
    return assignment


def _grant_covers(grants, teacher) -> bool:
    """Whether one of ``grants`` covers ``teacher`` (whole district, or one of their campuses)."""
    covering = grant_covers_teacher(grants, teacher_ref="pk", district_ref="district")
    return User.objects.filter(pk=teacher.pk).filter(Exists(covering)).exists()


def caseload_end(*, actor, assignment: CaseloadAssignment, on: datetime.date | None = None) -> CaseloadAssignment:
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = CaseloadAssignment.objects.select_for_update().get(pk=assignment.pk)
        _refuse_reopening(locked, on, _("This assignment already ended on %(date)s."))
        before = snapshot(locked, ["valid_to"])
        locked.valid_to = max(on, locked.valid_from)
        locked.save(update_fields=["valid_to"])
        audit_record(
            actor=actor, action="caseload.end", obj=locked, before=before, after=snapshot(locked, ["valid_to"])
        )
    return locked


# Service-center access grants --------------------------------------------------------


def grant_create(
    *,
    actor,
    district: Organization,
    service_center: Organization,
    scope: str = GrantScope.DISTRICT,
    campuses=(),
    purpose: str = "",
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> AccessGrant:
    """A district lets a service center's facilitators work with its people."""
    valid_from = valid_from or timezone.localdate()
    _check_dates(valid_from, valid_to)
    if service_center.kind != OrgKind.SERVICE_CENTER:
        raise ValidationError({"service_center": _("Choose a service center.")})
    campuses = list(campuses)
    if scope == GrantScope.CAMPUSES:
        if not campuses:
            raise ValidationError({"campuses": _("Choose at least one campus, or grant the whole district.")})
        if any(c.kind != OrgKind.CAMPUS or c.district_id != district.pk for c in campuses):
            raise ValidationError({"campuses": _("Choose campuses of this district only.")})
    else:
        campuses = []
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            district=district,
            service_center=service_center,
            scope=scope,
            purpose=(purpose or "").strip(),
            valid_from=valid_from,
            valid_to=valid_to,
            granted_by=actor,
        )
        grant.campuses.set(campuses)
        after = snapshot(grant, ["service_center", "scope", "purpose", "valid_from", "valid_to"])
        after["campuses"] = sorted(c.pk for c in campuses)
        audit_record(actor=actor, action="grant.create", obj=grant, after=after)
    return grant


def grant_revoke(*, actor, grant: AccessGrant) -> AccessGrant:
    """Revoke at once: the service center's facilitators lose access on the next request."""
    with transaction.atomic():
        locked = AccessGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This grant is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="grant.revoke",
            obj=locked,
            before={"revoked_at": None},
            after={"revoked_at": locked.revoked_at.isoformat()},
        )
    return locked
