"""Reads that feed the coaching-cycle pages: the session screen, action steps, goals and the dashboards.

Every function runs a fixed number of queries whatever the data size (pinned in
the tests): per-teacher values come from correlated subqueries or one query for
all teachers of a page, never a query per row. Coaching content goes through the
coaching firewall (``trellis.coaching.access``) or is narrowed to people the
reader may see before it is read.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trellis.coaching.access import relationship_coach_q
from trellis.coaching.models import (
    OPEN_STATES,
    CoachingSession,
    CoachingStep,
    Goal,
    GoalDataPoint,
    GoalStatus,
    Intake,
    Placement,
    PracticeRound,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    SessionStatus,
    StepState,
    StrategyTrial,
)
from trellis.frameworks.models import (
    ActionStep,
    ActionStepLibrary,
    DistrictFrameworkChoice,
    DistrictLibraryChoice,
    ExemplarResource,
    Framework,
    FrameworkNode,
    ScaleLevel,
)
from trellis.frameworks.starter import starter_framework_identifier
from trellis.lib.charts import line_chart, step_chart
from trellis.lib.rules import rule_for
from trellis.observations.models import CheckIn, EvidenceNote, Observation, Valence
from trellis.observations.models import State as ObsState
from trellis.orgs.access import coached_teachers

User = get_user_model()

STARTER_FRAMEWORK = "open-instructional-practice"
STARTER_LIBRARY = "open-action-steps"
# The states in which a follow-up date can be missed: after it, the follow-up has happened.
DUE_STATES = (StepState.AGREED, StepState.PRACTISING, StepState.IMPLEMENTING)
# Steps a teacher is working on or has been offered (the "current" step).
CURRENT_STATES = (StepState.PROPOSED, *OPEN_STATES)
# Observations that hold evidence (a planned visit has none yet; a cancelled one never will).
WITH_EVIDENCE = Q(state__in=(ObsState.IN_PROGRESS, ObsState.DRAFT, ObsState.SHARED, ObsState.DISCUSSED))
PERSON_FIELDS = ("id", "full_name", "preferred_name", "email")
HOME_LIMIT = 5
HISTORY_LIMIT = 20


def _open_first():
    """Order a teacher's steps: open ones before proposed ones, newest first."""
    return Case(When(state=StepState.PROPOSED, then=Value(1)), default=Value(0), output_field=IntegerField())


