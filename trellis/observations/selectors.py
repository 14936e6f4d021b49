"""Reads that feed the observation pages, each in a fixed number of queries whatever the data size.

Every list goes through the firewall rules in ``trellis.observations.access``
(``rule_for(...).visible``), so a page can never show content its reader may not
read. Campus leaders get metadata only (date, type, teacher, observer, state):
their querysets load no note, rationale or reflection column.

The growth-area ranking (a pure function, no database) lives in ``trellis.observations.ranking``.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from trellis.coaching.access import shared_with
from trellis.frameworks.models import ActionStep, Framework, FrameworkNode, ScaleLevel
from trellis.frameworks.starter import starter_framework_identifier
from trellis.lib.compiled import CompiledQuery
from trellis.lib.rules import rule_for
from trellis.observations import models as m
from trellis.observations.access import VISIBLE_TO_TEACHER
from trellis.orgs.access import active_memberships, coached_teachers, people_at
from trellis.orgs.models import Organization, OrgKind, Role
from trellis.orgs.roles import roles_of

User = get_user_model()

STARTER_KEY = "open-instructional-practice"
# Check-ins: "due" from this many days before the date; "overdue" after it.
DUE_SOON_DAYS = 3

_PERSON_FIELDS = ("full_name", "preferred_name", "email")


def _person_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in _PERSON_FIELDS]


# Framework pieces -----------------------------------------------------------------------------------------------------


@dataclass
class Component:
    """A taggable framework node (a component in the starter framework) and its domain."""

    id: int
    code: str
    title: str
    outline: int
    domain: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}".strip()


def components_of(version_id) -> list[Component]:
    """The nodes evidence is tagged to, in outline order. One query.

    Components are the second level of the tree (domain -> component) when the
    framework has one, else its top level: a deeper indicator is too fine to tap
    during a visit.
    """
    if version_id is None:
        return []
    rows = list(
        FrameworkNode.objects.filter(version_id=version_id, depth__in=(1, 2))
        .order_by("outline")
        .values("id", "code", "title", "statement", "depth", "outline", "parent_id")
    )
    level = 2 if any(r["depth"] == 2 for r in rows) else 1
    domains = {r["id"]: f"{r['code']} {r['title'] or r['statement']}".strip() for r in rows if r["depth"] == 1}
    return [
        Component(
            id=r["id"],
            code=r["code"],
            title=r["title"] or r["statement"][:120],
            outline=r["outline"],
            domain=domains.get(r["parent_id"], "") if level == 2 else "",
        )
        for r in rows
        if r["depth"] == level
    ]


@dataclass
class StepOption:
    id: int
    code: str
    title: str
    sequence: int
    library: str
    node_ids: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}".strip()


def steps_for_version(user, version_id) -> list[StepOption]:
    """Library steps ``user`` may read that are aligned to a node of this framework version. One query.

    Each carries the ids of the version's nodes it serves, for the review page's
    proposed-step choice and for the sequence bonus of the ranking.
    """
    if version_id is None:
        return []
    through = ActionStep.aligned_nodes.through
    visible = rule_for(ActionStep).visible(user).values("pk")
    rows = (
        through.objects.filter(frameworknode__version_id=version_id, actionstep__in=visible)
        .order_by("actionstep__library__title", "actionstep__library_id", "actionstep__sequence")
        .values(
            "actionstep_id",
            "frameworknode_id",
            "actionstep__code",
            "actionstep__title",
            "actionstep__sequence",
            "actionstep__library__title",
        )
    )
    steps: dict[int, StepOption] = {}
    for r in rows:
        step = steps.get(r["actionstep_id"])
        if step is None:
            step = steps[r["actionstep_id"]] = StepOption(
                id=r["actionstep_id"],
                code=r["actionstep__code"],
                title=r["actionstep__title"],
                sequence=r["actionstep__sequence"],
                library=r["actionstep__library__title"],
            )
        step.node_ids.append(r["frameworknode_id"])
    return list(steps.values())


def first_sequences(steps: list[StepOption]) -> tuple[dict, int | None]:
    """node id -> the lowest sequence of a step aligned to it; and the highest sequence seen."""
    first: dict = {}
    for step in steps:
        for node_id in step.node_ids:
            if node_id not in first or step.sequence < first[node_id]:
                first[node_id] = step.sequence
    return first, max((s.sequence for s in steps), default=None)


def plan_step_choices(user, district_ids) -> list[tuple[str, list[tuple[int, str]]]]:
    """Steps for the "current action step" choice, grouped by library. One query.

    Shipped libraries and the libraries of the teachers' districts, in sequence order.
    """
    qs = (
        rule_for(ActionStep)
        .visible(user)
        .filter(Q(library__district__isnull=True) | Q(library__district__in=list(district_ids)))
        .order_by("library__title", "library_id", "sequence")
        .values_list("id", "code", "title", "library__title")
    )
    groups: dict[str, list] = {}
    for pk, code, title, library in qs:
        groups.setdefault(library, []).append((pk, f"{code} {title}"))
    return list(groups.items())


def plan_frameworks(user, district_ids):
    """Frameworks an observation may use: shipped ones and those of the teachers' districts, with a version."""
    qs = rule_for(Framework).visible(user).filter(current_version__isnull=False)
    qs = qs.filter(Q(district__isnull=True) | Q(district__in=list(district_ids)))
    return qs.select_related("current_version").order_by("title", "id")


