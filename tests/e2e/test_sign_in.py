"""Signing in through the real form, and what each persona's home page shows."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from trellis.orgs import selectors
from trellis.orgs.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e


def sign_in(page, email, password=TEST_PASSWORD):
    page.goto(reverse("account_login"))
    page.locator('input[name="login"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator('input[name="password"]').press("Enter")


def section_of(page, heading):
    """The element that holds a heading: its card or section."""
    return page.get_by_role("heading", name=heading, exact=True).locator("xpath=..")


def test_teacher_sees_their_coach(world, new_page, live_server):
    page = new_page()
    sign_in(page, world.teacher.email)
    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(section_of(page, "My coach")).to_contain_text(world.coach.full_name)


def test_coach_sees_their_caseload(world, new_page, live_server):
    page = new_page()
    sign_in(page, world.coach.email)
    expect(page).to_have_url(live_server.url + reverse("home"))
    expect(section_of(page, "My caseload")).to_contain_text(world.teacher.full_name)


def test_district_admin_sees_the_district_at_a_glance(world, new_page, live_server):
    page = new_page()
    sign_in(page, world.district_admin.email)
    expect(page).to_have_url(live_server.url + reverse("home"))
    glance = section_of(page, f"{world.district.name} at a glance")
    expect(glance).to_be_visible()
    overview = selectors.district_overview(world.district)
    text = " ".join(glance.inner_text().split())
    for key, label in [
        ("campuses", "campuses"),
        ("people_active", "active people"),
        ("caseloads", "active caseload assignments"),
        ("grants", "active service-center grants"),
    ]:
        assert re.search(rf"\b{overview[key]} {label}\b", text), f"expected '{overview[key]} {label}' in: {text}"


def test_a_wrong_password_keeps_you_on_the_sign_in_page(world, new_page, live_server):
    page = new_page()
    sign_in(page, world.teacher.email, password="not-the-password")
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    expect(page.locator('input[name="password"]')).to_be_visible()
