"""Reads that feed the coaching-relationship pages: the list, the detail, the intake and the focus suggestion.

Every function runs a fixed number of queries whatever the data size. Lists go
through the coaching firewall (``rule_for(Relationship).visible``); the views
fetch single objects through ``trellis.coaching.access``.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Case, Exists, IntegerField, Max, Min, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.coaching.models import (
    CoachingPolicy,
    CoachingSession,
    CycleModel,
    Intake,
    Placement,
    Protocol,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    SessionSeries,
    SessionStatus,
)
from trellis.frameworks.models import FrameworkNode, LevelDescriptor, PerformanceScale, ScaleDirection, ScaleLevel
from trellis.lib.rules import rule_for

# How far back a session still waiting to be recorded (held or missed) stays among the upcoming ones.
OPEN_SESSION_DAYS = 30
UPCOMING_LIMIT = 30
HISTORY_LIMIT = 10
SERIES_LIMIT = 5


# Defaults --------------------------------------------------------------------------------------------------------------


def policy_defaults(district_id) -> CoachingPolicy:
    """The district's coaching policy, or the product defaults (unsaved) when it has none. One query."""
    policy = CoachingPolicy.objects.filter(district_id=district_id).first() if district_id else None
    return policy or CoachingPolicy(district_id=district_id)


def cadence_interval(meetings_per_month: int) -> int:
    """Weeks between sessions for a number of meetings a month (2 a month: every 2 weeks)."""
    return max(1, round(4 / max(1, meetings_per_month)))


def cycle_models_for(user, district_ids):
    """Cycle models offered for these districts: shipped ones and the districts' own, that ``user`` may read."""
    qs = rule_for(CycleModel).visible(user).filter(is_active=True)
    return qs.filter(Q(district__isnull=True) | Q(district__in=list(district_ids))).order_by("name", "id")


def protocols_for(user, relationship):
    """Meeting protocols for a relationship's sessions: shipped ones and its district's own."""
    qs = rule_for(Protocol).visible(user).filter(is_active=True)
    return qs.filter(Q(district__isnull=True) | Q(district=relationship.district_id)).order_by("name", "id")


def default_protocol(protocols, purpose=None):
    """The first protocol of ``purpose`` among ``protocols`` (a list), else the first one."""
    for protocol in protocols:
        if purpose and protocol.purpose == purpose:
            return protocol
    return protocols[0] if protocols else None


# The list ---------------------------------------------------------------------------------------------------------------

