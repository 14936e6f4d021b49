"""The role mapping: what a OneRoster role becomes in Trellis (documented in docs/rostering.md)."""

from trellis.accounts.models import EmployeeGroup
from trellis.orgs.models import Role
from trellis.rostering.oneroster import spec

_LEADER_ROLES = {"administrator", "principal", "siteAdministrator"}
_DISTRICT_ROLES = {"districtAdministrator", "systemAdministrator"}
_GROUP_PRIORITY = [
    EmployeeGroup.CAMPUS_LEADER,
    EmployeeGroup.COACH,
    EmployeeGroup.TEACHER,
    EmployeeGroup.COUNSELOR,
    EmployeeGroup.PARAPROFESSIONAL,
    EmployeeGroup.SPECIALIST,
    EmployeeGroup.DISTRICT_STAFF,
]
ROSTER_ROLES = {Role.TEACHER, Role.CAMPUS_LEADER, Role.COACH}


def is_coach_role(or_role: str) -> bool:
    return or_role.startswith("ext:") and "coach" in or_role.lower()


def trellis_role(or_role: str) -> str | None:
    """The Trellis role a OneRoster role gives on a school (never district admin)."""
    if or_role in _LEADER_ROLES:
        return Role.CAMPUS_LEADER
    if or_role in _DISTRICT_ROLES or or_role in spec.NOT_STAFF:
        return None
    if is_coach_role(or_role):
        return Role.COACH
    return Role.TEACHER


def employee_group(or_roles: list[tuple[str, bool]]) -> str:
    """The employee group for a new person from their (OneRoster role, at a school) pairs."""
    groups = set()
    for or_role, at_school in or_roles:
        if or_role in _LEADER_ROLES:
            groups.add(EmployeeGroup.CAMPUS_LEADER if at_school else EmployeeGroup.DISTRICT_STAFF)
        elif or_role in _DISTRICT_ROLES:
            groups.add(EmployeeGroup.DISTRICT_STAFF)
        elif is_coach_role(or_role):
            groups.add(EmployeeGroup.COACH)
        elif or_role == "teacher":
            groups.add(EmployeeGroup.TEACHER)
        elif or_role == "aide":
            groups.add(EmployeeGroup.PARAPROFESSIONAL)
        elif or_role == "counselor":
            groups.add(EmployeeGroup.COUNSELOR)
        else:
            groups.add(EmployeeGroup.SPECIALIST)
    for group in _GROUP_PRIORITY:
        if group in groups:
            return group
    return EmployeeGroup.TEACHER