def is_overdue(step, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(step.follow_up_due and step.state in DUE_STATES and step.follow_up_due < today)


def month_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``day``'s month and of the next month, in the current time zone."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


def _count(qs):
    """A correlated COUNT of ``qs`` as a subquery: COUNT as a plain function, so no GROUP BY is added."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted[:1], output_field=IntegerField())


# Framework pieces a coaching page offers ---------------------------------------------------------------------------


def district_framework_version_id(district_id):
    """The framework version goals and placements use: the district's default framework, else the starter one."""
    chosen = (
        DistrictFrameworkChoice.objects.filter(district_id=district_id, framework__current_version__isnull=False)
        .order_by("-is_default", "id")
        .values_list("framework__current_version_id", flat=True)
        .first()
        if district_id
        else None
    )
    if chosen:
        return chosen
    return (
        Framework.objects.filter(district=None, case_identifier=starter_framework_identifier(STARTER_FRAMEWORK))
        .values_list("current_version_id", flat=True)
        .first()
    )


def area_choices(district_id) -> list[tuple[int, str]]:
    """(id, label) of the framework areas of the district's framework a goal or a step can name. Two queries."""
    from trellis.observations.selectors import components_of

    return [(c.id, c.label) for c in components_of(district_framework_version_id(district_id))]


def district_libraries(user, district_id):
    """Action-step libraries a coach chooses steps from for a teacher of ``district_id``, default first."""
    visible = rule_for(ActionStepLibrary).visible(user).filter(Q(district__isnull=True) | Q(district=district_id))
    chosen = DistrictLibraryChoice.objects.filter(district_id=district_id, library=OuterRef("pk"))
    return (
        visible.select_related("framework")
        .annotate(
            in_use=Exists(chosen),
            is_default=Exists(chosen.filter(is_default=True)),
            is_starter=Case(When(key=STARTER_LIBRARY, district__isnull=True, then=Value(1)), default=Value(0)),
        )
        .order_by("-is_default", "-in_use", "-is_starter", "title", "id")
    )


def steps_for_teacher_district(user, district_id):
    """Library steps a coach may propose to a teacher of ``district_id``."""
    return (
        rule_for(ActionStep).visible(user).filter(Q(library__district__isnull=True) | Q(library__district=district_id))
    )


# The session screen ------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class MemberPanels:
    """What the session screen pulls in for one teacher of the relationship."""

    teacher: object
    observation: object = None
    strengths: list = field(default_factory=list)
    growth: list = field(default_factory=list)
    named_step: object = None  # the step already named from that observation
    open_steps: list = field(default_factory=list)
    proposed_steps: list = field(default_factory=list)
    exemplars: list = field(default_factory=list)  # (library step, [exemplars])
    goal: object = None
    placements: list = field(default_factory=list)

    @property
    def current_steps(self) -> list:
        return self.open_steps + self.proposed_steps


def session_members(session) -> list:
    return [
        m.teacher
        for m in RelationshipMember.objects.filter(relationship_id=session.relationship_id)
        .select_related("teacher")
        .only("id", "teacher_id", *(f"teacher__{f}" for f in PERSON_FIELDS))
        .order_by("teacher__full_name", "id")
    ]


def _latest_observations(viewer, teacher_ids) -> dict:
    """teacher id -> the latest observation of that teacher whose content ``viewer`` may read. One query."""
    visible = rule_for(Observation).visible(viewer).filter(WITH_EVIDENCE)
    latest = visible.filter(teacher=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    ids = User.objects.filter(pk__in=teacher_ids).annotate(latest=Subquery(latest)).values("latest")
    rows = (
        Observation.objects.filter(pk__in=ids)
        .select_related("growth_node", "proposed_step", "observer")
        .only(
            "id", "teacher_id", "observer_id", "kind", "state", "started_at", "created_at", "strengths_summary",
            "growth_rationale", "proposed_step_text", "growth_node__id", "growth_node__code", "growth_node__title",
            "growth_node__statement", "proposed_step__id", "proposed_step__title", "proposed_step__code",
            "proposed_step__description", "proposed_step__sub_moves", "proposed_step__practice_prompt",
            *(f"observer__{f}" for f in PERSON_FIELDS),
        )
    )  # fmt: skip
    return {obs.teacher_id: obs for obs in rows}


def session_panels(viewer, session, members) -> dict[int, MemberPanels]:
    """teacher id -> the panels the protocol's steps pull in, in a fixed number of queries.

    Only what some step of the protocol pulls is read: "evidence" and
    "proposed_step" (the latest observation), "practice", "steps" and "model" (the
    teacher's current steps, their rounds and the library's exemplars), "goal"
    (the active goal and its latest data point), "continuum" (latest placements).
    """
    pulls = {pull for step in session.protocol.steps for pull in (step.get("pulls") or [])}
    panels = {t.pk: MemberPanels(teacher=t) for t in members}
    ids = list(panels)
    if not ids:
        return panels
    observations = {}
    if pulls & {"evidence", "proposed_step", "model"}:
        observations = _latest_observations(viewer, ids)
        for teacher_id, obs in observations.items():
            panels[teacher_id].observation = obs
    if "evidence" in pulls and observations:
        notes = (
            EvidenceNote.objects.filter(observation__in=list(observations.values()), deleted=False)
            .exclude(valence=Valence.NEUTRAL)
            .only("id", "observation_id", "text", "valence", "at")
            .order_by("at", "id")
        )
        by_obs = {obs.pk: panels[obs.teacher_id] for obs in observations.values()}
        for note in notes:
            panel = by_obs[note.observation_id]
            (panel.strengths if note.valence == Valence.STRENGTH else panel.growth).append(note)
    if pulls & {"practice", "steps", "model", "proposed_step"}:
        _current_steps(viewer, panels, ids, observations, with_rounds="practice" in pulls)
    if "model" in pulls:
        _exemplars(panels)
    if "goal" in pulls:
        for goal in active_goals(ids, viewer=viewer):
            panels[goal.teacher_id].goal = panels[goal.teacher_id].goal or goal
    if "continuum" in pulls:
        for placement in latest_placements(ids, viewer=viewer):
            panels[placement.teacher_id].placements.append(placement)
    return panels


def _current_steps(viewer, panels, ids, observations, *, with_rounds: bool) -> None:
    """The teachers' open and proposed steps, and any step named from their latest observation. Two queries."""
    obs_ids = [obs.pk for obs in observations.values()]
    wanted = Q(teacher__in=ids, state__in=CURRENT_STATES) | Q(teacher__in=ids, source_observation__in=obs_ids)
    steps = (
        rule_for(CoachingStep)
        .visible(viewer, CoachingStep.objects.filter(wanted))
        .select_related("library_step", "node")
        .annotate(open_first=_open_first())
        .order_by("open_first", "-agreed_at", "-created_at", "-id")
    )
    if with_rounds:
        steps = steps.prefetch_related("rounds")
    today = timezone.localdate()
    for step in steps:
        step.is_overdue = is_overdue(step, today)
        panel = panels[step.teacher_id]
        if panel.observation is not None and step.source_observation_id == panel.observation.pk:
            panel.named_step = panel.named_step or step
        if step.state == StepState.PROPOSED:
            panel.proposed_steps.append(step)
        elif step.state in OPEN_STATES:
            panel.open_steps.append(step)


def _exemplars(panels) -> None:
    """The library's models of the steps in play: the current steps' and the observation's proposed one. One query."""
    wanted: dict[int, list] = defaultdict(list)  # library step id -> panels
    titles: dict[int, object] = {}
    for panel in panels.values():
        library_steps = [s.library_step for s in panel.current_steps if s.library_step_id]
        if panel.observation is not None and panel.observation.proposed_step_id:
            library_steps.append(panel.observation.proposed_step)
        for library_step in library_steps:
            if panel not in wanted[library_step.pk]:
                wanted[library_step.pk].append(panel)
                titles[library_step.pk] = library_step
    if not wanted:
        return
    found: dict[int, list] = defaultdict(list)
    for exemplar in ExemplarResource.objects.filter(step_id__in=list(wanted)).order_by("id"):
        found[exemplar.step_id].append(exemplar)
    for step_id, step_panels in wanted.items():
        for panel in step_panels:
            panel.exemplars.append((titles[step_id], found.get(step_id, [])))


def active_goals(teacher_ids, *, viewer=None):
    """The teachers' active goals with their latest data point (value and date), newest first. One query.

    With a ``viewer``, only the goals the coaching firewall lets them read.
    """
    latest = GoalDataPoint.objects.filter(goal=OuterRef("pk")).order_by("-recorded_on", "-id")
    goals = Goal.objects.filter(teacher__in=list(teacher_ids), status=GoalStatus.ACTIVE)
    if viewer is not None:
        goals = rule_for(Goal).visible(viewer, goals)
    return list(
        goals.annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("recorded_on")[:1]),
        ).order_by("-activated_at", "-id")
    )


