"""On a phone the navigation folds behind a menu button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.e2e


def test_menu_button_opens_the_navigation_on_a_phone(world, new_page):
    page = new_page(world.teacher, viewport=PHONE)
    page.goto(reverse("home"))
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="My account")).to_be_visible()

    menu.click()
    expect(nav).to_be_hidden()


def test_home_fits_the_phone_without_sideways_scrolling(world, new_page):
    page = new_page(world.district_admin, viewport=PHONE)
    page.goto(reverse("home"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 390px phone screen"


def test_navigation_is_shown_without_a_menu_button_on_a_desktop(world, new_page):
    page = new_page(world.teacher, viewport=DESKTOP)
    page.goto(reverse("home"))
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
