"""Access rules for organizations, people, memberships, caseloads and grants."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from trellis.accounts.models import User
from trellis.lib.rules import fetch, rule_for
from trellis.orgs.access import coached_teachers
from trellis.orgs.models import AccessGrant, CaseloadAssignment, GrantScope, Membership, Organization
from trellis.orgs.roles import roles_of
from trellis.orgs.services import grant_revoke

pytestmark = pytest.mark.django_db


def visible_emails(viewer):
    return set(rule_for(User).visible(viewer).values_list("email", flat=True))


def test_roles_are_read_from_active_memberships(world):
    roles = roles_of(world.coach)
    assert roles.is_coach and not roles.is_teacher and not roles.is_district_admin
    assert roles_of(world.district_admin).admin_district_ids == {world.district.pk}
    assert roles_of(world.facilitator).facilitator_sc_ids == {world.service_center.pk}


def test_ended_membership_grants_nothing(world):
    Membership.objects.filter(person=world.district_admin).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )
    admin = User.objects.get(pk=world.district_admin.pk)
    assert not roles_of(admin).is_district_admin
    assert visible_emails(admin) == {admin.email}


def test_district_admin_sees_own_district_people_only(world):
    emails = visible_emails(world.district_admin)
    assert {"teacher@a.example.org", "coach@a.example.org", "leader@a.example.org"} <= emails
    assert "teacher@b.example.org" not in emails
    assert "fac@sc.example.org" not in emails


def test_other_district_ids_are_404_not_403(world):
    with pytest.raises(Http404):
        fetch(User, world.other_admin, world.teacher.pk)
    with pytest.raises(Http404):
        fetch(Organization, world.other_admin, world.campus.pk, write=True)


def test_visible_but_not_changeable_is_403(world):
    with pytest.raises(PermissionDenied):
        fetch(User, world.coach, world.teacher.pk, write=True)
    assert fetch(User, world.district_admin, world.teacher.pk, write=True) == world.teacher


@pytest.mark.parametrize("bad_id", ["abc", "", None, "1.5", "-"])
def test_malformed_ids_are_404(world, bad_id):
    with pytest.raises(Http404):
        fetch(User, world.district_admin, bad_id)


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    for model in (User, Organization, Membership, CaseloadAssignment, AccessGrant):
        assert not rule_for(model).visible(AnonymousUser()).exists()


def test_campus_leader_sees_people_of_own_campus_only(world):
    emails = visible_emails(world.campus_leader)
    assert "teacher@a.example.org" in emails
    assert "teacher2@a.example.org" not in emails  # teaches at the other campus


def test_coach_sees_caseload_and_teacher_sees_coaches(world):
    assert "teacher@a.example.org" in visible_emails(world.coach)
    assert "teacher2@a.example.org" not in visible_emails(world.coach)
    assert {"coach@a.example.org", "fac@sc.example.org"} <= visible_emails(world.teacher)


def test_deactivated_person_is_not_listed_but_not_removed(world):
    # Deactivated people drop out of caseloads (no access) but stay visible to their district admin.
    world.teacher.is_active = False
    world.teacher.save()
    assert not coached_teachers(world.coach).exists()
    assert "teacher@a.example.org" in visible_emails(world.district_admin)


class TestFacilitatorGrants:
    def test_active_grant_gives_access(self, world):
        assert list(coached_teachers(world.facilitator).values_list("teacher_id", flat=True)) == [world.teacher.pk]
        assert "teacher@a.example.org" in visible_emails(world.facilitator)

    def test_no_grant_no_access(self, world):
        assert not coached_teachers(world.facilitator_no_grant).exists()
        assert "teacher@b.example.org" not in visible_emails(world.facilitator_no_grant)

    def test_revoked_grant_denies(self, world):
        grant_revoke(actor=world.district_admin, grant=world.grant)
        assert not coached_teachers(world.facilitator).exists()
        assert "teacher@a.example.org" not in visible_emails(world.facilitator)

    def test_expired_grant_denies(self, world):
        AccessGrant.objects.filter(pk=world.grant.pk).update(
            valid_from=timezone.localdate() - datetime.timedelta(days=60),
            valid_to=timezone.localdate() - datetime.timedelta(days=1),
        )
        assert not coached_teachers(world.facilitator).exists()

    def test_future_grant_denies_until_it_starts(self, world):
        AccessGrant.objects.filter(pk=world.grant.pk).update(
            valid_from=timezone.localdate() + datetime.timedelta(days=3)
        )
        assert not coached_teachers(world.facilitator).exists()

    def test_campus_scoped_grant_covers_only_those_campuses(self, world):
        AccessGrant.objects.filter(pk=world.grant.pk).update(scope=GrantScope.CAMPUSES)
        world.grant.campuses.set([world.campus2])
        assert not coached_teachers(world.facilitator).exists()
        world.grant.campuses.set([world.campus])
        assert coached_teachers(world.facilitator).exists()

    def test_grant_to_another_service_center_does_not_count(self, world):
        from trellis.orgs.factories import GrantFactory, ServiceCenterFactory

        AccessGrant.objects.filter(pk=world.grant.pk).delete()
        GrantFactory(district=world.district, service_center=ServiceCenterFactory())
        assert not coached_teachers(world.facilitator).exists()


def test_grant_visibility(world):
    rule = rule_for(AccessGrant)
    assert rule.can_view(world.district_admin, world.grant)
    assert rule.can_change(world.district_admin, world.grant)
    assert rule.can_view(world.sc_admin, world.grant)
    assert not rule.can_change(world.sc_admin, world.grant)
    assert rule.can_view(world.facilitator, world.grant)
    assert not rule.can_view(world.other_admin, world.grant)
    assert not rule.can_view(world.teacher, world.grant)


def test_organizations_visible(world):
    rule = rule_for(Organization)
    teacher_sees = set(rule.visible(world.teacher).values_list("slug", flat=True))
    assert {"cedar-valley", "maple", "oak"} <= teacher_sees
    assert "birch" not in teacher_sees
    fac_sees = set(rule.visible(world.facilitator).values_list("slug", flat=True))
    assert {"prairie", "cedar-valley", "maple"} <= fac_sees
    assert "willow-creek" not in fac_sees
    assert rule.can_change(world.district_admin, world.campus)
    assert not rule.can_change(world.district_admin, world.campus_b)
    assert not rule.can_change(world.campus_leader, world.campus)


def test_every_model_has_an_access_rule():
    from django.apps import apps

    from trellis.lib.rules import registered_models

    ours = [m for m in apps.get_models() if m.__module__.startswith("trellis.")]
    missing = [m.__name__ for m in ours if m not in registered_models()]
    assert not missing, f"Models without an access rule: {missing}"