def latest_placements(teacher_ids, *, viewer=None):
    """Each teacher's latest placement on each area (those ``viewer`` may read). One query."""
    later = Placement.objects.filter(teacher=OuterRef("teacher"), node=OuterRef("node")).filter(
        Q(placed_on__gt=OuterRef("placed_on")) | Q(placed_on=OuterRef("placed_on"), pk__gt=OuterRef("pk"))
    )
    placements = Placement.objects.filter(teacher__in=list(teacher_ids))
    if viewer is not None:
        placements = rule_for(Placement).visible(viewer, placements)
    return list(placements.exclude(Exists(later)).select_related("node", "level").order_by("node__outline", "node_id"))


def session_default_follow_up(district_id) -> datetime.date:
    from trellis.coaching.services.common import policy_for

    return timezone.localdate() + datetime.timedelta(days=policy_for(district_id).follow_up_days)


# Action steps ------------------------------------------------------------------------------------------------------


def step_rounds(step) -> list:
    return list(PracticeRound.objects.filter(step=step).order_by("number"))


def step_mastery_evidence(step) -> list:
    return list(step.mastery_evidence.order_by("at", "id"))


def readable_observation_ids(user, ids) -> set:
    """Which of these observations ``user`` may open. One query."""
    ids = [pk for pk in ids if pk]
    if not ids:
        return set()
    return set(rule_for(Observation).visible(user).filter(pk__in=ids).values_list("pk", flat=True))


