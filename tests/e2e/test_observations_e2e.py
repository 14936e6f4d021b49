"""A classroom visit in a real browser on a phone-sized screen, including a dropped connection.

(a) plan → live capture → review → the one growth area → share → the teacher signs
in, reads it and acknowledges with a reflection; (b) the network switched off
mid-visit: notes wait on the device and reach the server exactly once when it comes
back; (c) a reload while the server cannot be reached keeps the waiting notes, and a
lost answer does not store a note twice; (d) an axe scan of every observation page.
"""

import io
import json
import re
import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, PageSpec, describe
from tests.e2e.test_sign_in import sign_in
from trellis.frameworks.models import ActionStep, FrameworkNode
from trellis.observations import models as m
from trellis.observations import services as s
from trellis.observations.selectors import default_framework, plan_frameworks

pytestmark = pytest.mark.e2e

ALL_SAVED = "All notes saved."


def starter_version(world):
    return default_framework(plan_frameworks(world.coach, {world.district.pk}), world.district.pk).current_version


def component(version, code):
    return FrameworkNode.objects.get(version=version, code=code)


def planned(world, **fields):
    return s.observation_plan(
        actor=world.coach,
        teacher=world.teacher,
        campus=world.campus,
        framework_version=starter_version(world),
        **fields,
    )


def capture_page(world, new_page, obs):
    page = new_page(world.coach, viewport=PHONE)
    errors = watch_console(page)
    page.goto(reverse("observations:capture", args=[obs.pk]))
    expect(page.locator("#tagger")).to_be_visible()  # the script is running
    return page, errors


def watch_console(page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def type_note(page, text):
    field = page.get_by_label("Note", exact=True)
    field.fill(text)
    field.press("Enter")
    expect(field).to_have_value("")


def status(page):
    return page.locator("#capture-status")


def note_texts(obs) -> list[str]:
    return sorted(m.EvidenceNote.objects.filter(observation_id=obs.pk, deleted=False).values_list("text", flat=True))


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, format="PNG")
    return out.getvalue()


