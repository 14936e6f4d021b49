"""Read a OneRoster 1.1 or 1.2 package into the few records Trellis imports.

``parse_package`` reads the manifest, then each file Trellis needs, streaming rows, and keeps
only staff (students, guardians, their demographics and every password are never kept), the
organizations, and, when classes are asked for, academic sessions, courses, classes and
teacher enrollments. Every problem goes into the report with its file, row and column.
References to rows that are not in the package are checked later, against the database too
(``trellis.rostering.importer``), because a delta file may point at records imported before.
"""

import re

from django.utils.translation import gettext as _

from trellis.rostering.oneroster import spec
from trellis.rostering.oneroster.manifest import ManifestReading
from trellis.rostering.oneroster.package import Package, open_package
from trellis.rostering.oneroster.records import (
    ROLES_ONLY,
    ClassRow,
    CourseRow,
    EnrollmentRow,
    Options,
    OrgRow,
    RoleRow,
    Roster,
    SessionRow,
    UserRow,
)
from trellis.rostering.oneroster.report import Report
from trellis.rostering.oneroster.values import RowChecks

__all__ = ["ROLES_ONLY", "Options", "Roster", "UserRow", "parse_package"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_package(source, options: Options, report: Report | None = None) -> tuple[Roster | None, Report]:
    """Read ``source`` (a zip path, a folder path or a binary zip file object)."""
    report = report or Report(strict=options.strict)
    package = open_package(source, report)
    if package is None:
        return None, report
    with package:
        roster = _Parser(package, options, report).parse()
    return roster, report


class _Parser(ManifestReading, RowChecks):
    def __init__(self, package: Package, options: Options, report: Report):
        self.package = package
        self.options = options
        self.report = report
        self.roster = Roster()

    # The package -------------------------------------------------------------------

    def parse(self) -> Roster | None:
        if self.package.get(spec.MANIFEST) is None:
            self._explain_missing_manifest()
            return None
        manifest = self._read_manifest()
        if manifest is None:
            return None
        version, declared = manifest
        self.roster.version = version
        if not self._plan_files(version, declared):
            return None
        r = self.roster
        if spec.ORGS in r.modes:
            self._read_orgs()
        if version == spec.V12:
            staff_roles = self._read_roles() if spec.ROLES in r.modes else {}
            if spec.USERS in r.modes:
                self._read_users(version, staff_roles)
            elif staff_roles:
                # Role changes for people imported before (a delta package without users.csv).
                for user_id, roles in staff_roles.items():
                    r.users[user_id] = UserRow(user_id, True, "", "", "", "", "", "", True, None, ROLES_ONLY, roles)
        elif spec.USERS in r.modes:
            self._read_users(version, {})
        if self.options.classes:
            if spec.ACADEMIC_SESSIONS in r.modes:
                self._read_sessions()
            if spec.COURSES in r.modes:
                self._read_courses()
            if spec.CLASSES in r.modes:
                self._read_classes()
            if spec.ENROLLMENTS in r.modes:
                self._read_enrollments()
        self._note_left_out()
        return r

    # Files ---------------------------------------------------------------------------------

    def _read_orgs(self) -> None:
        mode = self.roster.mode(spec.ORGS)
        table = self._table(spec.ORGS, spec.ORG_COLUMNS, {"sourcedId", "type"}, spec.SPEC_REQUIRED[spec.ORGS])
        seen: dict = {}
        orgs = self.roster.orgs
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            active, modified = self._status(table, line, v, mode)
            org_type = self._enum(table, line, "type", self._value(table, line, v, "type"), spec.ORG_TYPES)
            if active is None or not org_type:
                continue
            name = self._value(table, line, v, "name")
            orgs[sid] = OrgRow(
                sid,
                name,
                org_type,
                self._optional(table, v, "identifier"),
                self._optional(table, v, "parentSourcedId"),
                active,
                modified,
                line,
            )
        self._check_header_only(table, mode)

    def _read_roles(self) -> dict:
        """1.2 roles.csv: the staff roles, by user sourcedId."""
        mode = self.roster.mode(spec.ROLES)
        table = self._table(
            spec.ROLES,
            spec.ROLE_COLUMNS,
            {"sourcedId", "userSourcedId", "role", "orgSourcedId"},
            spec.SPEC_REQUIRED[spec.ROLES],
        )
        seen: dict = {}
        staff: dict[str, list] = {}
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            role = self._enum(
                table, line, "role", self._value(table, line, v, "role"), spec.USER_ROLES[spec.V12], extensible=True
            )
            if role in spec.NOT_STAFF:
                continue  # never kept; the users it names are skipped with them
            user = self._value(table, line, v, "userSourcedId")
            org = self._value(table, line, v, "orgSourcedId")
            self._enum(table, line, "roleType", self._value(table, line, v, "roleType"), spec.ROLE_TYPES)
            active, modified = self._status(table, line, v, mode)
            begin = self._date(table, line, "beginDate", self._optional(table, v, "beginDate"))
            end = self._date(table, line, "endDate", self._optional(table, v, "endDate"))
            if not (role and user and org) or active is None or begin is False or end is False:
                continue
            if begin and end and end < begin:
                self.report.error(
                    "date_order",
                    _("endDate %(end)s is before beginDate %(begin)s.") % {"end": end, "begin": begin},
                    file=table.file,
                    row=line,
                    column="endDate",
                )
                continue
            staff.setdefault(user, []).append(RoleRow(role, org, begin, end, sid, active, modified, table.file, line))
        self._check_header_only(table, mode)
        return staff

    def _read_users(self, version: str, staff_roles: dict) -> None:
        mode = self.roster.mode(spec.USERS)
        v11 = version == spec.V11
        needed = {"sourcedId", "givenName", "familyName"} | ({"role", "orgSourcedIds"} if v11 else set())
        table = self._table(spec.USERS, spec.USER_COLUMNS[version], needed, spec.SPEC_REQUIRED[(spec.USERS, version)])
        seen: dict = {}
        emails: dict[str, int] = {}
        users = self.roster.users
        passwords = 0
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            if v11:
                role = self._enum(
                    table, line, "role", self._value(table, line, v, "role"), spec.ALL_USER_ROLES, extensible=True
                )
                if role and role not in spec.USER_ROLES[spec.V11] and not role.startswith("ext:"):
                    self.report.deviation(
                        "role_version",
                        _("The role “%(role)s” is OneRoster 1.2; a 1.1 file uses administrator.") % {"role": role},
                        file=table.file,
                        row=line,
                        column="role",
                    )
                if role in spec.NOT_STAFF:
                    self.roster.skipped["not_staff"] += 1
                    continue
                roles = None
            else:
                roles = staff_roles.get(sid)
                if roles is None and mode == spec.BULK:
                    self.roster.skipped["not_staff"] += 1
                    continue
            if self._optional(table, v, "password"):
                passwords += 1
            active, modified = self._status(table, line, v, mode)
            enabled = self._bool(table, line, "enabledUser", self._value(table, line, v, "enabledUser"), True)
            given = self._value(table, line, v, "givenName")
            family = self._value(table, line, v, "familyName")
            if v11:
                org_ids = [o.strip() for o in self._value(table, line, v, "orgSourcedIds").split(",") if o.strip()]
                if not role or not org_ids:
                    continue
                roles = [RoleRow(role, o, None, None, "", True, None, table.file, line) for o in org_ids]
            if active is None or (not given and not family):
                continue
            email = self._email(table, line, v)
            if email:
                first = emails.get(email)
                if first is not None:
                    self.report.error(
                        "duplicate_email",
                        _("The email address %(email)s is already on row %(first)s; each person needs their own.")
                        % {"email": email, "first": first},
                        file=table.file,
                        row=line,
                        column="email",
                    )
                    continue
                emails[email] = line
            users[sid] = UserRow(
                sid,
                enabled,
                given,
                family,
                self._optional(table, v, "preferredGivenName"),
                self._optional(table, v, "preferredFamilyName"),
                email,
                self._optional(table, v, "identifier"),
                active,
                modified,
                line,
                roles,
            )
        if not v11:
            for user_id, roles in staff_roles.items():
                if user_id not in seen and mode == spec.BULK:
                    for role in roles[:1]:
                        self.report.error(
                            "dangling_reference",
                            _("userSourcedId “%(id)s” is not in users.csv.") % {"id": user_id},
                            file=role.file,
                            row=role.row,
                            column="userSourcedId",
                        )
                elif user_id not in seen:
                    # Delta: the person may have been imported before; the importer checks.
                    users[user_id] = UserRow(user_id, True, "", "", "", "", "", "", True, None, ROLES_ONLY, roles)
        if passwords:
            self.report.notice(
                "passwords_ignored",
                _("%(n)s rows have a password; Trellis never reads or stores passwords from a roster.")
                % {"n": f"{passwords:,}"},
                file=table.file,
                column="password",
            )
        self._check_header_only(table, mode)

    def _email(self, table, line, v) -> str:
        email = self._optional(table, v, "email").lower()
        if email and not _EMAIL.match(email):
            self.report.deviation(
                "bad_email",
                _("“%(value)s” is not an email address; Trellis ignored it.") % {"value": email},
                file=table.file,
                row=line,
                column="email",
            )
            email = ""
        if not email:
            username = self._optional(table, v, "username").lower()
            if _EMAIL.match(username):
                self.report.notice(
                    "email_from_username",
                    _("email is empty; Trellis used the username %(value)s, which is an email address.")
                    % {"value": username},
                    file=table.file,
                    row=line,
                    column="email",
                )
                email = username
        return email

    def _read_sessions(self) -> None:
        mode = self.roster.mode(spec.ACADEMIC_SESSIONS)
        table = self._table(
            spec.ACADEMIC_SESSIONS,
            spec.SESSION_COLUMNS,
            {"sourcedId", "title", "type"},
            spec.SPEC_REQUIRED[spec.ACADEMIC_SESSIONS],
        )
        seen: dict = {}
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            kind = self._enum(table, line, "type", self._value(table, line, v, "type"), spec.SESSION_TYPES)
            active, modified = self._status(table, line, v, mode)
            start = self._date(table, line, "startDate", self._value(table, line, v, "startDate"))
            end = self._date(table, line, "endDate", self._value(table, line, v, "endDate"))
            year_raw = self._value(table, line, v, "schoolYear")
            year = None
            if year_raw:
                if re.fullmatch(r"\d{4}", year_raw):
                    year = int(year_raw)
                else:
                    self.report.error(
                        "bad_value",
                        _("schoolYear “%(value)s” is not a year such as 2025.") % {"value": year_raw},
                        file=table.file,
                        row=line,
                        column="schoolYear",
                    )
                    continue
            if not kind or active is None or start is False or end is False:
                continue
            if start and end and end < start:
                self.report.error(
                    "date_order",
                    _("endDate %(end)s is before startDate %(start)s.") % {"end": end, "start": start},
                    file=table.file,
                    row=line,
                    column="endDate",
                )
                continue
            self.roster.sessions[sid] = SessionRow(
                sid,
                self._value(table, line, v, "title"),
                kind,
                start,
                end,
                self._optional(table, v, "parentSourcedId"),
                year,
                active,
                modified,
                line,
            )
        self._check_header_only(table, mode)

    def _read_courses(self) -> None:
        table = self._table(spec.COURSES, spec.COURSE_COLUMNS, {"sourcedId", "title"}, spec.SPEC_REQUIRED[spec.COURSES])
        seen: dict = {}
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            self._value(table, line, v, "orgSourcedId")
            self.roster.courses[sid] = CourseRow(
                sid,
                self._value(table, line, v, "title"),
                self._optional(table, v, "courseCode"),
                self._optional(table, v, "schoolYearSourcedId"),
                line,
            )

    def _read_classes(self) -> None:
        mode = self.roster.mode(spec.CLASSES)
        table = self._table(
            spec.CLASSES,
            spec.CLASS_COLUMNS,
            {"sourcedId", "title", "schoolSourcedId"},
            spec.SPEC_REQUIRED[spec.CLASSES],
        )
        seen: dict = {}
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            self._enum(table, line, "classType", self._value(table, line, v, "classType"), spec.CLASS_TYPES)
            active, modified = self._status(table, line, v, mode)
            school = self._value(table, line, v, "schoolSourcedId")
            if active is None or not school:
                continue
            terms = [t.strip() for t in self._value(table, line, v, "termSourcedIds").split(",") if t.strip()]
            self.roster.classes[sid] = ClassRow(
                sid,
                self._value(table, line, v, "title"),
                self._optional(table, v, "classCode"),
                self._value(table, line, v, "courseSourcedId"),
                school,
                terms,
                self._optional(table, v, "grades")[:200],
                self._optional(table, v, "subjects")[:300],
                self._optional(table, v, "periods")[:100],
                active,
                modified,
                line,
            )
        self._check_header_only(table, mode)

    def _read_enrollments(self) -> None:
        mode = self.roster.mode(spec.ENROLLMENTS)
        table = self._table(
            spec.ENROLLMENTS,
            spec.ENROLLMENT_COLUMNS,
            {"sourcedId", "classSourcedId", "userSourcedId", "role"},
            spec.SPEC_REQUIRED[spec.ENROLLMENTS],
        )
        seen: dict = {}
        for line, v in table.rows():
            self.roster.rows_read += 1
            sid = self._value(table, line, v, "sourcedId")
            if not sid or self._duplicate(table, line, seen, sid):
                continue
            role = self._enum(table, line, "role", self._value(table, line, v, "role"), spec.ENROLLMENT_ROLES)
            if role != "teacher":
                if role:
                    self.roster.skipped["student_enrollments" if role == "student" else "other_enrollments"] += 1
                continue
            active, modified = self._status(table, line, v, mode)
            primary = self._bool(table, line, "primary", self._optional(table, v, "primary"))
            begin = self._date(table, line, "beginDate", self._optional(table, v, "beginDate"))
            end = self._date(table, line, "endDate", self._optional(table, v, "endDate"))
            class_id = self._value(table, line, v, "classSourcedId")
            user = self._value(table, line, v, "userSourcedId")
            if active is None or begin is False or end is False or not class_id or not user:
                continue
            self.roster.enrollments[sid] = EnrollmentRow(
                sid,
                class_id,
                self._value(table, line, v, "schoolSourcedId"),
                user,
                primary,
                begin,
                end,
                active,
                modified,
                line,
            )
        self._check_header_only(table, mode)