def follow_up_observations(coach, step, limit: int = HISTORY_LIMIT):
    """The teacher's observations the coach reads, made since the step was agreed: the follow-up candidates."""
    qs = rule_for(Observation).visible(coach).filter(WITH_EVIDENCE, teacher_id=step.teacher_id)
    if step.agreed_at:
        qs = qs.filter(created_at__gte=step.agreed_at)
    return list(
        qs.select_related("observer").only("id", "kind", "state", "created_at", "started_at", "observer__full_name",
                                           "observer__preferred_name", "observer__email", "observer_id", "teacher_id")
        .order_by("-created_at", "-id")[:limit]
    )  # fmt: skip


def observation_notes(observation) -> list:
    return list(
        EvidenceNote.objects.filter(observation=observation, deleted=False)
        .only("id", "observation_id", "text", "valence", "at")
        .order_by("at", "id")
    )  # fmt: skip


def other_current_steps(step) -> list:
    """The teacher's other steps that could take over from ``step``."""
    return list(
        CoachingStep.objects.filter(teacher_id=step.teacher_id, state__in=CURRENT_STATES)
        .exclude(pk=step.pk)
        .order_by("-created_at", "-id")
    )


def coach_relationships(coach, teacher):
    """The active or proposed relationships ``coach`` leads that ``teacher`` is in (still supported)."""
    return (
        Relationship.objects.filter(relationship_coach_q(coach), members__teacher=teacher)
        .filter(status__in=(RelationshipStatus.ACTIVE, RelationshipStatus.PROPOSED))
        .annotate(active_first=Case(When(status=RelationshipStatus.ACTIVE, then=Value(0)), default=Value(1)))
        .order_by("active_first", "-created_at", "-id")
    )


# Goals -------------------------------------------------------------------------------------------------------------


@dataclass
class Progress:
    points: list
    chart: object  # trellis.lib.charts.Chart or None
    rows: list  # (label, value) for the data table


def _number(value) -> float | None:
    return float(value) if isinstance(value, Decimal | int | float) else None


def goal_progress(goal, points=None) -> Progress:
    """The goal's data points as a line over time, with the target as a dashed line. One query."""
    if points is None:
        points = list(goal.data_points.select_related("observation").order_by("recorded_on", "id"))
    rows = []
    if goal.baseline is not None:
        rows.append((_("Baseline"), goal.baseline, None))
    rows += [(date_format(p.recorded_on, "M j"), p.value, p) for p in points]
    chart = None
    if points:
        chart = line_chart(
            title=goal.measure,
            labels=[label for label, _v, _p in rows],
            values=[_number(value) for _l, value, _p in rows],
            y_title=goal.unit,
            target=_number(goal.target),
        )
    return Progress(points=points, chart=chart, rows=rows)


