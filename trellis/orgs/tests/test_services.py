"""Every write in trellis.orgs.services: what it stores, what it audits, what it refuses."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.accounts.models import EmployeeGroup, User
from trellis.audit.models import AuditEntry
from trellis.orgs import services
from trellis.orgs.models import AccessGrant, CaseloadAssignment, GrantScope, Membership, Organization, OrgKind, Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def last_audit(action):
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


class TestOrganizations:
    def test_tree_and_district_column(self, world):
        sc = services.organization_create(actor=None, kind=OrgKind.SERVICE_CENTER, name="Lakes Service Center")
        district = services.organization_create(actor=None, kind=OrgKind.DISTRICT, name="Lakes ISD", parent=sc)
        campus = services.campus_create(actor=world.district_admin, district=district, name="Shore Elementary")
        alone = services.organization_create(actor=None, kind=OrgKind.DISTRICT, name="Standalone USD")
        assert sc.district is None
        assert district.district == district and district.parent == sc
        assert campus.district == district and campus.parent == district
        assert alone.parent is None and alone.district == alone
        entry = last_audit("campus.create")
        assert entry.actor == world.district_admin and entry.district == district
        assert entry.after["name"] == "Shore Elementary"

    def test_slug_is_unique_within_parent(self, world):
        a = services.campus_create(actor=None, district=world.district, name="North Campus")
        services.campus_set_active(actor=None, campus=a, active=False)
        b = services.campus_create(actor=None, district=world.district_b, name="North Campus")
        assert a.slug == b.slug == "north-campus"

    def test_refuses_bad_trees(self, world):
        with pytest.raises(ValidationError) as exc:
            services.organization_create(actor=None, kind=OrgKind.CAMPUS, name="Orphan")
        assert "parent" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.organization_create(actor=None, kind=OrgKind.DISTRICT, name="Nested", parent=world.district)
        with pytest.raises(ValidationError) as exc:
            services.campus_create(actor=None, district=world.district, name="  ")
        assert "name" in exc.value.message_dict

    def test_duplicate_campus_name_refused(self, world):
        with pytest.raises(ValidationError) as exc:
            services.campus_create(actor=None, district=world.district, name="maple elementary")
        assert "name" in exc.value.message_dict
        assert Organization.objects.filter(parent=world.district).count() == 2

    def test_update_records_only_changes(self, world):
        services.organization_update(actor=world.district_admin, organization=world.district, require_admin_mfa=True)
        world.district.refresh_from_db()
        assert world.district.require_admin_mfa
        entry = last_audit("district.update")
        assert entry.before == {"require_admin_mfa": False} and entry.after == {"require_admin_mfa": True}

    def test_update_refuses_unknown_fields(self, world):
        with pytest.raises(ValueError):
            services.organization_update(actor=None, organization=world.campus, parent=world.district_b)

    def test_close_and_reopen_campus_keeps_people(self, world):
        services.campus_set_active(actor=world.district_admin, campus=world.campus, active=False)
        assert Membership.objects.filter(organization=world.campus).count() > 0
        assert last_audit("campus.update").after == {"is_active": False}


class TestPeople:
    def test_create_with_and_without_password(self, world):
        person = services.person_create(
            actor=world.district_admin,
            email="  New.Teacher@A.Example.org ",
            full_name="New Teacher",
            employee_group=EmployeeGroup.TEACHER,
            district=world.district,
        )
        assert person.email == "new.teacher@a.example.org"
        assert not person.has_usable_password()
        entry = last_audit("person.create")
        assert entry.district == world.district and entry.after["email"] == person.email
        assert "password" not in entry.after
        other = services.person_create(
            actor=None,
            email="sc@x.example.org",
            full_name="SC Staff",
            employee_group=EmployeeGroup.SERVICE_CENTER_STAFF,
            service_center=world.service_center,
            password="a-long-password-1",
        )
        assert other.check_password("a-long-password-1") and other.district is None

    def test_duplicate_email_refused_case_insensitively(self, world):
        with pytest.raises(ValidationError) as exc:
            services.person_create(
                actor=None,
                email="TEACHER@a.example.org",
                full_name="Dup",
                employee_group="teacher",
                district=world.district,
            )
        assert "email" in exc.value.message_dict
        assert User.objects.filter(email__iexact="teacher@a.example.org").count() == 1

    def test_invalid_email_and_empty_name(self, world):
        with pytest.raises(ValidationError) as exc:
            services.person_create(
                actor=None, email="not-an-email", full_name="X", employee_group="teacher", district=world.district
            )
        assert "email" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.person_create(
                actor=None, email="x@a.example.org", full_name=" ", employee_group="teacher", district=world.district
            )
        assert "full_name" in exc.value.message_dict

    def test_update(self, world):
        services.person_update(actor=world.district_admin, person=world.teacher, full_name="Ana María Teacher")
        world.teacher.refresh_from_db()
        assert world.teacher.full_name == "Ana María Teacher"
        entry = last_audit("person.update")
        assert entry.before == {"full_name": "Ana Teacher"} and entry.after == {"full_name": "Ana María Teacher"}

    def test_deactivate_keeps_history_and_cannot_target_self(self, world):
        services.person_set_active(actor=world.district_admin, person=world.teacher, active=False)
        world.teacher.refresh_from_db()
        assert not world.teacher.is_active
        assert Membership.objects.filter(person=world.teacher).exists()
        assert last_audit("person.deactivate").after == {"is_active": False}
        with pytest.raises(ValidationError):
            services.person_set_active(actor=world.district_admin, person=world.district_admin, active=False)


class TestMemberships:
    def test_create_and_end(self, world):
        m = services.membership_create(
            actor=world.district_admin, person=world.teacher, organization=world.campus2, role=Role.TEACHER
        )
        assert m.district == world.district and m.valid_to is None
        assert last_audit("membership.create").after["role"] == "teacher"
        services.membership_end(actor=world.district_admin, membership=m)
        m.refresh_from_db()
        assert m.valid_to == TODAY()
        assert last_audit("membership.end").after == {"valid_to": TODAY().isoformat()}

    def test_one_person_many_roles(self, world):
        services.membership_create(actor=None, person=world.campus_leader, organization=world.campus, role=Role.COACH)
        from trellis.orgs.roles import roles_of

        leader = User.objects.get(pk=world.campus_leader.pk)
        roles = roles_of(leader)
        assert roles.is_campus_leader and roles.is_coach

    @pytest.mark.parametrize(
        ("role", "org_attr", "field"),
        [
            (Role.DISTRICT_ADMIN, "campus", "organization"),  # admin role is given on a district
            (Role.TEACHER, "district", "organization"),  # teacher role on a campus
            (Role.FACILITATOR, "campus", "organization"),
            (Role.TEACHER, "campus_b", "organization"),  # another district
        ],
    )
    def test_refuses_wrong_node(self, world, role, org_attr, field):
        with pytest.raises(ValidationError) as exc:
            services.membership_create(
                actor=None, person=world.teacher, organization=getattr(world, org_attr), role=role
            )
        assert field in exc.value.message_dict

    def test_refuses_dates_out_of_order_and_duplicates(self, world):
        with pytest.raises(ValidationError) as exc:
            services.membership_create(
                actor=None,
                person=world.teacher,
                organization=world.campus2,
                role=Role.TEACHER,
                valid_from=TODAY(),
                valid_to=TODAY() - datetime.timedelta(days=1),
            )
        assert "valid_to" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.membership_create(actor=None, person=world.teacher, organization=world.campus, role=Role.TEACHER)

    def test_service_center_roles_only_for_its_staff(self, world):
        with pytest.raises(ValidationError):
            services.membership_create(
                actor=None, person=world.coach, organization=world.service_center, role=Role.FACILITATOR
            )


class TestCaseloads:
    def test_assign_across_campuses(self, world):
        a = services.caseload_assign(actor=world.district_admin, coach=world.coach, teacher=world.teacher_other_campus)
        assert a.district == world.district
        assert last_audit("caseload.assign").after["teacher"] == world.teacher_other_campus.pk

    def test_refuses_self_other_district_and_non_teachers(self, world):
        with pytest.raises(ValidationError):
            services.caseload_assign(actor=None, coach=world.coach, teacher=world.coach)
        with pytest.raises(ValidationError) as exc:
            services.caseload_assign(actor=None, coach=world.coach, teacher=world.teacher_b)
        assert "coach" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.caseload_assign(actor=None, coach=world.coach, teacher=world.campus_leader)
        assert "teacher" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.caseload_assign(actor=None, coach=world.teacher_other_campus, teacher=world.teacher)
        assert "coach" in exc.value.message_dict

    def test_refuses_duplicate(self, world):
        with pytest.raises(ValidationError):
            services.caseload_assign(actor=None, coach=world.coach, teacher=world.teacher)

    def test_facilitator_needs_a_covering_grant(self, world):
        a = services.caseload_assign(actor=None, coach=world.facilitator, teacher=world.teacher_other_campus)
        assert a.coach == world.facilitator
        with pytest.raises(ValidationError) as exc:
            services.caseload_assign(actor=None, coach=world.facilitator, teacher=world.teacher_b)
        assert "teacher" in exc.value.message_dict
        AccessGrant.objects.filter(pk=world.grant.pk).update(scope=GrantScope.CAMPUSES)
        world.grant.campuses.set([world.campus])
        CaseloadAssignment.objects.filter(pk=a.pk).delete()
        with pytest.raises(ValidationError):
            services.caseload_assign(actor=None, coach=world.facilitator, teacher=world.teacher_other_campus)

    def test_end(self, world):
        a = CaseloadAssignment.objects.get(coach=world.coach, teacher=world.teacher)
        services.caseload_end(actor=world.district_admin, assignment=a)
        a.refresh_from_db()
        assert a.valid_to == TODAY()
        assert last_audit("caseload.end") is not None


class TestGrants:
    def test_create_district_wide_and_campus_scoped(self, world):
        g = services.grant_create(
            actor=world.other_admin,
            district=world.district_b,
            service_center=world.service_center,
            purpose="Math cohort",
        )
        assert g.granted_by == world.other_admin and g.status == "active"
        g2 = services.grant_create(
            actor=world.other_admin,
            district=world.district_b,
            service_center=world.service_center,
            scope=GrantScope.CAMPUSES,
            campuses=[world.campus_b],
        )
        assert list(g2.campuses.all()) == [world.campus_b]
        assert last_audit("grant.create").after["campuses"] == [world.campus_b.pk]

    def test_refuses_foreign_campuses_and_empty_scope(self, world):
        with pytest.raises(ValidationError) as exc:
            services.grant_create(
                actor=None,
                district=world.district_b,
                service_center=world.service_center,
                scope=GrantScope.CAMPUSES,
                campuses=[world.campus],
            )
        assert "campuses" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.grant_create(
                actor=None, district=world.district_b, service_center=world.service_center, scope=GrantScope.CAMPUSES
            )
        with pytest.raises(ValidationError):
            services.grant_create(actor=None, district=world.district_b, service_center=world.district)

    def test_revoke_once(self, world):
        services.grant_revoke(actor=world.district_admin, grant=world.grant)
        world.grant.refresh_from_db()
        assert world.grant.status == "revoked" and world.grant.revoked_by == world.district_admin
        assert last_audit("grant.revoke").before == {"revoked_at": None}
        with pytest.raises(ValidationError):
            services.grant_revoke(actor=world.district_admin, grant=world.grant)


class TestGuards:
    def test_future_membership_is_withdrawn_not_left_active(self, world):
        future = TODAY() + datetime.timedelta(days=10)
        m = services.membership_create(
            actor=None, person=world.teacher, organization=world.campus2, role=Role.TEACHER, valid_from=future
        )
        assert services.membership_end(actor=world.district_admin, membership=m) is None
        assert not Membership.objects.filter(pk=m.pk).exists()
        assert last_audit("membership.withdraw").before["role"] == "teacher"

    def test_last_district_admin_cannot_be_removed(self, world):
        only = Membership.objects.get(person=world.district_admin, role=Role.DISTRICT_ADMIN)
        with pytest.raises(ValidationError, match="last administrator"):
            services.membership_end(actor=world.district_admin, membership=only)
        second = User.objects.create_user("admin2@a.example.org", full_name="Second Admin", district=world.district)
        services.membership_create(actor=None, person=second, organization=world.district, role=Role.DISTRICT_ADMIN)
        services.membership_end(actor=world.district_admin, membership=only)
        only.refresh_from_db()
        assert only.valid_to == TODAY()

    def test_time_zone_must_exist(self, world):
        with pytest.raises(ValidationError) as exc:
            services.organization_update(actor=None, organization=world.district, timezone="Mars/Olympus")
        assert "timezone" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.campus_create(actor=None, district=world.district, name="New", timezone_name="Nowhere/None")
        services.organization_update(actor=None, organization=world.district, timezone="America/New_York")
