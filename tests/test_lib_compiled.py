"""Queries compiled once: the same rows as the ORM gives, for each new set of values."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone

from trellis.accounts.navigation import nav_items
from trellis.accounts.sessions import SessionStore
from trellis.lib.compiled import CompiledQuery
from trellis.orgs.models import Membership, Role
from trellis.orgs.roles import forget_roles, roles_of

pytestmark = pytest.mark.django_db

MEMBERSHIPS = CompiledQuery(
    lambda person, day: (
        Membership.objects.filter(person_id=person, valid_from__lte=day)
        .order_by("role", "organization_id")
        .values_list("role", "organization_id", "valid_from", "organization__is_active")
    ),
    person=int,
    day=datetime.date,
)


def test_rows_match_the_orm_for_each_person_and_day(world):
    for person in (world.teacher, world.coach, world.district_admin, world.teacher_b):
        for day in (datetime.date(2000, 1, 1), timezone.localdate()):
            expected = list(
                Membership.objects.filter(person_id=person.pk, valid_from__lte=day)
                .order_by("role", "organization_id")
                .values_list("role", "organization_id", "valid_from", "organization__is_active")
            )
            assert MEMBERSHIPS.rows(person=person.pk, day=day) == expected
    # Dates and booleans come back as Python values on every database, not as stored text.
    role, _org, since, active = MEMBERSHIPS.rows(person=world.teacher.pk, day=timezone.localdate())[0]
    assert isinstance(since, datetime.date) and active is True and role == Role.TEACHER


def test_a_parameter_the_query_does_not_use_is_refused():
    unused = CompiledQuery(
        lambda person, day: Membership.objects.filter(person_id=person), person=int, day=datetime.date
    )
    with pytest.raises(ValueError, match="day"):
        unused.rows(person=1, day=timezone.localdate())


def test_list_parameters_are_refused():
    with pytest.raises(TypeError):
        CompiledQuery(lambda ids: Membership.objects.filter(pk__in=ids), ids=list).rows(ids=[1])


def test_the_session_engine_loads_live_sessions_and_drops_expired_ones(world):
    store = DatabaseSessionStore()
    store["who"] = "Tam"
    store.create()
    assert SessionStore(store.session_key).load() == {"who": "Tam"}
    store.set_expiry(-10)
    store.save()
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("not-a-key-at-all-000000000000000").load() == {}


def test_roles_carry_the_districts_that_require_admin_mfa(world):
    assert roles_of(world.district_admin).mfa_required_district_ids == frozenset()
    world.district.require_admin_mfa = True
    world.district.save()
    forget_roles(world.district_admin)
    assert roles_of(world.district_admin).mfa_required_district_ids == {world.district.pk}
    # A coach of the same district is not an admin: the rule does not reach them.
    assert roles_of(world.coach).mfa_required_district_ids == frozenset()


def _nav_for(person, path):
    request = RequestFactory().get(path)
    request.user = person
    request.resolver_match = resolve(path)
    return {item.label: item for item in nav_items(request)}


def test_the_navigation_shows_each_role_its_links_and_marks_the_current_page(world):
    teacher = _nav_for(world.teacher, "/coaching/growth/")
    assert "My growth" in teacher and "Caseload" not in teacher and "People" not in teacher
    assert [label for label, item in teacher.items() if item.current] == ["My growth"]
    admin = _nav_for(world.district_admin, "/learning/approvals/")
    assert {"People", "Audit log", "Approvals", "Programs"} <= set(admin)
    assert [label for label, item in admin.items() if item.current] == ["Approvals"]
    coach = _nav_for(world.coach, "/coaching/caseload/")
    assert [label for label, item in coach.items() if item.current] == ["Caseload"]
    assert coach["Notices"].badge and not coach["Caseload"].badge
