"""Professional learning in the demo region (called from ``trellis.orgs.demo``).

The service center runs a multi-district literacy cohort: one session three weeks
ago (attendance, a late arrival and an absence, survey answers, an After Action Review,
commitments, certificates), one next week that is full with people waiting (and one
registration waiting for Kestrel Lake's approval), and one later. Bluestem runs its own
induction program. Everything goes through the services; nobody is emailed while the
demo loads (``emails_off``). Every name, number and sentence here is invented.
"""

import datetime
import zoneinfo

from django.utils import timezone

from trellis.learning import services as s
from trellis.learning.models import QuestionBankItem
from trellis.learning.notify import emails_off

SC_ADMIN = "Beatriz Nakamura"
FACILITATORS = ["Carmen Vega", "Jonah Feldman"]
BLUESTEM_ADMIN = "Renee Dubois"
KESTREL_ADMIN = "Michael Osei"
BLUESTEM_COACH = "Teresa Salazar"

PAST_ATTENDEES = [
    "Maria Delgado",
    "Jamal Whitaker",
    "Priya Raman",
    "Daniel Okafor",
    "Lucía Ramírez",
    "Grace Adeyemi",
    "Isabel Fuentes",
    "Marcus Bell",
    "Jordan Pierce",
    "Alicia Moreno",
]
ABSENT = "Alicia Moreno"
LATE = "Jordan Pierce"  # arrived 45 minutes late
NEXT_WEEK_BLUESTEM = [
    "Maria Delgado",
    "Jamal Whitaker",
    "Priya Raman",
    "Emily Thornton",
    "Daniel Okafor",
    "Lucía Ramírez",
    "Megan Kowalski",
    "Grace Adeyemi",
    "Victor Castillo",
]
NEXT_WEEK_KESTREL = ["Isabel Fuentes", "Marcus Bell", "Jordan Pierce"]  # enrolled by their district admin
NEXT_WEEK_WAITING = ["Rachel Stein", "Kenji Watanabe"]
NEXT_WEEK_PENDING = "Anjali Desai"  # Kestrel Lake approves registrations
LATER = ["Maria Delgado", "Hoang Nguyen", "Courtney Walsh"]

SURVEY_KEYS = ["time-well-spent", "relevant-to-my-work", "objectives-clear", "recommend", "most-useful"]
SURVEY_ANSWERS = [
    (5, 4, 4, "yes", "The turn-and-talk stems, tomorrow morning."),
    (4, 5, 4, "yes", "Evidence prompts during the read-aloud."),
    (4, 4, 3, "yes", ""),
    (5, 5, 5, "yes", "Sorting exit tickets into three piles."),
    (3, 4, 3, "no", "I need to see the partner routine modelled again."),
    (4, 3, 4, "yes", ""),
    (5, 4, 4, "yes", "The anchor chart for accountable talk."),
]


def _local(day: datetime.date, hour: int, minute: int, tz: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(tz))


def build_learning_demo(people: dict) -> None:
    """Build the demo's professional learning from the demo's people (name -> person)."""
    with emails_off():
        _build(people)


