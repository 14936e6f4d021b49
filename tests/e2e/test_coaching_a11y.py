"""Every coaching page passes an axe scan (WCAG 2.1 A and AA) at desktop width, with no console or CSP error.

One test per page, signed in as the persona who uses it. The data each page shows is
built through the services, and only what that page needs (``Cycle`` builds each
piece on first use), so the scans stay fast.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, PageSpec, describe
from tests.e2e.test_coaching_e2e import (
    observed,
    see_name_do,
    shared_observation_with_a_proposed_step,
    starter_version,
    watch_console,
)
from tests.personas import World
from trellis.coaching import models as cm
from trellis.coaching import services as cs
from trellis.frameworks.models import FrameworkNode, ScaleLevel

pytestmark = pytest.mark.e2e


class Cycle:
    """The coaching data of Ana Teacher and Cora Coach, each piece built through the services on first use."""

    def __init__(self, world: World):
        self.world = world
        self.coach, self.teacher = world.coach, world.teacher

    def _relationship(self):
        return cs.relationship_create(
            actor=self.coach,
            teachers=[self.teacher],
            cycle_model=cm.CycleModel.objects.get(district=None, key="see-name-do"),
            norms="We meet every other Tuesday and start on time.",
            sharing="Nothing is shared without the teacher's say-so.",
            location="Room 12",
        )

    @cached_property
    def proposed(self):
        """A relationship waiting for the teacher's consent (not to be used with ``rel``: one at a time)."""
        return self._relationship()

    @cached_property
    def rel(self):
        return cs.relationship_consent(actor=self.teacher, relationship=self._relationship())

    @cached_property
    def version(self):
        return starter_version(self.world)

    @cached_property
    def intake(self):
        components = list(FrameworkNode.objects.filter(version=self.version, depth=2).order_by("outline")[:3])
        levels = list(ScaleLevel.objects.filter(scale__version=self.version).order_by("position"))
        intake = cs.intake_record(
            actor=self.teacher,
            relationship=self.rel,
            teacher=self.teacher,
            framework_version=self.version,
            placements={components[0].pk: levels[0].pk, components[1].pk: levels[1].pk, components[2].pk: levels[0].pk},
            strengths="Calm routines",
            interests="Getting more students to answer questions",
            preferred_times="Tuesdays after 3:30 pm",
        )
        return cs.intake_confirm_focus(actor=self.teacher, intake=intake, nodes=components[:2])

    @cached_property
    def session(self):
        """A session on the See it / Name it / Do it protocol that started five minutes ago, with notes."""
        session = cs.session_schedule(
            actor=self.coach,
            relationship=self.rel,
            starts_at=timezone.now() - datetime.timedelta(minutes=5),
            protocol=see_name_do(),
        )
        return cs.session_save_notes(
            actor=self.coach, session=session, notes={"praise": "Warm greeting.", "see": "Watched the model clip."}
        )

    @cached_property
    def future_session(self):
        return cs.session_schedule(
            actor=self.coach,
            relationship=self.rel,
            starts_at=timezone.now() + datetime.timedelta(days=3),
            protocol=see_name_do(),
            location="Library",
        )

    @cached_property
    def visit(self):
        return shared_observation_with_a_proposed_step(self.world)

    @cached_property
    def step(self):
        """The visit's step, named in the session, agreed, and practised once: the step being practised."""
        step = cs.step_propose_from_observation(actor=self.coach, observation=self.visit, relationship=self.rel)
        step = cs.step_agree(
            actor=self.teacher, step=step, follow_up_due=timezone.localdate() + datetime.timedelta(days=7)
        )
        cs.practice_round_add(
            actor=self.coach,
            step=step,
            quality="close",
            scenario="The opening question",
            feedback="Look around the room while you wait.",
            session=self.session,
        )
        return cm.CoachingStep.objects.get(pk=step.pk)

    @cached_property
    def step_in_class(self):
        """The step in use in class, with a later visit to follow it up with."""
        step = cs.step_implement(actor=self.teacher, step=self.step)
        self.follow_up_visit = observed(
            self.world,
            [("Waited three seconds; eleven hands went up", "strength"), ("Bell rang at 9:05", "neutral")],
            lesson="Compare decimals",
        )
        return step

    @cached_property
    def mastered(self):
        step = self.step_in_class
        step = cs.step_follow_up(
            actor=self.coach,
            step=step,
            observation=self.follow_up_visit,
            evidence_notes=list(self.follow_up_visit.notes.filter(valence="strength")),
        )
        return cs.step_master(actor=self.teacher, step=step, note="Eleven hands, three times in a row.")

    def _goal(self, **fields):
        return cs.goal_create(
            actor=self.teacher,
            teacher=self.teacher,
            relationship=self.rel,
            statement="More students answer aloud in discussions.",
            measure="Students who answer aloud",
            unit="% of students",
            collection="Tally during the Friday discussion",
            **fields,
        )

    @cached_property
    def draft_goal(self):
        return self._goal(baseline=20)

    @cached_property
    def goal(self):
        """An active goal with two data points and a strategy tried."""
        goal = cs.goal_activate(actor=self.teacher, goal=self._goal(baseline=20, target=60))
        today = timezone.localdate()
        for days_ago, value in ((7, 30), (0, 45)):
            cs.data_point_add(
                actor=self.teacher,
                goal=goal,
                recorded_on=today - datetime.timedelta(days=days_ago),
                value=value,
                source="student_work",
                note="Friday discussion",
            )
        cs.trial_record(
            actor=self.teacher,
            goal=goal,
            strategy="Turn and talk before answering",
            tried_on=today,
            evidence="Nine more hands went up.",
            result="worked",
            reflection="Keep it; shorten the talk.",
        )
        return goal

    def build(self, *names) -> None:
        for name in names:
            getattr(self, name)

    def growth(self) -> None:
        """Everything the teacher's growth page shows: placements, goals, a mastered step, a proposed one."""
        self.build("intake", "goal", "draft_goal", "mastered", "future_session")
        cs.step_propose(actor=self.coach, teacher=self.teacher, title="Narrate what students do well")