def goal_trials(goal) -> list:
    return list(StrategyTrial.objects.filter(goal=goal).order_by("-tried_on", "-id"))


def goal_nodes(goal) -> list:
    return list(goal.nodes.order_by("outline", "id"))


def data_point_observations(viewer, teacher, limit: int = HISTORY_LIMIT) -> list:
    """Recent observations of ``teacher`` that ``viewer`` reads, for linking a data point to one."""
    return list(
        rule_for(Observation).visible(viewer).filter(WITH_EVIDENCE, teacher=teacher)
        .only("id", "kind", "created_at", "started_at", "teacher_id").order_by("-created_at", "-id")[:limit]
    )  # fmt: skip


# Dashboards --------------------------------------------------------------------------------------------------------


def caseload(coach, *, today: datetime.date | None = None):
    """One row per teacher ``coach`` supports now, with where their coaching stands. One query per page.

    Each value is a correlated subquery on the teacher: last held session, last
    observation, last check-in, next session, the current action step, whether a
    follow-up is overdue, this month's sessions held and planned. Rows with an
    overdue follow-up come first, then the soonest next session.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    month_from, month_to = month_bounds(today)
    teacher = OuterRef("pk")
    mine = CoachingSession.objects.filter(relationship__coach=coach, relationship__members__teacher=teacher)
    in_month = mine.filter(starts_at__gte=month_from, starts_at__lt=month_to)
    upcoming = mine.filter(status=SessionStatus.SCHEDULED, starts_at__gte=now).order_by("starts_at", "id")
    observed = Observation.objects.filter(observer=coach, teacher=teacher).filter(WITH_EVIDENCE)
    checked = CheckIn.objects.filter(coach=coach, teacher=teacher)
    steps = CoachingStep.objects.filter(teacher=teacher, state__in=CURRENT_STATES).annotate(open_first=_open_first())
    current = steps.order_by("open_first", "-agreed_at", "-created_at", "-id")
    relationships = Relationship.objects.filter(coach=coach, members__teacher=teacher).exclude(
        status=RelationshipStatus.ENDED
    )
    relationships = relationships.annotate(
        active_first=Case(When(status=RelationshipStatus.ACTIVE, then=Value(0)), default=Value(1))
    ).order_by("active_first", "-created_at", "-id")
    overdue = CoachingStep.objects.filter(teacher=teacher, state__in=DUE_STATES, follow_up_due__lt=today)
    return (
        User.objects.filter(pk__in=coached_teachers(coach))
        .only(*PERSON_FIELDS)
        .annotate(
            last_session=Subquery(
                mine.filter(status=SessionStatus.HELD).order_by("-starts_at").values("starts_at")[:1]
            ),
            last_observation=Subquery(
                observed.order_by("-created_at").values("created_at")[:1], output_field=DateTimeField()
            ),
            last_check_in=Subquery(checked.order_by("-held_on").values("held_on")[:1]),
            next_session_at=Subquery(upcoming.values("starts_at")[:1]),
            next_session_id=Subquery(upcoming.values("pk")[:1]),
            step_id=Subquery(current.values("pk")[:1]),
            step_title=Subquery(current.values("title")[:1]),
            step_state=Subquery(current.values("state")[:1]),
            step_due=Subquery(current.values("follow_up_due")[:1]),
            relationship_id=Subquery(relationships.values("pk")[:1]),
            relationship_status=Subquery(relationships.values("status")[:1]),
            overdue=Exists(overdue),
            held_this_month=_count(in_month.filter(status=SessionStatus.HELD)),
            planned_this_month=_count(
                in_month.filter(status__in=(SessionStatus.HELD, SessionStatus.SCHEDULED, SessionStatus.NO_SHOW))
            ),
        )
        .order_by(F("overdue").desc(), F("next_session_at").asc(nulls_last=True), "full_name", "id")
    )


def decorate_caseload_rows(rows, *, today: datetime.date | None = None) -> list:
    """Add what the table shows and the database left to Python: last contact, labels. No query."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    labels = dict(StepState.choices)
    statuses = dict(RelationshipStatus.choices)
    rows = list(rows)
    for row in rows:
        contacts = []
        if row.last_session:
            contacts.append((row.last_session.astimezone(tz).date(), _("session")))
        if row.last_observation:
            contacts.append((row.last_observation.astimezone(tz).date(), _("observation")))
        if row.last_check_in:
            contacts.append((row.last_check_in, _("check-in")))
        row.last_contact, row.last_contact_kind = max(contacts, key=lambda c: c[0]) if contacts else (None, "")
        row.step_state_label = labels.get(row.step_state, "")
        row.relationship_status_label = statuses.get(row.relationship_status, "")
        row.planned_this_month = row.planned_this_month or 0
        row.held_this_month = row.held_this_month or 0
    return rows


