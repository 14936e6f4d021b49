"""One-on-one coaching: relationships by school year, sessions every two weeks, action steps, goals.

Every teacher on a caseload has a relationship this year (most active) and, if coached in
earlier years, an ended one per earlier year. Sessions follow a two-week rhythm, thinned
to the scale's total; the current year's run on a schedule into the next two months.
Action steps close (mastered, superseded or dropped) except the last one or two of an
active relationship, whose follow-up may be overdue.
"""

import bisect
import datetime
import json
from dataclasses import dataclass

from trellis.coaching.models import (
    CoachingSession,
    CoachingStep,
    Goal,
    GoalDataPoint,
    Intake,
    Placement,
    PracticeRound,
    Relationship,
    RelationshipMember,
    SessionSeries,
)
from trellis.datagen.context import Context
from trellis.datagen.copy import through
from trellis.datagen.observations import Visits
from trellis.datagen.text import GOAL_MEASURES, STEP_TITLES
from trellis.datagen.world import District

OPEN_STEP_STATES = ("agreed", "practising", "implementing", "follow_up")
CLOSED_STEP_STATES = ("mastered",) * 45 + ("superseded",) * 35 + ("dropped",) * 20
SESSION_FUTURE_DAYS = 60
LOOK_FORS = "Every student responds within the wait time."
FOCUS_NOTE = json.dumps({"see": "Watched the model clip together.", "name": "Named the step in the teacher's words."})


@dataclass
class Rel:
    id: int
    coach: int
    teacher: int
    status: str
    started: datetime.date
    ended: datetime.date | None
    current: bool


