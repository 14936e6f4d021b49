"""Factories for organizations, people and their links (tests, benchmarks, demo helpers)."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from trellis.accounts.models import EmployeeGroup
from trellis.orgs.models import AccessGrant, CaseloadAssignment, Membership, Organization, OrgKind, Role

TEST_PASSWORD = "trellis-test-pass-1"


class ServiceCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.SERVICE_CENTER
    name = factory.Sequence(lambda n: f"Region {n} Service Center")
    slug = factory.Sequence(lambda n: f"region-{n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    kind = OrgKind.DISTRICT
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    parent = None

    @factory.post_generation
    def set_district(obj, create, extracted, **kwargs):
        obj.district = obj
        if create:
            obj.save(update_fields=["district"])


class CampusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrgKind.CAMPUS
    name = factory.Sequence(lambda n: f"Campus {n}")
    slug = factory.Sequence(lambda n: f"campus-{n}")
    parent = factory.SubFactory(DistrictFactory)
    district = factory.SelfAttribute("parent")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    employee_group = EmployeeGroup.TEACHER
    district = factory.SubFactory(DistrictFactory)
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(CampusFactory)
    role = Role.TEACHER
    district = factory.LazyAttribute(lambda m: m.organization.district)
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class CaseloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseloadAssignment

    coach = factory.SubFactory(PersonFactory)
    teacher = factory.SubFactory(PersonFactory)
    district = factory.LazyAttribute(lambda c: c.teacher.district)
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessGrant

    district = factory.SubFactory(DistrictFactory)
    service_center = factory.SubFactory(ServiceCenterFactory)
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
