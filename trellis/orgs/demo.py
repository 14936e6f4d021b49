"""The demo region loaded by ``manage.py seed_demo``.

One service center serves two districts. Bluestem ISD has granted the service
center access; Kestrel Lake Public Schools has not. Every person and place here
is invented. Everything is written through the services (``actor=None``: system
work), so the demo has the same audit trail and obeys the same rules as real data.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from trellis.accounts.models import EmployeeGroup
from trellis.coaching.services import note_create, share_create
from trellis.orgs.models import Organization, OrgKind, Role
from trellis.orgs.services import (
    campus_create,
    caseload_assign,
    grant_create,
    membership_create,
    organization_create,
    person_create,
)

DEFAULT_PASSWORD = "trellis-demo-2026"

SERVICE_CENTER = {"name": "Prairie Regional Service Center", "slug": "prairie-rsc", "domain": "prairie-rsc.example.net"}

# Each district: its campuses, and for each campus the people who teach or lead there.
DISTRICTS = [
    {
        "name": "Bluestem Independent School District",
        "slug": "bluestem-isd",
        "domain": "bluestem.example.org",
        "grants_access": True,
        "admin": "Renee Dubois",
        "coaches": [("Teresa Salazar", None), ("Nathaniel Greer", "Switchgrass Middle School")],
        "campuses": [
            {
                "name": "Bluestem Elementary",
                "code": "101-001",
                "leader": "Denise Howard",
                "teachers": [
                    "Maria Delgado",
                    "Jamal Whitaker",
                    "Priya Raman",
                    "Emily Thornton",
                    "Hoang Nguyen",
                    "Rosa Villanueva",
                    "Caleb Brooks",
                    "Aisha Mensah",
                ],
            },
            {
                "name": "Switchgrass Middle School",
                "code": "101-041",
                "leader": "Arturo Medina",
                "teachers": [
                    "Daniel Okafor",
                    "Lucía Ramírez",
                    "Megan Kowalski",
                    "Tyrell Jenkins",
                    "Mei-Ling Chow",
                    "Samuel Yazzie",
                    "Hannah Lindqvist",
                    "Omar Haddad",
                ],
            },
            {
                "name": "Bluestem High School",
                "code": "101-003",
                "leader": "Colleen Murphy",
                "teachers": [
                    "Grace Adeyemi",
                    "Victor Castillo",
                    "Rachel Stein",
                    "Kenji Watanabe",
                    "Destiny Harris",
                    "Andrés Morales",
                    "Leah Sorensen",
                    "Farah Qureshi",
                ],
            },
        ],
    },
    {
        "name": "Kestrel Lake Public Schools",
        "slug": "kestrel-lake",
        "domain": "kestrellake.example.org",
        "grants_access": False,
        "admin": "Michael Osei",
        "coaches": [("Imani Carter", None), ("Rafael Ortiz", "Heron Point Elementary")],
        "campuses": [
            {
                "name": "Heron Point Elementary",
                "code": "202-101",
                "leader": "Vanessa Thompson",
                "teachers": [
                    "Isabel Fuentes",
                    "Marcus Bell",
                    "Anjali Desai",
                    "Courtney Walsh",
                    "Thanh Tran",
                    "Naomi Begay",
                    "Patrick O'Connell",
                    "Yesenia Cruz",
                ],
            },
            {
                "name": "Kestrel Lake Middle School",
                "code": "202-041",
                "leader": "Ahmed Farouk",
                "teachers": [
                    "Jordan Pierce",
                    "Fatima Al-Sayed",
                    "Brian Novak",
                    "Keisha Robinson",
                    "Diego Herrera",
                    "Sofia Petrova",
                    "Ethan Cloud",
                    "Ming Zhao",
                ],
            },
            {
                "name": "Kestrel Lake High School",
                "code": "202-001",
                "leader": "Patricia Lam",
                "teachers": [
                    "Alicia Moreno",
                    "Gregory Baptiste",
                    "Nadia Rahman",
                    "Tomás Echeverría",
                    "Brittany Hale",
                    "Kwame Asante",
                    "Laura Jensen",
                    "Hyun-woo Park",
                ],
            },
        ],
    },
]

SC_ADMIN = "Beatriz Nakamura"
FACILITATORS = ["Carmen Vega", "Jonah Feldman"]

# Who supports whom. Coaches work across their district's campuses; the facilitators
# work only in Bluestem, the district that granted the service center access.
CASELOADS = {
    "Teresa Salazar": [
        "Maria Delgado",
        "Jamal Whitaker",
        "Priya Raman",
        "Hoang Nguyen",
        "Grace Adeyemi",
        "Victor Castillo",
        "Kenji Watanabe",
    ],
    "Nathaniel Greer": [
        "Daniel Okafor",
        "Lucía Ramírez",
        "Megan Kowalski",
        "Tyrell Jenkins",
        "Emily Thornton",
        "Leah Sorensen",
    ],
    "Imani Carter": [
        "Isabel Fuentes",
        "Marcus Bell",
        "Anjali Desai",
        "Jordan Pierce",
        "Fatima Al-Sayed",
        "Alicia Moreno",
        "Nadia Rahman",
    ],
    "Rafael Ortiz": ["Courtney Walsh", "Thanh Tran", "Naomi Begay", "Keisha Robinson", "Diego Herrera", "Kwame Asante"],
    "Carmen Vega": ["Maria Delgado", "Samuel Yazzie", "Hannah Lindqvist", "Rachel Stein"],
    "Jonah Feldman": ["Omar Haddad", "Destiny Harris", "Andrés Morales", "Farah Qureshi"],
}


@dataclass(frozen=True)
class DemoNote:
    coach: str
    teacher: str
    days_ago: int
    title: str
    body: str
    next_steps: str = ""
    share_with: str = ""


NOTES = [
    DemoNote(
        "Teresa Salazar",
        "Maria Delgado",
        24,
        "Planning small-group reading rotations",
        "Maria wants her guided-reading groups to run without her stopping every few minutes to settle the "
        "other stations. We sketched a rotation board together and talked through which centers students can "
        "already run on their own (partner reading, word work) and which still need modelling.",
        "Model the word-work station for two days before it runs independently.\n"
        "Try the rotation board with one group on Thursday; note how many interruptions happen.",
    ),
    DemoNote(
        "Teresa Salazar",
        "Maria Delgado",
        6,
        "Checking for understanding during read-alouds",
        "Observed the second half of a read-aloud. Students were engaged, but most questions went to the same "
        "four or five hands. We looked at turn-and-talk prompts that ask for evidence from the page, and at using "
        "thumbs up / sideways / down as a quick whole-class check before moving on.",
        "Plan two turn-and-talk stops into tomorrow's read-aloud.\nKeep a tally of which students answer aloud.",
        share_with="Denise Howard",
    ),
    DemoNote(
        "Carmen Vega",
        "Maria Delgado",
        12,
        "Induction check-in: first-quarter reflection",
        "Monthly check-in for the new-teacher cohort. Maria named parent communication as the part of the job "
        "that takes the most time. We compared a weekly newsletter with short positive notes home, and she "
        "chose to try two positive notes a day for a week.",
        "Bring two examples of notes home to the next cohort session.",
    ),
    DemoNote(
        "Teresa Salazar",
        "Grace Adeyemi",
        15,
        "Pacing of lab stations in biology",
        "Grace's lab on enzyme activity ran out of time before the analysis questions. We split the lab into a "
        "data-collection day and a discussion day, and drafted a timer-based station plan so groups rotate "
        "before they stall.",
        "Post the station timings on the board.\nCollect the analysis questions as an exit ticket on day two.",
    ),
    DemoNote(
        "Nathaniel Greer",
        "Daniel Okafor",
        10,
        "Launching math talk routines",
        "Daniel wants more students explaining their reasoning in seventh-grade math. We chose a number-talk "
        "routine for the first ten minutes of class and practised the sentence stems he will post: "
        '"I agree with ... because ...", "I solved it a different way ...".',
        "Run a number talk three times this week.\nRecord one student explanation per day to discuss next time.",
    ),
    DemoNote(
        "Nathaniel Greer",
        "Lucía Ramírez",
        3,
        "Science vocabulary for newcomer students",
        "Three students in Lucía's science class arrived this year with little English. We looked at a word "
        "wall with pictures and Spanish cognates, and at pairing each newcomer with a bilingual lab partner.",
        "Build the first word-wall section for the ecosystems unit.",
    ),
    DemoNote(
        "Imani Carter",
        "Isabel Fuentes",
        18,
        "Smoother transitions after recess",
        "The first fifteen minutes after recess are lost to settling in. Isabel will try a predictable re-entry "
        "routine: a calm-down song, a short journal prompt on the board, then the mini-lesson.",
        "Teach the routine explicitly on Monday and practise it twice.",
    ),
    DemoNote(
        "Rafael Ortiz",
        "Keisha Robinson",
        8,
        "Exit tickets for the ratios unit",
        "We designed a three-question exit ticket that separates students who can set up a ratio table from "
        "those who still confuse part-to-part with part-to-whole. Keisha will sort the tickets into three piles "
        "to plan the next day's small groups.",
        "Use the exit ticket on Tuesday and Thursday.\nBring the sorted piles to our next meeting.",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    persona: str
    email: str
    name: str
    where: str


def email_for(full_name: str, domain: str) -> str:
    """first.last@domain, with accents folded and punctuation dropped."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode().lower()
    first, _, last = ascii_name.partition(" ")
    return f"{_letters(first)}.{_letters(last)}@{domain}"


