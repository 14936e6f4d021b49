"""Reads for the participant, district and home pages that ``trellis.learning.selectors`` does not offer.

Each runs a fixed number of queries whatever the data size. Selectors that take an
object expect the caller to have fetched it with the matching access helper first.
"""

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from trellis.learning import models as m
from trellis.learning import selectors as sel
from trellis.learning.access import catalogue_q, led_session_q, may_manage
from trellis.learning.credits import policy_for
from trellis.orgs.access import people_at
from trellis.orgs.roles import roles_of

S = m.RegistrationStatus


def _ahead_in_line():
    """How many people wait ahead of the outer registration (for its waiting-list position)."""
    ahead = m.Registration.objects.filter(session=OuterRef("session"), status=S.WAITLISTED).filter(
        Q(queued_at__lt=OuterRef("queued_at")) | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
    )
    return Coalesce(
        Subquery(ahead.order_by().values("session").annotate(n=Count("pk")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


@dataclass
class SessionPage:
    """What the participant view of a session shows."""

    session: m.Session  # annotated with the seat counts of ``selectors.with_seats``
    registration: m.Registration | None  # the user's active registration, else their latest one
    position: int | None  # place on the waiting list (1 = next), when waiting
    open_to_me: bool  # the session is in the user's catalogue
    registration_open: bool
    can_cancel: bool  # the user may still cancel their own registration
    started: bool
    ended: bool
    materials: list = field(default_factory=list)
    survey: m.Survey | None = None
    answered: bool = False
    commitments: list = field(default_factory=list)
    certificate: m.Certificate | None = None
    series_count: int = 0  # upcoming sessions of the cohort open for registration
    approval_required: bool = False  # the user's district approves their registrations first
    runs_it: bool = False  # facilitator or manager: link to the facilitator's page
    can_enrol: bool = False  # district admin or campus leader: link to enrol their people


def session_page(user, session: m.Session, *, now=None) -> SessionPage:
    """The participant's view of ``session`` (fetched with ``access_session``). Nine queries at most."""
    now = now or timezone.now()
    seats = sel.with_seats(m.Session.objects.filter(pk=session.pk)).values(
        "confirmed_count", "waitlisted_count", "pending_count", "seats_left"
    )[0]
    for key, value in seats.items():
        setattr(session, key, value)
    mine = (
        m.Registration.objects.filter(session=session, participant_id=user.pk)
        .annotate(
            active_first=ExpressionWrapper(Q(status__in=m.ACTIVE_STATUSES), output_field=BooleanField()),
            ahead=_ahead_in_line(),
        )
        .order_by("-active_first", "-created_at", "-pk")
        .first()
    )
    open_to_me = bool(user.district_id) and m.Session.objects.filter(catalogue_q(user), pk=session.pk).exists()
    started, ended = now >= session.starts_at, now >= session.ends_at
    page = SessionPage(
        session=session,
        registration=mine,
        position=mine.ahead + 1 if mine and mine.status == S.WAITLISTED else None,
        open_to_me=open_to_me,
        registration_open=not session.is_cancelled and now < session.registration_deadline,
        can_cancel=bool(mine and mine.is_active and not mine.checked_in_at and now < session.cancellation_deadline),
        started=started,
        ended=ended,
        materials=list(session.materials.all()),
    )
    roles = roles_of(user)
    page.runs_it = may_manage(user, session.owner_id) or (
        (roles.is_facilitator or roles.is_coach)
        and m.Session.objects.filter(led_session_q(user), pk=session.pk).exists()
    )
    page.can_enrol = bool(roles.admin_district_ids or roles.leader_campus_ids) and page.registration_open
    if open_to_me and page.registration_open:
        if not (mine and mine.is_active):
            page.approval_required = policy_for(user.district_id).approval_required
        page.series_count = (
            m.Session.objects.filter(
                catalogue_q(user),
                cohort_id=session.cohort_id,
                status=m.SessionStatus.SCHEDULED,
                starts_at__gt=now,
            )
            .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
            .count()
        )
    if mine is not None and (mine.checked_in_at or mine.status == S.CONFIRMED):
        answered = m.SurveyResponse.objects.filter(survey=OuterRef("pk"), respondent_id=user.pk)
        page.survey = m.Survey.objects.filter(session=session).annotate(answered=Exists(answered)).first()
        page.answered = bool(page.survey and page.survey.answered)
        page.commitments = list(m.Commitment.objects.filter(session=session, participant_id=user.pk))
        page.certificate = (
            m.Certificate.objects.filter(cohort_id=session.cohort_id, participant_id=user.pk)
            .order_by("revoked_at", "-issued_at")
            .first()
        )
    return page


def waiting_position(registration: m.Registration) -> int | None:
    """Place on the waiting list (1 = next), or None when not waiting. One query when waiting."""
    if registration.status != S.WAITLISTED:
        return None
    ahead = m.Registration.objects.filter(session_id=registration.session_id, status=S.WAITLISTED).filter(
        Q(queued_at__lt=registration.queued_at) | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def catalogue_programs(user) -> QuerySet:
    """Programs with upcoming sessions in the user's catalogue (for the catalogue's filter)."""
    upcoming = m.Session.objects.filter(
        catalogue_q(user), status=m.SessionStatus.SCHEDULED, starts_at__gt=timezone.now()
    ).values("cohort__program_id")
    return m.Program.objects.filter(pk__in=upcoming).order_by("title", "pk").only("pk", "title")


def checkin_session(user, code: str) -> tuple[m.Session | None, m.Registration | None]:
    """The session checking in with ``code`` (as typed or from a QR code) and the user's active
    registration for it. The code is what the facilitator shows the room: holding it is the
    permission to see which session it opens. Two queries."""
    from trellis.learning.services.registration import CODE_LENGTH, normalise_code

    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None, None
    session = (
        m.Session.objects.filter(checkin_code=code, status=m.SessionStatus.SCHEDULED)
        .select_related("cohort__program", "owner")
        .first()
    )
    if session is None:
        return None, None
    registration = m.Registration.objects.filter(
        session=session, participant_id=user.pk, status__in=m.ACTIVE_STATUSES
    ).first()
    return session, registration


def approvals(user, *, now=None) -> QuerySet:
    """``selectors.pending_approvals`` for sessions that have not started (approving is refused after the
    start), with each session's free seats (``seats_left``, None: no limit)."""
    confirmed = m.Registration.objects.filter(session=OuterRef("session"), status=S.CONFIRMED)
    taken = Coalesce(
        Subquery(confirmed.order_by().values("session").annotate(n=Count("pk")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )
    return (
        sel.pending_approvals(user)
        .filter(session__starts_at__gt=now or timezone.now())
        .annotate(seats_taken=taken)
        .annotate(seats_left=F("session__capacity") - F("seats_taken"))
    )


def may_cancel_for(user, registration: m.Registration) -> bool:
    """Whether ``user`` may cancel ``registration`` at all (the deadline aside): the participant, the
    program's managers, the participant's district admins and campus leaders. Mirrors the check in
    ``services.registration_cancel``, which has the last word."""
    if registration.participant_id == user.pk:
        return True
    if may_manage(user, registration.session.owner_id):
        return True
    roles = roles_of(user)
    if registration.district_id in roles.admin_district_ids:
        return True
    if roles.leader_campus_ids:
        from django.contrib.auth import get_user_model

        return (
            get_user_model().objects.filter(people_at(roles.leader_campus_ids), pk=registration.participant_id).exists()
        )
    return False


@dataclass
class HomeLearning:
    registrations: list = field(default_factory=list)  # the person's next sessions
    surveys: list = field(default_factory=list)  # surveys waiting for their answer
    facilitating: list = field(default_factory=list)  # sessions they run next
    approvals: int = 0  # registrations waiting for a district admin's approval
    manages: bool = False
    has_district: bool = False
    facilitates: bool = False

    @property
    def shown(self) -> bool:
        return self.has_district or self.facilitates or self.manages


HOME_ROWS = 3


def home_learning(user, *, now=None) -> HomeLearning:
    """The learning panel of the home page: at most one query per part, each part cut to a few rows."""
    now = now or timezone.now()
    roles = roles_of(user)
    panel = HomeLearning(
        has_district=bool(user.district_id),
        manages=bool(roles.sc_admin_ids or roles.admin_district_ids),
        facilitates=roles.is_facilitator or roles.is_coach,
    )
    if panel.has_district:
        panel.registrations = list(
            sel.my_registrations(user, upcoming=True, now=now).filter(status__in=m.ACTIVE_STATUSES)[:HOME_ROWS]
        )
        panel.surveys = list(sel.surveys_to_answer(user)[:HOME_ROWS])
    if panel.facilitates:
        panel.facilitating = list(
            m.Session.objects.filter(led_session_q(user), status=m.SessionStatus.SCHEDULED, ends_at__gte=now)
            # The panel shows the title, time and seats taken: not every column of four tables.
            .only("id", "title", "starts_at", "timezone", "capacity")
            .annotate(confirmed_count=sel.confirmed_count())
            .order_by("starts_at", "pk")[:HOME_ROWS]
        )
    if roles.admin_district_ids:
        panel.approvals = m.Registration.objects.filter(
            district__in=roles.admin_district_ids, status=S.PENDING, session__starts_at__gt=now
        ).count()
    return panel
