"""What the parser keeps of a package: a few fields per row, for the rows Trellis imports."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from trellis.rostering.oneroster import spec

# UserRow.row for a person named only in a delta roles.csv: update their roles, nothing else.
ROLES_ONLY = -1


@dataclass
class Options:
    strict: bool = False
    classes: bool = False
    mode: str = ""  # "", "bulk" or "delta": force every file to this mode
    max_file_bytes: int = 100 * 1024 * 1024


@dataclass(slots=True)
class OrgRow:
    sourced_id: str
    name: str
    type: str
    identifier: str
    parent: str
    active: bool
    modified: datetime.datetime | None
    row: int


@dataclass(slots=True)
class RoleRow:
    role: str  # the OneRoster role, e.g. "teacher", "siteAdministrator", "ext:instructionalCoach"
    org: str  # the org's sourcedId
    begin: datetime.date | None
    end: datetime.date | None
    sourced_id: str  # the roles.csv sourcedId (1.2); empty in 1.1
    active: bool
    modified: datetime.datetime | None
    file: str
    row: int


@dataclass(slots=True)
class UserRow:
    sourced_id: str
    enabled: bool
    given: str
    family: str
    preferred_given: str
    preferred_family: str
    email: str
    identifier: str
    active: bool
    modified: datetime.datetime | None
    row: int
    roles: list | None  # None: the package says nothing about this person's roles (a 1.2 delta)


@dataclass(slots=True)
class SessionRow:
    sourced_id: str
    title: str
    type: str
    start: datetime.date | None
    end: datetime.date | None
    parent: str
    school_year: int | None
    active: bool
    modified: datetime.datetime | None
    row: int


@dataclass(slots=True)
class CourseRow:
    sourced_id: str
    title: str
    code: str
    school_year: str
    row: int


@dataclass(slots=True)
class ClassRow:
    sourced_id: str
    title: str
    code: str
    course: str
    school: str
    terms: list
    grades: str
    subjects: str
    periods: str
    active: bool
    modified: datetime.datetime | None
    row: int


@dataclass(slots=True)
class EnrollmentRow:
    sourced_id: str
    class_id: str
    school: str
    user: str
    primary: bool | None
    begin: datetime.date | None
    end: datetime.date | None
    active: bool
    modified: datetime.datetime | None
    row: int


@dataclass
class Roster:
    """What a package holds for Trellis, after reading."""

    version: str = ""
    modes: dict = field(default_factory=dict)  # file name -> bulk / delta (files read only)
    source_system: str = ""
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)  # staff only
    sessions: dict = field(default_factory=dict)
    courses: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    enrollments: dict = field(default_factory=dict)  # teacher enrollments only
    skipped: Counter = field(default_factory=Counter)  # what was left out on purpose, by kind
    rows_read: int = 0

    def mode(self, file: str) -> str:
        return self.modes.get(file, "")

    @property
    def overall_mode(self) -> str:
        modes = {self.modes[f] for f in (spec.ORGS, spec.USERS, spec.ROLES) if f in self.modes}
        if not modes:
            modes = set(self.modes.values())
        if len(modes) == 1:
            return modes.pop()
        return "mixed" if modes else ""