def _letters(part: str) -> str:
    return "".join(ch for ch in part if ch.isalnum())


def demo_logins() -> list[DemoLogin]:
    """One login per persona (two district admins: one whose district grants access, one whose does not)."""
    bluestem, kestrel = (d["domain"] for d in DISTRICTS)
    sc = SERVICE_CENTER["domain"]
    rows = [
        ("Teacher", "Maria Delgado", bluestem, "Bluestem Elementary"),
        ("Coach", "Teresa Salazar", bluestem, "Bluestem ISD"),
        ("Campus leader", "Denise Howard", bluestem, "Bluestem Elementary"),
        ("District admin", "Renee Dubois", bluestem, "Bluestem ISD"),
        ("District admin", "Michael Osei", kestrel, "Kestrel Lake (no service-center grant)"),
        ("Facilitator", "Carmen Vega", sc, SERVICE_CENTER["name"]),
        ("Service-center admin", SC_ADMIN, sc, SERVICE_CENTER["name"]),
    ]
    return [DemoLogin(persona, email_for(name, domain), name, where) for persona, name, domain, where in rows]


def demo_exists() -> bool:
    return Organization.objects.filter(kind=OrgKind.SERVICE_CENTER, parent=None, slug=SERVICE_CENTER["slug"]).exists()


