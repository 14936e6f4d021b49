"""Every page of the foundation passes an axe scan (WCAG 2.1 A and AA) with no violations.

One test per page, each signed in as the persona who uses that page. A failure
lists every violation on the page, with the elements and what axe says about them.
The same visit also fails on a script error or a Content Security Policy violation
in the browser console.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import NoReverseMatch, reverse

from tests.personas import World
from trellis.coaching.services import note_create
from trellis.orgs.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def fill_in_a_wrong_password(page, world: World) -> None:
    page.locator('input[name="login"]').fill(world.teacher.email)
    page.locator('input[name="password"]').fill(TEST_PASSWORD + "-wrong")
    with page.expect_navigation():
        page.locator('input[name="password"]').press("Enter")


@dataclass(frozen=True)
class PageSpec:
    label: str
    persona: str | None  # a World attribute, or None for a visitor who is not signed in
    url_name: str | None = None
    args: Callable = field(default=lambda world, note: [])
    path: str | None = None  # instead of url_name
    status: int = 200
    then: Callable | None = None  # something to do on the page before the scan

    def url(self, world: World, note) -> str:
        return self.path or reverse(self.url_name, args=self.args(world, note))


PAGES = [
    PageSpec("sign in", None, "account_login"),
    PageSpec("sign in, after a wrong password", None, "account_login", then=fill_in_a_wrong_password),
    PageSpec("password reset", None, "account_reset_password"),
    PageSpec("home, teacher", "teacher", "home"),
    PageSpec("home, coach", "coach", "home"),
    PageSpec("home, campus leader", "campus_leader", "home"),
    PageSpec("home, district admin", "district_admin", "home"),
    PageSpec("home, facilitator", "facilitator", "home"),
    PageSpec("home, service-center admin", "sc_admin", "home"),
    PageSpec("profile", "teacher", "accounts:profile"),
    PageSpec("coaching notes, coach", "coach", "coaching:note-list"),
    PageSpec("coaching notes, teacher", "teacher", "coaching:note-list"),
    PageSpec("coaching note", "coach", "coaching:note-detail", lambda w, note: [note.pk]),
    PageSpec("new coaching note", "coach", "coaching:note-create", lambda w, note: [w.teacher.pk]),
    PageSpec("campuses", "district_admin", "orgs:campus-list"),
    PageSpec("campus", "district_admin", "orgs:campus-detail", lambda w, note: [w.campus.pk]),
    PageSpec("new campus", "district_admin", "orgs:campus-create"),
    PageSpec("people", "district_admin", "orgs:person-list"),
    PageSpec("person", "district_admin", "orgs:person-detail", lambda w, note: [w.teacher.pk]),
    PageSpec("new person", "district_admin", "orgs:person-create"),
    PageSpec("caseloads", "district_admin", "orgs:caseload-list"),
    PageSpec("new caseload assignment", "district_admin", "orgs:caseload-create"),
    PageSpec("service-center grants", "district_admin", "orgs:grant-list"),
    PageSpec("new service-center grant", "district_admin", "orgs:grant-create"),
    PageSpec("district settings", "district_admin", "orgs:district-settings"),
    PageSpec("audit log", "district_admin", "audit:log"),
    PageSpec("roster imports", "district_admin", "rostering:import-list"),
    PageSpec("roster upload", "district_admin", "rostering:import-upload"),
    PageSpec("roster sync schedule", "district_admin", "rostering:schedule"),
    PageSpec("single sign-on settings", "district_admin", "rostering:sso-settings"),
    PageSpec("page not found", "teacher", path="/no-such-page/", status=404),
]


def describe(spec: PageSpec, url: str, violations: list[dict]) -> str:
    lines = [f"{spec.label} ({url}): {len(violations)} accessibility violation(s)"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {' '.join(node['html'].split())[:200]}")
            for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
                lines.append(f"       * {check['message']}")
    return "\n".join(lines)


@pytest.mark.parametrize("spec", PAGES, ids=[spec.label for spec in PAGES])
def test_page_has_no_accessibility_violations(spec, world, new_page):
    note = note_create(
        actor=world.coach,
        teacher=world.teacher,
        title="Planning small-group reading",
        body="We looked at how the reading groups rotate.",
        next_steps="Try the rotation board on Thursday.",
    )
    try:
        url = spec.url(world, note)
    except NoReverseMatch as exc:
        pytest.fail(f"{spec.label}: the URL name {spec.url_name!r} does not resolve ({exc}); is the page built yet?")

    page = new_page(world.persona(spec.persona) if spec.persona else None)
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    response = page.goto(url)
    assert response is not None and response.status == spec.status, (
        f"{spec.label} ({url}): expected HTTP {spec.status}, got {response and response.status}"
    )
    if spec.then:
        spec.then(page, world)
    page.wait_for_load_state("load")

    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, describe(spec, url, violations)

    if spec.status >= 400:
        # The browser reports the page's own error status as a failed resource.
        console_errors = [e for e in console_errors if "status of" not in e]
    assert not console_errors, f"{spec.label} ({url}): errors in the browser console:\n" + "\n".join(console_errors)
