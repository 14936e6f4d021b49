"""Face-to-face professional learning in a real browser, as participants do it: on a phone.

(a) register for a full session and wait, then get the seat when another registrant cancels (and
the notice says so); (b) check in by typing the code from the facilitator's screen on a phone,
and by the QR code's link; (c) answer the survey after the session; (d) download the certificate:
a PDF with the participant's name.
"""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from trellis.learning import models as m
from trellis.learning import services as s
from trellis.learning.tests.authz_participant import attended, certificate, open_checkin, sc_session, survey_for

pytestmark = pytest.mark.e2e


def watch_console(page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def fits_the_phone(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url}: {overflow}px wider than the phone"


def test_waiting_list_then_a_seat_when_someone_cancels(world, new_page):
    session = sc_session(world, capacity=1)
    s.registration_create(actor=world.teacher_other_campus, session=session)

    # The session is full: the teacher joins the waiting list and is told their place.
    page = new_page(world.teacher, viewport=PHONE)
    errors = watch_console(page)
    page.goto(reverse("learning:catalogue"))
    expect(page.get_by_text("Full — join the waiting list")).to_be_visible()
    page.get_by_role("link", name=session.title).click()
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator(".messages")).to_contain_text("you are number 1 on the waiting list")
    expect(page.locator(".session-place-card")).to_contain_text("You are number 1 on the waiting list.")
    fits_the_phone(page)
    assert m.Registration.objects.get(participant=world.teacher).status == m.RegistrationStatus.WAITLISTED

    # The other registrant cancels (asked to confirm first): the seat goes to the teacher.
    other = new_page(world.teacher_other_campus, viewport=PHONE)
    other.goto(reverse("learning:session", args=[session.pk]))
    other.get_by_role("link", name="Cancel my registration").click()
    expect(other.get_by_role("heading", name="Cancel your registration?")).to_be_visible()
    other.get_by_role("button", name="Cancel the registration").click()
    expect(other.locator(".messages")).to_contain_text("is cancelled")

    page.reload()
    expect(page.locator(".session-place-card")).to_contain_text("You have a seat.")
    expect(page.get_by_role("link", name="Add to my calendar (.ics)")).to_be_visible()
    page.goto(reverse("observations:notices"))
    expect(page.get_by_text(f"A seat opened in {session.title}: you are registered now.")).to_be_visible()
    assert m.Registration.objects.get(participant=world.teacher).status == m.RegistrationStatus.CONFIRMED
    assert not errors, errors


def test_check_in_by_code_and_by_qr_link_on_a_phone(world, new_page):
    code = open_checkin(world)
    session = m.Session.objects.get(checkin_code=code)

    page = new_page(world.teacher, viewport=PHONE)
    errors = watch_console(page)
    page.goto(reverse("learning:checkin-form"))
    field = page.get_by_label("Check-in code")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    fits_the_phone(page)
    field.fill("zz-zzzz")  # a wrong code first
    page.get_by_role("button", name="Check me in").click()
    expect(page.get_by_role("alert")).to_contain_text("No session is checking in with this code")
    # What people type: lower case, with a dash.
    page.get_by_label("Check-in code").fill(f"{code[:3].lower()}-{code[3:].lower()}")
    page.get_by_role("button", name="Check me in").click()
    expect(page.get_by_role("heading", name="You are checked in")).to_be_visible()
    expect(page.get_by_text(session.title)).to_be_visible()
    fits_the_phone(page)
    assert m.Registration.objects.get(participant=world.teacher).checked_in_at is not None

    # The QR code opens the check-in page: one tap. Someone not registered is told whom to ask.
    s.registration_create(actor=None, session=session, participant=world.coach)
    coach = new_page(world.coach, viewport=PHONE)
    coach.goto(reverse("learning:checkin", args=[code]))
    expect(coach.get_by_role("heading", name=session.title)).to_be_visible()
    coach.get_by_role("button", name="Check me in").click()
    expect(coach.get_by_role("heading", name="You are checked in")).to_be_visible()
    leader = new_page(world.campus_leader, viewport=PHONE)
    leader.goto(reverse("learning:checkin", args=[code]))
    expect(leader.get_by_text("You are not registered for this session.")).to_be_visible()
    assert not errors, errors


def test_fill_the_survey_on_a_phone(world, new_page):
    survey = survey_for(attended(world).session)
    page = new_page(world.teacher, viewport=PHONE)
    errors = watch_console(page)
    page.goto(reverse("learning:my-learning"))
    page.get_by_role("link", name=re.compile("^Answer")).click()
    expect(page).to_have_url(re.compile(rf"/learning/surveys/{survey.pk}/$"))
    fits_the_phone(page)
    # Sending it half-answered names each question left.
    items = list(survey.items.order_by("position"))
    page.get_by_role("group", name=re.compile(re.escape(items[0].text))).get_by_text("5 · Strongly agree").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Answer this question.")).to_have_count(2)
    page.get_by_role("group", name=re.compile(re.escape(items[1].text))).get_by_text("4 · Agree").click()
    page.get_by_role("group", name=re.compile(re.escape(items[2].text))).get_by_label("Yes").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    response = m.SurveyResponse.objects.get(respondent=world.teacher)
    assert sorted(response.answers.values_list("number", flat=True)) == [1, 4, 5]
    assert not errors, errors


def test_download_the_certificate(world, new_page):
    from pypdf import PdfReader

    cert = certificate(world)
    page = new_page(world.teacher, viewport=PHONE)
    page.goto(reverse("learning:my-learning"))
    page.get_by_role("link", name=cert.program_title).click()
    expect(page.get_by_role("heading", name="Verification")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"certificate-{cert.code[:8]}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(data)).pages)
    assert "Ana Teacher" in text and cert.program_title in text
