"""Access rules for organizations, people, memberships, caseloads and grants.

Roles grant administration, never coaching content: the coaching firewall lives
in ``trellis.coaching.access``. ``coached_teachers`` is the one definition of
whom a coach or facilitator currently supports, reused there.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trellis.lib.rules import NOTHING, Rule, fetch
from trellis.orgs.models import (
    AccessGrant,
    CaseloadAssignment,
    GrantScope,
    Membership,
    Organization,
    OrgKind,
    Role,
    active_on,
)
from trellis.orgs.roles import roles_of

User = get_user_model()


def active_grants(day=None):
    day = day or timezone.localdate()
    return AccessGrant.objects.filter(active_on(day), revoked_at__isnull=True)


def active_memberships(day=None):
    return Membership.objects.filter(active_on(day or timezone.localdate()))


def people_at(campus_ids) -> Q:
    """People with an active membership on one of these organizations."""
    return Q(Exists(active_memberships().filter(person=OuterRef("pk"), organization__in=campus_ids)))


def grant_covers_teacher(grants, teacher_ref="teacher", district_ref="district"):
    """Grants that cover the teacher named by ``teacher_ref`` on the outer row."""
    today = timezone.localdate()
    return grants.filter(district=OuterRef(district_ref)).filter(
        Q(scope=GrantScope.DISTRICT)
        | Q(
            Q(campuses__memberships__valid_to__isnull=True) | Q(campuses__memberships__valid_to__gte=today),
            scope=GrantScope.CAMPUSES,
            campuses__memberships__person=OuterRef(teacher_ref),
            campuses__memberships__role=Role.TEACHER,
            campuses__memberships__valid_from__lte=today,
        )
    )


def current_caseload(user):
    """Active caseload rows of ``user`` that still give access.

    A district coach's assignment gives access while it is active. A facilitator's
    also needs an active grant from the teacher's district to one of the
    facilitator's service centers that covers the teacher.
    """
    today = timezone.localdate()
    rows = CaseloadAssignment.objects.filter(active_on(today), coach=user, teacher__is_active=True)
    if user.service_center_id is None:
        return rows
    roles = roles_of(user)
    grants = active_grants(today).filter(service_center__in=roles.facilitator_sc_ids)
    return rows.filter(Exists(grant_covers_teacher(grants)))


def coached_teachers(user):
    """Ids of the teachers ``user`` currently supports, as a subquery."""
    return current_caseload(user).values("teacher_id")


class OrganizationRule(Rule):
    model = Organization

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if user.district_id:
            q |= Q(pk=user.district_id) | Q(district_id=user.district_id)
        if user.service_center_id:
            q |= Q(pk=user.service_center_id)
        sc_ids = roles.facilitator_sc_ids | roles.sc_admin_ids
        if sc_ids:
            granted = active_grants().filter(service_center__in=sc_ids).values("district_id")
            q |= Q(pk__in=sc_ids) | Q(pk__in=granted) | Q(district__in=granted)
        if roles.admin_district_ids:
            q |= Q(pk__in=roles.admin_district_ids) | Q(district__in=roles.admin_district_ids)
        return q

    def change_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if roles.admin_district_ids:
            q |= Q(pk__in=roles.admin_district_ids) | Q(district__in=roles.admin_district_ids, kind=OrgKind.CAMPUS)
        if roles.sc_admin_ids:
            q |= Q(pk__in=roles.sc_admin_ids)
        return q


class PersonRule(Rule):
    model = User

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = Q(pk=user.pk)
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(service_center__in=roles.sc_admin_ids)
        if roles.leader_campus_ids:
            q |= people_at(roles.leader_campus_ids)
        if roles.is_coach or roles.is_facilitator:
            q |= Q(pk__in=coached_teachers(user))
        if roles.is_teacher:
            my_coaches = current_caseload_of_teacher(user).values("coach_id")
            q |= Q(pk__in=my_coaches)
        if user.service_center_id:
            q |= Q(service_center_id=user.service_center_id)
        return q

    def change_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(service_center__in=roles.sc_admin_ids)
        return q


def current_caseload_of_teacher(teacher):
    return CaseloadAssignment.objects.filter(active_on(timezone.localdate()), teacher=teacher)


class MembershipRule(Rule):
    model = Membership

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = Q(person=user)
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(organization__in=roles.sc_admin_ids)
        if roles.leader_campus_ids:
            q |= Q(organization__in=roles.leader_campus_ids)
        return q

    def change_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(organization__in=roles.sc_admin_ids)
        return q


class CaseloadRule(Rule):
    model = CaseloadAssignment

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = Q(coach=user) | Q(teacher=user)
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(coach__service_center__in=roles.sc_admin_ids)
        if roles.leader_campus_ids:
            q |= Q(teacher__in=User.objects.filter(people_at(roles.leader_campus_ids)).values("pk"))
        return q

    def change_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        if roles.sc_admin_ids:
            q |= Q(coach__service_center__in=roles.sc_admin_ids)
        return q


class AccessGrantRule(Rule):
    model = AccessGrant

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = NOTHING
        if roles.admin_district_ids:
            q |= Q(district__in=roles.admin_district_ids)
        sc_ids = roles.facilitator_sc_ids | roles.sc_admin_ids
        if sc_ids:
            q |= Q(service_center__in=sc_ids)
        return q

    def change_filter(self, user) -> Q:
        roles = roles_of(user)
        if roles.admin_district_ids:
            return Q(district__in=roles.admin_district_ids)
        return NOTHING


def access_organization(user, pk, *, write=False):
    return fetch(Organization, user, pk, write=write, queryset=Organization.objects.select_related("parent"))


def access_person(user, pk, *, write=False):
    return fetch(User, user, pk, write=write, queryset=User.objects.select_related("district", "service_center"))


def access_membership(user, pk, *, write=False):
    qs = Membership.objects.select_related("person", "organization")
    return fetch(Membership, user, pk, write=write, queryset=qs)


def access_caseload(user, pk, *, write=False):
    qs = CaseloadAssignment.objects.select_related("coach", "teacher")
    return fetch(CaseloadAssignment, user, pk, write=write, queryset=qs)


def access_grant(user, pk, *, write=False):
    qs = AccessGrant.objects.select_related("district", "service_center")
    return fetch(AccessGrant, user, pk, write=write, queryset=qs)
