"""Frameworks in a real browser: download the starter framework, import it through the wizard, read it on a phone.

Also an axe scan (WCAG 2.1 A and AA) of the frameworks pages, on a desktop and on a phone.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from trellis.frameworks.models import ActionStep, ActionStepLibrary, Framework
from trellis.frameworks.starter import starter_framework_identifier

pytestmark = pytest.mark.e2e

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
LEVELS = ["Starting", "Building", "Consistent", "Shared"]


def starter() -> Framework:
    return Framework.objects.get(
        district=None, case_identifier=starter_framework_identifier("open-instructional-practice")
    )


def watch_console(page) -> list:
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def assert_accessible(page, label: str) -> None:
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    lines = [f"{label} ({page.url}): {len(violations)} accessibility violation(s)"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    at {', '.join(map(str, node['target']))}" for node in violation["nodes"])
    assert not violations, "\n".join(lines)


def test_import_the_starter_export_and_read_it_on_a_phone(world, new_page, tmp_path):
    page = new_page(world.district_admin, viewport=DESKTOP)
    errors = watch_console(page)

    # Download the shipped framework as a CASE package.
    page.goto(reverse("frameworks:framework-detail", args=[starter().pk]))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CASE (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "open-instructional-practice-case.json"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert json.loads(path.read_text(encoding="utf-8"))["CFDocument"]["title"] == "Open Instructional Practice"

    # Upload it through the wizard and check the preview.
    page.goto(reverse("frameworks:catalogue"))
    page.get_by_role("link", name="Import a CASE package").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a CASE package")
    page.get_by_label("CASE package file").set_input_files(path)
    page.get_by_label("Kind of framework").select_option("teaching_practice")
    page.get_by_role("button", name="Check the package").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the package")
    summary = page.locator("#summary-heading + dl")
    expect(summary).to_contain_text("Open Instructional Practice")
    expect(summary).to_contain_text("Creates a new framework for Cedar Valley ISD.")
    expect(page.locator("ul.outline").first).to_contain_text("Goals and Success Criteria")
    assert_accessible(page, "import preview")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.locator(".message-success")).to_contain_text("Open Instructional Practice is imported: 16 items.")
    imported = Framework.objects.get(district=world.district)
    assert page.url.endswith(reverse("frameworks:framework-detail", args=[imported.pk]))
    assert not errors, "\n".join(errors)

    # On a phone: no table, one component at a time.
    phone = new_page(world.district_admin, viewport=PHONE)
    phone_errors = watch_console(phone)
    phone.goto(reverse("frameworks:framework-detail", args=[imported.pk]))
    expect(phone.locator("table.continuum").first).to_be_hidden()
    cards = phone.locator("details.component")
    expect(cards).to_have_count(12)
    first, second = cards.nth(0), cards.nth(1)
    expect(first).not_to_have_attribute("open", "")
    expect(first.locator("dl.levels")).to_be_hidden()

    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    labels = first.locator("dl.levels dt")
    expect(labels).to_have_text(LEVELS)
    descriptors = first.locator("dl.levels dd")
    expect(descriptors).to_have_count(4)
    for index in range(4):
        expect(descriptors.nth(index)).to_be_visible()
    expect(descriptors.nth(0)).to_contain_text("No learning goal is stated")

    # Opening the next component closes the first.
    second.locator("summary").click()
    expect(second).to_have_attribute("open", "")
    expect(first).not_to_have_attribute("open", "")
    expect(second.locator("dl.levels dt")).to_have_text(LEVELS)

    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the framework page is {overflow}px wider than a 390px phone screen"
    assert_accessible(phone, "imported framework, phone, one component open")
    assert not phone_errors, "\n".join(phone_errors)


def test_a_link_to_a_component_opens_it_on_a_phone(world, new_page):
    step = ActionStep.objects.get(library__key="open-action-steps", library__district=None, code="R1")
    page = new_page(world.teacher, viewport=PHONE)
    page.goto(reverse("frameworks:step-detail", args=[step.pk]))
    page.get_by_role("link", name="2.2 Routines and Use of Time").click()
    card = page.locator("details.component[open]")
    expect(card).to_have_count(1)
    expect(card.locator("summary")).to_contain_text("Routines and Use of Time")
    expect(card.locator("dl.levels dt")).to_have_text(LEVELS)


def test_the_grid_is_a_table_on_a_desktop(world, new_page):
    page = new_page(world.teacher, viewport=DESKTOP)
    page.goto(reverse("frameworks:framework-detail", args=[starter().pk]))
    table = page.locator("table.continuum").first
    expect(table).to_be_visible()
    expect(table.locator('th[scope="col"]')).to_have_text(["Component", *LEVELS, "Look-fors"])
    expect(page.locator("details.component").first).to_be_hidden()


def _library():
    return ActionStepLibrary.objects.get(key="open-action-steps", district=None)


PAGES = [
    ("catalogue, district admin", "district_admin", DESKTOP, lambda: reverse("frameworks:catalogue")),
    ("catalogue, teacher, phone", "teacher", PHONE, lambda: reverse("frameworks:catalogue")),
    ("framework, desktop", "coach", DESKTOP, lambda: reverse("frameworks:framework-detail", args=[starter().pk])),
    ("framework, phone", "coach", PHONE, lambda: reverse("frameworks:framework-detail", args=[starter().pk])),
    (
        "framework, district admin",
        "district_admin",
        DESKTOP,
        lambda: reverse("frameworks:framework-detail", args=[starter().pk]),
    ),
    ("libraries", "district_admin", DESKTOP, lambda: reverse("frameworks:library-list")),
    ("library, desktop", "teacher", DESKTOP, lambda: reverse("frameworks:library-detail", args=[_library().pk])),
    ("library, phone", "teacher", PHONE, lambda: reverse("frameworks:library-detail", args=[_library().pk])),
    (
        "library, filtered to nothing",
        "teacher",
        DESKTOP,
        lambda: reverse("frameworks:library-detail", args=[_library().pk]) + "?q=nothing-matches-this",
    ),
    (
        "step",
        "teacher",
        DESKTOP,
        lambda: reverse("frameworks:step-detail", args=[_library().steps.order_by("sequence").first().pk]),
    ),
    (
        "step, phone",
        "district_admin",
        PHONE,
        lambda: reverse("frameworks:step-detail", args=[_library().steps.order_by("sequence").first().pk]),
    ),
    ("import", "district_admin", DESKTOP, lambda: reverse("frameworks:import")),
]


@pytest.mark.parametrize(("label", "persona", "viewport", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_frameworks_pages_have_no_accessibility_violations(world, new_page, label, persona, viewport, url):
    page = new_page(getattr(world, persona), viewport=viewport)
    errors = watch_console(page)
    response = page.goto(url())
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    assert_accessible(page, label)
    assert not errors, f"{label}: errors in the browser console:\n" + "\n".join(errors)


def test_the_step_editor_has_no_accessibility_violations(world, new_page):
    page = new_page(world.district_admin, viewport=DESKTOP)
    page.goto(reverse("frameworks:library-detail", args=[_library().pk]))
    page.get_by_role("button", name="Make a copy for my district").first.click()
    expect(page.locator(".message-success")).to_contain_text("is your district's copy")
    page.get_by_role("link", name="R1 Script and teach an entry routine").click()
    page.get_by_role("link", name="Edit the step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit step R1")
    assert_accessible(page, "step editor")
    page.locator("#id_title").fill("Our entry routine")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our entry routine")