@dataclass
class Growth:
    goal: object
    drafts: list
    progress: object
    current_steps: list
    mastered: list
    trials: list
    next_session: object
    placements: list  # PlacementSeries
    area_choices: list  # (node id, label)
    level_choices: list  # (group label, [(level id, label)])


@dataclass
class PlacementSeries:
    node: object
    rows: list  # Placement, oldest first
    chart: object
    level_labels: list


def next_session_of_teacher(teacher):
    """The teacher's next scheduled session in a relationship they are in. One query."""
    return (
        CoachingSession.objects.filter(
            relationship__members__teacher=teacher,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=timezone.now() - datetime.timedelta(hours=1),
        )
        .exclude(relationship__status=RelationshipStatus.ENDED)
        .select_related("relationship__coach", "protocol")
        .order_by("starts_at", "id")
        .first()
    )


def current_steps_of(teacher) -> list:
    steps = list(
        CoachingStep.objects.filter(teacher=teacher, state__in=CURRENT_STATES)
        .annotate(open_first=_open_first())
        .order_by("open_first", "-agreed_at", "-created_at", "-id")
    )
    today = timezone.localdate()
    for step in steps:
        step.is_overdue = is_overdue(step, today)
    return steps


def _placement_series(teacher) -> tuple[list, list, list]:
    """The teacher's placements as one series per area; the areas and levels to place oneself on. Four queries."""
    placements = list(
        Placement.objects.filter(teacher=teacher).select_related("node", "level").order_by("placed_on", "id")
    )
    focus = list(
        FrameworkNode.objects.filter(
            pk__in=Intake.focus_nodes.through.objects.filter(intake__teacher=teacher).values("frameworknode_id")
        ).order_by("outline", "id")
    )
    nodes = {p.node_id: p.node for p in placements}
    for node in focus:
        nodes.setdefault(node.pk, node)
    version_ids = {node.version_id for node in nodes.values()}
    choices = [(node.pk, f"{node.code} {node.title or node.statement[:80]}".strip()) for node in nodes.values()]
    if not choices:
        version_id = district_framework_version_id(teacher.district_id)
        choices = area_choices(teacher.district_id) if version_id else []
        version_ids = {version_id} if version_id else set()
    levels = list(
        ScaleLevel.objects.filter(scale__version_id__in=version_ids)
        .select_related("scale__version__framework")
        .order_by("scale__version_id", "position")
    )
    levels_by_version: dict = defaultdict(list)
    for level in levels:
        levels_by_version[level.scale.version_id].append(level)
    by_node: dict = defaultdict(list)
    for placement in placements:
        by_node[placement.node_id].append(placement)
    series = []
    for node_id, rows in by_node.items():
        node = nodes[node_id]
        scale = levels_by_version.get(node.version_id, [])
        labels = [level.label for level in scale]
        position = {level.pk: i + 1 for i, level in enumerate(scale)}
        chart = step_chart(
            title=f"{node.code} {node.title or node.statement[:80]}".strip(),
            labels=[date_format(p.placed_on, "M j, Y") for p in rows],
            values=[position.get(p.level_id) for p in rows],
            level_labels=labels,
        )
        series.append(PlacementSeries(node=node, rows=rows, chart=chart, level_labels=labels))
    series.sort(key=lambda s: (s.node.outline, s.node.pk))
    level_choices = [
        (scale[0].scale.version.framework.title, [(level.pk, level.label) for level in scale])
        for scale in levels_by_version.values()
        if scale
    ]
    return series, choices, level_choices