def edit_frameworks(user, obs, *, locked: bool):
    """The frameworks an observation's plan may switch to: its own (even if no longer offered) and, unless
    ``locked``, those a new plan could use."""
    own = obs.framework_version.framework_id if obs.framework_version_id else None
    if locked:
        qs = Framework.objects.filter(pk=own)
    else:
        offered = plan_frameworks(user, {obs.district_id}).values("pk")
        qs = Framework.objects.filter(Q(pk__in=offered) | Q(pk=own))
    return qs.select_related("current_version").order_by("title", "id")


def default_framework(frameworks, district_id):
    """The district's default framework choice if it is among ``frameworks``, else the starter framework."""
    from trellis.frameworks.models import DistrictFrameworkChoice

    frameworks = list(frameworks)
    if district_id:
        chosen = (
            DistrictFrameworkChoice.objects.filter(district_id=district_id, is_default=True)
            .values_list("framework_id", flat=True)
            .first()
        )
        for fw in frameworks:
            if fw.pk == chosen:
                return fw
    starter = starter_framework_identifier(STARTER_KEY)
    for fw in frameworks:
        if fw.district_id is None and fw.case_identifier == starter:
            return fw
    return frameworks[0] if frameworks else None


def components_by_version(version_ids) -> dict:
    """version id -> its components, for several versions in one query (the plan page's focus choice)."""
    rows = list(
        FrameworkNode.objects.filter(version_id__in=list(version_ids), depth__in=(1, 2))
        .order_by("version_id", "outline")
        .values("id", "code", "title", "statement", "depth", "outline", "parent_id", "version_id")
    )
    by_version: dict = defaultdict(list)
    for r in rows:
        by_version[r["version_id"]].append(r)
    result = {}
    for version_id, nodes in by_version.items():
        level = 2 if any(r["depth"] == 2 for r in nodes) else 1
        domains = {r["id"]: f"{r['code']} {r['title'] or r['statement']}".strip() for r in nodes if r["depth"] == 1}
        result[version_id] = [
            Component(
                r["id"],
                r["code"],
                r["title"] or r["statement"][:120],
                r["outline"],
                domains.get(r["parent_id"], "") if level == 2 else "",
            )
            for r in nodes
            if r["depth"] == level
        ]
    return result


# Whom one may observe ---------------------------------------------------------------------------------------------------


def observable_teachers(user):
    """The people ``user`` may plan a visit to: teachers they support, teachers of campuses they lead, themselves.

    A subset of ``access.may_observe`` (which the service checks again): leaders
    are offered the teachers of their campuses, not every member of staff.
    """
    roles = roles_of(user)
    q = Q(pk__in=coached_teachers(user))
    if roles.is_campus_leader:
        teaching_here = active_memberships().filter(
            person=OuterRef("pk"), organization__in=roles.leader_campus_ids, role=Role.TEACHER
        )
        q |= Q(Exists(teaching_here))
    if roles.is_teacher:
        q |= Q(pk=user.pk)
    return User.objects.filter(q, is_active=True, district__isnull=False).order_by("full_name", "id")


