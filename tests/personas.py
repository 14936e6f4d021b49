"""The personas every test uses, built by factories.

One service center serves two districts. District A has campuses A1 and A2 and
has granted the service center access; district B has not. Each persona is a
person with the memberships that role needs:

- ``teacher`` teaches at A1 and is coached by ``coach`` and by ``facilitator``.
- ``teacher_other_campus`` teaches at A2.
- ``coach`` coaches at A1 (and, like every coach, across the district's campuses).
- ``campus_leader`` leads A1.
- ``district_admin`` administers A.
- ``facilitator`` works for the service center, with a grant from A.
- ``facilitator_no_grant`` works for the same service center; their teacher is in B.
- ``sc_admin`` administers the service center.
- ``other_admin`` administers district B.
- ``teacher_b`` teaches in district B.
"""

from dataclasses import dataclass

from trellis.accounts.models import EmployeeGroup
from trellis.orgs.factories import (
    CampusFactory,
    CaseloadFactory,
    DistrictFactory,
    GrantFactory,
    MembershipFactory,
    PersonFactory,
    ServiceCenterFactory,
)
from trellis.orgs.models import Role

PERSONA_NAMES = [
    "teacher",
    "teacher_other_campus",
    "coach",
    "campus_leader",
    "district_admin",
    "facilitator",
    "facilitator_no_grant",
    "sc_admin",
    "other_admin",
    "anonymous",
]


@dataclass
class World:
    service_center: object
    district: object
    campus: object
    campus2: object
    district_b: object
    campus_b: object
    grant: object
    teacher: object
    teacher_other_campus: object
    coach: object
    campus_leader: object
    district_admin: object
    facilitator: object
    facilitator_no_grant: object
    sc_admin: object
    other_admin: object
    teacher_b: object

    def persona(self, name):
        return None if name == "anonymous" else getattr(self, name)


def _person(name, email, group, *, district=None, service_center=None):
    return PersonFactory(
        full_name=name, email=email, employee_group=group, district=district, service_center=service_center
    )


def build_world() -> World:
    sc = ServiceCenterFactory(name="Prairie Regional Service Center", slug="prairie")
    district = DistrictFactory(name="Cedar Valley ISD", slug="cedar-valley", parent=sc)
    campus = CampusFactory(name="Maple Elementary", slug="maple", parent=district)
    campus2 = CampusFactory(name="Oak Middle School", slug="oak", parent=district)
    district_b = DistrictFactory(name="Willow Creek USD", slug="willow-creek", parent=sc)
    campus_b = CampusFactory(name="Birch High School", slug="birch", parent=district_b)
    grant = GrantFactory(district=district, service_center=sc, purpose="Literacy cohort support")

    teacher = _person("Ana Teacher", "teacher@a.example.org", EmployeeGroup.TEACHER, district=district)
    MembershipFactory(person=teacher, organization=campus, role=Role.TEACHER)
    other = _person("Omar Teacher", "teacher2@a.example.org", EmployeeGroup.TEACHER, district=district)
    MembershipFactory(person=other, organization=campus2, role=Role.TEACHER)
    coach = _person("Cora Coach", "coach@a.example.org", EmployeeGroup.COACH, district=district)
    MembershipFactory(person=coach, organization=campus, role=Role.COACH)
    leader = _person("Lee Leader", "leader@a.example.org", EmployeeGroup.CAMPUS_LEADER, district=district)
    MembershipFactory(person=leader, organization=campus, role=Role.CAMPUS_LEADER)
    admin = _person("Dana Admin", "admin@a.example.org", EmployeeGroup.DISTRICT_STAFF, district=district)
    MembershipFactory(person=admin, organization=district, role=Role.DISTRICT_ADMIN)

    fac = _person("Fay Facilitator", "fac@sc.example.org", EmployeeGroup.SERVICE_CENTER_STAFF, service_center=sc)
    MembershipFactory(person=fac, organization=sc, role=Role.FACILITATOR)
    fac2 = _person("Finn Facilitator", "fac2@sc.example.org", EmployeeGroup.SERVICE_CENTER_STAFF, service_center=sc)
    MembershipFactory(person=fac2, organization=sc, role=Role.FACILITATOR)
    sc_admin = _person("Sam Center", "scadmin@sc.example.org", EmployeeGroup.SERVICE_CENTER_STAFF, service_center=sc)
    MembershipFactory(person=sc_admin, organization=sc, role=Role.SERVICE_CENTER_ADMIN)

    other_admin = _person("Bo Admin", "admin@b.example.org", EmployeeGroup.DISTRICT_STAFF, district=district_b)
    MembershipFactory(person=other_admin, organization=district_b, role=Role.DISTRICT_ADMIN)
    teacher_b = _person("Bea Teacher", "teacher@b.example.org", EmployeeGroup.TEACHER, district=district_b)
    MembershipFactory(person=teacher_b, organization=campus_b, role=Role.TEACHER)

    CaseloadFactory(coach=coach, teacher=teacher)
    CaseloadFactory(coach=fac, teacher=teacher)
    # District B granted nothing: this assignment gives no access.
    CaseloadFactory(coach=fac2, teacher=teacher_b)

    return World(
        service_center=sc,
        district=district,
        campus=campus,
        campus2=campus2,
        district_b=district_b,
        campus_b=campus_b,
        grant=grant,
        teacher=teacher,
        teacher_other_campus=other,
        coach=coach,
        campus_leader=leader,
        district_admin=admin,
        facilitator=fac,
        facilitator_no_grant=fac2,
        sc_admin=sc_admin,
        other_admin=other_admin,
        teacher_b=teacher_b,
    )
