"""Every URL, requested as every persona, gives the outcome its row expects."""

import importlib
import pkgutil

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import trellis
from tests.authz import LOGIN, Row
from tests.personas import PERSONA_NAMES

# URL names outside the matrix, with the reason. Anything else must have rows.
EXEMPT_PREFIXES = {
    "admin:": "the Django admin: superusers only, covered in trellis/accounts/tests/test_admin_access.py",
    "<unnamed:social/": "allauth's old social/... addresses only redirect to the socialaccount pages, whose rows are in "
    "trellis/rostering/tests/authz.py; without names they cannot be reversed",
}


def _collect_rows() -> list[Row]:
    rows = []
    for app in pkgutil.iter_modules(trellis.__path__):
        try:
            module = importlib.import_module(f"trellis.{app.name}.tests.authz")
        except ModuleNotFoundError:
            continue
        rows.extend(module.ROWS)
    return rows


def _url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed:{pattern.pattern}>")
    return names


ROWS = _collect_rows()


def test_every_url_has_a_row():
    covered = {row.name for row in ROWS}
    defined = {n for n in _url_names() if not n.startswith(tuple(EXEMPT_PREFIXES))}
    missing = sorted(defined - covered)
    assert not missing, f"URLs without an authorization-matrix row: {missing}"
    stale = sorted(covered - defined)
    assert not stale, f"Matrix rows for URLs that no longer exist: {stale}"


def test_every_row_names_every_persona():
    for row in ROWS:
        assert set(row.expect) == set(PERSONA_NAMES), f"{row.name} {row.label}: {set(PERSONA_NAMES) ^ set(row.expect)}"


CASES = [(row, persona) for row in ROWS for persona in PERSONA_NAMES]


@pytest.mark.parametrize(
    ("row", "persona"), CASES, ids=[f"{r.name}{'[' + r.label + ']' if r.label else ''}-{p}" for r, p in CASES]
)
def test_matrix(row, persona, world, client_for):
    client = client_for(world.persona(persona))
    url = reverse(row.name, args=row.args(world))
    if row.method == "POST":
        response = client.post(url, row.data(world))
    else:
        response = client.get(url)
    expected = row.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, f"{url} as {persona}: {response.status_code}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL)), response["Location"]
    else:
        assert response.status_code == expected, f"{url} as {persona}: got {response.status_code}, want {expected}"
    if row.follow_up:
        row.follow_up(world, response, persona)