def build_demo(password: str = DEFAULT_PASSWORD) -> bool:
    """Load the demo region unless it is there already. Returns whether it was created.

    All or nothing: one transaction, so an interrupted run leaves no half region
    behind and the next run starts again from scratch.
    """
    with transaction.atomic():
        if demo_exists():
            return False
        _build(password)
    return True


def _build(password: str) -> None:
    today = timezone.localdate()
    # Everyone has held their role since the start of the term; caseloads began two weeks later.
    term_start = today - datetime.timedelta(days=120)
    caseload_start = today - datetime.timedelta(days=100)

    people: dict[str, object] = {}

    def add_person(name, domain, group, *, district=None, service_center=None):
        people[name] = person_create(
            actor=None,
            email=email_for(name, domain),
            full_name=name,
            employee_group=group,
            district=district,
            service_center=service_center,
        )
        return people[name]

    def grant_role(name, organization, role):
        membership_create(actor=None, person=people[name], organization=organization, role=role, valid_from=term_start)

    sc = organization_create(
        actor=None, kind=OrgKind.SERVICE_CENTER, name=SERVICE_CENTER["name"], slug=SERVICE_CENTER["slug"]
    )
    sc_domain = SERVICE_CENTER["domain"]
    add_person(SC_ADMIN, sc_domain, EmployeeGroup.SERVICE_CENTER_STAFF, service_center=sc)
    grant_role(SC_ADMIN, sc, Role.SERVICE_CENTER_ADMIN)
    for name in FACILITATORS:
        add_person(name, sc_domain, EmployeeGroup.SERVICE_CENTER_STAFF, service_center=sc)
        grant_role(name, sc, Role.FACILITATOR)

    for spec in DISTRICTS:
        district = organization_create(
            actor=None, kind=OrgKind.DISTRICT, name=spec["name"], parent=sc, slug=spec["slug"]
        )
        domain = spec["domain"]
        campuses = {}
        for campus_spec in spec["campuses"]:
            campus = campus_create(actor=None, district=district, name=campus_spec["name"], code=campus_spec["code"])
            campuses[campus.name] = campus
            add_person(campus_spec["leader"], domain, EmployeeGroup.CAMPUS_LEADER, district=district)
            grant_role(campus_spec["leader"], campus, Role.CAMPUS_LEADER)
            for name in campus_spec["teachers"]:
                add_person(name, domain, EmployeeGroup.TEACHER, district=district)
                grant_role(name, campus, Role.TEACHER)
        add_person(spec["admin"], domain, EmployeeGroup.DISTRICT_STAFF, district=district)
        grant_role(spec["admin"], district, Role.DISTRICT_ADMIN)
        for name, campus_name in spec["coaches"]:
            add_person(name, domain, EmployeeGroup.COACH, district=district)
            # A coach is placed on one campus or on the whole district; either way their caseload spans campuses.
            grant_role(name, campuses[campus_name] if campus_name else district, Role.COACH)
        if spec["grants_access"]:
            grant_create(
                actor=None,
                district=district,
                service_center=sc,
                purpose="New-teacher induction and literacy coaching",
                valid_from=term_start,
            )

    for coach, teachers in CASELOADS.items():
        for teacher in teachers:
            caseload_assign(actor=None, coach=people[coach], teacher=people[teacher], valid_from=caseload_start)

    for spec in NOTES:
        note = note_create(
            actor=people[spec.coach],
            teacher=people[spec.teacher],
            title=spec.title,
            body=spec.body,
            next_steps=spec.next_steps,
            met_on=max(today - datetime.timedelta(days=spec.days_ago), caseload_start),
        )
        if spec.share_with:
            share_create(actor=people[spec.teacher], record=note, shared_with=people[spec.share_with])

    _observations(people, today)
    from trellis.coaching.demo import build_coaching_demo

    build_coaching_demo(people, today)
    from trellis.learning.demo import build_learning_demo

    build_learning_demo(people)

    # One password for every demo account. Hashing it once (rather than per person, which
    # takes a quarter of a second each) keeps `make run` quick; demo accounts only.
    get_user_model().objects.filter(pk__in=[p.pk for p in people.values()]).update(password=make_password(password))