def campus_of(teacher):
    """The campus where ``teacher`` teaches today (the first by name), or None."""
    row = (
        active_memberships()
        .filter(person=teacher, role=Role.TEACHER, organization__kind=OrgKind.CAMPUS)
        .select_related("organization")
        .order_by("organization__name")
        .first()
    )
    return row.organization if row else None


def campuses_in(district_ids):
    return Organization.objects.filter(kind=OrgKind.CAMPUS, district__in=list(district_ids), is_active=True).order_by(
        "name", "id"
    )


# Lists ------------------------------------------------------------------------------------------------------------------

_LIST_FIELDS = [
    "id",
    "kind",
    "purpose",
    "state",
    "class_name",
    "subject",
    "scheduled_for",
    "started_at",
    "created_at",
    "shared_at",
    "acknowledged_at",
    "teacher_id",
    "observer_id",
    "campus_id",
    "campus__name",
    *_person_fields("teacher"),
    *_person_fields("observer"),
]


def _list_queryset():
    # One query per page: people and campus joined, only the columns the list shows.
    return (
        m.Observation.objects.select_related("teacher", "observer", "campus")
        .only(*_LIST_FIELDS)
        .annotate(when=Coalesce("started_at", "scheduled_for", "created_at"))
    )


def observations_made(user, *, state=None, teacher=None):
    """The observations ``user`` made (a facilitator's only while the district's grant lasts), newest first."""
    qs = rule_for(m.Observation).visible(user, _list_queryset()).filter(observer=user)
    if state:
        qs = qs.filter(state=state)
    if teacher is not None:
        qs = qs.filter(teacher=teacher)
    return qs.order_by("-when", "-id")


