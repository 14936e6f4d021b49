"""Face-to-face cohort PD: programs run by each district and by the service center, with registrations.

A cohort keeps its people: about thirty participants register for each of its ten monthly
sessions. Past sessions carry attendance (most checked in by code, some late or leaving
early); sessions to come hold confirmed seats and a short waiting list. Half of each
district's share of sessions is the district's own; the other half is the service
center's, whose cohorts draw people from every district of the region.
"""

import datetime

from trellis.datagen.context import Context
from trellis.datagen.copy import through
from trellis.datagen.text import PROGRAM_TITLES
from trellis.datagen.world import District, ServiceCenter
from trellis.learning.models import Cohort, Program, Registration, Session

SESSIONS_PER_COHORT = 10
COHORTS_PER_PROGRAM = 5
CONTACT_MINUTES = 360


def build_district_learning(ctx: Context, district: District) -> None:
    facilitators = [coach for coach, _campus in district.coaches[:4]]
    people = [(t, district.id) for t in district.teacher_ids]
    _programs(ctx, district.id, district.id, facilitators, people, ctx.scale.cohort_sessions // 2, district.admins[0])


def build_service_center_learning(ctx: Context, sc: ServiceCenter, districts: list[District]) -> None:
    people = [(t, d.id) for d in districts for t in d.teacher_ids]
    sessions = (ctx.scale.cohort_sessions - ctx.scale.cohort_sessions // 2) * len(districts)
    _programs(ctx, sc.id, None, sc.facilitators, people, sessions, sc.admin)


def _programs(
    ctx: Context,
    owner: int,
    district: int | None,
    facilitators: list[int],
    people: list[tuple[int, int]],
    n_sessions: int,
    author: int,
) -> None:
    rng = ctx.rng
    n_cohorts = max(1, n_sessions // SESSIONS_PER_COHORT)
    n_programs = max(1, n_cohorts // COHORTS_PER_PROGRAM)
    program_first = ctx.ids.take(Program, n_programs)
    ctx.write(
        Program,
        (
            "id",
            "owner_id",
            "district_id",
            "title",
            "summary",
            "goals",
            "status",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        (
            (
                program_first + i,
                owner,
                district,
                PROGRAM_TITLES[i % len(PROGRAM_TITLES)],
                "A year of monthly days with practice between them.",
                "Every participant uses one new routine weekly.",
                "published",
                author,
                ctx.now,
                ctx.now,
            )
            for i in range(n_programs)
        ),
    )
    cohort_first = ctx.ids.take(Cohort, n_cohorts)
    years = [datetime.date(ctx.year_start.year - k, 9, 1) for k in range(ctx.scale.years)]
    cohorts = [(cohort_first + i, program_first + i % n_programs, years[i % len(years)]) for i in range(n_cohorts)]
    ctx.write(
        Cohort,
        (
            "id",
            "program_id",
            "owner_id",
            "district_id",
            "name",
            "description",
            "registration_mode",
            "created_at",
            "updated_at",
        ),
        (
            (c, p, owner, district, f"Cohort {c} · {start.year}–{start.year + 1}", "", "open", ctx.now, ctx.now)
            for c, p, start in cohorts
        ),
    )
    leads = [(c, rng.choice(facilitators)) for c, _p, _s in cohorts]
    model = through(Cohort, "facilitators")
    first = ctx.ids.take(model, len(leads))
    ctx.write(model, ("id", "cohort_id", "user_id"), ((first + i, c, f) for i, (c, f) in enumerate(leads)))
    _sessions(ctx, owner, district, cohorts, dict(leads), people, n_sessions)


def _sessions(ctx, owner, district, cohorts, lead_of, people, n_sessions) -> None:
    rng = ctx.rng
    first = ctx.ids.take(Session, n_sessions)
    rows, regs, leads = [], [], []
    pk = first
    for i in range(n_sessions):
        cohort, _program, year = cohorts[i % len(cohorts)]
        n = i // len(cohorts)
        day = year + datetime.timedelta(days=28 * n)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        start = ctx.at(day, 30)
        capacity = rng.choice((30, 35, 40))
        rows.append(
            (
                pk,
                cohort,
                owner,
                district,
                f"Day {n + 1}",
                "Model, practise, plan.",
                "Name the routine\nPractise it twice\nPlan its first use",
                start,
                start + datetime.timedelta(minutes=CONTACT_MINUTES + 60),
                str(ctx.zone),
                "Region Service Center, Room B",
                capacity,
                CONTACT_MINUTES,
                "scheduled",
                ctx.now,
                ctx.now,
            )
        )
        leads.append((pk, lead_of[cohort]))
        regs.append((pk, cohort, start, capacity))
        pk += 1
    ctx.write(
        Session,
        (
            "id",
            "cohort_id",
            "owner_id",
            "district_id",
            "title",
            "agenda",
            "objectives",
            "starts_at",
            "ends_at",
            "timezone",
            "location",
            "capacity",
            "contact_minutes",
            "status",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    model = through(Session, "facilitators")
    lead_first = ctx.ids.take(model, len(leads))
    ctx.write(model, ("id", "session_id", "user_id"), ((lead_first + i, s, f) for i, (s, f) in enumerate(leads)))
    _registrations(ctx, regs, people)


def _registrations(ctx: Context, sessions: list[tuple], people: list[tuple[int, int]]) -> None:
    rng = ctx.rng
    members: dict[int, list[tuple[int, int]]] = {}
    rows = []
    for session, cohort, start, capacity in sessions:
        if cohort not in members:
            members[cohort] = rng.sample(people, min(len(people), rng.randrange(capacity - 8, capacity + 4)))
        past = start.date() < ctx.today
        for seat, (person, district) in enumerate(members[cohort]):
            queued = start - datetime.timedelta(days=rng.randrange(7, 40))
            status = "confirmed" if seat < capacity else "waitlisted"
            if rng.random() < 0.05:
                status = "cancelled"
            checked = past and status == "confirmed" and rng.random() < 0.88
            late = rng.choice((0, 0, 0, 0, 10, 25)) if checked else 0
            rows.append(
                (
                    session,
                    person,
                    district,
                    status,
                    person,
                    queued,
                    start + datetime.timedelta(minutes=late) if checked else None,
                    "code" if checked else "",
                    CONTACT_MINUTES - late if checked else None,
                    queued,
                    start if past else queued,
                )
            )
    first = ctx.ids.take(Registration, len(rows))
    ctx.write(
        Registration,
        (
            "id",
            "session_id",
            "participant_id",
            "district_id",
            "status",
            "registered_by_id",
            "queued_at",
            "checked_in_at",
            "checkin_method",
            "minutes_attended",
            "created_at",
            "updated_at",
        ),
        ((first + i,) + row for i, row in enumerate(rows)),
    )