def _observations(people, today) -> None:
    """One visit shared with its teacher, one waiting for review, and a check-in: the implementation-support loop."""
    import uuid

    from trellis.frameworks.models import ActionStep, Framework, FrameworkNode
    from trellis.frameworks.starter import starter_framework_identifier
    from trellis.observations import services as obs

    framework = Framework.objects.filter(
        case_identifier=starter_framework_identifier("open-instructional-practice")
    ).first()
    if framework is None:
        return
    version = framework.current_version
    node = {n.code: n for n in FrameworkNode.objects.filter(version=version)}
    step = {s.code: s for s in ActionStep.objects.filter(library__key="open-action-steps", library__district=None)}
    coach, teacher = people["Teresa Salazar"], people["Maria Delgado"]
    campus = teacher.memberships.first().organization

    def note(text, valence, *codes):
        return {
            "op": "note.add",
            "client_id": str(uuid.uuid4()),
            "text": text,
            "valence": valence,
            "nodes": [node[c].pk for c in codes],
        }

    shared = obs.observation_plan(
        actor=coach,
        teacher=teacher,
        kind="informal",
        campus=campus,
        subject="Reading",
        grade_band="3_5",
        class_name="Third-grade reading block",
        framework_version=version,
        focus_nodes=[node["3.2"], node["4.1"]],
        lesson_objective="Explain how a character changes across the chapter, citing two details.",
    )
    obs.capture_sync(
        actor=coach,
        obs=shared,
        ops=[
            note("Clear objective on the board and restated in student-friendly words.", "strength", "1.1"),
            note("Warm greeting at the door; students started the do-first task within a minute.", "strength", "2.2"),
            note("Asked 'Does everyone understand?' — no student responded.", "growth", "4.1"),
            note("Same four students answered every question; hands-up only.", "growth", "3.2"),
            note("Turn-and-talk lasted 40 seconds; most pairs did not get to the second detail.", "growth", "3.2"),
            {"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "Students who answered aloud"},
            {
                "op": "feedback.add",
                "client_id": str(uuid.uuid4()),
                "mode": "whisper",
                "note": "Try a quick thumbs check on the two details.",
            },
        ],
    )
    obs.observation_finish(actor=coach, obs=shared)
    obs.observation_set_focus(
        actor=coach,
        obs=shared,
        growth_node=node["3.2"],
        proposed_step=step.get("T1"),
        growth_rationale="Three growth notes on who gets to talk: widening participation is the step that unlocks the rest.",
        strengths_summary="A clear objective and a calm, quick start.",
    )
    obs.observation_share(actor=coach, obs=shared)
    obs.check_in_record(
        actor=coach,
        teacher=teacher,
        held_on=today - datetime.timedelta(days=3),
        priorities="More students talking about the text; checking understanding before moving on.",
        progress="Tried partner talk twice; wants a routine for choosing who shares.",
        alignment_notes="The next action step serves the campus priority on academic discussion.",
        next_check_in=today + datetime.timedelta(days=4),
    )
    draft = obs.observation_plan(
        actor=coach,
        teacher=people["Priya Raman"],
        kind="walkthrough",
        campus=campus,
        framework_version=version,
        lesson_objective="Solve two-step word problems with a bar model.",
    )
    obs.capture_sync(
        actor=coach,
        obs=draft,
        ops=[
            note("Bar models posted as an anchor chart.", "strength", "3.1"),
            note("Several students waited for help instead of starting.", "growth", "1.3"),
        ],
    )
    obs.observation_finish(actor=coach, obs=draft)


def demo_password_matches(password: str) -> bool:
    """Whether the demo accounts use ``password`` (they keep the one they were loaded with)."""
    login = demo_logins()[0]
    user = get_user_model().objects.filter(email=login.email).first()
    return user is not None and user.check_password(password)
