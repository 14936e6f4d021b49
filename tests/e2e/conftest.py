"""Browser tests: Playwright (sync API) driving Debian's Chromium against the live test server.

Playwright's sync API runs an event loop in the test thread, so Django's guard
against ORM calls from async code is switched off for these tests only.
"""

import importlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.personas import World, build_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-e2e`, which installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


_audit_triggers = importlib.import_module("trellis.audit.migrations.0002_append_only_triggers")


@pytest.fixture(autouse=True)
def _flushable_audit_log(transactional_db):
    """Let the flush after each browser test empty the append-only audit log.

    The live server needs committed data, so these tests run on ``transactional_db``,
    which empties every table afterwards. On SQLite that is a DELETE, which the audit
    log's triggers refuse (PostgreSQL truncates, which row triggers do not see). The
    triggers are dropped just before the flush and put back before the next test.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        for sql in _audit_triggers.SQLITE_REVERSE + _audit_triggers.SQLITE:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in _audit_triggers.SQLITE_REVERSE:
            cursor.execute(sql)


@pytest.fixture
def world(transactional_db) -> World:
    """The test personas, committed so the live server thread sees them."""
    return build_world()


@pytest.fixture
def new_page(browser, live_server) -> Callable:
    """Open a page in a fresh browser context, signed in as ``person`` (or anonymous for None).

    Signing in sets the session cookie directly; the sign-in form itself is tested
    in test_sign_in.py.
    """
    contexts = []

    def make(person=None, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        if person is not None:
            client = Client()
            client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    _wait_until_no_request_holds_a_transaction()


def _wait_until_no_request_holds_a_transaction(timeout: float = 5.0) -> None:
    """Let the live server finish what the closed pages asked of it.

    On in-memory SQLite the server thread shares the test's database connection, so a
    request still running (a late favicon fetch, say) can hold a transaction open just
    when the flush after the test begins its own, and SQLite refuses a transaction
    within a transaction.
    """
    raw = connection.connection
    if connection.vendor != "sqlite" or raw is None:
        return
    deadline = time.monotonic() + timeout
    quiet_checks = 0
    while quiet_checks < 5 and time.monotonic() < deadline:
        quiet_checks = 0 if raw.in_transaction else quiet_checks + 1
        time.sleep(0.02)