def _relationships(ctx: Context, district: District) -> list[Rel]:
    rng = ctx.rng
    rels = []
    for coach, teachers in district.caseloads.items():
        for teacher in teachers:
            year = district.coached_since[teacher]
            while year < ctx.year_start:
                ended = datetime.date(year.year + 1, 5, 31)
                rels.append(Rel(0, coach, teacher, "ended", year + datetime.timedelta(days=5), ended, False))
                year = datetime.date(year.year + 1, 8, 15)
            r = rng.random()
            status = "active" if r < 0.9 else "paused" if r < 0.95 else "proposed"
            started = ctx.year_start + datetime.timedelta(days=rng.randrange(5, 30))
            rels.append(Rel(0, coach, teacher, status, started, None, True))
    first = ctx.ids.take(Relationship, len(rels))
    for i, rel in enumerate(rels):
        rel.id = first + i
    rows = [
        (
            r.id,
            district.id,
            r.coach,
            "",
            r.status,
            ctx.starter.cycle_model_id,
            "We start on time and end with one step.",
            "Notes stay between us unless I share them.",
            r.started if r.status != "proposed" else None,
            r.ended,
            ctx.at(r.started, 0),
            ctx.at(r.ended or r.started, 0),
        )
        for r in rels
    ]
    ctx.write(
        Relationship,
        (
            "id",
            "district_id",
            "coach_id",
            "title",
            "status",
            "cycle_model_id",
            "norms",
            "sharing",
            "started_on",
            "ended_on",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    member_first = ctx.ids.take(RelationshipMember, len(rels))
    ctx.write(
        RelationshipMember,
        ("id", "relationship_id", "teacher_id", "district_id", "consented_at"),
        (
            (member_first + i, r.id, r.teacher, district.id, ctx.at(r.started, 0) if r.status != "proposed" else None)
            for i, r in enumerate(rels)
        ),
    )
    return rels


def _session_days(ctx: Context, rel: Rel) -> list[datetime.date]:
    last = rel.ended or (ctx.today + datetime.timedelta(days=SESSION_FUTURE_DAYS))
    if rel.status == "proposed":
        return []
    days, day = [], rel.started
    while day <= last:
        days.append(day)
        day += datetime.timedelta(days=14)
    return days


def build_coaching(ctx: Context, district: District, visits: Visits) -> None:
    rng = ctx.rng
    rels = _relationships(ctx, district)
    plans = {r.id: _session_days(ctx, r) for r in rels}
    natural = sum(len(d) for d in plans.values())
    keep = min(1.0, ctx.scale.coaching_sessions / max(1, natural))
    for rid, days in plans.items():
        plans[rid] = [d for d in days if rng.random() < keep]
    series = _series(ctx, district, rels, plans)
    held = _sessions(ctx, district, rels, plans, series)
    _steps(ctx, district, rels, held, visits)
    _intakes_and_placements(ctx, district, [r for r in rels if r.current])
    _goals(ctx, district, rels)


def _series(ctx: Context, district: District, rels: list[Rel], plans: dict) -> dict[int, int]:
    current = [r for r in rels if r.current and r.status == "active" and plans[r.id]]
    first = ctx.ids.take(SessionSeries, len(current))
    series = {r.id: first + i for i, r in enumerate(current)}
    until = datetime.date(ctx.year_start.year + 1, 5, 31)
    ctx.write(
        SessionSeries,
        (
            "id",
            "relationship_id",
            "district_id",
            "first_start",
            "timezone",
            "interval_weeks",
            "until",
            "minutes",
            "protocol_id",
            "created_at",
        ),
        (
            (
                series[r.id],
                r.id,
                district.id,
                ctx.at(plans[r.id][0], 420),
                str(ctx.zone),
                2,
                until,
                30,
                ctx.starter.protocols["see-name-do"],
                ctx.at(r.started, 0),
            )
            for r in current
        ),
    )
    return series


def _sessions(
    ctx: Context, district: District, rels: list[Rel], plans: dict, series: dict
) -> dict[int, list[tuple[int, datetime.date]]]:
    """Writes the sessions; returns the held ones per relationship as (session id, day)."""
    rng = ctx.rng
    total = sum(len(d) for d in plans.values())
    first = ctx.ids.take(CoachingSession, total)
    protocols = ctx.starter.protocols
    held: dict[int, list[tuple[int, datetime.date]]] = {}
    rows = []
    pk = first
    for rel in rels:
        for n, day in enumerate(plans[rel.id]):
            start = ctx.at(day, 420)  # 15:00, after school
            sid = series.get(rel.id)
            if day >= ctx.today:
                status = "scheduled"
            else:
                r = rng.random()
                status = "held" if r < 0.88 else "cancelled" if r < 0.95 else "no_show"
            if status == "held":
                held.setdefault(rel.id, []).append((pk, day))
            protocol = protocols["intake"] if n == 0 else protocols["see-name-do"]
            rows.append(
                (pk, rel.id, district.id, sid, start if sid else None, protocol, start, 30, "Room 101",
                 status, FOCUS_NOTE if status == "held" else "{}", "Practise the step twice before Friday." if status == "held" else "",
                 start + datetime.timedelta(minutes=30) if status == "held" else None,
                 "Teacher out sick." if status == "cancelled" else "", start - datetime.timedelta(days=14), start)
            )  # fmt: skip
            pk += 1
    ctx.write(
        CoachingSession,
        (
            "id",
            "relationship_id",
            "district_id",
            "series_id",
            "occurrence_start",
            "protocol_id",
            "starts_at",
            "minutes",
            "location",
            "status",
            "step_notes",
            "next_steps",
            "held_at",
            "cancel_reason",
            "created_at",
            "updated_at",
        ),
        rows,
    )
    return held


def _steps(ctx: Context, district: District, rels: list[Rel], held: dict, visits: Visits) -> None:
    """About two steps per held session; the last one or two of an active relationship stay open."""
    rng, s = ctx.rng, ctx.starter
    per_session = ctx.scale.action_steps / max(1, sum(len(h) for h in held.values()))
    rows, open_steps = [], []
    total = sum(round(len(held.get(r.id, [])) * per_session) for r in rels)
    pk = ctx.ids.take(CoachingStep, total)
    for rel in rels:
        sessions = held.get(rel.id, [])
        n = round(len(sessions) * per_session)
        seen = visits.by_teacher.get(rel.teacher, [])
        seen_days = [v.day for v in seen]
        n_open = (1 if rng.random() < 0.6 else 2) if rel.status == "active" and n else 0
        for i in range(n):
            _sid, day = sessions[min(len(sessions) - 1, i * len(sessions) // n)]
            library_step, node = rng.choice(s.steps)
            at = ctx.at(day, 450)
            source = seen[bisect.bisect_right(seen_days, day) - 1].id if seen and seen_days[0] <= day else None
            due = day + datetime.timedelta(days=7)
            if i >= n - n_open:
                state, closed, mastered = rng.choice(OPEN_STEP_STATES), None, None
                open_steps.append((pk, at))
            else:
                state = rng.choice(CLOSED_STEP_STATES)
                closed = at + datetime.timedelta(days=rng.randrange(7, 28))
                mastered = closed if state == "mastered" else None
            title = rng.choice(STEP_TITLES)
            mastery = "Seen in two visits running." if mastered else ""
            rows.append(
                (pk, district.id, rel.teacher, rel.id, rel.coach, library_step, title, LOOK_FORS, node, source,
                 state, at, due, source if mastered else None, mastery, mastered, closed, at)
            )  # fmt: skip
            pk += 1
    ctx.write(
        CoachingStep,
        (
            "id",
            "district_id",
            "teacher_id",
            "relationship_id",
            "proposed_by_id",
            "library_step_id",
            "title",
            "look_fors",
            "node_id",
            "source_observation_id",
            "state",
            "agreed_at",
            "follow_up_due",
            "follow_up_observation_id",
            "mastery_note",
            "mastered_at",
            "closed_at",
            "created_at",
        ),
        rows,
    )
    rounds = [(step, n, at) for step, at in open_steps for n in range(1, rng.randrange(1, 4) + 1)]
    first = ctx.ids.take(PracticeRound, len(rounds))
    qualities = ("not_yet", "close", "got_it")
    ctx.write(
        PracticeRound,
        ("id", "step_id", "district_id", "number", "scenario", "feedback", "quality", "created_at"),
        (
            (
                first + i,
                step,
                district.id,
                n,
                "The first minute of the lesson.",
                "Tighter wording.",
                qualities[min(n - 1, 2)],
                at,
            )
            for i, (step, n, at) in enumerate(rounds)
        ),
    )


def _intakes_and_placements(ctx: Context, district: District, rels: list[Rel]) -> None:
    rng, s = ctx.rng, ctx.starter
    started = [r for r in rels if r.status != "proposed"]
    first = ctx.ids.take(Intake, len(started))
    intakes = {r.id: first + i for i, r in enumerate(started)}
    ctx.write(
        Intake,
        (
            "id",
            "relationship_id",
            "teacher_id",
            "district_id",
            "framework_version_id",
            "strengths",
            "interests",
            "preferred_times",
            "confirmed_at",
            "created_at",
        ),
        (
            (
                intakes[r.id],
                r.id,
                r.teacher,
                district.id,
                s.version_id,
                "Warm relationships with students.",
                "Checking for understanding.",
                "After school",
                ctx.at(r.started, 30),
                ctx.at(r.started, 0),
            )
            for r in started
        ),
    )
    focus = through(Intake, "focus_nodes")
    chosen = [(intakes[r.id], node) for r in started for node in rng.sample(s.components, 2)]
    focus_first = ctx.ids.take(focus, len(chosen))
    ctx.write(
        focus, ("id", "intake_id", "frameworknode_id"), ((focus_first + i, a, b) for i, (a, b) in enumerate(chosen))
    )
    rows = []
    for r in started:
        for node in s.components:
            rows.append((r.teacher, node, rng.choice(s.levels[:3]), r.started, "intake", intakes[r.id]))
        if rng.random() < 0.5:
            again = min(ctx.today, r.started + datetime.timedelta(days=60))
            rows += [
                (r.teacher, node, rng.choice(s.levels[1:]), again, "self", None) for node in rng.sample(s.components, 3)
            ]
    placement_first = ctx.ids.take(Placement, len(rows))
    ctx.write(
        Placement,
        ("id", "teacher_id", "district_id", "node_id", "level_id", "placed_on", "source", "intake_id"),
        (
            (placement_first + i, t, district.id, n, lvl, on, src, intake)
            for i, (t, n, lvl, on, src, intake) in enumerate(rows)
        ),
    )


def _goals(ctx: Context, district: District, rels: list[Rel]) -> None:
    rng = ctx.rng
    chosen = [r for r in rels if r.status in ("active", "ended")]
    first = ctx.ids.take(Goal, len(chosen))
    rows, points = [], []
    for i, r in enumerate(chosen):
        pk = first + i
        measure, unit = rng.choice(GOAL_MEASURES)
        baseline = rng.randrange(20, 50)
        target = baseline + rng.randrange(15, 40)
        status = "active" if r.current else "met"
        activated = ctx.at(r.started + datetime.timedelta(days=14), 0)
        closed = ctx.at(r.ended, 0) if r.ended else None
        rows.append(
            (
                pk,
                district.id,
                r.teacher,
                r.id,
                "student_outcome",
                f"Raise {measure.lower()} from {baseline} to {target}.",
                measure,
                unit,
                baseline,
                target,
                "Exit tickets each Friday",
                status,
                r.coach,
                activated,
                closed,
                activated,
            )
        )
        last = r.ended or ctx.today
        span = max(1, (last - r.started).days - 14)
        for k in range(6):
            on = r.started + datetime.timedelta(days=14 + span * k // 6)
            points.append((pk, on, baseline + (target - baseline) * k // 5 + rng.randrange(-3, 4), r.teacher))
    ctx.write(
        Goal,
        (
            "id",
            "district_id",
            "teacher_id",
            "relationship_id",
            "kind",
            "statement",
            "measure",
            "unit",
            "baseline",
            "target",
            "collection",
            "status",
            "created_by_id",
            "activated_at",
            "closed_at",
            "created_at",
        ),
        rows,
    )
    nodes = through(Goal, "nodes")
    node_first = ctx.ids.take(nodes, len(rows))
    ctx.write(
        nodes,
        ("id", "goal_id", "frameworknode_id"),
        ((node_first + i, row[0], rng.choice(ctx.starter.components)) for i, row in enumerate(rows)),
    )
    point_first = ctx.ids.take(GoalDataPoint, len(points))
    ctx.write(
        GoalDataPoint,
        ("id", "goal_id", "district_id", "recorded_on", "value", "source", "recorded_by_id", "created_at"),
        (
            (point_first + i, g, district.id, on, v, "assessment", who, ctx.at(on, 420))
            for i, (g, on, v, who) in enumerate(points)
        ),
    )
