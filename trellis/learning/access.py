"""Who sees and changes professional learning.

- Program managers (service-center admins of the owning service center, district
  admins of the owning district) see and change everything of their programs,
  including every registration in them: registering is the participant's choice to
  join a provider's program.
- Facilitators (people assigned to a cohort or a session) see their cohorts'
  sessions, rosters, attendance, survey results and reviews, and run check-in,
  attendance, surveys and reviews. Nothing of other cohorts.
- District admins see their own district's participants (registrations, attendance,
  certificates, transcripts) in anyone's programs and approve their registrations;
  never another district's participants.
- Campus leaders see the registrations of people on campuses they lead.
- Participants see the sessions open to them (programs of their district and of the
  service center their district belongs to; invitation-only cohorts once invited),
  their own registrations, certificates, survey answers and commitments.
- Survey responses are read by the respondent alone; facilitators and managers get
  aggregates (``trellis.learning.selectors.survey_results``).
- Anonymous people reach only certificate verification (by code), which is not a rule.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from trellis.learning import models as m
from trellis.lib.rules import NOTHING, Rule, fetch
from trellis.orgs.access import people_at
from trellis.orgs.models import Organization
from trellis.orgs.roles import roles_of

User = get_user_model()


# Building blocks ----------------------------------------------------------------------------------


def managed_org_ids(user) -> frozenset:
    """Organizations whose programs ``user`` manages."""
    roles = roles_of(user)
    return roles.sc_admin_ids | roles.admin_district_ids


def provider_q(user, field: str = "owner") -> Q:
    """Organizations whose programs ``user`` may join: their district and its service center."""
    if not user.district_id:
        return NOTHING
    service_center = Organization.objects.filter(pk=user.district_id, parent__isnull=False).values("parent_id")
    return Q(**{f"{field}_id": user.district_id}) | Q(**{f"{field}__in": service_center})


def led_cohort_ids(user):
    return m.Cohort.facilitators.through.objects.filter(user_id=user.pk).values("cohort_id")


def led_session_q(user) -> Q:
    """Sessions ``user`` facilitates: named on the session or on its cohort."""
    named = m.Session.facilitators.through.objects.filter(user_id=user.pk).values("session_id")
    return Q(pk__in=named) | Q(cohort__in=led_cohort_ids(user))


def staff_session_q(user) -> Q:
    """Sessions ``user`` runs: as a manager of the owner or as a facilitator."""
    q = led_session_q(user)
    managed = managed_org_ids(user)
    if managed:
        q |= Q(owner__in=managed)
    return q


def catalogue_q(user) -> Q:
    """Sessions open to ``user`` as a participant (any date, any status; the catalogue narrows further)."""
    if not user.district_id:
        return NOTHING
    invited = m.Invitation.objects.filter(person_id=user.pk).values("cohort_id")
    return (
        provider_q(user)
        & Q(cohort__program__status=m.ProgramStatus.PUBLISHED)
        & (Q(cohort__registration_mode=m.RegistrationMode.OPEN) | Q(cohort__in=invited))
    )


def _led_campus_people(roles):
    return User.objects.filter(people_at(roles.leader_campus_ids)).values("pk")


def people_q(roles) -> Q | None:
    """Registrations of the people a district admin or campus leader looks after (on ``Registration``)."""
    parts = []
    if roles.admin_district_ids:
        parts.append(Q(district__in=roles.admin_district_ids))
    if roles.leader_campus_ids:
        parts.append(Q(participant__in=_led_campus_people(roles)))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def registration_q(user) -> Q:
    """Registrations ``user`` may see (on ``Registration``)."""
    q = Q(participant_id=user.pk) | Q(session__in=m.Session.objects.filter(staff_session_q(user)).values("pk"))
    people = people_q(roles_of(user))
    return q if people is None else q | people


def session_q(user) -> Q:
    """Sessions ``user`` may see (on ``Session``)."""
    roles = roles_of(user)
    mine = m.Registration.objects.filter(participant_id=user.pk).values("session_id")
    q = catalogue_q(user) | staff_session_q(user) | Q(pk__in=mine)
    people = people_q(roles)
    if people is not None:
        # Sessions where their people are registered, whoever runs them.
        q |= Q(pk__in=m.Registration.objects.filter(people).values("session_id"))
    return q


def cohort_q(user) -> Q:
    invited = m.Invitation.objects.filter(person_id=user.pk, cohort__program__status=m.ProgramStatus.PUBLISHED)
    q = (
        Q(pk__in=m.Session.objects.filter(session_q(user)).values("cohort_id"))
        | Q(pk__in=led_cohort_ids(user))
        | Q(pk__in=invited.values("cohort_id"))
    )
    managed = managed_org_ids(user)
    if managed:
        q |= Q(owner__in=managed)
    return q


def _owner_q(user, field: str = "owner") -> Q:
    managed = managed_org_ids(user)
    return Q(**{f"{field}__in": managed}) if managed else NOTHING


# Rules --------------------------------------------------------------------------------------------


class ProgramRule(Rule):
    model = m.Program

    def view_filter(self, user) -> Q:
        return _owner_q(user) | Q(pk__in=m.Cohort.objects.filter(cohort_q(user)).values("program_id"))

    def change_filter(self, user) -> Q:
        return _owner_q(user)


class CohortRule(Rule):
    model = m.Cohort

    def view_filter(self, user) -> Q:
        return cohort_q(user)

    def change_filter(self, user) -> Q:
        return _owner_q(user)


class SessionRule(Rule):
    """Facilitators change their sessions' content, check-in and attendance; services keep time,
    place and capacity for managers."""

    model = m.Session

    def view_filter(self, user) -> Q:
        return session_q(user)

    def change_filter(self, user) -> Q:
        return staff_session_q(user)


class _SessionPartRule(Rule):
    """Rows that belong to a session: seen with the session, changed by those who run it."""

    via = "session"

    def view_filter(self, user) -> Q:
        return Q(**{f"{self.via}__in": m.Session.objects.filter(session_q(user)).values("pk")})

    def change_filter(self, user) -> Q:
        return Q(**{f"{self.via}__in": m.Session.objects.filter(staff_session_q(user)).values("pk")})


class _StaffOnlyRule(_SessionPartRule):
    """Rows only those who run the session see (reviews are the team's working notes)."""

    def view_filter(self, user) -> Q:
        return self.change_filter(user)


class MaterialRule(_SessionPartRule):
    model = m.Material


class SurveyRule(_SessionPartRule):
    model = m.Survey


class SurveyItemRule(_SessionPartRule):
    model = m.SurveyItem
    via = "survey__session"


class ActionReviewRule(_StaffOnlyRule):
    model = m.ActionReview


class ReviewPointRule(_StaffOnlyRule):
    model = m.ReviewPoint
    via = "review__session"


class InvitationRule(Rule):
    model = m.Invitation

    def view_filter(self, user) -> Q:
        q = Q(person_id=user.pk) | Q(cohort__in=led_cohort_ids(user)) | _owner_q(user, "cohort__owner")
        admin_of = roles_of(user).admin_district_ids
        if admin_of:
            q |= Q(district__in=admin_of)
        return q

    def change_filter(self, user) -> Q:
        return _owner_q(user, "cohort__owner")


class RegistrationRule(Rule):
    """Change here means "may act on it at all"; services decide which action (a participant
    cancels, a district admin approves, a facilitator marks attendance)."""

    model = m.Registration

    def view_filter(self, user) -> Q:
        return registration_q(user)

    def change_filter(self, user) -> Q:
        return registration_q(user)


class CertificateRule(Rule):
    model = m.Certificate

    def view_filter(self, user) -> Q:
        staff_cohorts = m.Session.objects.filter(staff_session_q(user)).values("cohort_id")
        q = Q(participant_id=user.pk) | Q(cohort__in=staff_cohorts) | _owner_q(user, "cohort__owner")
        admin_of = roles_of(user).admin_district_ids
        if admin_of:
            q |= Q(district__in=admin_of)
        return q

    def change_filter(self, user) -> Q:
        return _owner_q(user, "cohort__owner")


class SurveyResponseRule(Rule):
    model = m.SurveyResponse

    def view_filter(self, user) -> Q:
        return Q(respondent_id=user.pk)


class SurveyAnswerRule(Rule):
    model = m.SurveyAnswer

    def view_filter(self, user) -> Q:
        return Q(response__respondent_id=user.pk)


class CommitmentRule(Rule):
    model = m.Commitment

    def view_filter(self, user) -> Q:
        staff = m.Session.objects.filter(staff_session_q(user)).values("pk")
        return Q(participant_id=user.pk) | Q(shared=True, session__in=staff)

    def change_filter(self, user) -> Q:
        return Q(participant_id=user.pk)


def _own_org_ids(user) -> set:
    roles = roles_of(user)
    ids = set(managed_org_ids(user) | roles.facilitator_sc_ids)
    ids.update(pk for pk in (user.district_id, user.service_center_id) if pk)
    return ids


class QuestionBankItemRule(Rule):
    """The starter bank is everyone's; an organization's own items are read by its people."""

    model = m.QuestionBankItem

    def view_filter(self, user) -> Q:
        return Q(owner__isnull=True) | Q(owner__in=_own_org_ids(user))

    def change_filter(self, user) -> Q:
        return _owner_q(user)


class LearningPolicyRule(Rule):
    model = m.LearningPolicy

    def view_filter(self, user) -> Q:
        return Q(organization__in=_own_org_ids(user))

    def change_filter(self, user) -> Q:
        return _owner_q(user, "organization")


# Predicates the services use ------------------------------------------------------------------------


def may_manage(user, owner_id) -> bool:
    """Whether ``user`` manages programs of the organization ``owner_id`` (None = system work)."""
    return user is None or owner_id in managed_org_ids(user)


def may_run_session(user, session) -> bool:
    """Managers of the session's owner and its facilitators (None = system work)."""
    if user is None or may_manage(user, session.owner_id):
        return True
    return m.Session.objects.filter(led_session_q(user), pk=session.pk).exists()


def may_run_cohort(user, cohort) -> bool:
    if user is None or may_manage(user, cohort.owner_id):
        return True
    # The cohort's own facilitators: someone who leads a single session (a guest) runs that session only,
    # not the cohort's completion and certificates.
    return m.Cohort.facilitators.through.objects.filter(user_id=user.pk, cohort_id=cohort.pk).exists()


def is_open_to(person, session) -> bool:
    """Whether ``session`` is in ``person``'s catalogue (whatever its date)."""
    return m.Session.objects.filter(catalogue_q(person), pk=session.pk).exists()


# Object access --------------------------------------------------------------------------------------


def access_program(user, pk, *, write=False) -> m.Program:
    return fetch(m.Program, user, pk, write=write, queryset=m.Program.objects.select_related("owner"))


def access_cohort(user, pk, *, write=False) -> m.Cohort:
    return fetch(m.Cohort, user, pk, write=write, queryset=m.Cohort.objects.select_related("program", "owner"))


def access_session(user, pk, *, write=False) -> m.Session:
    qs = m.Session.objects.select_related("cohort__program", "owner")
    return fetch(m.Session, user, pk, write=write, queryset=qs)


def access_registration(user, pk, *, write=False) -> m.Registration:
    qs = m.Registration.objects.select_related("session__cohort__program", "participant", "district")
    return fetch(m.Registration, user, pk, write=write, queryset=qs)


def access_invitation(user, pk, *, write=False) -> m.Invitation:
    qs = m.Invitation.objects.select_related("cohort", "person")
    return fetch(m.Invitation, user, pk, write=write, queryset=qs)


def access_material(user, pk, *, write=False) -> m.Material:
    return fetch(m.Material, user, pk, write=write, queryset=m.Material.objects.select_related("session"))


def access_certificate(user, pk, *, write=False) -> m.Certificate:
    qs = m.Certificate.objects.select_related("cohort__program", "participant")
    return fetch(m.Certificate, user, pk, write=write, queryset=qs)


def access_survey(user, pk, *, write=False) -> m.Survey:
    qs = m.Survey.objects.select_related("session__cohort__program")
    return fetch(m.Survey, user, pk, write=write, queryset=qs)


def access_review(user, pk, *, write=False) -> m.ActionReview:
    qs = m.ActionReview.objects.select_related("session__cohort__program")
    return fetch(m.ActionReview, user, pk, write=write, queryset=qs)


def access_review_point(user, pk, *, write=False) -> m.ReviewPoint:
    qs = m.ReviewPoint.objects.select_related("review__session")
    return fetch(m.ReviewPoint, user, pk, write=write, queryset=qs)


def access_commitment(user, pk, *, write=False) -> m.Commitment:
    qs = m.Commitment.objects.select_related("session", "participant")
    return fetch(m.Commitment, user, pk, write=write, queryset=qs)


def access_question(user, pk, *, write=False) -> m.QuestionBankItem:
    return fetch(m.QuestionBankItem, user, pk, write=write)


def access_policy(user, organization_pk, *, write=False) -> m.LearningPolicy:
    """The policy of an organization (unsaved defaults when it has none yet).

    Its managers read and change it; its own people read it. 404 for anyone else.
    """
    from trellis.learning.credits import policy_for

    try:
        organization_pk = int(organization_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not getattr(user, "is_authenticated", False) or organization_pk not in _own_org_ids(user):
        raise Http404
    if write and organization_pk not in managed_org_ids(user):
        raise PermissionDenied
    return policy_for(organization_pk)


def access_transcript(user, person_pk):
    """The person whose transcript ``user`` may read: themselves, or someone of a district they administer."""
    try:
        person_pk = int(person_pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not getattr(user, "is_authenticated", False):
        raise Http404
    q = Q(pk=user.pk)
    admin_of = roles_of(user).admin_district_ids
    if admin_of:
        q |= Q(district__in=admin_of)
    person = User.objects.filter(q, pk=person_pk).select_related("district").first()
    if person is None:
        raise Http404
    return person