def observations_about(user, *, state=None):
    """Observations of ``user`` they may read: shared with them, and their own self-reviews."""
    qs = rule_for(m.Observation).visible(user, _list_queryset()).filter(teacher=user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-when", "-id")


_METADATA_FIELDS = [
    "id",
    "kind",
    "state",
    "scheduled_for",
    "started_at",
    "created_at",
    "teacher_id",
    "observer_id",
    "campus_id",
    "campus__name",
    *_person_fields("teacher"),
    *_person_fields("observer"),
]


def campus_observations(leader, *, state=None):
    """Observations of the teachers at the campuses ``leader`` leads: metadata only.

    ``readable`` is true when the teacher shares that observation with the leader
    (then the list links to its content); it is computed in the same query.
    """
    roles = roles_of(leader)
    if not roles.is_campus_leader:
        return m.Observation.objects.none()
    staff = User.objects.filter(people_at(roles.leader_campus_ids)).values("pk")
    readable = shared_with(leader, m.Observation) & Q(state__in=VISIBLE_TO_TEACHER)
    qs = (
        m.Observation.objects.filter(teacher__in=staff)
        .exclude(teacher=leader)
        .select_related("teacher", "observer", "campus")
        .only(*_METADATA_FIELDS)
        .annotate(
            when=Coalesce("started_at", "scheduled_for", "created_at"),
            readable=ExpressionWrapper(readable, output_field=BooleanField()),
        )
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-when", "-id")


def district_counts(district_ids) -> dict:
    """Counts for district admins: how many observations, by state and by type, this school year and month."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    base = m.Observation.objects.filter(district__in=list(district_ids)).exclude(state=m.State.CANCELLED)
    by_state = dict(base.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    by_kind = dict(base.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    totals = base.aggregate(
        total=Count("id"),
        this_month=Count("id", filter=Q(created_at__date__gte=month_start)),
        teachers=Count("teacher_id", distinct=True),
    )
    return {
        "total": totals["total"],
        "this_month": totals["this_month"],
        "teachers": totals["teachers"],
        "by_state": [(label, by_state.get(value, 0)) for value, label in m.State.choices if value != m.State.CANCELLED],
        "by_kind": [(label, by_kind.get(value, 0)) for value, label in m.ObservationType.choices],
    }


def observed_teachers(user):
    """The teachers ``user`` has observed, for the list's teacher filter: only what the option shows."""
    return (
        User.objects.filter(pk__in=m.Observation.objects.filter(observer=user).values("teacher_id"))
        .only("id", "full_name", "preferred_name", "email")
        .order_by("full_name", "id")
    )


# One observation: capture, review, detail ----------------------------------------------------------------------------


@dataclass
class Evidence:
    """Everything captured during one visit, loaded in a fixed number of queries."""

    notes: list
    node_ids: dict  # note id -> [node ids]
    tallies: list
    feedback: list
    files: list


def evidence_of(obs) -> Evidence:
    """Notes (not deleted) with their tags, tallies with counts, feedback events and files: five queries."""
    notes = list(obs.notes.filter(deleted=False).select_related("step").order_by("at", "id"))
    node_ids: dict = defaultdict(list)
    through = m.EvidenceNote.nodes.through
    for note_id, node_id in (
        through.objects.filter(evidencenote__observation=obs, evidencenote__deleted=False)
        .order_by("frameworknode__outline")
        .values_list("evidencenote_id", "frameworknode_id")
    ):
        node_ids[note_id].append(node_id)
    tallies = list(
        obs.tallies.annotate(count=Coalesce(Sum("marks__delta"), 0)).order_by("position", "id").values("label", "count")
    )
    feedback = list(obs.feedback_events.select_related("step").order_by("at", "id"))
    files = list(obs.files.order_by("created_at", "id"))
    return Evidence(notes, dict(node_ids), tallies, feedback, files)


@dataclass
class Group:
    """The evidence of one component on the review page."""

    component: Component | None
    strengths: list = field(default_factory=list)
    struggles: list = field(default_factory=list)
    neutral: list = field(default_factory=list)


def group_evidence(notes, node_ids: dict, components: list[Component]) -> list[Group]:
    """Strengths and struggles per component, in framework order; untagged notes in their own group last."""
    by_id = {c.id: c for c in components}
    groups: dict = {}
    untagged = Group(None)
    for note in notes:
        tagged = [n for n in node_ids.get(note.pk, []) if n in by_id]
        targets = [groups.setdefault(n, Group(by_id[n])) for n in tagged] or [untagged]
        for group in targets:
            if note.valence == m.Valence.STRENGTH:
                group.strengths.append(note)
            elif note.valence == m.Valence.GROWTH:
                group.struggles.append(note)
            else:
                group.neutral.append(note)
    ordered = sorted(groups.values(), key=lambda g: g.component.outline)
    if untagged.strengths or untagged.struggles or untagged.neutral:
        ordered.append(untagged)
    return ordered


def focus_ids_of(obs) -> list[int]:
    return list(obs.focus_nodes.values_list("pk", flat=True))


def scale_levels(version_id) -> list:
    if version_id is None:
        return []
    return list(ScaleLevel.objects.filter(scale__version_id=version_id).order_by("position"))


def ratings_of(obs) -> dict:
    return {r.node_id: r for r in obs.ratings.select_related("level")}


# Check-ins ----------------------------------------------------------------------------------------------------------------


class Urgency:
    OVERDUE = 0
    DUE = 1
    LATER = 2


def check_in_caseload(coach, *, today: datetime.date | None = None):
    """The teachers ``coach`` supports, with the last check-in, the next due date and how urgent it is.

    Overdue first (the date has passed), then due (within three days, or never
    checked in: due now), then the rest; each group soonest first. One query per
    page: the dates come from correlated subqueries, not a query per teacher.
    """
    today = today or timezone.localdate()
    latest = m.CheckIn.objects.filter(coach=coach, teacher=OuterRef("pk")).order_by("-held_on", "-id")
    cadence = m.CheckInCadence.objects.filter(coach=coach, teacher=OuterRef("pk")).values("every_days")[:1]
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        User.objects.filter(pk__in=coached_teachers(coach))
        .only("id", *_PERSON_FIELDS)
        .annotate(
            last_held=Subquery(latest.values("held_on")[:1]),
            next_due=Subquery(latest.values("next_check_in")[:1]),
            every_days=Subquery(cadence),
        )
        .annotate(
            urgency=Case(
                When(next_due__isnull=True, then=Value(Urgency.DUE)),
                When(next_due__lt=today, then=Value(Urgency.OVERDUE)),
                When(next_due__lte=soon, then=Value(Urgency.DUE)),
                default=Value(Urgency.LATER),
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", F("next_due").asc(nulls_first=True), "full_name", "id")
    )


def recent_check_ins(coach, teacher, limit: int = 5):
    return list(m.CheckIn.objects.filter(coach=coach, teacher=teacher).order_by("-held_on", "-id")[:limit])


def current_step_of(coach, teacher):
    """The action step ``coach`` last proposed to ``teacher`` in a shared observation, for the check-in form."""
    return (
        m.Observation.objects.filter(observer=coach, teacher=teacher, state__in=VISIBLE_TO_TEACHER)
        .select_related("proposed_step")
        .only("id", "shared_at", "proposed_step", "proposed_step_text")
        .order_by("-shared_at", "-id")
        .first()
    )


# The teacher's timeline -------------------------------------------------------------------------------------------------


def timeline_entries(user, teacher):
    """Observations, feedback events and check-ins about ``teacher`` that ``user`` may read, newest first.

    One UNION of three narrow queries (kind, id, when), so it paginates in the
    database; ``load_timeline_page`` then loads the rows of one page, one query per kind.
    """
    obs = (
        rule_for(m.Observation)
        .visible(user)
        .filter(teacher=teacher)
        .exclude(state=m.State.CANCELLED)
        .annotate(kind_=Value("observation", output_field=CharField()), when=Coalesce("started_at", "created_at"))
        .order_by()
        .values("kind_", "id", "when")
    )
    feedback = (
        rule_for(m.FeedbackEvent)
        .visible(user)
        .filter(observation__teacher=teacher)
        .exclude(observation__state=m.State.CANCELLED)
        .annotate(kind_=Value("feedback", output_field=CharField()), when=F("at"))
        .order_by()
        .values("kind_", "id", "when")
    )
    check_ins = (
        rule_for(m.CheckIn)
        .visible(user)
        .filter(teacher=teacher)
        .annotate(
            kind_=Value("check_in", output_field=CharField()),
            when=Cast("held_on", output_field=DateTimeField()),
        )
        .order_by()
        .values("kind_", "id", "when")
    )
    return obs.union(feedback, check_ins, all=True).order_by("-when", "-id")


def load_timeline_page(rows) -> list[dict]:
    """The objects behind one page of ``timeline_entries``, in the page's order: at most three queries."""
    rows = list(rows)
    ids: dict = defaultdict(list)
    for row in rows:
        ids[row["kind_"]].append(row["id"])
    loaded = {
        "observation": m.Observation.objects.select_related("observer", "campus", "growth_node", "proposed_step")
        .only(
            "id",
            "kind",
            "purpose",
            "state",
            "started_at",
            "created_at",
            "shared_at",
            "acknowledged_at",
            "class_name",
            "subject",
            "observer_id",
            "teacher_id",
            "campus__name",
            "growth_node__code",
            "growth_node__title",
            "growth_node__statement",
            "proposed_step__code",
            "proposed_step__title",
            "proposed_step_text",
            *_person_fields("observer"),
        )
        .in_bulk(ids["observation"])
        if ids["observation"]
        else {},
        "feedback": m.FeedbackEvent.objects.select_related("step", "observation").in_bulk(ids["feedback"])
        if ids["feedback"]
        else {},
        "check_in": m.CheckIn.objects.select_related("coach").in_bulk(ids["check_in"]) if ids["check_in"] else {},
    }
    entries = []
    for row in rows:
        obj = loaded[row["kind_"]].get(row["id"])
        if obj is not None:
            entries.append({"kind": row["kind_"], "when": row["when"], "obj": obj})
    return entries


# Notices --------------------------------------------------------------------------------------------------------------


def notices_of(user):
    return m.Notice.objects.filter(recipient=user).order_by("-created_at", "-id")


# The header's badge, on every page: compiled once (see trellis.lib.compiled).
_UNREAD_NOTICES = CompiledQuery(
    lambda person: (
        m.Notice.objects.filter(recipient_id=person, read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("n")
    ),
    person=int,
)


def unread_notice_count(user) -> int:
    rows = _UNREAD_NOTICES.rows(person=user.pk)
    return rows[0][0] if rows else 0
