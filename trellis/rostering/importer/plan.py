"""The plan of an import: every change, counted, before anything is written."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from trellis.orgs.models import Organization
from trellis.rostering import models as m
from trellis.rostering.importer.orgs import OrgPlanning
from trellis.rostering.importer.people import PeoplePlanning
from trellis.rostering.oneroster import spec
from trellis.rostering.oneroster.parse import Roster
from trellis.rostering.oneroster.report import Report

CHANGES_LIMIT = 100  # names kept per kind of change in the stored report


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    linked: int = 0
    deactivated: int = 0
    reactivated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_dict(self, *keys) -> dict:
        data = self.__dict__
        return {k: data[k] for k in (keys or data)}


@dataclass
class Plan:
    district: Organization
    roster: Roster
    today: datetime.date
    link_district: str = ""  # the district org's sourcedId, when this import links it
    campus_create: list = field(default_factory=list)  # Organization objects (unsaved)
    campus_update: dict = field(default_factory=dict)  # pk -> {field: value}
    campus_pk: dict = field(default_factory=dict)  # school sourcedId -> pk (None until created)
    people_create: list = field(default_factory=list)  # (UserRow, group)
    people_update: dict = field(default_factory=dict)  # pk -> {field: value}
    people_pk: dict = field(default_factory=dict)  # user sourcedId -> pk (None until created)
    membership_create: list = field(default_factory=list)  # (user sid, school sid, role, from, to, role sid)
    membership_end: dict = field(default_factory=dict)  # membership pk -> valid_to
    membership_change: dict = field(default_factory=dict)  # membership pk -> {field: value}
    stamps: list = field(default_factory=list)  # (kind, sourcedId, modified)
    classes: "ClassPlan | None" = None
    orgs: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    changes: dict = field(default_factory=lambda: defaultdict(list))

    def note(self, kind: str, entry: dict) -> None:
        if len(self.changes[kind]) < CHANGES_LIMIT:
            self.changes[kind].append(entry)

    @property
    def has_writes(self) -> bool:
        c = self.classes
        return bool(
            self.link_district
            or self.campus_create
            or self.campus_update
            or self.people_create
            or self.people_update
            or self.membership_create
            or self.membership_end
            or self.membership_change
            or self.stamps
            or (c and c.has_writes)
        )

    def summary(self) -> dict:
        data = {
            "orgs": self.orgs.as_dict("created", "updated", "deactivated", "linked", "unchanged"),
            "people": self.people.as_dict(
                "created", "updated", "linked", "deactivated", "reactivated", "unchanged", "skipped"
            ),
            "memberships": self.memberships.as_dict("created", "updated", "deactivated", "unchanged"),
        }
        data["memberships"]["ended"] = data["memberships"].pop("deactivated")
        if self.classes is not None:
            data["classes"] = self.classes.summary()
        return data


@dataclass
class ClassPlan:
    session_create: list = field(default_factory=list)
    session_update: dict = field(default_factory=dict)
    session_parent: dict = field(default_factory=dict)  # session sid -> parent sid
    class_create: list = field(default_factory=list)
    class_update: dict = field(default_factory=dict)
    class_terms: dict = field(default_factory=dict)  # class sid -> [session sid]
    teacher_create: list = field(default_factory=list)  # (EnrollmentRow, class sid)
    teacher_update: dict = field(default_factory=dict)
    sessions: Counts = field(default_factory=Counts)
    classes: Counts = field(default_factory=Counts)
    teachers: Counts = field(default_factory=Counts)

    @property
    def has_writes(self) -> bool:
        return bool(
            self.session_create
            or self.session_update
            or self.class_create
            or self.class_update
            or self.teacher_create
            or self.teacher_update
            or self.class_terms
        )

    def summary(self) -> dict:
        keys = ("created", "updated", "deactivated", "unchanged")
        return {
            "sessions": self.sessions.as_dict(*keys),
            "classes": self.classes.as_dict(*keys),
            "teachers": self.teachers.as_dict(*keys),
        }


def plan_import(
    *,
    district: Organization,
    roster: Roster,
    report: Report,
    actor=None,
    confirm_deactivation: bool = False,
    max_share: float = 0.2,
) -> Plan:
    planner = _Planner(district, roster, report, actor, confirm_deactivation, max_share)
    return planner.plan()


class _Planner(OrgPlanning, PeoplePlanning):
    def __init__(self, district, roster, report, actor, confirm, max_share):
        self.district = district
        self.roster = roster
        self.report = report
        self.actor = actor
        self.confirm = confirm
        self.max_share = max_share
        self.today = timezone.localdate()
        self.p = Plan(district=district, roster=roster, today=self.today)
        self.stamps = {}

    def plan(self) -> Plan:
        self._load_stamps()
        if spec.ORGS in self.roster.modes or self.roster.users:
            self._plan_orgs()
        if self.roster.users or self.roster.mode(spec.USERS) == spec.BULK:
            self._plan_people()
        if self.roster.classes or self.roster.sessions or self.roster.enrollments:
            from trellis.rostering.importer.classes import ClassPlanner  # it imports this module

            self.p.classes = ClassPlanner(self).plan()
        return self.p

    def _load_stamps(self) -> None:
        if spec.DELTA not in self.roster.modes.values():
            return
        rows = m.RosterStamp.objects.filter(district=self.district).values_list("kind", "sourced_id", "modified_at")
        self.stamps = {(kind, sid): at for kind, sid, at in rows}

    def is_stale(self, kind: str, sourced_id: str, modified) -> bool:
        """A delta row no newer than the version already applied (an idempotent replay)."""
        if modified is None:
            return False
        applied = self.stamps.get((kind, sourced_id))
        return applied is not None and modified <= applied

    def stamp(self, kind: str, sourced_id: str, modified) -> None:
        if modified is not None and self.stamps.get((kind, sourced_id)) != modified:
            self.p.stamps.append((kind, sourced_id, modified))

    # Organizations --------------------------------------------------------------------------
