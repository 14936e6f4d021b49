"""Demo coaching: one full cycle in progress for the demo coach and teacher, and a proposal awaiting consent.

Built through the services like real use. Dates that real use would reach only
with time (sessions held weeks ago, a follow-up now overdue) are moved back
afterwards, as the demo region's history.
"""

import datetime
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from trellis.coaching import services as s
from trellis.coaching.models import (
    CoachingSession,
    CoachingStep,
    CycleModel,
    Goal,
    GoalDataPoint,
    Placement,
    Protocol,
    RelationshipMember,
)
from trellis.coaching.models import Relationship as Rel

NORMS = (
    "We meet every other week for thirty minutes and start on time. We work on one action step at a time, "
    "chosen together from what we see in your classroom. You can pause or end the coaching whenever you need to."
)
SHARING = (
    "Coaching notes, evidence and action steps stay between us. You decide what, if anything, to share with your "
    "campus leader. Leaders see only that coaching is happening and how often we meet."
)


def build_coaching_demo(people: dict, today: datetime.date) -> None:
    from trellis.frameworks.models import ActionStep, FrameworkNode, ScaleLevel
    from trellis.observations.models import Observation

    coach, teacher = people["Teresa Salazar"], people["Maria Delgado"]
    cycle = CycleModel.objects.get(district=None, key="see-name-do")
    shared = Observation.objects.filter(observer=coach, teacher=teacher, state="shared").first()
    if shared is None:
        return
    version = shared.framework_version
    node = {n.code: n for n in FrameworkNode.objects.filter(version=version)}
    level = {lv.position: lv for lv in ScaleLevel.objects.filter(scale__version=version)}
    library = {
        st.code: st for st in ActionStep.objects.filter(library__key="open-action-steps", library__district=None)
    }
    protocol = {p.key: p for p in Protocol.objects.filter(district=None)}

    rel = s.relationship_create(
        actor=coach,
        teachers=[teacher],
        cycle_model=cycle,
        title="",
        norms=NORMS,
        sharing=SHARING,
        location="Room 114",
    )
    rel = s.relationship_consent(actor=teacher, relationship=rel)
    Rel.objects.filter(pk=rel.pk).update(started_on=today - datetime.timedelta(days=28))
    RelationshipMember.objects.filter(relationship=rel).update(
        consented_at=timezone.now() - datetime.timedelta(days=28)
    )

    intake = s.intake_record(
        actor=coach,
        relationship=rel,
        teacher=teacher,
        framework_version=version,
        placements={
            node["1.1"].pk: level[3].pk,
            node["2.2"].pk: level[3].pk,
            node["3.2"].pk: level[2].pk,
            node["4.1"].pk: level[2].pk,
        },
        strengths="Warm relationships with students; clear routines for the start of the lesson.",
        interests="Getting more students talking about the text, not just the same four.",
        prior_pd="Literacy cohort (year 1); a workshop on guided reading.",
        constraints="Lunch duty on Wednesdays; reading block is 9:00–10:30.",
        preferred_times="Tuesdays after 3:15",
    )
    s.intake_confirm_focus(actor=teacher, intake=intake, nodes=[node["3.2"], node["4.1"]])
    Placement.objects.filter(intake=intake).update(placed_on=today - datetime.timedelta(days=28))
    # A month on, she places herself a step further on classroom talk.
    s.placement_record(actor=teacher, node=node["3.2"], level=level[3])

    goal = s.goal_create(
        actor=teacher,
        teacher=teacher,
        relationship=rel,
        kind="student_outcome",
        statement="By the end of January, at least 80% of my students speak about the text in each reading block.",
        nodes=[node["3.2"]],
        measure="Students who speak about the text during the reading block",
        unit="%",
        baseline=Decimal("35"),
        target=Decimal("80"),
        collection="A tally of who speaks, kept by the coach during a 15-minute visit or by a student helper",
    )
    s.goal_activate(actor=teacher, goal=goal)
    for days, value, source in ((24, "35", "observation"), (14, "48", "self_report"), (3, "57", "observation")):
        s.data_point_add(
            actor=teacher,
            goal=goal,
            recorded_on=today - datetime.timedelta(days=days),
            value=Decimal(value),
            source=source,
        )
    s.trial_record(
        actor=teacher,
        goal=goal,
        strategy="Numbered partners: every pair answers, then I call a number",
        tried_on=today - datetime.timedelta(days=10),
        evidence="11 of 22 students spoke in the first round, 15 in the second. Quiet students answered once they had rehearsed with a partner.",
        result="partly",
        reflection="Keep it. Give pairs a sentence starter so the second partner has a way in.",
    )
    Goal.objects.filter(pk=goal.pk).update(activated_at=timezone.now() - datetime.timedelta(days=25))
    GoalDataPoint.objects.filter(goal=goal).update(created_at=timezone.now())

    # Two sessions already held (see it, name it, do it), then the schedule: every other Tuesday at 3:30 pm.
    zone = ZoneInfo(rel.district.timezone)
    held = []
    for days, notes in (
        (
            21,
            {
                "see": "Watched a two-minute clip of a teacher using wait time.",
                "name": "Named wait time: three seconds after every question.",
                "do": "Rehearsed with the week's questions; second round much calmer.",
            },
        ),
        (
            7,
            {
                "see": "Modelled the pause-and-scan after a question.",
                "name": "Next: wait time plus numbered partners.",
                "do": "Three rounds; got it on the third.",
            },
        ),
    ):
        start = datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(15, 30), tzinfo=zone)
        session = s.session_schedule(actor=coach, relationship=rel, starts_at=start, protocol=protocol["see-name-do"])
        s.session_save_notes(actor=coach, session=session, notes=notes)
        s.session_complete(actor=coach, session=session, next_steps="Try it in Thursday's read-aloud; I will visit.")
        held.append(session)
    next_tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    s.schedule_create(
        actor=coach,
        relationship=rel,
        first_start=datetime.datetime.combine(next_tuesday, datetime.time(15, 30), tzinfo=zone),
        until=today + datetime.timedelta(days=120),
        protocol=protocol["see-name-do"],
    )

    # A step mastered after a follow-up visit, and the current one, whose follow-up is now overdue.
    first = s.step_propose(actor=coach, teacher=teacher, relationship=rel, title="", library_step=library["R5"])
    s.step_agree(actor=teacher, step=first)
    s.practice_round_add(
        actor=coach, step=first, quality="got_it", scenario="Starting the partner task", session=held[0]
    )
    s.step_implement(actor=teacher, step=first)
    follow_up = _follow_up_visit(coach, teacher, shared, node)
    s.step_follow_up(actor=coach, step=first, observation=follow_up, evidence_notes=follow_up.notes.all()[:1])
    s.step_master(actor=teacher, step=first, note="The timer was up for every activity, and students checked it.")

    current = s.step_propose_from_observation(actor=coach, observation=shared, relationship=rel)
    s.step_agree(actor=teacher, step=current)
    s.practice_round_add(
        actor=coach,
        step=current,
        quality="close",
        scenario="Asking the inference question on chapter 3",
        feedback="Good pause; scan the back row before calling on anyone.",
        session=held[1],
    )
    CoachingStep.objects.filter(pk=current.pk).update(follow_up_due=today - datetime.timedelta(days=2))
    CoachingSession.objects.filter(pk__in=[h.pk for h in held]).update(reminder_sent_at=timezone.now())

    # A second teacher has a proposal waiting for her consent.
    s.relationship_create(
        actor=coach, teachers=[people["Priya Raman"]], cycle_model=cycle, norms=NORMS, sharing=SHARING
    )


def _follow_up_visit(coach, teacher, shared, node):
    from trellis.observations import services as obs

    visit = obs.observation_plan(
        actor=coach,
        teacher=teacher,
        kind="walkthrough",
        campus=shared.campus,
        framework_version=shared.framework_version,
        focus_nodes=[node["2.2"]],
    )
    obs.capture_sync(
        actor=coach,
        obs=visit,
        ops=[
            {
                "op": "note.add",
                "client_id": str(uuid.uuid4()),
                "valence": "strength",
                "nodes": [node["2.2"].pk],
                "text": "Timer on the board for each activity; two students reminded the class of the time left.",
            },
            {
                "op": "note.add",
                "client_id": str(uuid.uuid4()),
                "valence": "neutral",
                "nodes": [],
                "text": "Transitions took under a minute.",
            },
        ],
    )
    obs.observation_finish(actor=coach, obs=visit)
    return visit
