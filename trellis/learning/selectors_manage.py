"""Reads for the program managers' and facilitators' pages that ``trellis.learning.selectors`` does not have.

Each runs a fixed number of queries whatever the data size. Like the selectors
module, those that take an object expect the caller to have fetched it through the
matching access helper first.
"""

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery

from trellis.learning import models as m
from trellis.learning.access import led_session_q, managed_org_ids
from trellis.learning.selectors import with_seats
from trellis.orgs.models import Organization, OrgKind
from trellis.orgs.roles import roles_of

User = get_user_model()
S = m.RegistrationStatus


def runs_learning(user) -> bool:
    """Whether ``user`` has the program and facilitator pages at all: a program manager, a service
    center's facilitator, or anyone named facilitator of a session or cohort (one query at most)."""
    roles = roles_of(user)
    if managed_org_ids(user) or roles.is_facilitator:
        return True
    return m.Session.objects.filter(led_session_q(user)).exists()


def managed_owners(user) -> list[Organization]:
    """The organizations whose programs ``user`` manages, by name."""
    return list(Organization.objects.filter(pk__in=managed_org_ids(user)).order_by("name", "pk"))


def cohort_sessions(cohort) -> QuerySet:
    """A cohort's sessions (its series) in date order, with seat counts."""
    return with_seats(cohort.sessions.all()).order_by("starts_at", "pk")


def served_district_ids(owner) -> list[int]:
    """Districts whose people a program of ``owner`` serves: the district itself, or a service center's districts."""
    if owner.kind == OrgKind.DISTRICT:
        return [owner.pk]
    return list(
        Organization.objects.filter(parent_id=owner.pk, kind=OrgKind.DISTRICT, is_active=True).values_list(
            "pk", flat=True
        )
    )


def invitable_people(cohort, *, district_ids, search: str = "", district_id: int | None = None) -> QuerySet:
    """Active people of the served districts, optionally narrowed by a name or email search and one district,
    each with ``invited`` (whether they already hold an invitation to ``cohort``)."""
    invited = m.Invitation.objects.filter(cohort=cohort, person=OuterRef("pk")).values("pk")[:1]
    qs = User.objects.filter(district__in=district_ids, is_active=True)
    if district_id:
        qs = qs.filter(district_id=district_id)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(full_name__icontains=search) | Q(email__icontains=search) | Q(preferred_name__icontains=search)
        )
    return qs.select_related("district").annotate(invitation_id=Subquery(invited)).order_by("full_name", "pk")


def cohort_invitations(cohort) -> QuerySet:
    return cohort.invitations.select_related("person", "district").order_by("person__full_name", "pk")


def cohort_participants(cohort) -> QuerySet:
    """People with a seat in any of the cohort's sessions, or holding one of its certificates, by name;
    each with ``certificate_id`` and ``certificate_code`` (their valid certificate, or None)."""
    seated = m.Registration.objects.filter(session__cohort=cohort, status=S.CONFIRMED).values("participant_id")
    holders = m.Certificate.objects.filter(cohort=cohort).values("participant_id")
    valid = m.Certificate.objects.filter(cohort=cohort, participant=OuterRef("pk"), revoked_at__isnull=True)
    return (
        User.objects.filter(Q(pk__in=seated) | Q(pk__in=holders))
        .select_related("district")
        .annotate(
            certificate_id=Subquery(valid.values("pk")[:1]),
            certificate_code=Subquery(valid.values("code")[:1]),
        )
        .order_by("full_name", "pk")
    )


def revoked_certificates(cohort) -> QuerySet:
    return cohort.certificates.filter(revoked_at__isnull=False).order_by("-revoked_at", "-pk")


def program_scores_by_level(program) -> dict[int, dict]:
    """Mean of the scale answers per Guskey level across the program's session surveys, with the number of
    answers: ``{level: {"mean": float, "answers": int}}`` for the levels that have any. One query."""
    rows = (
        m.SurveyAnswer.objects.filter(
            item__survey__session__cohort__program=program, item__kind=m.QuestionKind.SCALE, number__isnull=False
        )
        .values("item__guskey_level")
        .annotate(mean=Avg("number"), answers=Count("pk"))
        .order_by("item__guskey_level")
    )
    return {row["item__guskey_level"]: {"mean": round(row["mean"], 2), "answers": row["answers"]} for row in rows}


def shared_commitments(session) -> dict[int, list[str]]:
    """Texts of the commitments participants chose to share with the facilitators, by participant. One query."""
    found: dict[int, list[str]] = {}
    rows = m.Commitment.objects.filter(session=session, shared=True).order_by("created_at", "pk")
    for participant_id, text in rows.values_list("participant_id", "text"):
        found.setdefault(participant_id, []).append(text)
    return found


def session_staff(session, *, also=None) -> QuerySet:
    """People who run the session as facilitators (named on it or on its cohort), and ``also`` (say, the
    manager looking), by name."""
    named = m.Session.facilitators.through.objects.filter(session_id=session.pk).values("user_id")
    cohort = m.Cohort.facilitators.through.objects.filter(cohort_id=session.cohort_id).values("user_id")
    # One id list, not "id IN (...) OR id IN (...)": PostgreSQL answers an OR of two subqueries by
    # reading every person (5 ms at region scale), a UNION by two index lookups.
    ids = named.order_by().union(cohort.order_by())
    if also is not None:
        ids = ids.union(User.objects.filter(pk=also.pk).order_by().values("pk"))
    return User.objects.filter(pk__in=ids).order_by("full_name", "pk")
