"""Every program manager's and facilitator's page passes an axe scan (WCAG 2.1 A and AA), with no error
or Content Security Policy violation in the browser console.

The data is built once through the services (a cohort with a session held last week, one running
now with check-in open, and one next week) and every page is scanned in one test, as the persona
who uses it, so the scans stay fast. A failure lists every page's violations at once.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, PageSpec, describe
from trellis.learning import models as m
from trellis.learning import services as s

pytestmark = pytest.mark.e2e


def _session(world, cohort, *, start, title, capacity=None, actor=None):
    return s.session_create(
        actor=actor,
        cohort=cohort,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        location="Prairie RSC, Room B",
        capacity=capacity,
        agenda="9:00 Model lesson\n10:30 Planning",
        objectives="Plan two turn-and-talk stops\nWrite evidence prompts",
    )


def build(world) -> SimpleNamespace:
    program = s.program_create(
        actor=world.sc_admin,
        owner=world.service_center,
        title="Talk about texts",
        summary="Six days across the year.",
        outcome_reactions="Worth the day.",
        outcome_students="More students cite the text.",
    )
    s.program_publish(actor=world.sc_admin, program=program)
    cohort = s.cohort_create(
        actor=world.sc_admin, program=program, name="Regional cohort", facilitators=[world.facilitator]
    )
    now = timezone.now().replace(second=0, microsecond=0)
    held = _session(world, cohort, start=now - datetime.timedelta(days=7), title="Day 1")
    today = _session(world, cohort, start=now - datetime.timedelta(minutes=20), title="Day 2")
    upcoming = _session(
        world, cohort, start=now + datetime.timedelta(days=7), title="Day 3", capacity=2, actor=world.sc_admin
    )
    for session in (held, today):
        for person in (world.teacher, world.teacher_b, world.teacher_other_campus):
            registration = s.registration_create(actor=None, session=session, participant=person)
            if session is held and person is not world.teacher_other_campus:
                s.attendance_mark(actor=None, registration=registration)
    for person in (world.teacher, world.teacher_other_campus, world.coach):  # the last one waits
        s.registration_create(actor=person, session=upcoming)
    s.attendance_mark(actor=None, registration=m.Registration.objects.get(session=today, participant=world.teacher))
    s.session_open_checkin(actor=world.facilitator, session=today)
    keys = ["time-well-spent", "objectives-clear", "recommend", "most-useful"]
    found = {q.key: q for q in m.QuestionBankItem.objects.filter(owner__isnull=True, key__in=keys)}
    survey = s.survey_create(actor=world.facilitator, session=held, questions=[found[k] for k in keys])
    items = list(survey.items.order_by("position"))
    s.survey_respond(
        actor=world.teacher,
        survey=survey,
        answers={items[0].pk: 5, items[1].pk: 4, items[2].pk: "yes", items[3].pk: "The stems."},
    )
    s.survey_respond(actor=world.teacher_b, survey=survey, answers={items[0].pk: 3, items[1].pk: 4, items[2].pk: "no"})
    s.commitment_create(actor=world.teacher, session=held, text="Plan two stops a day.", shared=True)
    review = s.review_start(actor=world.facilitator, session=held)
    s.review_update(actor=world.facilitator, review=review, actual="Planning ran long.")
    s.review_point_add(
        actor=world.facilitator, review=review, kind="improve", text="Pre-select texts", responsible_name="Jo"
    )
    s.material_add(actor=world.facilitator, session=upcoming, title="Slides", url="https://example.org/slides")
    s.material_add(
        actor=world.facilitator,
        session=upcoming,
        title="Handout",
        upload=SimpleUploadedFile("handout.pdf", b"%PDF-1.4\n% handout\n", content_type="application/pdf"),
    )
    s.invitation_create(actor=world.sc_admin, cohort=cohort, people=[world.teacher_b])
    s.question_create(
        actor=world.sc_admin, owner=world.service_center, text="I tried it.", kind="yes_no", guskey_level=4
    )
    certificate = s.certificate_issue(actor=world.sc_admin, cohort=cohort, participant=world.teacher)
    return SimpleNamespace(
        program=program, cohort=cohort, held=held, today=today, upcoming=upcoming, certificate=certificate
    )


def submit_empty(button, shows=".form-errors"):
    """Send the form as it is, then wait for the errors it shows (the state to scan)."""

    def then(page, world):
        page.get_by_role("button", name=button).click()
        expect(page.locator(shows)).to_be_visible()

    return then


SC, FAC = "sc_admin", "facilitator"
PAGES = [
    PageSpec("programs and sessions, manager", SC, "learning:program-list"),
    PageSpec("programs and sessions, facilitator", FAC, "learning:program-list"),
    PageSpec("new program", SC, "learning:program-create"),
    PageSpec("new program, errors", SC, "learning:program-create", then=submit_empty("Create the program")),
    PageSpec("edit a program", SC, "learning:program-edit", lambda w, d: [d.program.pk]),
    PageSpec("archive a program", SC, "learning:program-action", lambda w, d: [d.program.pk, "archive"]),
    PageSpec("program overview", SC, "learning:program-overview", lambda w, d: [d.program.pk]),
    PageSpec("new cohort", SC, "learning:cohort-create", lambda w, d: [d.program.pk]),
    PageSpec("cohort, manager", SC, "learning:cohort-detail", lambda w, d: [d.cohort.pk]),
    PageSpec("cohort, facilitator", FAC, "learning:cohort-detail", lambda w, d: [d.cohort.pk]),
    PageSpec("edit a cohort", SC, "learning:cohort-edit", lambda w, d: [d.cohort.pk]),
    PageSpec("invitations", SC, "learning:cohort-invite", lambda w, d: [d.cohort.pk]),
    PageSpec("new session", SC, "learning:session-create", lambda w, d: [d.cohort.pk]),
    PageSpec(
        "new session, errors",
        SC,
        "learning:session-create",
        lambda w, d: [d.cohort.pk],
        then=submit_empty("Schedule the session"),
    ),
    PageSpec("certificates", SC, "learning:cohort-certificates", lambda w, d: [d.cohort.pk]),
    PageSpec("revoke a certificate", SC, "learning:certificate-revoke", lambda w, d: [d.certificate.pk]),
    PageSpec("question bank", SC, "learning:question-bank"),
    PageSpec("session page with the roster", FAC, "learning:session-manage", lambda w, d: [d.today.pk]),
    PageSpec("session page before the day", SC, "learning:session-manage", lambda w, d: [d.upcoming.pk]),
    PageSpec("edit a session, manager", SC, "learning:session-edit", lambda w, d: [d.upcoming.pk]),
    PageSpec("edit a session, facilitator", FAC, "learning:session-edit", lambda w, d: [d.upcoming.pk]),
    PageSpec("cancel a session", SC, "learning:session-cancel", lambda w, d: [d.upcoming.pk]),
    PageSpec("materials", FAC, "learning:session-materials", lambda w, d: [d.upcoming.pk]),
    PageSpec("check-in screen", FAC, "learning:checkin-screen", lambda w, d: [d.today.pk]),
    PageSpec("check-in screen, too early", FAC, "learning:checkin-screen", lambda w, d: [d.upcoming.pk]),
    PageSpec("results and follow-up", FAC, "learning:session-results", lambda w, d: [d.held.pk]),
    PageSpec("build a survey", FAC, "learning:survey-build", lambda w, d: [d.upcoming.pk]),
    PageSpec("the survey built", FAC, "learning:survey-build", lambda w, d: [d.held.pk]),
    PageSpec("After Action Review", FAC, "learning:review", lambda w, d: [d.held.pk]),
    PageSpec(
        "After Action Review, point errors",
        FAC,
        "learning:review",
        lambda w, d: [d.held.pk],
        then=submit_empty("Add the point"),
    ),
]
# The pages a facilitator uses standing in the room: also scanned on a phone.
ON_A_PHONE = {"session page with the roster", "check-in screen", "results and follow-up"}


def test_manager_and_facilitator_pages_have_no_accessibility_violations(world, new_page):
    data = build(world)
    pages, problems = {}, []
    for spec in PAGES + [
        PageSpec(f"{p.label}, phone", p.persona, p.url_name, p.args) for p in PAGES if p.label in ON_A_PHONE
    ]:
        viewport = PHONE if spec.label.endswith(", phone") else DESKTOP
        key = (spec.persona, viewport["width"])
        if key not in pages:
            page = new_page(world.persona(spec.persona), viewport=viewport)
            errors = []
            page.on(
                "console",
                lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            pages[key] = (page, errors)
        page, errors = pages[key]
        errors.clear()
        url = spec.url(world, data)
        response = page.goto(url)
        if response is None or response.status != spec.status:
            problems.append(f"{spec.label} ({url}): expected HTTP {spec.status}, got {response and response.status}")
            continue
        page.wait_for_load_state("load")
        if spec.then:
            spec.then(page, world)
            page.wait_for_load_state("load")
        violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            problems.append(describe(spec, url, violations))
        if errors:
            problems.append(f"{spec.label} ({url}): errors in the browser console:\n" + "\n".join(errors))
    assert not problems, "\n\n".join(problems)
