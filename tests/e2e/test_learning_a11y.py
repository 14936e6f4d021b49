"""Every participant, district and campus page of professional learning passes an axe scan (WCAG 2.1 A
and AA) on a phone-sized screen, fits it without sideways scrolling, and runs without a script error or
a Content Security Policy violation in the browser console.

Each page is opened by the persona who uses it, with the data it needs built just for it.
"""

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS, PageSpec, describe
from trellis.learning import services as s
from trellis.learning.tests.authz_participant import (
    attended,
    certificate,
    open_checkin,
    pending_registration,
    sc_session,
    shared_commitment,
    survey_for,
    teacher_registration,
)

pytestmark = pytest.mark.e2e


def _with(builder):
    """URL arguments for a page that takes none but shows what ``builder`` makes."""

    def args(world, _unused):
        builder(world)
        return []

    return args


def _full_with_me_waiting(world):
    session = sc_session(world, capacity=1)
    s.registration_create(actor=None, session=session, participant=world.teacher_other_campus)
    s.registration_create(actor=world.teacher, session=session)
    return session


def _registered_and_surveyed(world):
    teacher_registration(world)
    survey_for(attended(world).session)


def _submit_a_wrong_code(page, world):
    page.get_by_label("Check-in code").fill("zzzzzz")
    page.get_by_role("button", name="Check me in").click()
    page.get_by_role("alert").wait_for()


def _send_the_survey_empty(page, world):
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Please answer the questions marked below.").wait_for()


def _check_in(page, world):
    page.get_by_role("button", name="Check me in").click()
    page.get_by_role("heading", name="You are checked in").wait_for()


PAGES = [
    PageSpec("catalogue", "teacher", "learning:catalogue", _with(sc_session)),
    PageSpec("catalogue, service-center staff", "facilitator", "learning:catalogue"),
    PageSpec("session, before registering", "teacher", "learning:session", lambda w, _: [sc_session(w).pk]),
    PageSpec("session, on the waiting list", "teacher", "learning:session", lambda w, _: [_full_with_me_waiting(w).pk]),
    PageSpec("session, after attending", "teacher", "learning:session", lambda w, _: [shared_commitment(w).session_id]),
    PageSpec("session, facilitator", "facilitator", "learning:session", lambda w, _: [sc_session(w).pk]),
    PageSpec(
        "cancel a registration", "teacher", "learning:registration-cancel", lambda w, _: [teacher_registration(w).pk]
    ),
    PageSpec("my learning", "teacher", "learning:my-learning", _with(certificate)),
    PageSpec("my transcript", "teacher", "learning:my-transcript", _with(attended)),
    PageSpec("check in", "teacher", "learning:checkin-form"),
    PageSpec("check in, wrong code", "teacher", "learning:checkin-form", then=_submit_a_wrong_code),
    PageSpec("check in by QR link", "teacher", "learning:checkin", lambda w, _: [open_checkin(w)]),
    PageSpec("checked in", "teacher", "learning:checkin", lambda w, _: [open_checkin(w)], then=_check_in),
    PageSpec("survey", "teacher", "learning:survey", lambda w, _: [survey_for(attended(w).session).pk]),
    PageSpec(
        "survey, unanswered questions",
        "teacher",
        "learning:survey",
        lambda w, _: [survey_for(attended(w).session).pk],
        then=_send_the_survey_empty,
    ),
    PageSpec("new commitment", "teacher", "learning:commitment-create", lambda w, _: [attended(w).session_id]),
    PageSpec("edit a commitment", "teacher", "learning:commitment-edit", lambda w, _: [shared_commitment(w).pk]),
    PageSpec("remove a commitment", "teacher", "learning:commitment-delete", lambda w, _: [shared_commitment(w).pk]),
    PageSpec("certificate", "teacher", "learning:certificate", lambda w, _: [certificate(w).pk]),
    PageSpec("approvals", "district_admin", "learning:approvals", _with(pending_registration)),
    PageSpec(
        "decline a registration",
        "district_admin",
        "learning:registration-decline",
        lambda w, _: [pending_registration(w).pk],
    ),
    PageSpec("enrol a campus team", "campus_leader", "learning:enrol", lambda w, _: [sc_session(w).pk]),
    PageSpec("people's learning", "district_admin", "learning:people-registrations", _with(teacher_registration)),
    PageSpec(
        "a person's transcript", "district_admin", "learning:transcript", lambda w, _: [attended(w).participant_id]
    ),
    PageSpec("credit rule, district", "district_admin", "learning:policy"),
    PageSpec("credit rule, service center", "sc_admin", "learning:policy"),
    PageSpec("home with learning, teacher", "teacher", "home", _with(_registered_and_surveyed)),
    PageSpec("home with learning, facilitator", "facilitator", "home", _with(sc_session)),
]


@pytest.mark.parametrize("spec", PAGES, ids=[spec.label for spec in PAGES])
def test_learning_pages_have_no_accessibility_violations(spec, world, new_page):
    url = spec.url(world, None)
    page = new_page(world.persona(spec.persona), viewport=PHONE)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response is not None and response.status == spec.status, f"{spec.label}: HTTP {response and response.status}"
    page.wait_for_load_state("load")
    if spec.then:
        spec.then(page, world)
        page.wait_for_load_state("load")
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe(spec, url, violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{spec.label}: {overflow}px wider than the phone"
    assert not errors, f"{spec.label}: errors in the browser console:\n" + "\n".join(errors)
