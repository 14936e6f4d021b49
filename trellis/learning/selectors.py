"""Reads that feed the professional-learning pages, each in a fixed number of queries whatever the data size.

Lists go through the rules in ``trellis.learning.access``; selectors that take an
object (a session, a program, a survey) expect the caller to have fetched it with the
matching access helper first, and say so. Counts are annotated in the database, never
counted row by row.

Pages and their selectors:
- participant: ``catalogue``, ``my_registrations``, ``surveys_to_answer``, ``my_commitments``,
  ``my_certificates``, ``transcript``
- facilitator: ``facilitated_sessions``, ``session_summary``, ``session_roster``, ``survey_results``,
  ``follow_up``
- program manager: ``managed_programs``, ``program_overview``, ``facilitator_candidates``
- district admin / campus leader: ``pending_approvals``, ``people_registrations``, ``enrollable_people``
- anyone: ``certificate_by_code`` (verification)
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from trellis.learning import models as m
from trellis.learning.access import (
    catalogue_q,
    led_session_q,
    managed_org_ids,
    may_manage,
    may_run_session,
    people_q,
)
from trellis.learning.credits import credit_for, policy_for
from trellis.lib.rules import rule_for
from trellis.orgs.access import active_grants, grant_covers_teacher, people_at
from trellis.orgs.roles import roles_of

User = get_user_model()
S = m.RegistrationStatus


def _count(qs, group: str = "session") -> Coalesce:
    """A correlated COUNT subquery (no row multiplication when several are annotated side by side)."""
    return Coalesce(
        Subquery(qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
        0,
    )


def confirmed_count():
    """The number of confirmed registrations of the session in the outer query."""
    return _count(m.Registration.objects.filter(session=OuterRef("pk"), status=S.CONFIRMED))


def with_seats(sessions: QuerySet) -> QuerySet:
    """Annotate ``confirmed_count``, ``waitlisted_count``, ``pending_count``, ``checked_in_count``
    and ``seats_left`` (None: no limit)."""
    regs = m.Registration.objects.filter(session=OuterRef("pk"))
    return sessions.annotate(
        confirmed_count=confirmed_count(),
        waitlisted_count=_count(regs.filter(status=S.WAITLISTED)),
        pending_count=_count(regs.filter(status=S.PENDING)),
        checked_in_count=_count(regs.filter(checked_in_at__isnull=False)),
    ).annotate(
        seats_left=Case(
            When(capacity__isnull=True, then=Value(None)),
            default=F("capacity") - F("confirmed_count"),
            output_field=IntegerField(),
        )
    )


# Participant ------------------------------------------------------------------------------------


def catalogue(user, *, now=None) -> QuerySet:
    """Upcoming sessions ``user`` may join, soonest first, with seats, ``registration_open``
    and ``my_status`` (the user's active registration status, or None)."""
    now = now or timezone.now()
    mine = m.Registration.objects.filter(
        session=OuterRef("pk"), participant_id=user.pk, status__in=m.ACTIVE_STATUSES
    ).values("status")[:1]
    sessions = m.Session.objects.filter(catalogue_q(user), status=m.SessionStatus.SCHEDULED, starts_at__gt=now)
    return (
        with_seats(sessions)
        .annotate(
            my_status=Subquery(mine),
            registration_open=Case(
                When(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .select_related("cohort__program", "owner")
        .order_by("starts_at", "pk")
    )


def my_registrations(user, *, upcoming: bool | None = None, now=None) -> QuerySet:
    """The user's registrations (every status), with session, program and provider loaded.

    ``upcoming=True``: sessions not yet ended (soonest first); ``False``: ended ones (latest first).
    """
    now = now or timezone.now()
    qs = m.Registration.objects.filter(participant_id=user.pk).select_related(
        "session__cohort__program", "session__owner"
    )
    if upcoming is True:
        return qs.filter(session__ends_at__gte=now).order_by("session__starts_at", "pk")
    if upcoming is False:
        return qs.filter(session__ends_at__lt=now).order_by("-session__starts_at", "-pk")
    return qs.order_by("-session__starts_at", "-pk")


def surveys_to_answer(user) -> QuerySet:
    """Open surveys of sessions the user attended and has not answered."""
    attended = m.Registration.objects.filter(participant_id=user.pk, checked_in_at__isnull=False).values("session_id")
    answered = m.SurveyResponse.objects.filter(respondent_id=user.pk).values("survey_id")
    return (
        m.Survey.objects.filter(is_open=True, session__in=attended)
        .exclude(pk__in=answered)
        .select_related("session__cohort__program")
        .order_by("-session__starts_at")
    )


def my_commitments(user) -> QuerySet:
    return m.Commitment.objects.filter(participant_id=user.pk).select_related("session__cohort__program")


def my_certificates(user) -> QuerySet:
    return m.Certificate.objects.filter(participant_id=user.pk).select_related("cohort__program")


@dataclass
class TranscriptRow:
    registration: m.Registration
    minutes: int
    hours: Decimal
    ceus: Decimal | None


@dataclass
class Transcript:
    person: object
    rows: list
    total_minutes: int
    total_hours: Decimal
    total_ceus: Decimal | None
    credit_label: str
    certificates: list


def transcript(person, *, since: datetime.date | None = None, until: datetime.date | None = None) -> Transcript:
    """Everything ``person`` attended, across all programs, with credit by their district's rule.

    Authorise with ``access_transcript`` first. Totals are derived from the total minutes
    (not summed from rounded rows). Three queries.
    """
    policy = policy_for(person.district_id)
    qs = (
        m.Registration.objects.filter(participant=person, checked_in_at__isnull=False)
        .select_related("session__cohort__program", "session__owner")
        .order_by("session__starts_at", "pk")
    )
    if since:
        qs = qs.filter(session__starts_at__date__gte=since)
    if until:
        qs = qs.filter(session__starts_at__date__lte=until)
    rows = []
    for registration in qs:
        credit = credit_for(registration.minutes_attended or 0, policy)
        rows.append(TranscriptRow(registration, credit.minutes, credit.hours, credit.ceus))
    total = credit_for(sum(row.minutes for row in rows), policy)
    certificates = list(m.Certificate.objects.filter(participant=person).order_by("-issued_at"))
    return Transcript(person, rows, total.minutes, total.hours, total.ceus, total.label, certificates)


# Facilitator ------------------------------------------------------------------------------------


def facilitated_sessions(user, *, upcoming: bool = True, now=None) -> QuerySet:
    """Sessions ``user`` facilitates (named on the session or its cohort), with seat counts.

    ``upcoming=True``: not yet ended, soonest first; ``False``: ended, latest first.
    """
    now = now or timezone.now()
    qs = with_seats(m.Session.objects.filter(led_session_q(user))).select_related("cohort__program", "owner")
    if upcoming:
        return qs.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")


def session_summary(session) -> dict:
    """Counts for a session's page, in one query: ``confirmed``, ``waitlisted``, ``pending``,
    ``cancelled``, ``declined``, ``checked_in``, ``minutes`` (total attended) and ``seats_left``."""
    counts = session.registrations.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in S.values},
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        minutes=Coalesce(Sum("minutes_attended"), 0),
    )
    counts["seats_left"] = None if session.capacity is None else max(0, session.capacity - counts["confirmed"])
    return counts


def session_roster(user, session, *, runs_session: bool = False) -> QuerySet:
    """The session's registrations ``user`` may see: everyone for its managers and facilitators,
    only their own people for a district admin or campus leader. ``runs_session``: the caller has
    checked that ``user`` runs this session (so everyone is seen, and the general rule, which looks
    through every session the person runs, is skipped).

    Ordered confirmed first, then waiting (in line order), then the rest; participant and
    their district loaded.
    """
    order = Case(
        When(status=S.CONFIRMED, then=Value(0)),
        When(status=S.WAITLISTED, then=Value(1)),
        When(status=S.PENDING, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    registrations = m.Registration.objects if runs_session else rule_for(m.Registration).visible(user)
    return (
        registrations.filter(session=session)
        .select_related("participant", "district")
        .annotate(status_order=order)
        .order_by("status_order", "queued_at", "pk")
    )


@dataclass
class ItemResult:
    item: m.SurveyItem
    answered: int = 0
    mean: float | None = None
    distribution: list = field(default_factory=list)  # scale: counts of 1..5
    yes: int = 0
    no: int = 0
    texts: list = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: m.Survey
    responses: int
    attended: int
    items: list
    by_level: dict  # Guskey level -> mean of its scale answers (None when none)


def survey_results(user, survey) -> SurveyResults:
    """Aggregates of a session's survey for its facilitators and managers (``PermissionDenied`` for
    anyone else). Nobody's answers are tied to their name: short answers come back as a list without
    respondents, in alphabetical order. Five queries."""
    if not may_run_session(user, survey.session):
        raise PermissionDenied
    items = list(survey.items.order_by("position", "pk"))
    results = {item.pk: ItemResult(item=item, distribution=[0] * 5) for item in items}
    counts = (
        m.SurveyAnswer.objects.filter(item__survey=survey, number__isnull=False)
        .values("item_id", "number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        result = results[row["item_id"]]
        result.answered += row["n"]
        if result.item.kind == m.QuestionKind.SCALE and 1 <= row["number"] <= 5:
            result.distribution[row["number"] - 1] += row["n"]
        elif result.item.kind == m.QuestionKind.YES_NO:
            if row["number"]:
                result.yes += row["n"]
            else:
                result.no += row["n"]
    texts = (
        m.SurveyAnswer.objects.filter(item__survey=survey).exclude(text="").order_by("text").values("item_id", "text")
    )
    for row in texts:
        results[row["item_id"]].texts.append(row["text"])
        results[row["item_id"]].answered += 1
    level_sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for result in results.values():
        if result.item.kind == m.QuestionKind.SCALE and result.answered:
            total = sum(n * value for value, n in enumerate(result.distribution, start=1))
            result.mean = round(total / result.answered, 2)
            level_sums[result.item.guskey_level][0] += total
            level_sums[result.item.guskey_level][1] += result.answered
    counts = survey.session.registrations.aggregate(attended=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return SurveyResults(
        survey=survey,
        responses=survey.responses.count(),
        attended=counts["attended"],
        items=[results[item.pk] for item in items],
        by_level={level: round(s / n, 2) if n else None for level, (s, n) in sorted(level_sums.items())},
    )


@dataclass
class FollowUp:
    """One participant's practice after a session: counts only, never content (the coaching firewall)."""

    registration: m.Registration
    attended: bool
    commitments: int
    covered: bool  # the participant's district lets this provider see follow-up practice
    observations: int | None  # None when not covered
    coaching: int | None


def follow_up(user, session) -> list[FollowUp]:
    """Back on campus: for each participant with a seat, whether they attended, how many
    commitments they wrote, and (only where their district grants the provider access
    covering them, or for a district's own program) how many coaching observations and
    coaching conversations (notes and held coaching sessions) they had since the session. Observations count when a focus
    or growth area lies in the program's frameworks (any, when it names none).
    Evaluation observations never count. One query.
    """
    if not may_run_session(user, session):
        raise PermissionDenied
    from trellis.observations.models import Observation, Purpose, State

    program = session.cohort.program
    framework_ids = list(program.frameworks.values_list("pk", flat=True))
    owner = session.owner
    if owner.is_district:
        covered = Case(When(district_id=owner.pk, then=Value(True)), default=Value(False), output_field=BooleanField())
    else:
        grants = active_grants().filter(service_center_id=owner.pk)
        covered = Exists(grant_covers_teacher(grants, teacher_ref="participant", district_ref="district"))
    observations = Observation.objects.filter(
        teacher=OuterRef("participant"),
        purpose=Purpose.COACHING,
        created_at__gte=session.starts_at,
    ).exclude(state__in=[State.PLANNED, State.CANCELLED])
    if framework_ids:
        in_frameworks = Observation.focus_nodes.through.objects.filter(
            frameworknode__version__framework__in=framework_ids
        ).values("observation_id")
        observations = observations.filter(
            Q(pk__in=in_frameworks) | Q(growth_node__version__framework__in=framework_ids)
        )
    since_day = session.local_start.date()
    coaching = _coaching_notes_since(since_day)
    commitments = m.Commitment.objects.filter(session=session, participant=OuterRef("participant"))
    rows = (
        session.registrations.filter(status=S.CONFIRMED)
        .select_related("participant", "district")
        .annotate(
            covered=covered,
            commitment_count=_count(commitments, "participant"),
        )
        .annotate(
            observation_count=Case(
                When(covered=True, then=_count(observations, "teacher")),
                default=Value(None),
                output_field=IntegerField(),
            ),
            coaching_count=Case(
                When(covered=True, then=_count(coaching, "teacher") + _held_sessions_since(session.starts_at)),
                default=Value(None),
                output_field=IntegerField(),
            ),
        )
        .order_by("participant__full_name", "pk")
    )
    return [
        FollowUp(
            registration=r,
            attended=r.checked_in_at is not None,
            commitments=r.commitment_count,
            covered=bool(r.covered),
            observations=r.observation_count if r.covered else None,
            coaching=r.coaching_count if r.covered else None,
        )
        for r in rows
    ]


def _held_sessions_since(start):
    """Coaching sessions held with the participant since the PD session (counts only: the coaching firewall)."""
    from trellis.coaching.models import CoachingSession, SessionStatus

    held = CoachingSession.objects.filter(
        relationship__members__teacher=OuterRef("participant"), status=SessionStatus.HELD, starts_at__gte=start
    )
    # Grouped by the (filtered, so constant) status: one row holding the count.
    return _count(held, "status")


def _coaching_notes_since(day):
    from trellis.coaching.models import CoachingNote

    return CoachingNote.objects.filter(teacher=OuterRef("participant"), met_on__gte=day)


# Program manager --------------------------------------------------------------------------------


def managed_programs(user) -> QuerySet:
    """Programs of the organizations ``user`` manages, with ``cohort_count``, ``session_count``,
    ``upcoming_count`` and ``participant_count`` (people with a seat, counted once)."""
    now = timezone.now()
    sessions = m.Session.objects.filter(cohort__program=OuterRef("pk"))
    seated = m.Registration.objects.filter(session__cohort__program=OuterRef("pk"), status=S.CONFIRMED)
    participants = Subquery(
        seated.order_by()
        .values("session__cohort__program")
        .annotate(n=Count("participant", distinct=True))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    return (
        m.Program.objects.filter(owner__in=managed_org_ids(user))
        .select_related("owner")
        .annotate(
            cohort_count=_count(m.Cohort.objects.filter(program=OuterRef("pk")), "program"),
            session_count=_count(sessions, "cohort__program"),
            upcoming_count=_count(
                sessions.filter(starts_at__gt=now, status=m.SessionStatus.SCHEDULED), "cohort__program"
            ),
            participant_count=Coalesce(participants, 0),
        )
        .order_by("title", "pk")
    )


@dataclass
class ProgramOverview:
    program: m.Program
    cohorts: list  # Cohort objects, each with .session_list (annotated sessions)
    districts: list  # dicts: district name, registered, attended, minutes
    certificates: int
    mean_reaction: float | None  # mean of level-1 scale answers across the program's surveys


def program_overview(user, program) -> ProgramOverview:
    """A program manager's overview (``PermissionDenied`` for anyone but the program's managers).

    Cohorts with their sessions (seat counts, survey responses, mean level-1 reaction),
    participants by district (a provider sees every district's participants registered
    in its own program), certificates issued. Six queries.
    """
    if not may_manage(user, program.owner_id):
        raise PermissionDenied
    cohorts = list(program.cohorts.prefetch_related("facilitators").order_by("name", "pk"))
    reactions = m.SurveyAnswer.objects.filter(
        item__survey__session=OuterRef("pk"), item__kind=m.QuestionKind.SCALE, item__guskey_level=1
    )
    sessions = (
        with_seats(m.Session.objects.filter(cohort__program=program))
        .annotate(
            response_count=_count(m.SurveyResponse.objects.filter(survey__session=OuterRef("pk")), "survey__session"),
            mean_reaction=Subquery(
                reactions.order_by().values("item__survey__session").annotate(a=Avg("number")).values("a")[:1]
            ),
        )
        .order_by("starts_at", "pk")
    )
    by_cohort = defaultdict(list)
    for session in sessions:
        by_cohort[session.cohort_id].append(session)
    for cohort in cohorts:
        cohort.session_list = by_cohort[cohort.pk]
    districts = list(
        m.Registration.objects.filter(session__cohort__program=program, status__in=[S.CONFIRMED, S.CANCELLED])
        .values("district_id", "district__name")
        .annotate(
            registered=Count("participant", filter=Q(status=S.CONFIRMED), distinct=True),
            attended=Count("participant", filter=Q(checked_in_at__isnull=False), distinct=True),
            minutes=Coalesce(Sum("minutes_attended"), 0),
        )
        # A district whose people all cancelled has nothing to report.
        .filter(Q(registered__gt=0) | Q(attended__gt=0))
        .order_by("district__name")
    )
    all_reactions = m.SurveyAnswer.objects.filter(
        item__survey__session__cohort__program=program, item__kind=m.QuestionKind.SCALE, item__guskey_level=1
    ).aggregate(mean=Avg("number"))["mean"]
    return ProgramOverview(
        program=program,
        cohorts=cohorts,
        districts=districts,
        certificates=m.Certificate.objects.filter(cohort__program=program, revoked_at__isnull=True).count(),
        mean_reaction=round(all_reactions, 2) if all_reactions is not None else None,
    )


def facilitator_candidates(owner) -> QuerySet:
    """People who may facilitate the owner's sessions (for a picker)."""
    from trellis.learning.services._common import facilitator_candidates_q

    return User.objects.filter(facilitator_candidates_q(owner)).order_by("full_name", "pk")


def question_bank(user, *, owner=None) -> QuerySet:
    """Active questions ``user`` may use; with ``owner``, those a survey of that owner's sessions may use."""
    qs = rule_for(m.QuestionBankItem).visible(user).filter(is_active=True)
    if owner is not None:
        qs = qs.filter(Q(owner__isnull=True) | Q(owner=owner))
    return qs.order_by("guskey_level", "owner_id", "pk")


@dataclass
class Completion:
    participant_id: int
    attended_minutes: int
    total_minutes: int
    required_minutes: int
    sessions_attended: int
    first_day: datetime.date | None
    last_day: datetime.date | None

    @property
    def eligible(self) -> bool:
        return self.total_minutes > 0 and self.attended_minutes >= self.required_minutes


def cohort_completion(cohort, participant_ids, *, now=None) -> dict[int, Completion]:
    """Attendance of these participants in the cohort's sessions that have taken place. Two queries."""
    now = now or timezone.now()
    held = cohort.sessions.filter(status=m.SessionStatus.SCHEDULED, ends_at__lte=now)
    total = held.aggregate(total=Coalesce(Sum("contact_minutes"), 0))["total"]
    required = math.ceil(total * cohort.program.completion_percent / 100)
    found: dict[int, list] = defaultdict(list)
    rows = m.Registration.objects.filter(
        session__in=held, participant_id__in=list(participant_ids), checked_in_at__isnull=False
    ).values("participant_id", "minutes_attended", "session__starts_at", "session__timezone")
    for row in rows:
        found[row["participant_id"]].append(row)
    result = {}
    for pk in participant_ids:
        attended = found.get(pk, [])
        days = sorted(
            row["session__starts_at"].astimezone(ZoneInfo(row["session__timezone"])).date() for row in attended
        )
        result[pk] = Completion(
            participant_id=pk,
            attended_minutes=sum(row["minutes_attended"] or 0 for row in attended),
            total_minutes=total,
            required_minutes=required,
            sessions_attended=len(attended),
            first_day=days[0] if days else None,
            last_day=days[-1] if days else None,
        )
    return result


# District admin / campus leader -----------------------------------------------------------------


def pending_approvals(user) -> QuerySet:
    """Registrations of the admin's people waiting for approval, soonest session first."""
    admin_of = roles_of(user).admin_district_ids
    return (
        m.Registration.objects.filter(district__in=admin_of, status=S.PENDING)
        .select_related("participant", "session__cohort__program", "session__owner")
        .order_by("session__starts_at", "queued_at", "pk")
    )


def people_registrations(user, *, status: str | None = None, upcoming: bool | None = None, now=None) -> QuerySet:
    """Registrations of the people a district admin (their district) or campus leader (their
    campuses) looks after, in anyone's programs. Never other districts' people."""
    people = people_q(roles_of(user))
    if people is None:
        return m.Registration.objects.none()
    now = now or timezone.now()
    qs = m.Registration.objects.filter(people).select_related(
        "participant", "district", "session__cohort__program", "session__owner"
    )
    if status:
        qs = qs.filter(status=status)
    if upcoming is True:
        qs = qs.filter(session__ends_at__gte=now)
    elif upcoming is False:
        qs = qs.filter(session__ends_at__lt=now)
    return qs.order_by("session__starts_at", "participant__full_name", "pk")


def enrollable_people(user, session) -> QuerySet:
    """People ``user`` may enrol in ``session`` in bulk: a campus leader's campus people, a district
    admin's district people; each with ``registration_status`` (their active status, or None)."""
    roles = roles_of(user)
    q = Q(pk__in=[])
    if roles.leader_campus_ids:
        q |= people_at(roles.leader_campus_ids)
    if roles.admin_district_ids:
        q |= Q(district__in=roles.admin_district_ids)
    status = m.Registration.objects.filter(
        session=session, participant=OuterRef("pk"), status__in=m.ACTIVE_STATUSES
    ).values("status")[:1]
    return (
        User.objects.filter(q, is_active=True, district__isnull=False)
        .annotate(registration_status=Subquery(status))
        .order_by("full_name", "pk")
    )


# Anyone -----------------------------------------------------------------------------------------


def certificate_by_code(code) -> m.Certificate | None:
    """The certificate a verification code names (revoked ones too: the page says so), or None."""
    code = str(code or "").strip()
    if not code or len(code) > 40:
        return None
    return m.Certificate.objects.filter(code=code).first()