_STATUS_ORDER = Case(
    When(status=RelationshipStatus.PROPOSED, then=Value(0)),
    When(status=RelationshipStatus.ACTIVE, then=Value(1)),
    When(status=RelationshipStatus.PAUSED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def relationships_for(user, *, status: str | None = None):
    """The relationships ``user`` works in (as coach or as teacher), open ones first.

    Each row carries ``next_session`` (the next scheduled start), ``waiting_consent``
    (some teacher has not consented yet) and ``my_consent_pending`` (``user`` is a
    teacher in it who has not consented). Three queries per page: count, rows,
    members with their teachers.
    """
    now = timezone.now()
    upcoming = CoachingSession.objects.filter(
        relationship=OuterRef("pk"), status=SessionStatus.SCHEDULED, starts_at__gte=now
    ).order_by("starts_at")
    unconsented = RelationshipMember.objects.filter(relationship=OuterRef("pk"), consented_at__isnull=True)
    members = RelationshipMember.objects.select_related("teacher").order_by("teacher__full_name", "teacher_id")
    qs = (
        rule_for(Relationship)
        .visible(user)
        .select_related("coach", "cycle_model", "district")
        .prefetch_related(Prefetch("members", queryset=members))
        .annotate(
            next_session=Subquery(upcoming.values("starts_at")[:1]),
            waiting_consent=Exists(unconsented),
            my_consent_pending=Exists(unconsented.filter(teacher=user)),
            status_order=_STATUS_ORDER,
        )
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status_order", "-created_at", "-id")


def relationship_label(rel, viewer, members) -> str:
    """How a relationship is named to ``viewer``: its own name, else who the coaching is with."""
    if rel.title:
        return rel.title
    if viewer is not None and any(m.teacher_id == viewer.pk for m in members):
        return _("Coaching with %(name)s") % {"name": rel.coach.display_name}
    names = ", ".join(m.teacher.display_name for m in members)
    return _("Coaching with %(names)s") % {"names": names}


def label_for(rel, viewer) -> str:
    """``relationship_label`` for a page that has not loaded the members (one query)."""
    return relationship_label(rel, viewer, list(rel.members.select_related("teacher").order_by("teacher__full_name")))


# The detail -------------------------------------------------------------------------------------------------------------


@dataclass
class MemberView:
    member: RelationshipMember
    intake: Intake | None = None
    focus: list = field(default_factory=list)

    @property
    def teacher(self):
        return self.member.teacher


@dataclass
class RelationshipPage:
    members: list  # MemberView, by name
    series: list  # SessionSeries, newest first
    upcoming: list  # CoachingSession still scheduled, soonest first
    history: list  # held, missed or cancelled sessions, latest first
    now: datetime.datetime


def relationship_page(relationship) -> RelationshipPage:
    """Everything the detail page shows beside the relationship itself. Six queries whatever the size."""
    now = timezone.now()
    members = list(relationship.members.select_related("teacher").order_by("teacher__full_name", "teacher_id"))
    intakes = {
        intake.teacher_id: intake
        for intake in relationship.intakes.prefetch_related(
            Prefetch("focus_nodes", queryset=FrameworkNode.objects.order_by("outline", "id"))
        )
    }
    views = [
        MemberView(
            member=m,
            intake=intakes.get(m.teacher_id),
            focus=list(intakes[m.teacher_id].focus_nodes.all()) if m.teacher_id in intakes else [],
        )
        for m in members
    ]
    series = list(
        SessionSeries.objects.filter(relationship=relationship)
        .select_related("protocol")
        .order_by("-created_at", "-id")[:SERIES_LIMIT]
    )
    sessions = CoachingSession.objects.filter(relationship=relationship).select_related("protocol")
    upcoming = list(
        sessions.filter(
            status=SessionStatus.SCHEDULED, starts_at__gte=now - datetime.timedelta(days=OPEN_SESSION_DAYS)
        ).order_by("starts_at", "id")[:UPCOMING_LIMIT]
    )
    history = list(sessions.exclude(status=SessionStatus.SCHEDULED).order_by("-starts_at", "-id")[:HISTORY_LIMIT])
    return RelationshipPage(members=views, series=series, upcoming=upcoming, history=history, now=now)


def future_sessions_of(series) -> int:
    """How many sessions of a schedule are still to come (what stopping it cancels)."""
    return series.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now()).count()


# The intake -------------------------------------------------------------------------------------------------------------


def intake_framework(user, teacher, intake=None):
    """The framework version of an intake: the one it already has, else the default of the teacher's district."""
    from trellis.observations.selectors import default_framework, plan_frameworks

    if intake is not None:
        return intake.framework_version
    framework = default_framework(plan_frameworks(user, {teacher.district_id}), teacher.district_id)
    return framework.current_version if framework else None


@dataclass
class LevelChoice:
    level: ScaleLevel
    descriptor: str
    checked: bool


@dataclass
class ComponentChoice:
    node: FrameworkNode
    domain: FrameworkNode | None
    choices: list  # LevelChoice, one per level
    field_name: str
    unsure_checked: bool = True
    error: str = ""


@dataclass
class IntakeContinuum:
    scale: PerformanceScale | None
    levels: list
    groups: list  # [(domain node or None, [ComponentChoice, ...])]

    @property
    def components(self) -> list:
        return [row for _domain, rows in self.groups for row in rows]


def component_nodes(version) -> tuple[list, dict]:
    """The components of a version (its second level, else its top level) and the domains above them. One query."""
    nodes = list(
        FrameworkNode.objects.filter(version=version, depth__in=(1, 2))
        .only("id", "parent_id", "code", "title", "statement", "depth", "outline", "version_id")
        .order_by("outline", "id")
    )
    level = 2 if any(n.depth == 2 for n in nodes) else 1
    domains = {n.pk: n for n in nodes if n.depth == 1} if level == 2 else {}
    return [n for n in nodes if n.depth == level], domains


def placement_field(node_id) -> str:
    return f"place_{node_id}"


def intake_continuum(version, chosen: dict) -> IntakeContinuum:
    """The self-placement grid: components x levels, each cell with its descriptor. Four queries.

    ``chosen`` maps node ids to the level id ticked (from the posted form or the saved placements).
    """
    if version is None:
        return IntakeContinuum(None, [], [])
    scale = PerformanceScale.objects.filter(version=version).first()
    levels = list(ScaleLevel.objects.filter(scale=scale).order_by("position")) if scale else []
    components, domains = component_nodes(version)
    texts: dict = {}
    if levels:
        rows = LevelDescriptor.objects.filter(level__scale=scale, node__in=[c.pk for c in components])
        for node_id, level_id, text in rows.values_list("node_id", "level_id", "text"):
            texts[(node_id, level_id)] = text
    groups: list = []
    for node in components:
        picked = chosen.get(node.pk)
        row = ComponentChoice(
            node=node,
            domain=domains.get(node.parent_id),
            choices=[LevelChoice(lv, texts.get((node.pk, lv.pk), ""), picked == lv.pk) for lv in levels],
            field_name=placement_field(node.pk),
            unsure_checked=picked is None,
        )
        if not groups or groups[-1][0] != row.domain:
            groups.append((row.domain, []))
        groups[-1][1].append(row)
    return IntakeContinuum(scale, levels, groups)


def placements_of(intake) -> dict:
    """node id -> level id of an intake's saved placements. One query."""
    if intake is None:
        return {}
    return dict(Placement.objects.filter(intake=intake).values_list("node_id", "level_id"))


# The focus suggestion ---------------------------------------------------------------------------------------------------

# Weights: each level below the top of the scale counts 1; what the teacher said they want, and what the latest
# shared observation chose, weigh more than one level (the teacher's own wish comes first, as in partnership coaching).
GAP_WEIGHT = 1.0
INTEREST_BOOST = 1.5
OBSERVATION_BOOST = 2.0
# Words too common in a teacher's writing or in component titles to say anything about a focus.
_STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "across",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "both",
        "but",
        "by",
        "can",
        "class",
        "classes",
        "classroom",
        "do",
        "does",
        "during",
        "each",
        "every",
        "for",
        "from",
        "get",
        "have",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "lesson",
        "lessons",
        "make",
        "more",
        "most",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "student",
        "students",
        "teach",
        "teacher",
        "teachers",
        "teaching",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "use",
        "using",
        "want",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "will",
        "with",
        "work",
        "working",
        "would",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
STEM_LENGTH = 5
MIN_WORD = 4


def _stem(word: str) -> str:
    return word.lower()[:STEM_LENGTH]


def _content_words(text: str) -> list[str]:
    words = (w for w in _WORD.findall(text or ""))
    return [w for w in words if len(w) >= MIN_WORD and w.lower() not in _STOP_WORDS]


@dataclass
class FocusSuggestion:
    node: FrameworkNode
    domain: FrameworkNode | None
    score: float
    reasons: list = field(default_factory=list)
    level: ScaleLevel | None = None

    @property
    def node_id(self) -> int:
        return self.node.pk


def _latest_observation_node(intake, viewer, version_node_ids):
    """The growth area of the teacher's latest shared coaching observation, if it is in this framework."""
    from trellis.observations import models as obs_models
    from trellis.observations.access import VISIBLE_TO_TEACHER

    qs = obs_models.Observation.objects.filter(
        teacher_id=intake.teacher_id,
        purpose=obs_models.Purpose.COACHING,
        state__in=VISIBLE_TO_TEACHER,
        shared_at__isnull=False,
    )
    if viewer is not None:
        # Only what the person looking may read themselves: the suggestion names the observation's choice.
        qs = rule_for(obs_models.Observation).visible(viewer, qs)
    node_id = qs.order_by("-shared_at", "-id").values_list("growth_node_id", flat=True).first()
    return node_id if node_id in version_node_ids else None


def suggest_focus(intake, limit: int = 3, *, viewer=None) -> list[FocusSuggestion]:
    """Suggested focus areas for an intake, best first, each with its reasons in plain words. Four queries.

    A component scores one point for each level the teacher placed themselves below
    the top of the scale (the direction of the scale decides which end is the top),
    more when its title words appear in what the teacher said they want to work on,
    and more when the teacher's latest shared coaching observation chose it as the
    growth area. Components with no reason at all are not suggested. ``viewer``, when
    given, words the reasons for that person and limits the observation to one they
    may read.
    """
    version = intake.framework_version
    components, domains = component_nodes(version)
    by_id = {n.pk: n for n in components}
    scale = (
        PerformanceScale.objects.filter(version=version)
        .annotate(top_position=Max("levels__position"), bottom_position=Min("levels__position"))
        .first()
    )
    placements = {
        p.node_id: p.level
        for p in Placement.objects.filter(intake=intake, node_id__in=list(by_id)).select_related("level")
    }
    observed = _latest_observation_node(intake, viewer, set(by_id))
    is_teacher = viewer is None or viewer.pk == intake.teacher_id
    name = intake.teacher.display_name if not is_teacher else ""

    interest_stems: dict = {}
    for word in _content_words(intake.interests):
        interest_stems.setdefault(_stem(word), word)

    suggestions = []
    for node in components:
        score = 0.0
        reasons = []
        level = placements.get(node.pk)
        if level is not None and scale is not None and scale.top_position is not None:
            if scale.direction == ScaleDirection.DESCENDING:
                gap = level.position - scale.bottom_position
            else:
                gap = scale.top_position - level.position
            if gap > 0:
                score += GAP_WEIGHT * gap
                reasons.append(
                    _("You placed yourself at %(level)s") % {"level": level.label}
                    if is_teacher
                    else _("%(name)s placed themselves at %(level)s") % {"name": name, "level": level.label}
                )
        title_words = _content_words(node.title or node.statement)
        said = next((interest_stems[_stem(w)] for w in title_words if _stem(w) in interest_stems), None)
        if said:
            score += INTEREST_BOOST
            reasons.append(
                _("You said you want to work on %(words)s") % {"words": said.lower()}
                if is_teacher
                else _("%(name)s said they want to work on %(words)s") % {"name": name, "words": said.lower()}
            )
        if observed == node.pk:
            score += OBSERVATION_BOOST
            reasons.append(_("The latest observation chose this area"))
        if score > 0:
            suggestions.append(
                FocusSuggestion(
                    node=node, domain=domains.get(node.parent_id), score=score, reasons=reasons, level=level
                )
            )
    # Stable: equal scores keep the framework's own order.
    suggestions.sort(key=lambda s: -s.score)
    return suggestions[:limit]
