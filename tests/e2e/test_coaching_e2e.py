"""A coaching cycle in a real browser, as the coach and as the teacher, each in their own browser.

intake → goal → a session on the See it / Name it / Do it screen → an action step agreed
→ practised → used in class → a follow-up observation → mastered. Every step is done
through the pages a person would click; each milestone checks what the page shows and
what is stored. Also: the session screen on a phone, and a campus leader who is told
nothing about a relationship they are not part of.
"""

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from trellis.coaching import models as cm
from trellis.coaching import services as cs
from trellis.frameworks.models import ActionStep, FrameworkNode, ScaleLevel
from trellis.observations import models as om
from trellis.observations import services as observing
from trellis.observations.selectors import default_framework, plan_frameworks

pytestmark = pytest.mark.e2e

MODEL_NAME = "See it, name it, do it"


# Data the test starts from, built through the services ----------------------------------------------------------------


def starter_version(world):
    return default_framework(plan_frameworks(world.coach, {world.district.pk}), world.district.pk).current_version


def node(version, code) -> FrameworkNode:
    return FrameworkNode.objects.get(version=version, code=code)


def wait_time_step() -> ActionStep:
    return ActionStep.objects.get(library__key="open-action-steps", library__district=None, code="T1")


def see_name_do() -> cm.Protocol:
    return cm.Protocol.objects.get(district=None, key="see-name-do")


def _notes(version, notes) -> list[dict]:
    return [
        {
            "op": "note.add",
            "client_id": str(uuid.uuid4()),
            "text": text,
            "valence": valence,
            "nodes": [node(version, "3.2").pk],
        }
        for text, valence in notes
    ]


def observed(world, notes, *, lesson="Compare fractions with unlike denominators"):
    """A visit of the coach to the teacher with evidence notes, finished (a draft only the coach reads)."""
    version = starter_version(world)
    obs = observing.observation_plan(
        actor=world.coach,
        teacher=world.teacher,
        campus=world.campus,
        framework_version=version,
        lesson_objective=lesson,
    )
    observing.capture_sync(actor=world.coach, obs=obs, ops=_notes(version, notes))
    return observing.observation_finish(actor=world.coach, obs=om.Observation.objects.get(pk=obs.pk))


def shared_observation_with_a_proposed_step(world):
    """The visit the session starts from: shared with the teacher, proposing the library's wait-time step."""
    obs = observed(
        world,
        [
            ("Only 3 hands went up for the first question", "growth"),
            ("Teacher answered her own question after one second", "growth"),
            ("Greeted every student by name", "strength"),
        ],
    )
    observing.observation_set_focus(
        actor=world.coach,
        obs=obs,
        growth_node=node(obs.framework_version, "3.2"),
        growth_rationale="Few students answered; wait time was under a second.",
        proposed_step=wait_time_step(),
        strengths_summary="A warm start.",
    )
    return observing.observation_share(actor=world.coach, obs=obs)


def a_few_minutes_ago(world) -> datetime.datetime:
    """On the district's clock, five minutes ago, but today (so the session counts in today's month)."""
    now = timezone.now().astimezone(ZoneInfo(world.district.timezone))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(now - datetime.timedelta(minutes=5), midnight)