def test_a_visit_from_plan_to_the_teachers_acknowledgement(world, new_page):
    version = starter_version(world)
    wait_time = ActionStep.objects.filter(library__key="open-action-steps", code="T1").get()
    page = new_page(world.coach, viewport=PHONE)
    errors = watch_console(page)

    # Plan, then start the visit.
    page.goto(reverse("observations:create") + f"?teacher={world.teacher.pk}")
    page.locator("#id_class_name").fill("Period 3")
    page.get_by_label("Lesson objective").fill("Compare fractions with unlike denominators")
    page.get_by_label("3.2 Questions and Classroom Talk").check()
    page.get_by_label("Current action step").select_option(str(wait_time.pk))
    page.get_by_role("button", name="Start the visit").click()
    expect(page).to_have_url(re.compile(r"/observations/\d+/capture/$"))
    obs = m.Observation.objects.get()
    assert obs.state == "in_progress" and obs.focus_step == wait_time

    # Notes: a growth note tagged in one tap to the focus component, a strength, a neutral one.
    expect(status(page)).to_have_text(ALL_SAVED)
    page.locator("#note-form").get_by_role("radio", name="Growth").check()
    page.locator("#focus-chips").get_by_role("button", name="3.2 Questions and Classroom Talk").click()
    type_note(page, "Only 3 hands went up for the first question")
    page.locator("#note-form").get_by_role("radio", name="Growth").check()
    page.locator("#focus-chips").get_by_role("button", name="3.2 Questions and Classroom Talk").click()
    page.locator("#focus-chips").get_by_role("button", name=re.compile("Action step")).click()
    type_note(page, "Teacher answered her own question after one second")
    page.locator("#note-form").get_by_role("radio", name="Strength").check()
    page.locator("#all-chips-details > summary").click()
    page.locator("#all-chips").get_by_role("button", name="2.1 Belonging and Relationships").click()
    type_note(page, "Greeted every student by name")
    type_note(page, "Bell rang at 9:05")
    expect(page.locator("#note-list > li")).to_have_count(4)
    expect(status(page)).to_have_text(ALL_SAVED, timeout=10_000)

    # A tally, real-time feedback against the action step, a photo.
    page.get_by_label("Count something new").fill("Questions asked")
    page.get_by_role("button", name="Add counter").click()
    plus = page.get_by_role("button", name=re.compile("Add one to “Questions asked”"))
    plus.click()
    plus.click()
    plus.click()
    page.get_by_role("button", name=re.compile("Take one from “Questions asked”")).click()
    page.get_by_label("What you said or did (optional)").fill("Count to three before calling on someone")
    page.get_by_role("button", name="Whispered prompt").click()
    expect(page.locator("#feedback-status")).to_have_text("Recorded: Whispered prompt.")
    page.get_by_label("Photo or document").set_input_files(
        files=[{"name": "anchor-chart.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_label("Caption").fill("Anchor chart")
    page.get_by_role("button", name="Attach").click()
    expect(page.locator("#upload-status")).to_have_text("Attached: anchor-chart.png")
    expect(page.locator("#file-list img")).to_have_attribute("alt", "Anchor chart")
    expect(status(page)).to_have_text(ALL_SAVED, timeout=10_000)

    # Edit a note's kind after the fact.
    bell = page.locator("#note-list > li", has_text="Bell rang")
    bell.get_by_role("button", name=re.compile("^Edit")).click()
    editor = page.locator("#note-list .note-editor")
    expect(editor.get_by_label("Note text")).to_have_value("Bell rang at 9:05")
    editor.get_by_label("Strength").check()
    editor.get_by_role("button", name="Save").click()
    expect(status(page)).to_have_text(ALL_SAVED, timeout=10_000)
    assert m.EvidenceNote.objects.get(text="Bell rang at 9:05").valence == "strength"

    # Finish, then review: the suggestion is ranked from the evidence, with its reasons.
    page.get_by_role("button", name="Finish the visit").click()
    expect(page).to_have_url(re.compile(r"/review/$"))
    suggestion = page.locator(".suggestions li").first
    expect(suggestion).to_contain_text("3.2 Questions and Classroom Talk")
    expect(suggestion).to_contain_text("2 growth notes · mid-sequence · matches the focus")
    suggestion.get_by_role("radio").check()
    page.get_by_label("Why this area").fill("Few students answered; wait time was under a second.")
    page.get_by_label("Proposed action step from the library").select_option(str(wait_time.pk))
    page.get_by_label("Strengths to keep").fill("Warm greeting at the door.")
    page.get_by_role("button", name="Save and share with Ana Teacher").click()
    expect(page.get_by_role("heading", name="Share this feedback with Ana Teacher?")).to_be_visible()
    page.get_by_role("button", name="Share with Ana Teacher").click()
    expect(page.get_by_text("Shared with Ana Teacher.")).to_be_visible()
    assert not errors, errors

    obs.refresh_from_db()
    assert obs.state == "shared"
    assert obs.growth_node == component(version, "3.2") and obs.proposed_step == wait_time
    assert note_texts(obs) == sorted(
        [
            "Bell rang at 9:05",
            "Greeted every student by name",
            "Only 3 hands went up for the first question",
            "Teacher answered her own question after one second",
        ]
    )
    tagged = m.EvidenceNote.objects.get(text__startswith="Teacher answered")
    assert tagged.step == wait_time and list(tagged.nodes.values_list("code", flat=True)) == ["3.2"]
    assert sum(m.TallyMark.objects.values_list("delta", flat=True)) == 2
    assert m.FeedbackEvent.objects.get().step == wait_time
    assert m.EvidenceFile.objects.get().caption == "Anchor chart"

    # The teacher signs in, finds the notice, reads and acknowledges with a reflection.
    teacher = new_page(viewport=PHONE)
    teacher_errors = watch_console(teacher)
    sign_in(teacher, world.teacher.email)
    teacher.goto(reverse("observations:notices"))
    teacher.get_by_role("link", name=re.compile("shared feedback from a classroom visit")).click()
    expect(teacher.get_by_role("heading", name="Feedback from your classroom visit")).to_be_visible()
    expect(teacher.get_by_text("3.2 Questions and Classroom Talk").first).to_be_visible()
    expect(teacher.get_by_text("Few students answered; wait time was under a second.")).to_be_visible()
    expect(teacher.get_by_text("Only 3 hands went up for the first question")).to_be_visible()
    teacher.get_by_role("textbox", name="Your reflection").fill("I will count to three before I call on someone.")
    teacher.get_by_role("button", name="I have read it").click()
    expect(teacher.get_by_text("Your coach sees that you read the feedback.")).to_be_visible()
    assert not teacher_errors, teacher_errors
    obs.refresh_from_db()
    assert obs.acknowledged_at and obs.teacher_reflection == "I will count to three before I call on someone."
    assert m.Notice.objects.get(recipient=world.teacher).read_at is not None


def test_notes_taken_offline_reach_the_server_exactly_once(world, new_page):
    obs = planned(world)
    page, errors = capture_page(world, new_page, obs)
    type_note(page, "Before the drop")
    expect(status(page)).to_have_text(ALL_SAVED, timeout=10_000)

    page.context.set_offline(True)
    offline = ["Students pair up", "Teacher circulates", "Two groups off task"]
    for text in offline:
        type_note(page, text)
    expect(status(page)).to_have_text("3 notes waiting for a connection — they are kept on this device.")
    expect(status(page)).to_have_attribute("data-state", "waiting")
    expect(page.locator("#note-list .badge-warn")).to_have_count(3)
    key = f"trellis.capture.{world.coach.pk}.{obs.pk}"
    stored = json.loads(page.evaluate(f"window.localStorage.getItem('{key}')"))
    assert [op["text"] for op in stored["ops"]] == offline  # in order, on the device
    assert note_texts(obs) == ["Before the drop"]

    page.context.set_offline(False)
    expect(status(page)).to_have_text(ALL_SAVED, timeout=15_000)
    assert note_texts(obs) == sorted(["Before the drop", *offline])
    assert page.evaluate(f"window.localStorage.getItem('{key}')") is None
    # In the order they were typed.
    ordered = list(m.EvidenceNote.objects.filter(observation=obs).values_list("text", flat=True))
    assert ordered == ["Before the drop", *offline]
    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors


def test_a_reload_while_the_server_is_unreachable_keeps_the_waiting_notes(world, new_page):
    obs = planned(world)
    page, _errors = capture_page(world, new_page, obs)
    page.route("**/sync/", lambda route: route.abort())
    type_note(page, "Kept across a reload")
    type_note(page, "And this one too")
    expect(status(page)).to_have_text(
        "2 notes waiting for a connection — they are kept on this device.", timeout=10_000
    )
    page.reload()
    expect(page.locator("#note-list")).to_contain_text("Kept across a reload")
    expect(page.locator("#note-list")).to_contain_text("And this one too")
    expect(page.locator("#note-list .badge-warn")).to_have_count(2)
    assert note_texts(obs) == []
    page.unroute("**/sync/")
    expect(status(page)).to_have_text(ALL_SAVED, timeout=20_000)
    assert note_texts(obs) == ["And this one too", "Kept across a reload"]


def test_a_lost_answer_does_not_store_a_note_twice(world, new_page):
    obs = planned(world)
    page, _errors = capture_page(world, new_page, obs)
    answered = []

    def lose_the_first_answer(route):
        if not answered:
            answered.append(route.fetch().status)  # the server stores the note...
            route.abort()  # ...but the phone never hears back, so it sends the note again
        else:
            route.continue_()

    page.route("**/sync/", lose_the_first_answer)
    type_note(page, "Sent twice, stored once")
    expect(status(page)).to_have_text(ALL_SAVED, timeout=20_000)
    assert answered == [200]
    assert note_texts(obs) == ["Sent twice, stored once"]
    expect(page.locator("#note-list > li")).to_have_count(1)


def test_an_edit_made_on_another_device_first_is_kept_and_both_versions_shown(world, new_page):
    obs = planned(world)
    page, errors = capture_page(world, new_page, obs)
    type_note(page, "Original words")
    expect(status(page)).to_have_text(ALL_SAVED, timeout=10_000)
    note = m.EvidenceNote.objects.get(observation=obs)
    # The tablet edits the note first.
    s.capture_sync(
        actor=world.coach,
        obs=obs,
        ops=[{"op": "note.edit", "client_id": str(note.client_id), "base_revision": 1, "text": "Edited on the tablet"}],
    )
    page.locator("#note-list > li").first.get_by_role("button", name=re.compile("^Edit")).click()
    editor = page.locator("#note-list .note-editor")
    editor.get_by_label("Note text").fill("Edited on the phone")
    editor.get_by_role("button", name="Save").click()
    item = page.locator("#note-list > li").first
    expect(item.locator(".note-problem")).to_contain_text("Yours was: “Edited on the phone”", timeout=10_000)
    expect(item.locator(".note-text")).to_have_text("Edited on the tablet")
    expect(status(page)).to_have_text(ALL_SAVED)
    note.refresh_from_db()
    assert note.text == "Edited on the tablet" and note.revision == 2
    assert not errors, errors


def test_finish_waits_for_the_queue(world, new_page):
    obs = planned(world)
    page, _errors = capture_page(world, new_page, obs)
    page.context.set_offline(True)
    type_note(page, "Written with no signal")
    page.get_by_role("button", name="Finish the visit").click()
    expect(page.locator("#finish-status")).to_contain_text("Some changes are still waiting")
    assert m.Observation.objects.get(pk=obs.pk).state == "planned"  # nothing reached the server
    page.context.set_offline(False)
    page.get_by_role("button", name="Finish the visit").click()
    expect(page).to_have_url(re.compile(r"/review/$"), timeout=15_000)
    assert note_texts(obs) == ["Written with no signal"]


# Accessibility ----------------------------------------------------------------------------------------------------------


def _visit(world):
    """A shared observation with evidence of every kind, and a check-in."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    version = starter_version(world)
    obs = planned(world, lesson_objective="Compare fractions")
    obs.focus_nodes.set([component(version, "3.2")])
    s.capture_sync(
        actor=world.coach,
        obs=obs,
        ops=[
            {
                "op": "note.add",
                "client_id": str(uuid.uuid4()),
                "text": "Only 3 hands",
                "valence": "growth",
                "nodes": [component(version, "3.2").pk],
            },
            {"op": "note.add", "client_id": str(uuid.uuid4()), "text": "Warm greeting", "valence": "strength"},
            {"op": "tally.add", "client_id": str(uuid.uuid4()), "label": "Questions asked"},
            {"op": "feedback.add", "client_id": str(uuid.uuid4()), "mode": "cue"},
        ],
    )
    s.evidence_file_add(
        actor=world.coach, obs=obs, upload=SimpleUploadedFile("chart.png", png_bytes()), caption="Chart"
    )
    s.check_in_record(actor=world.coach, teacher=world.teacher, held_on=timezone.localdate(), priorities="Routines")
    return obs


def _share(obs, world):
    obs = s.observation_finish(actor=world.coach, obs=m.Observation.objects.get(pk=obs.pk))
    version = obs.framework_version
    s.observation_set_focus(
        actor=world.coach, obs=obs, growth_node=component(version, "3.2"), growth_rationale="Few voices"
    )
    return s.observation_share(actor=world.coach, obs=obs)


def _shared_no_args(world, obs):
    _share(obs, world)
    return []


def open_the_note_editor(page, world):
    page.locator("#note-list > li").first.get_by_role("button", name=re.compile("^Edit")).click()


PAGES = [
    PageSpec("observation list, coach", "coach", "observations:list"),
    PageSpec("observation list, teacher", "teacher", "observations:list"),
    PageSpec("observation list, campus leader", "campus_leader", path="/observations/?view=campus"),
    PageSpec("observation counts, district admin", "district_admin", "observations:list"),
    PageSpec("plan a visit", "coach", "observations:create"),
    PageSpec("live capture", "coach", "observations:capture", lambda w, obs: [obs.pk]),
    PageSpec(
        "live capture, note editor open",
        "coach",
        "observations:capture",
        lambda w, obs: [obs.pk],
        then=open_the_note_editor,
    ),
    PageSpec("review", "coach", "observations:review", lambda w, obs: [obs.pk]),
    PageSpec("share confirmation", "coach", "observations:share", lambda w, obs: [obs.pk]),
    PageSpec("cancel confirmation", "coach", "observations:cancel", lambda w, obs: [obs.pk]),
    PageSpec("edit the plan", "coach", "observations:edit", lambda w, obs: [obs.pk]),
    PageSpec("detail, observer", "coach", "observations:detail", lambda w, obs: [obs.pk]),
    PageSpec("detail, teacher", "teacher", "observations:detail", lambda w, obs: [_share(obs, w).pk]),
    PageSpec("detail, observer after sharing", "coach", "observations:detail", lambda w, obs: [_share(obs, w).pk]),
    PageSpec("check-ins", "coach", "observations:checkins"),
    PageSpec("record a check-in", "coach", "observations:checkin-create", lambda w, obs: [w.teacher.pk]),
    PageSpec("timeline, teacher", "teacher", "observations:timeline", lambda w, obs: [_share(obs, w).teacher_id]),
    PageSpec("timeline, coach", "coach", "observations:timeline", lambda w, obs: [w.teacher.pk]),
    PageSpec("notices", "teacher", "observations:notices", lambda w, obs: _shared_no_args(w, obs)),
]


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
@pytest.mark.parametrize("spec", PAGES, ids=[spec.label for spec in PAGES])
def test_observation_pages_have_no_accessibility_violations(spec, viewport, world, new_page):
    obs = _visit(world)
    url = spec.url(world, obs)
    page = new_page(world.persona(spec.persona), viewport=viewport)
    errors = watch_console(page)
    response = page.goto(url)
    assert response is not None and response.status == spec.status, f"{spec.label}: HTTP {response and response.status}"
    page.wait_for_load_state("load")
    if spec.then:
        spec.then(page, world)
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe(spec, url, violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{spec.label}: {overflow}px wider than the phone"
    assert not errors, f"{spec.label}: errors in the browser console:\n" + "\n".join(errors)
