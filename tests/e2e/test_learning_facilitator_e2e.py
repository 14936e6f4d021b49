"""A face-to-face session day in real browsers: the facilitator opens check-in on the projector, a
participant checks in on their phone with the code, the count on the screen rises by itself, the
facilitator fixes the roster, and after the day the program manager issues the certificates.

Each person has their own browser context. The data the day starts from is built through the
services; every step after that is done through the pages.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from trellis.learning import models as m
from trellis.learning import services as s

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1920, "height": 1080}


def watch_console(page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def session_day(world):
    """The service center's cohort (facilitated by Fay) and its session that started ten minutes ago,
    Ana (district A) and Bea (district B) holding seats."""
    program = s.program_create(actor=world.sc_admin, owner=world.service_center, title="Talk about texts")
    s.program_publish(actor=world.sc_admin, program=program)
    cohort = s.cohort_create(
        actor=world.sc_admin, program=program, name="Regional cohort", facilitators=[world.facilitator]
    )
    start = (timezone.now() - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    session = s.session_create(
        actor=None,
        cohort=cohort,
        title="Day 1: discussion stops",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        location="Prairie RSC, Room B",
        capacity=20,
        objectives="Plan two turn-and-talk stops",
    )
    for person in (world.teacher, world.teacher_b):
        s.registration_create(actor=None, session=session, participant=person)
    return session


def test_check_in_roster_and_certificates(world, new_page):
    session = session_day(world)
    ana = m.Registration.objects.get(session=session, participant=world.teacher)
    bea = m.Registration.objects.get(session=session, participant=world.teacher_b)

    # 1. The facilitator opens check-in from the session page; the screen shows the code and its QR code.
    screen = new_page(world.facilitator, viewport=PROJECTOR)
    screen_errors = watch_console(screen)
    screen.goto(reverse("learning:session-manage", args=[session.pk]))
    screen.get_by_role("button", name="Open check-in").click()
    expect(screen).to_have_url(reverse("learning:checkin-screen", args=[session.pk]))
    code = m.Session.objects.get(pk=session.pk).checkin_code
    assert len(code) == 6
    expect(screen.locator(".screen-code")).to_contain_text(f"{code[:3]} {code[3:]}")
    expect(
        screen.get_by_role("img", name="QR code: it opens the check-in page with this code filled in")
    ).to_be_visible()
    count = screen.locator("#screen-count")
    expect(count).to_have_text("0")
    # On the projector, the code and the QR code fit on the screen without scrolling.
    code_box = screen.locator(".screen-code").bounding_box()
    qr_box = screen.locator(".screen-qr").bounding_box()
    assert code_box["y"] + code_box["height"] <= PROJECTOR["height"]
    assert qr_box["y"] + qr_box["height"] <= PROJECTOR["height"]
    assert code_box["height"] >= 100  # large type

    # 2. Ana checks in on her phone with the code as she reads it (lower case, with a space).
    phone = new_page(world.teacher, viewport=PHONE)
    phone_errors = watch_console(phone)
    phone.goto(reverse("learning:checkin-form"))
    phone.get_by_label("Check-in code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    phone.get_by_role("button", name="Check me in").click()
    expect(phone.get_by_role("heading", name="You are checked in")).to_be_visible()
    ana.refresh_from_db()
    assert ana.attended and ana.checkin_method == "code"

    # 3. The count on the projector rises by itself (the page asks for it every few seconds).
    expect(count).to_have_text("1", timeout=12_000)

    # 4. The facilitator closes check-in and fixes the roster: Bea came without checking in and left
    #    an hour early; Ana's minutes are set to 150.
    screen.once("dialog", lambda dialog: dialog.accept())
    screen.get_by_role("button", name="Close check-in").click()
    expect(screen.get_by_text("Check-in is closed: the code no longer works.")).to_be_visible()
    screen.get_by_role("checkbox", name="Bea Teacher is present").check()
    screen.get_by_label("Minutes Ana Teacher attended").fill("150")
    screen.get_by_role("button", name="Save attendance").click()
    expect(screen.get_by_text("Attendance saved: 1 marked present, 1 time adjusted.")).to_be_visible()
    expect(screen.get_by_role("checkbox", name="Bea Teacher is present")).to_be_checked()
    left = (session.ends_at - datetime.timedelta(hours=1)).astimezone(session.zone).strftime("%H:%M")
    screen.get_by_label("Bea Teacher left at").fill(left)
    screen.get_by_role("button", name="Save attendance").click()
    expect(screen.get_by_text("Attendance saved: 1 time adjusted.")).to_be_visible()
    ana.refresh_from_db()
    bea.refresh_from_db()
    assert ana.minutes_attended == 150
    assert bea.attended and bea.checkin_method == "roster" and bea.minutes_attended == 120

    # 5. After the day, the program manager issues the certificates: Ana (150 of 180) and Bea (120 of
    #    180) against the program's 80%: only Ana is eligible.
    with time_machine.travel(session.ends_at + datetime.timedelta(hours=2), tick=True):
        manager = new_page(world.sc_admin)
        manager_errors = watch_console(manager)
        manager.goto(reverse("learning:cohort-certificates", args=[session.cohort_id]))
        expect(manager.get_by_role("row", name="Bea Teacher")).to_contain_text("Not yet: needs 144 min")
        manager.once("dialog", lambda dialog: dialog.accept())
        manager.get_by_role("button", name="Issue to everyone eligible").click()
        expect(manager.get_by_text("1 certificate is issued; its holder is told.")).to_be_visible()
        row = manager.get_by_role("row", name="Ana Teacher")
        expect(row).to_contain_text("Issued")
        expect(row.get_by_role("link", name="PDF Ana Teacher")).to_be_visible()
    certificate = m.Certificate.objects.get()
    assert (certificate.participant, certificate.minutes) == (world.teacher, 150)

    assert not screen_errors, screen_errors
    assert not phone_errors, phone_errors
    assert not manager_errors, manager_errors
