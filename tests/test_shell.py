"""The shell around every page: security headers, error pages, static assets."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_content_security_policy_forbids_inline_script(world, client_for):
    response = client_for(world.teacher).get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()


def test_friendly_404_inside_the_shell(world, client_for):
    response = client_for(world.teacher).get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in page and 'href="/"' in page and "<main" in page


def test_friendly_500(rf):
    from trellis.lib.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_assets_are_local(world, client_for):
    page = client_for(world.teacher).get(reverse("home")).content.decode()
    assert "//cdn" not in page and "https://" not in page.split("<body")[0]
    assert "/static/django_htmx/htmx-2.min.js" in page


def test_pages_declare_language_and_viewport(world, client_for):
    page = client_for(world.teacher).get(reverse("home")).content.decode()
    assert '<html lang="en' in page and 'name="viewport"' in page
    assert 'href="#main"' in page and 'id="main"' in page


def test_session_expires_after_idle_time(world, client_for, settings):
    import time_machine

    client = client_for(world.teacher)
    assert client.get(reverse("home")).status_code == 200
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_session_cookie_ends_with_the_browser(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and not settings.SESSION_SAVE_EVERY_REQUEST


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_active_session_rolls_on_without_a_write_per_request(world, client_for, settings):
    import time_machine

    client = client_for(world.teacher)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(reverse("home"))
        first = _expiry(client)
    # Within the refresh interval: no write, the expiry stays.
    with time_machine.travel(start + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS // 2), tick=False):
        assert client.get(reverse("home")).status_code == 200
        assert _expiry(client) == first
    # After it: the expiry moves forward, so a person working all day stays signed in.
    later = start + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("home")).status_code == 200
        assert _expiry(client) >= later + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 1)
    # Working past the original expiry, a request at a time, keeps the session.
    step = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE // 2)
    with time_machine.travel(later + step, tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(later + 2 * step + datetime.timedelta(seconds=60), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_an_anonymous_visit_makes_no_session_row(client):
    from django.contrib.sessions.models import Session

    client.cookies["sessionid"] = "stale-session-key-that-does-not-exist"
    client.get(reverse("account_login"))
    client.get("/")
    assert not Session.objects.exists()