def _build(people: dict) -> None:
    today = timezone.localdate()
    sc_admin = people[SC_ADMIN]
    sc = sc_admin.service_center
    carmen, jonah = (people[name] for name in FACILITATORS)
    bluestem_admin, kestrel_admin = people[BLUESTEM_ADMIN], people[KESTREL_ADMIN]
    bluestem, kestrel = bluestem_admin.district, kestrel_admin.district
    tz = sc.timezone

    s.policy_update(actor=sc_admin, organization=sc, sponsor_number="CPE-500217")
    s.policy_update(actor=bluestem_admin, organization=bluestem, ceu_enabled=True, credit_label="CPE hours")
    s.policy_update(actor=kestrel_admin, organization=kestrel, approval_required=True)

    from trellis.frameworks.models import Framework
    from trellis.frameworks.starter import starter_framework_identifier

    starter = Framework.objects.filter(
        case_identifier=starter_framework_identifier("open-instructional-practice")
    ).first()
    program = s.program_create(
        actor=sc_admin,
        owner=sc,
        title="Talk about texts: a year-long literacy cohort",
        summary="Six full days across the year for K-8 teachers and coaches from the region's districts.",
        goals="Students in every participating classroom talk about texts daily, citing evidence.",
        frameworks=[starter] if starter else [],
        outcome_reactions="Participants find each day practical and worth their time away from class.",
        outcome_learning="Participants can plan discussion stops and evidence prompts for a read-aloud.",
        outcome_support="Campus leaders protect time for partner planning between sessions.",
        outcome_practice="Follow-up visits show structured partner talk in most participants' lessons.",
        outcome_students="More students cite the text when they explain their thinking.",
    )
    s.program_publish(actor=sc_admin, program=program)
    cohort = s.cohort_create(
        actor=sc_admin,
        program=program,
        name="2026-27 regional cohort",
        description="Open to teachers and coaches of the districts the service center serves.",
        facilitators=[carmen, jonah],
    )
    objectives = (
        "Plan two turn-and-talk stops in a read-aloud\n"
        "Write evidence prompts that ask students to point to the page\n"
        "Try a quick whole-class check before moving on"
    )
    past_day = _weekday(today - datetime.timedelta(days=21))
    past = s.session_create(
        actor=sc_admin,
        cohort=cohort,
        title="Day 1: discussion stops in read-alouds",
        starts_at=_local(past_day, 8, 30, tz),
        ends_at=_local(past_day, 15, 30, tz),
        contact_minutes=360,  # an hour for lunch
        location="Prairie RSC, Conference Room B",
        capacity=30,
        agenda="8:30 Welcome and norms\n9:00 Model lesson\n10:30 Planning stops\n12:00 Lunch\n13:00 Rehearsal\n15:00 Commitments",
        objectives=objectives,
    )
    next_day = _weekday(today + datetime.timedelta(days=6))
    upcoming = s.session_create(
        actor=sc_admin,
        cohort=cohort,
        title="Day 2: partner talk routines",
        starts_at=_local(next_day, 8, 30, tz),
        ends_at=_local(next_day, 15, 30, tz),
        contact_minutes=360,
        location="Prairie RSC, Conference Room B",
        capacity=12,
        cancel_deadline=_local(next_day - datetime.timedelta(days=2), 17, 0, tz),
        objectives="Teach a partner routine in three steps\nCoach pairs who stall",
        agenda="8:30 Commitments from Day 1: what happened\n9:15 Model: a partner routine\n10:45 Rehearsal in trios\n"
        "12:00 Lunch\n13:00 Coaching pairs who stall\n15:00 What I will try",
    )
    later_day = _weekday(today + datetime.timedelta(days=40))
    later = s.session_create(
        actor=sc_admin,
        cohort=cohort,
        title="Day 3: writing about reading",
        starts_at=_local(later_day, 8, 30, tz),
        ends_at=_local(later_day, 15, 30, tz),
        contact_minutes=360,
        location="Prairie RSC, Conference Room B",
        online_url="https://meet.example.net/prairie-literacy-day3",
        capacity=30,
    )

    # Three weeks ago: registered back then (system work: the window has closed since).
    registrations = {
        name: s.registration_create(actor=None, session=past, participant=people[name]) for name in PAST_ATTENDEES
    }
    for name, registration in registrations.items():
        if name != ABSENT:
            s.attendance_mark(actor=carmen, registration=registration, present=True)
    s.attendance_adjust(
        actor=carmen, registration=registrations[LATE], arrived_at=past.starts_at + datetime.timedelta(minutes=45)
    )
    questions = {q.key: q for q in QuestionBankItem.objects.filter(owner__isnull=True, key__in=SURVEY_KEYS)}
    if len(questions) == len(SURVEY_KEYS):
        survey = s.survey_create(actor=carmen, session=past, questions=[questions[key] for key in SURVEY_KEYS])
        items = list(survey.items.order_by("position"))
        attendees = [name for name in PAST_ATTENDEES if name != ABSENT]
        for name, values in zip(attendees, SURVEY_ANSWERS, strict=False):
            s.survey_respond(
                actor=people[name], survey=survey, answers={i.pk: v for i, v in zip(items, values, strict=True)}
            )
    review = s.review_start(actor=carmen, session=past)
    s.review_update(
        actor=carmen,
        review=review,
        actual="Planning ran 20 minutes long; the rehearsal round was cut to one turn per pair.",
        why_different="The model lesson video took longer to set up than planned, and pairs needed more time to choose a text.",
        lessons="Bring texts pre-chosen by grade band; test the video before the day.",
    )
    s.review_point_add(
        actor=carmen, review=review, kind="sustain", text="Live model lesson before planning", responsible=carmen
    )
    s.review_point_add(
        actor=carmen,
        review=review,
        kind="improve",
        text="Pre-select texts by grade band",
        responsible=jonah,
        due_on=next_day - datetime.timedelta(days=3),
    )
    s.commitment_create(
        actor=people["Maria Delgado"],
        session=past,
        text="Plan two turn-and-talk stops into every read-aloud this week.",
        shared=True,
    )
    s.commitment_create(actor=people["Daniel Okafor"], session=past, text="Post the sentence stems and use them daily.")
    s.commitment_create(
        actor=people["Isabel Fuentes"], session=past, text="Try the thumbs check before moving on.", shared=True
    )
    s.certificate_issue_all(actor=carmen, cohort=cohort)

    # Next week: full, with people waiting and one registration waiting for Kestrel Lake's approval.
    for name in NEXT_WEEK_BLUESTEM:
        s.registration_create(actor=people[name], session=upcoming)
    s.registration_bulk_create(
        actor=kestrel_admin, session=upcoming, participants=[people[name] for name in NEXT_WEEK_KESTREL]
    )
    for name in NEXT_WEEK_WAITING:  # the session is full: they wait
        s.registration_create(actor=people[name], session=upcoming)
    s.registration_create(actor=people[NEXT_WEEK_PENDING], session=upcoming)
    for name in LATER:
        s.registration_create(actor=people[name], session=later)

    # Bluestem's own program, facilitated by its coach.
    induction = s.program_create(
        actor=bluestem_admin,
        owner=bluestem,
        title="New-teacher induction",
        summary="Monthly after-school sessions for teachers in their first two years.",
        outcome_reactions="New teachers leave each session with one thing to try the next day.",
        completion_percent=100,
    )
    s.program_publish(actor=bluestem_admin, program=induction)
    induction_cohort = s.cohort_create(
        actor=bluestem_admin,
        program=induction,
        name="First-year teachers 2026-27",
        facilitators=[people[BLUESTEM_COACH]],
    )
    routines_day = _weekday(today + datetime.timedelta(days=9))
    routines = s.session_create(
        actor=bluestem_admin,
        cohort=induction_cohort,
        title="Routines for the first ten minutes",
        starts_at=_local(routines_day, 16, 0, bluestem.timezone),
        ends_at=_local(routines_day, 17, 30, bluestem.timezone),
        location="Bluestem ISD Administration Building, Board Room",
        capacity=25,
        objectives="Design a do-now routine\nPractise the entry greeting",
    )
    for name in ["Emily Thornton", "Hoang Nguyen", "Samuel Yazzie", "Hannah Lindqvist"]:
        s.registration_create(actor=people[name], session=routines)


def _weekday(day: datetime.date) -> datetime.date:
    """PD days fall on school days: a Saturday or Sunday moves to the Monday after."""
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
