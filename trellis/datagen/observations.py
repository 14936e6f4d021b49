"""Observations with their evidence notes, tags, real-time feedback; and coaches' check-ins.

Coaches observe the teachers on their caseload (coaching purpose); campus leaders walk
through every classroom of their campus. Dates bunch up at semester starts. Past visits
are mostly shared or discussed; the last few days hold drafts and visits in progress, and
the next two weeks hold planned ones.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from trellis.datagen.context import Context
from trellis.datagen.copy import through
from trellis.datagen.text import GRADE_BANDS, NOTE_TEXTS, STEP_TITLES, SUBJECTS
from trellis.datagen.world import District
from trellis.observations.models import CheckIn, EvidenceNote, FeedbackEvent, Observation

OBSERVATION_COLUMNS = (
    "id",
    "district_id",
    "observer_id",
    "teacher_id",
    "campus_id",
    "kind",
    "purpose",
    "state",
    "class_name",
    "subject",
    "grade_band",
    "lesson_objective",
    "framework_version_id",
    "focus_step_id",
    "scheduled_for",
    "started_at",
    "ended_at",
    "growth_node_id",
    "growth_rationale",
    "proposed_step_id",
    "proposed_step_text",
    "strengths_summary",
    "shared_at",
    "acknowledged_at",
    "teacher_reflection",
    "discussed_at",
    "created_at",
    "updated_at",
)
NOTE_COLUMNS = (
    "id",
    "observation_id",
    "district_id",
    "author_id",
    "client_id",
    "at",
    "text",
    "valence",
    "step_id",
    "created_at",
    "updated_at",
)
COACH_SHARE = 0.55
PLANNED_SHARE = 0.01
VALENCES = ("strength",) * 35 + ("growth",) * 30 + ("neutral",) * 35


@dataclass
class Visit:
    """What later parts need of an observation: who, when, what it proposed."""

    id: int
    observer: int
    teacher: int
    day: datetime.date
    state: str
    growth_node: int | None
    step: int | None


@dataclass
class Visits:
    by_teacher: dict[int, list[Visit]] = field(default_factory=dict)


def _state(ctx: Context, day: datetime.date) -> str:
    age = (ctx.today - day).days
    if age < 0:
        return "planned"
    r = ctx.rng.random()
    if age <= 3:
        return "in_progress" if r < 0.3 else "draft" if r < 0.7 else "shared"
    if r < 0.03:
        return "cancelled"
    if r < 0.07:
        return "draft"
    return "shared" if r < 0.55 else "discussed"


def _visits(ctx: Context, district: District) -> list[tuple]:
    """(observer, teacher, campus, day, purpose, kind) for every visit, in date order."""
    rng, scale = ctx.rng, ctx.scale
    campus_of = dict(district.teachers)
    by_campus: dict[int, list[int]] = {}
    for teacher, campus in district.teachers:
        by_campus.setdefault(campus, []).append(teacher)
    pairs = [(coach, t) for coach, ts in district.caseloads.items() for t in ts]
    n_planned = round(scale.observations * PLANNED_SHARE)
    n_past = scale.observations - n_planned
    n_coach = round(n_past * COACH_SHARE)
    days = ctx.past_days.draw(rng, n_past)
    future = ctx.future_days.between(ctx.today, ctx.today + datetime.timedelta(days=14)) or [ctx.today]
    days += [rng.choice(future) for _ in range(n_planned)]
    visits = []
    # Some teachers are seen far more often than others (new teachers, teachers on a plan).
    weight = {t: rng.lognormvariate(0, 0.6) for t in campus_of}
    pair_cum, total = [], 0.0
    for _coach, t in pairs:
        total += weight[t]
        pair_cum.append(total)
    chosen_pairs = rng.choices(pairs, cum_weights=pair_cum, k=n_coach) if pairs else []
    for i, day in enumerate(days):
        if i < len(chosen_pairs):
            coach, teacher = chosen_pairs[i]
            visits.append(
                (coach, teacher, campus_of[teacher], day, "coaching", "informal" if rng.random() < 0.8 else "video")
            )
        else:
            campus = rng.choice(district.campuses)
            leader = rng.choice(district.leaders[campus])
            teacher = rng.choice(by_campus[campus])
            kind = "walkthrough" if rng.random() < 0.7 else "formal"
            purpose = "evaluation" if kind == "formal" else "coaching"
            visits.append((leader, teacher, campus, day, purpose, kind))
    visits.sort(key=lambda v: v[3])
    return visits


def build_observations(ctx: Context, district: District) -> Visits:
    rng, s = ctx.rng, ctx.starter
    first = ctx.ids.take(Observation, ctx.scale.observations)
    out = Visits()
    rows = []
    for offset, (observer, teacher, campus, day, purpose, kind) in enumerate(_visits(ctx, district)):
        pk = first + offset
        state = _state(ctx, day)
        start = ctx.at(day, rng.randrange(0, 390, 5))
        visited = state not in ("planned", "cancelled")
        end = (
            start + datetime.timedelta(minutes=rng.choice((15, 20, 30, 45)))
            if visited and state != "in_progress"
            else None
        )
        shared = state in ("shared", "discussed")
        step, node = rng.choice(s.steps)
        node = node or rng.choice(s.components)
        shared_at = end + datetime.timedelta(hours=rng.randrange(1, 48)) if shared else None
        acknowledged = (
            shared_at + datetime.timedelta(hours=rng.randrange(2, 72)) if shared and rng.random() < 0.7 else None
        )
        discussed = shared_at + datetime.timedelta(days=rng.randrange(1, 6)) if state == "discussed" else None
        subject = rng.choice(SUBJECTS)
        rows.append(
            (
                pk, district.id, observer, teacher, campus, kind, purpose, state,
                f"{subject} period {rng.randrange(1, 8)}", subject, rng.choice(GRADE_BANDS),
                "Students will explain their reasoning in writing.", s.version_id, step if purpose == "coaching" else None,
                start, start if visited else None, end,
                node if shared else None, "The evidence points here first." if shared else "",
                step if shared else None, rng.choice(STEP_TITLES) if shared else "",
                "Clear routines; students knew where to find materials." if shared else "",
                shared_at, acknowledged, "I will try this next week." if acknowledged else "", discussed,
                start - datetime.timedelta(days=rng.randrange(0, 5)), discussed or shared_at or end or start,
            )
        )  # fmt: skip
        if visited:
            out.by_teacher.setdefault(teacher, []).append(
                Visit(pk, observer, teacher, day, state, node if shared else None, step)
            )
    ctx.write(Observation, OBSERVATION_COLUMNS, rows)
    _focus_nodes(ctx, rows)
    _notes(ctx, district, rows)
    _feedback(ctx, district, rows)
    return out


def _focus_nodes(ctx: Context, rows: list[tuple]) -> None:
    model = through(Observation, "focus_nodes")
    chosen = [(r[0], ctx.rng.choice(ctx.starter.components)) for r in rows if ctx.rng.random() < 0.5]
    first = ctx.ids.take(model, len(chosen))
    ctx.write(
        model, ("id", "observation_id", "frameworknode_id"), ((first + i, o, n) for i, (o, n) in enumerate(chosen))
    )


def _notes(ctx: Context, district: District, rows: list[tuple]) -> None:
    """About fifteen notes a visit, a minute or two apart; most tagged with one component."""
    rng = ctx.rng
    visited = [r for r in rows if r[15] is not None]
    per_visit = ctx.scale.notes_per_observation * ctx.scale.observations / max(1, len(visited))
    counts = [max(2, round(rng.gauss(per_visit, per_visit / 3))) for _ in visited]
    total = sum(counts)
    first = ctx.ids.take(EvidenceNote, total)
    components = ctx.starter.components
    tags: list[tuple[int, int]] = []

    def note_rows():
        pk = first
        texts, valences = NOTE_TEXTS, VALENCES
        for row, n in zip(visited, counts, strict=True):
            obs, observer, start, growth, focus = row[0], row[2], row[15], row[17], row[13]
            at = start
            for _ in range(n):
                at = at + datetime.timedelta(seconds=rng.randrange(30, 180))
                r = rng.random()
                if r < 0.6:
                    tags.append((pk, growth if (growth and r < 0.25) else components[int(r * 1000) % len(components)]))
                yield (
                    pk,
                    obs,
                    district.id,
                    observer,
                    uuid.UUID(int=pk),
                    at,
                    texts[int(r * 7919) % len(texts)],
                    valences[int(r * 100)],
                    focus if r > 0.92 else None,
                    at,
                    at,
                )
                pk += 1

    ctx.write(EvidenceNote, NOTE_COLUMNS, note_rows())
    model = through(EvidenceNote, "nodes")
    tag_first = ctx.ids.take(model, len(tags))
    ctx.write(
        model,
        ("id", "evidencenote_id", "frameworknode_id"),
        ((tag_first + i, n, node) for i, (n, node) in enumerate(tags)),
    )


def _feedback(ctx: Context, district: District, rows: list[tuple]) -> None:
    rng = ctx.rng
    chosen = [r for r in rows if r[6] == "coaching" and r[15] is not None and rng.random() < 0.3]
    first = ctx.ids.take(FeedbackEvent, len(chosen))
    modes = ("cue", "whisper", "model", "note")
    ctx.write(
        FeedbackEvent,
        ("id", "observation_id", "district_id", "client_id", "at", "mode", "step_id", "note"),
        (
            (
                first + i,
                r[0],
                district.id,
                uuid.UUID(int=(1 << 64) + first + i),
                r[15] + datetime.timedelta(minutes=5),
                rng.choice(modes),
                r[13],
                "Reminder of the step, given quietly.",
            )
            for i, r in enumerate(chosen)
        ),
    )


def build_check_ins(ctx: Context, district: District) -> None:
    """Coaches check in with each teacher on their caseload about every three weeks this year."""
    rng = ctx.rng
    days = ctx.past_days.between(ctx.year_start, ctx.today)
    rows = []
    for coach, teachers in district.caseloads.items():
        for teacher in teachers:
            for day in days[rng.randrange(0, 15) :: 15]:
                rows.append((coach, teacher, day))
    first = ctx.ids.take(CheckIn, len(rows))
    ctx.write(
        CheckIn,
        (
            "id",
            "district_id",
            "coach_id",
            "teacher_id",
            "held_on",
            "priorities",
            "progress",
            "next_check_in",
            "created_at",
        ),
        (
            (
                first + i,
                district.id,
                coach,
                teacher,
                day,
                "Transitions and checks for understanding.",
                "Practised the step twice.",
                day + datetime.timedelta(days=21),
                ctx.at(day, 420),
            )
            for i, (coach, teacher, day) in enumerate(rows)
        ),
    )