def growth(teacher) -> Growth:
    """The teacher's own growth page, in a fixed number of queries."""
    goals = list(
        Goal.objects.filter(teacher=teacher, status__in=(GoalStatus.ACTIVE, GoalStatus.DRAFT)).order_by(
            "status", "-activated_at", "-created_at", "-id"
        )
    )
    active = next((g for g in goals if g.status == GoalStatus.ACTIVE), None)
    drafts = [g for g in goals if g.status == GoalStatus.DRAFT]
    mastered = list(
        CoachingStep.objects.filter(teacher=teacher, state=StepState.MASTERED).order_by("-mastered_at", "-id")[
            :HISTORY_LIMIT
        ]
    )
    trials = list(
        StrategyTrial.objects.filter(goal__teacher=teacher)
        .select_related("goal")
        .order_by("-tried_on", "-id")[:HISTORY_LIMIT]
    )
    series, choices, level_choices = _placement_series(teacher)
    return Growth(
        goal=active,
        drafts=drafts,
        progress=goal_progress(active) if active else None,
        current_steps=current_steps_of(teacher),
        mastered=mastered,
        trials=trials,
        next_session=next_session_of_teacher(teacher),
        placements=series,
        area_choices=choices,
        level_choices=level_choices,
    )


# Home page panels --------------------------------------------------------------------------------------------------


def home_coach(coach) -> dict:
    """Overdue follow-ups of the teachers ``coach`` supports, and their next sessions. Two queries."""
    today = timezone.localdate()
    overdue = list(
        CoachingStep.objects.filter(teacher__in=coached_teachers(coach), state__in=DUE_STATES, follow_up_due__lt=today)
        .select_related("teacher")
        .only("id", "title", "state", "follow_up_due", "teacher_id", *(f"teacher__{f}" for f in PERSON_FIELDS))
        .order_by("follow_up_due", "id")[:HOME_LIMIT]
    )
    sessions = list(
        CoachingSession.objects.filter(relationship_coach_q(coach, "relationship__"))
        .filter(status=SessionStatus.SCHEDULED, starts_at__gte=timezone.now() - datetime.timedelta(hours=1))
        .select_related("relationship", "protocol")
        # The home card shows the time, the relationship's title and the protocol's name.
        .only("id", "starts_at", "relationship_id", "relationship__title", "protocol_id", "protocol__name")
        .annotate(member_count=_count(RelationshipMember.objects.filter(relationship=OuterRef("relationship"))))
        .annotate(
            first_member=Subquery(
                RelationshipMember.objects.filter(relationship=OuterRef("relationship"))
                .order_by("teacher__full_name")
                .values("teacher__full_name")[:1]
            )
        )
        .order_by("starts_at", "id")[:HOME_LIMIT]
    )
    return {"overdue": overdue, "sessions": sessions, "today": today}


def home_teacher(teacher) -> dict:
    """The teacher's current action step, next session and active goal. Three queries."""
    step = (
        CoachingStep.objects.filter(teacher=teacher, state__in=CURRENT_STATES)
        .annotate(open_first=_open_first())
        .order_by("open_first", "-agreed_at", "-created_at", "-id")
        .first()
    )
    goals = active_goals([teacher.pk])
    return {
        "step": step,
        "step_overdue": is_overdue(step) if step else False,
        "next_session": next_session_of_teacher(teacher),
        "goal": goals[0] if goals else None,
    }
