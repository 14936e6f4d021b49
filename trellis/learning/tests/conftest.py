"""Builders for programs, cohorts and sessions on top of the personas (tests/personas.py).

``sc_program``: a published program of the service center "Prairie", with a cohort
facilitated by ``facilitator``; ``session``: its session a week from now, 9:00-12:00
Chicago time, three seats. ``district_program``: district A's own program, its cohort
facilitated by ``coach``.
"""

import datetime
import itertools
import zoneinfo

import pytest
from django.utils import timezone

from trellis.learning import models as m
from trellis.learning import services as s
from trellis.orgs.factories import MembershipFactory, PersonFactory
from trellis.orgs.models import Role

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
_numbers = itertools.count(1)


def local(day: datetime.date, hour: int, minute: int = 0, tz=CHICAGO) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


def make_program(owner, actor, *, publish=True, **fields) -> m.Program:
    program = s.program_create(actor=actor, owner=owner, title=fields.pop("title", "Literacy cohort"), **fields)
    if publish:
        program = s.program_publish(actor=actor, program=program)
    return program


def make_session(cohort, actor, *, days=7, start_hour=9, hours=3, capacity=None, **fields) -> m.Session:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return s.session_create(
        actor=actor,
        cohort=cohort,
        title=fields.pop("title", f"Session {next(_numbers)}"),
        starts_at=local(day, start_hour),
        ends_at=local(day, start_hour + hours),
        location=fields.pop("location", "Prairie RSC, Room 4"),
        capacity=capacity,
        **fields,
    )


def make_teachers(campus, n: int) -> list:
    """``n`` more teachers on ``campus`` (employed by its district)."""
    people = []
    for _i in range(n):
        number = next(_numbers)
        person = PersonFactory(
            full_name=f"Extra Teacher {number}", email=f"extra{number}@example.org", district=campus.district
        )
        MembershipFactory(person=person, organization=campus, role=Role.TEACHER)
        people.append(person)
    return people


@pytest.fixture
def sc_program(world):
    return make_program(world.service_center, world.sc_admin, title="Year-long literacy cohort")


@pytest.fixture
def sc_cohort(world, sc_program):
    return s.cohort_create(
        actor=world.sc_admin, program=sc_program, name="Cohort 1 (fall)", facilitators=[world.facilitator]
    )


@pytest.fixture
def session(world, sc_cohort):
    return make_session(
        sc_cohort,
        world.sc_admin,
        capacity=3,
        title="Read-alouds that build talk",
        objectives="Plan two turn-and-talk stops\nUse evidence prompts",
    )


@pytest.fixture
def district_program(world):
    return make_program(world.district, world.district_admin, title="New-teacher induction")


@pytest.fixture
def district_cohort(world, district_program):
    return s.cohort_create(
        actor=world.district_admin, program=district_program, name="Induction 2026", facilitators=[world.coach]
    )


@pytest.fixture
def district_session(world, district_cohort):
    return make_session(district_cohort, world.district_admin, capacity=20, title="Classroom routines")