def watch_console(page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# The whole cycle ------------------------------------------------------------------------------------------------------


def test_a_coaching_cycle_from_intake_to_a_mastered_step(world, new_page):
    version = starter_version(world)
    visit = shared_observation_with_a_proposed_step(world)
    coach = new_page(world.coach)
    coach_errors = watch_console(coach)
    teacher = new_page(world.teacher)
    teacher_errors = watch_console(teacher)

    # 1. The coach proposes coaching under the "See it, name it, do it" model.
    coach.goto(reverse("coaching:relationship-create") + f"?teacher={world.teacher.pk}")
    expect(coach.get_by_role("checkbox", name="Ana Teacher")).to_be_checked()
    coach.get_by_role("radio", name=re.compile(rf"^{MODEL_NAME}")).check()
    coach.get_by_label("Where we meet").fill("Room 12")
    coach.get_by_role("button", name="Propose the agreement").click()
    expect(coach).to_have_url(re.compile(r"/coaching/relationships/\d+/$"))
    expect(coach.locator(".relationship-status")).to_contain_text("Waiting for consent")
    rel = cm.Relationship.objects.get()
    assert rel.status == "proposed" and rel.coach == world.coach and rel.cycle_model.key == "see-name-do"
    assert [m.teacher for m in rel.members.all()] == [world.teacher]

    # 2. The teacher reads the agreement and consents: the coaching is active, for both of them.
    teacher.goto(reverse("coaching:relationship-list"))
    teacher.get_by_role("link", name="Read and consent").click()
    expect(teacher.get_by_role("heading", name="Read and consent")).to_be_visible()
    teacher.get_by_role("button", name="I have read the agreement and consent").click()
    expect(teacher.get_by_text("You consented to the agreement, and the coaching is active.")).to_be_visible()
    expect(teacher.locator(".relationship-status")).to_contain_text("Active")
    rel.refresh_from_db()
    assert rel.status == "active" and rel.started_on == timezone.localdate()
    assert rel.members.get().consented_at is not None
    coach.reload()
    expect(coach.locator(".relationship-status")).to_contain_text("Active")

    # 3. The intake: the teacher places themselves on a few areas and says what they bring and want.
    components = list(FrameworkNode.objects.filter(version=version, depth=2).order_by("outline")[:3])
    levels = list(ScaleLevel.objects.filter(scale__version=version).order_by("position"))
    placed = {components[0]: levels[0], components[1]: levels[0], components[2]: levels[1]}
    teacher.get_by_role("link", name="Fill in the intake").click()
    expect(teacher.get_by_role("heading", name="Your intake")).to_be_visible()
    for area, level in placed.items():
        teacher.get_by_role("radio", name=f"{area.code} {area.display_title}: {level.label}", exact=True).check()
    teacher.get_by_label("What I want to work on").fill("Getting more students to answer questions")
    teacher.get_by_label("Strengths I bring").fill("Calm routines and a warm classroom")
    teacher.get_by_role("button", name="Save and choose the focus").click()

    # ...then confirms two of the suggested focus areas, each suggested for a reason.
    expect(teacher.get_by_role("heading", name="Choose where to start")).to_be_visible()
    suggestions = teacher.locator("ul.suggestions > li")
    expect(suggestions.first).to_be_visible()
    assert suggestions.count() >= 2
    for item in suggestions.all():
        expect(item.locator(".reasons li").first).to_be_visible()
    expect(teacher.locator("ul.suggestions .reasons")).to_contain_text(["You placed yourself at"])
    expect(
        teacher.locator("ul.suggestions .reasons").filter(has_text="The latest observation chose this area")
    ).to_have_count(1)
    for box in suggestions.get_by_role("checkbox").all():
        box.uncheck()
    chosen = [suggestions.nth(0), suggestions.nth(1)]
    chosen_ids = []
    for item in chosen:
        box = item.get_by_role("checkbox")
        box.check()
        chosen_ids.append(int(box.get_attribute("value")))
    teacher.get_by_role("button", name="Confirm the focus").click()
    expect(teacher.get_by_text("The focus is confirmed.")).to_be_visible()
    expect(teacher.locator(".focus-list li")).to_have_count(2)
    intake = cm.Intake.objects.get(relationship=rel, teacher=world.teacher)
    assert intake.confirmed_at is not None and "more students" in intake.interests
    assert sorted(intake.focus_nodes.values_list("pk", flat=True)) == sorted(chosen_ids)
    assert {(p.node_id, p.level_id) for p in intake.placements.all()} == {(n.pk, lv.pk) for n, lv in placed.items()}

    # 4. A goal with a measure, a baseline and a target; started; a first data point on the chart and in the table.
    teacher.get_by_role("link", name="Set a goal").click()
    expect(teacher.get_by_role("heading", name="Set a goal")).to_be_visible()
    teacher.get_by_role("textbox", name="Goal:", exact=True).fill("More students answer aloud in discussions.")
    teacher.get_by_label("What we measure").fill("Students who answer aloud")
    teacher.get_by_label("Unit").fill("% of students")
    teacher.get_by_label("Baseline (where things stand now)").fill("20")
    teacher.get_by_label("Target:", exact=True).fill("60")
    teacher.get_by_label("How it is collected").fill("Tally during the Friday discussion")
    teacher.get_by_role("button", name="Save as a draft").click()
    expect(teacher.get_by_role("heading", name="More students answer aloud in discussions.")).to_be_visible()
    teacher.get_by_role("link", name="Start the goal").click()
    expect(teacher.get_by_role("heading", name="Start working toward this goal?")).to_be_visible()
    teacher.get_by_role("button", name="Start the goal").click()
    expect(teacher.get_by_text("The goal is active. Record data as you collect it.")).to_be_visible()
    data_form = teacher.locator("form.data-form")
    data_form.get_by_label("Value").fill("35")
    data_form.get_by_label("Where the number comes from").select_option(label="Student work")
    data_form.get_by_role("button", name="Record").click()
    expect(teacher.get_by_text("The data point is recorded.")).to_be_visible()
    chart = teacher.locator("figure.chart img")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("alt", re.compile("Students who answer aloud"))
    expect(chart).to_have_attribute("src", re.compile(r"^data:image/"))
    table = teacher.locator(".chart-with-table table")
    expect(table.locator("tbody tr").filter(has_text="35")).to_have_count(1)
    expect(table.locator("tbody tr").filter(has_text="Target")).to_contain_text("60")
    goal = cm.Goal.objects.get()
    assert goal.status == "active" and goal.relationship == rel and goal.teacher == world.teacher
    assert (goal.baseline, goal.target) == (20, 60)
    point = goal.data_points.get()
    assert point.value == 35 and point.source == "student_work" and point.recorded_on == timezone.localdate()

    # 5. The coach books a session that starts now, on the See it / Name it / Do it protocol, and opens it.
    coach.goto(reverse("coaching:relationship-detail", args=[rel.pk]))
    coach.get_by_role("link", name="Add a session").click()
    start = a_few_minutes_ago(world)
    coach.get_by_label("Date:", exact=True).fill(start.strftime("%Y-%m-%d"))
    coach.get_by_label("Time:", exact=True).fill(start.strftime("%H:%M"))
    coach.get_by_label("Minutes:", exact=True).fill("30")
    coach.get_by_label("Meeting protocol").select_option(str(see_name_do().pk))
    coach.get_by_role("button", name="Book the session").click()
    expect(coach.get_by_text("The session is recorded. Open it to write the notes.")).to_be_visible()
    session = cm.CoachingSession.objects.get()
    assert session.relationship == rel and session.protocol.key == "see-name-do" and session.status == "scheduled"
    coach.locator("ul.sessions").get_by_role("link").first.click()
    expect(coach.get_by_role("heading", name="Session with Ana Teacher")).to_be_visible()

    # The protocol's steps, and the timer.
    labels = coach.locator(".session-step .step-label")
    expect(labels).to_have_text(["Start with a strength", "See it", "Name it", "Do it", "Set the follow-up"])
    timer = coach.locator("#session-timer")
    expect(timer).to_be_visible()
    expect(coach.locator("#timer-step-label")).to_have_text("Start with a strength")
    toggle = coach.locator("#timer-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("Pause")
    expect(coach.locator("#timer-total")).not_to_have_text("0:00", timeout=5_000)
    coach.locator("#timer-next").click()
    expect(coach.locator("#timer-step-label")).to_have_text("See it")

    # Notes for "See it" save as the coach types, and are there after a reload.
    see_notes = coach.get_by_label("Notes: See it")
    see_notes.fill("Watched the model clip: the teacher counts to three before calling on anyone.")
    expect(coach.locator("#save-see")).to_contain_text("Saved at", timeout=10_000)
    session.refresh_from_db()
    assert session.step_notes["see"].startswith("Watched the model clip")
    coach.reload()
    expect(coach.get_by_label("Notes: See it")).to_have_value(
        "Watched the model clip: the teacher counts to three before calling on anyone."
    )

    # "Name it": the latest observation's evidence, and its proposed step, named as the teacher's action step.
    name_it = coach.locator("#step-name")
    expect(name_it).to_contain_text("Only 3 hands went up for the first question")
    expect(name_it).to_contain_text("Greeted every student by name")
    expect(name_it.locator(".proposed-step")).to_have_text(wait_time_step().title)
    name_it.get_by_role("button", name=re.compile("^Name this step")).click()
    expect(coach.get_by_text("is proposed to Ana Teacher, who agrees it with a follow-up date.")).to_be_visible()
    expect(coach.locator("#step-name")).to_contain_text("Named as an action step:")
    step = cm.CoachingStep.objects.get()
    assert step.state == "proposed" and step.source_observation == visit and step.relationship == rel
    assert step.library_step == wait_time_step() and step.title == wait_time_step().title
    assert step.node == node(version, "3.2")

    # 6. The teacher agrees the step (with its follow-up date) on their own screen.
    follow_up_by = timezone.localdate() + datetime.timedelta(days=5)
    teacher.goto(reverse("coaching:my-growth"))
    teacher.locator("#steps-heading + ul").get_by_role("link", name=step.title).click()
    expect(teacher.get_by_role("heading", name="Your coach proposed this step")).to_be_visible()
    teacher.get_by_label("Follow-up by").fill(follow_up_by.isoformat())
    teacher.get_by_role("button", name="Agree the step").click()
    expect(teacher.get_by_text("The step is agreed. Follow-up is due on")).to_be_visible()
    expect(teacher.locator("h1 + p .step-state")).to_have_text("Agreed")
    step.refresh_from_db()
    assert step.state == "agreed" and step.follow_up_due == follow_up_by and step.agreed_at is not None

    # "Do it": the coach records a practice round, then marks the session held.
    coach.reload()
    do_it = coach.locator("#step-do")
    do_it.get_by_role("radio", name="Got it").check()
    do_it.get_by_label("What was rehearsed").fill("Asking the opening question, then counting to three")
    do_it.get_by_label("Feedback").fill("Good pause; look around the room while you wait.")
    do_it.get_by_role("button", name="Record the round").click()
    expect(coach.get_by_text("Round 1 is recorded: got it.")).to_be_visible()
    expect(coach.locator("#step-do .rounds li")).to_contain_text(["Asking the opening question"])
    round_ = cm.PracticeRound.objects.get()
    assert round_.step == step and round_.session == session and round_.quality == "got_it"
    step.refresh_from_db()
    assert step.state == "practising"
    coach.get_by_label("Next steps").fill("Use wait time in Thursday's discussion.")
    coach.get_by_role("button", name="Mark session held").click()
    expect(coach.get_by_text("The session is recorded as held.")).to_be_visible()
    session.refresh_from_db()
    assert session.status == "held" and session.held_at and session.next_steps.startswith("Use wait time")
    assert session.step_notes["see"].startswith("Watched the model clip")

    # 7. The teacher uses the step in class.
    teacher.reload()
    teacher.get_by_role("button", name="I'm using it in class").click()
    expect(teacher.get_by_text("Noted: the step is in use in class.")).to_be_visible()
    expect(teacher.locator("h1 + p .step-state")).to_have_text("Using it in class")
    step.refresh_from_db()
    assert step.state == "implementing"

    # 8. A short follow-up visit; the coach links it, ticking the note that shows the look-fors.
    follow_up = observed(
        world,
        [
            ("Waited three seconds; eleven hands went up", "strength"),
            ("Bell rang at 9:05", "neutral"),
        ],
        lesson="Compare decimals",
    )
    coach.goto(reverse("coaching:step-detail", args=[step.pk]))
    coach.get_by_role("link", name="Record the follow-up").click()
    expect(coach.get_by_role("heading", name="Record the follow-up")).to_be_visible()
    coach.get_by_role("checkbox", name=re.compile("Waited three seconds")).check()
    coach.get_by_role("button", name="Link the follow-up").click()
    expect(coach.get_by_text("The follow-up is linked.")).to_be_visible()
    expect(coach.locator(".evidence-notes")).to_have_text("Waited three seconds; eleven hands went up")
    step.refresh_from_db()
    assert step.state == "follow_up" and step.follow_up_observation == follow_up
    assert [n.text for n in step.mastery_evidence.all()] == ["Waited three seconds; eleven hands went up"]

    # 9. The teacher marks it mastered; it moves to the mastered steps on their growth page.
    teacher.reload()
    teacher.get_by_role("link", name="Mark mastered").click()
    expect(teacher.get_by_role("heading", name="Mark this step mastered?")).to_be_visible()
    teacher.get_by_label("What showed mastery (optional)").fill("Eleven hands, three times in a row.")
    teacher.get_by_role("button", name="Mark mastered").click()
    expect(teacher.get_by_text("Mastered. Well done!")).to_be_visible()
    step.refresh_from_db()
    assert step.state == "mastered" and step.mastered_at and step.mastery_note == "Eleven hands, three times in a row."
    teacher.goto(reverse("coaching:my-growth"))
    mastered = teacher.locator("section[aria-labelledby=mastered-heading] tbody tr")
    expect(mastered).to_have_count(1)
    expect(mastered).to_contain_text(step.title)
    expect(teacher.locator("section[aria-labelledby=steps-heading]")).not_to_contain_text(step.title)

    # 10. The coach's caseload: the teacher, and no overdue follow-up.
    coach.goto(reverse("coaching:caseload"))
    row = coach.locator("table.caseload tbody tr").filter(has_text="Ana Teacher")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Relationship (active)")
    expect(row.get_by_text("Follow-up overdue")).to_have_count(0)
    expect(row).not_to_have_class(re.compile("is-overdue"))
    expect(row.locator("td[data-label='Current action step']")).to_have_text("none")
    expect(row.locator("td[data-label^='Sessions in']")).to_have_text("1 of 1 held")

    assert not coach_errors, coach_errors
    assert not teacher_errors, teacher_errors


# The session screen on a phone ----------------------------------------------------------------------------------------


def _session_now(world):
    rel = cs.relationship_create(
        actor=world.coach,
        teachers=[world.teacher],
        cycle_model=cm.CycleModel.objects.get(district=None, key="see-name-do"),
    )
    rel = cs.relationship_consent(actor=world.teacher, relationship=rel)
    return cs.session_schedule(
        actor=world.coach,
        relationship=rel,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        protocol=see_name_do(),
    )


def test_the_session_screen_on_a_phone_shows_one_step_at_a_time(world, new_page):
    shared_observation_with_a_proposed_step(world)
    session = _session_now(world)
    page = new_page(world.coach, viewport=PHONE)
    errors = watch_console(page)
    page.goto(reverse("coaching:session-run", args=[session.pk]))
    expect(page.locator("#session-timer")).to_be_visible()
    bodies = page.locator(".session-step-body")
    expect(bodies).to_have_count(5)
    expect(bodies.locator("visible=true")).to_have_count(1)
    expect(page.locator("#step-praise-body")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^3\. Name it")).click()
    expect(page.locator("#step-name-body")).to_be_visible()
    expect(page.locator("#step-praise-body")).to_be_hidden()
    expect(bodies.locator("visible=true")).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile(r"^3\. Name it"))).to_have_attribute("aria-expanded", "true")
    page.locator("#step-name").get_by_role("button", name="Next step").click()
    expect(page.locator("#step-do-body")).to_be_visible()
    expect(bodies.locator("visible=true")).to_have_count(1)
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the session screen is {overflow}px wider than the phone"
    assert not errors, errors


# The firewall ---------------------------------------------------------------------------------------------------------


def test_a_campus_leader_gets_not_found_for_a_relationship_they_are_not_in(world, new_page):
    session = _session_now(world)
    rel = session.relationship
    page = new_page(world.campus_leader)
    response = page.goto(reverse("coaching:relationship-detail", args=[rel.pk]))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Ana Teacher")
    for url in (
        reverse("coaching:session-run", args=[session.pk]),
        reverse("coaching:session-ics", args=[session.pk]),
        reverse("coaching:intake", args=[rel.pk, world.teacher.pk]),
    ):
        answer = page.request.get(url)
        assert answer.status == 404, f"{url}: {answer.status}"
        assert "BEGIN:VCALENDAR" not in answer.text()