@dataclass(frozen=True)
class CoachingPage(PageSpec):
    query: object = None  # (world, cycle) -> a query string, after the "?"

    def url(self, world, cycle) -> str:
        url = super().url(world, cycle)
        return f"{url}?{self.query(world, cycle)}" if self.query else url


def click(name, shows):
    """Press a button, then wait for what it shows (the state to scan)."""

    def then(page, world):
        page.get_by_role("button", name=name).click()
        expect(page.locator(shows)).to_be_visible()

    return then


def _built(*names):
    """No URL arguments; build these pieces of the cycle first."""

    def args(world, cycle):
        cycle.build(*names)
        return []

    return args


def _pk(name, *first):
    """The pk of one piece of the cycle, after building ``first``."""

    def args(world, cycle):
        cycle.build(*first)
        return [getattr(cycle, name).pk]

    return args


def _growth(world, cycle):
    cycle.growth()
    return []


PAGES = [
    # Relationships, consent, intake.
    CoachingPage("relationship list, coach", "coach", "coaching:relationship-list", _built("rel", "future_session")),
    CoachingPage("relationship list, teacher", "teacher", "coaching:relationship-list", _built("proposed")),
    CoachingPage(
        "new relationship",
        "coach",
        "coaching:relationship-create",
        query=lambda w, c: f"teacher={w.teacher.pk}",
    ),
    CoachingPage(
        "relationship, coach",
        "coach",
        "coaching:relationship-detail",
        _pk("rel", "intake", "step", "future_session"),
    ),
    CoachingPage(
        "relationship, teacher before consent", "teacher", "coaching:relationship-detail", lambda w, c: [c.proposed.pk]
    ),
    CoachingPage("edit the agreement", "coach", "coaching:relationship-edit", lambda w, c: [c.rel.pk]),
    CoachingPage("pause confirmation", "coach", "coaching:relationship-status", lambda w, c: [c.rel.pk, "pause"]),
    CoachingPage("intake", "teacher", "coaching:intake", lambda w, c: [c.rel.pk, w.teacher.pk]),
    CoachingPage("intake focus", "teacher", "coaching:intake-focus", lambda w, c: [c.intake.pk]),
    # Scheduling.
    CoachingPage("schedule", "coach", "coaching:schedule-create", lambda w, c: [c.rel.pk]),
    CoachingPage(
        "schedule, preview",
        "coach",
        "coaching:schedule-create",
        lambda w, c: [c.rel.pk],
        then=click("Preview the dates", "section.preview"),
    ),
    CoachingPage("one-off session", "coach", "coaching:session-create", lambda w, c: [c.rel.pk]),
    CoachingPage("move a session", "coach", "coaching:session-reschedule", lambda w, c: [c.future_session.pk]),
    CoachingPage("cancel a session", "teacher", "coaching:session-cancel", lambda w, c: [c.future_session.pk]),
    CoachingPage("coaching policy", "district_admin", "coaching:policy"),
    # The session screen.
    CoachingPage("session screen, coach", "coach", "coaching:session-run", _pk("session", "step")),
    CoachingPage("session screen, teacher", "teacher", "coaching:session-run", _pk("session", "step")),
    # Action steps.
    CoachingPage(
        "propose a step",
        "coach",
        "coaching:step-create",
        query=lambda w, c: f"teacher={w.teacher.pk}&observation={c.visit.pk}",
    ),
    CoachingPage("step, coach", "coach", "coaching:step-detail", lambda w, c: [c.step.pk]),
    CoachingPage("step, teacher", "teacher", "coaching:step-detail", lambda w, c: [c.step.pk]),
    CoachingPage("supersede confirmation", "coach", "coaching:step-action", lambda w, c: [c.step.pk, "supersede"]),
    CoachingPage("follow-up", "coach", "coaching:step-follow-up", _pk("step_in_class")),
    # Goals.
    CoachingPage("set a goal", "teacher", "coaching:goal-create"),
    CoachingPage("goal with data", "teacher", "coaching:goal-detail", lambda w, c: [c.goal.pk]),
    CoachingPage("edit a draft goal", "teacher", "coaching:goal-edit", lambda w, c: [c.draft_goal.pk]),
    CoachingPage("strategy tried", "teacher", "coaching:trial-create", lambda w, c: [c.goal.pk]),
    # Dashboards.
    CoachingPage("caseload", "coach", "coaching:caseload", _built("step", "future_session")),
    CoachingPage("my growth", "teacher", "coaching:my-growth", _growth),
    CoachingPage("my growth, empty", "teacher", "coaching:my-growth"),
    # The district's library, and the calendar.
    CoachingPage("library, district admin", "district_admin", "coaching:library"),
    CoachingPage("library, coach", "coach", "coaching:library"),
    CoachingPage("new cycle model", "district_admin", "coaching:cycle-model-create"),
    CoachingPage("new protocol", "district_admin", "coaching:protocol-create"),
    CoachingPage("calendar", "coach", "accounts:calendar", _built("future_session")),
    CoachingPage(
        "calendar, address made",
        "coach",
        "accounts:calendar",
        _built("future_session"),
        then=click("Make my calendar address", "#feed-url"),
    ),
]


@pytest.mark.parametrize("spec", PAGES, ids=[spec.label for spec in PAGES])
def test_coaching_page_has_no_accessibility_violations(spec, world, new_page):
    url = spec.url(world, Cycle(world))
    page = new_page(world.persona(spec.persona), viewport=DESKTOP)
    errors = watch_console(page)
    response = page.goto(url)
    assert response is not None and response.status == spec.status, (
        f"{spec.label} ({url}): expected HTTP {spec.status}, got {response and response.status}"
    )
    page.wait_for_load_state("load")
    if spec.then:
        spec.then(page, world)
        page.wait_for_load_state("load")
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe(spec, url, violations)
    assert not errors, f"{spec.label} ({url}): errors in the browser console:\n" + "\n".join(errors)
