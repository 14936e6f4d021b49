"""What roles a person holds today, read once per request."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from trellis.lib.compiled import CompiledQuery
from trellis.orgs.models import Membership, OrgKind, Role, active_on


@dataclass(frozen=True)
class Roles:
    teacher_campus_ids: frozenset = field(default_factory=frozenset)
    coach_campus_ids: frozenset = field(default_factory=frozenset)
    coach_district_ids: frozenset = field(default_factory=frozenset)
    leader_campus_ids: frozenset = field(default_factory=frozenset)
    admin_district_ids: frozenset = field(default_factory=frozenset)
    facilitator_sc_ids: frozenset = field(default_factory=frozenset)
    sc_admin_ids: frozenset = field(default_factory=frozenset)
    # Districts this person administers that require their administrators to use an authenticator.
    mfa_required_district_ids: frozenset = field(default_factory=frozenset)

    @property
    def is_teacher(self) -> bool:
        return bool(self.teacher_campus_ids)

    @property
    def is_coach(self) -> bool:
        return bool(self.coach_campus_ids or self.coach_district_ids)

    @property
    def is_campus_leader(self) -> bool:
        return bool(self.leader_campus_ids)

    @property
    def is_district_admin(self) -> bool:
        return bool(self.admin_district_ids)

    @property
    def is_facilitator(self) -> bool:
        return bool(self.facilitator_sc_ids)

    @property
    def is_service_center_admin(self) -> bool:
        return bool(self.sc_admin_ids)

    @property
    def names(self) -> list[str]:
        """The roles held, in a stable order, for display."""
        flags = [
            (self.is_district_admin, Role.DISTRICT_ADMIN),
            (self.is_service_center_admin, Role.SERVICE_CENTER_ADMIN),
            (self.is_campus_leader, Role.CAMPUS_LEADER),
            (self.is_coach, Role.COACH),
            (self.is_facilitator, Role.FACILITATOR),
            (self.is_teacher, Role.TEACHER),
        ]
        return [role for held, role in flags if held]


_EMPTY = Roles()
_ROLE_FIELDS = {
    Role.TEACHER: "teacher_campus_ids",
    Role.CAMPUS_LEADER: "leader_campus_ids",
    Role.DISTRICT_ADMIN: "admin_district_ids",
    Role.FACILITATOR: "facilitator_sc_ids",
    Role.SERVICE_CENTER_ADMIN: "sc_admin_ids",
}


# Every page reads it: compiled once (see trellis.lib.compiled).
_ROLE_ROWS = CompiledQuery(
    lambda person, today: (
        Membership.objects.filter(person_id=person, organization__is_active=True)
        .filter(active_on(today))
        .values_list("role", "organization_id", "organization__kind", "organization__require_admin_mfa")
    ),
    person=int,
    today=datetime.date,
)


def roles_of(user) -> Roles:
    """The person's roles today; cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_trellis_roles", None)
    if cached is not None:
        return cached
    sets: dict[str, set] = {name: set() for name in Roles.__dataclass_fields__}
    for role, org_id, kind, requires_mfa in _ROLE_ROWS.rows(person=user.pk, today=timezone.localdate()):
        if role == Role.COACH:
            sets["coach_district_ids" if kind == OrgKind.DISTRICT else "coach_campus_ids"].add(org_id)
        else:
            sets[_ROLE_FIELDS[role]].add(org_id)
        if role == Role.DISTRICT_ADMIN and requires_mfa:
            sets["mfa_required_district_ids"].add(org_id)
    roles = Roles(**{name: frozenset(ids) for name, ids in sets.items()})
    user._trellis_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles after a membership change in the same request."""
    if hasattr(user, "_trellis_roles"):
        del user._trellis_roles
