"""Races on PostgreSQL: many people at once for the last seats, cancellations racing registrations,
double check-ins. Each thread has its own database connection (Django's are per thread), all start
together at a barrier, and the outcome must hold: never over capacity, nobody lost, nobody twice.

SQLite runs one writing transaction at a time, so it cannot race; these tests need PostgreSQL:
    scripts/with-postgres.sh .venv/bin/pytest --ds=tests.settings trellis/learning -q
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from trellis.audit.models import AuditEntry
from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.tests.conftest import make_session, make_teachers

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL (scripts/with-postgres.sh)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

S = m.RegistrationStatus
# The ephemeral cluster allows 40 connections; the test's own takes one.
THREADS = 24


def race(jobs) -> list:
    """Run the callables at the same moment, each in its own thread and connection; returns results or exceptions."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait(timeout=30)
            return job()
        except Exception as exc:  # collected for the assertions
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_many_people_for_the_last_seats(world, sc_cohort):
    session = make_session(sc_cohort, world.sc_admin, capacity=7)
    early = make_teachers(world.campus, 2)
    for person in early:
        s.registration_create(actor=person, session=session)
    people = make_teachers(world.campus, THREADS)
    results = race([lambda p=p: s.registration_create(actor=p, session=session) for p in people])
    assert [r for r in results if isinstance(r, Exception)] == []
    statuses = list(session.registrations.values_list("status", flat=True))
    assert len(statuses) == THREADS + 2  # nobody lost
    assert statuses.count(S.CONFIRMED) == 7  # never over capacity, every seat taken
    assert statuses.count(S.WAITLISTED) == THREADS - 5


def test_one_person_many_clicks(world, sc_cohort):
    session = make_session(sc_cohort, world.sc_admin, capacity=3)
    results = race([lambda: s.registration_create(actor=world.teacher, session=session) for _i in range(12)])
    created = [r for r in results if isinstance(r, m.Registration)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1 and len(refused) == 11
    assert all("already registered" in str(r) for r in refused)
    assert session.registrations.count() == 1


def test_cancellations_racing_registrations(world, sc_cohort):
    session = make_session(sc_cohort, world.sc_admin, capacity=6)
    holders = make_teachers(world.campus, 6)
    waiting = make_teachers(world.campus2, 6)
    newcomers = make_teachers(world.campus, 10)
    seats = [s.registration_create(actor=p, session=session) for p in holders]
    for person in waiting:
        s.registration_create(actor=person, session=session)
    jobs = [
        lambda r=r, p=p: s.registration_cancel(actor=p, registration=r)
        for r, p in zip(seats[:4], holders, strict=False)
    ]
    jobs += [lambda p=p: s.registration_create(actor=p, session=session) for p in newcomers]
    results = race(jobs)
    assert [r for r in results if isinstance(r, Exception)] == []
    counts = {status: session.registrations.filter(status=status).count() for status in S.values}
    assert counts[S.CONFIRMED] == 6  # the freed seats were refilled, never more
    assert counts[S.CANCELLED] == 4
    assert sum(counts.values()) == 6 + 6 + 10  # nobody lost
    # The freed seats went to people already waiting, not to the newcomers who raced them.
    promoted = set(session.registrations.filter(status=S.CONFIRMED).values_list("participant_id", flat=True))
    assert promoted - {p.pk for p in holders} <= {p.pk for p in waiting}


def test_check_in_counts_once_and_nobody_is_lost(world, sc_cohort):
    import time_machine

    session = make_session(sc_cohort, world.sc_admin, capacity=None)
    people = make_teachers(world.campus, THREADS - 4)
    for person in [world.teacher, *people]:
        s.registration_create(actor=person, session=session)
    with time_machine.travel(session.starts_at, tick=False):
        code = s.session_open_checkin(actor=world.facilitator, session=session).checkin_code
        jobs = [lambda p=p: s.attendance_check_in(actor=p, code=code) for p in people]
        jobs += [lambda: s.attendance_check_in(actor=world.teacher, code=code.lower()) for _i in range(4)]
        results = race(jobs)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert session.registrations.filter(checked_in_at__isnull=False).count() == len(people) + 1
    mine = m.Registration.objects.get(session=session, participant=world.teacher)
    assert len({r.checked_in_at for r in results if r.participant_id == world.teacher.pk}) == 1
    assert AuditEntry.objects.filter(action="learning.attendance.check_in", object_id=str(mine.pk)).count() == 1
