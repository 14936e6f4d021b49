"""Authorization matrix rows for the home page, the account page and every django-allauth page.

The allauth outcomes are what allauth 65 does with our settings, observed and
pinned here: sign-in pages send signed-in people home, account pages send
signed-out people to sign in, pages about a step that is not under way (a second
factor, a sign-in code) send people on, and MFA pages about an authenticator the
person does not have are 404. Pages marked "static" show the same text to anyone.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.authz import LOGIN, Row, everyone
from tests.personas import PERSONA_NAMES

SIGNED_IN = [name for name in PERSONA_NAMES if name != "anonymous"]


def _redirects_to(url_name, *, prefix=False):
    """A follow-up check: signed-in personas were sent to ``url_name``."""

    def check(world, response, persona):
        if persona == "anonymous":
            return
        target = reverse(url_name)
        location = response["Location"]
        assert location.startswith(target) if prefix else location == target, f"{persona}: {location}"

    return check


def _signed_out(world, response, persona):
    assert not response.wsgi_request.user.is_authenticated


def _no_account_created(world, response, persona):
    assert not get_user_model().objects.filter(email="newcomer@example.org").exists()


def _signin_page(signed_in):
    """Pages for signing in: 200 for a visitor, a redirect home for someone already signed in."""
    return {**dict.fromkeys(SIGNED_IN, signed_in), "anonymous": 200}


STATIC = everyone(200, anonymous=200)


def _no_feed_made(world, response, persona):
    from trellis.accounts.models import CalendarFeed

    assert not CalendarFeed.objects.exists()


def _own_feed_made(world, response, persona):
    from trellis.accounts.models import CalendarFeed

    if persona == "anonymous":
        assert not CalendarFeed.objects.exists()
    else:
        assert list(CalendarFeed.objects.values_list("person", flat=True)) == [world.persona(persona).pk]
        assert reverse("accounts:calendar-feed", args=["x"]).rsplit("/", 1)[0] in response.content.decode()


def _token_of(person) -> str:
    from trellis.accounts.services import calendar_feed_create

    return calendar_feed_create(actor=person)


ROWS = [
    # Trellis's own pages.
    Row("home", everyone(200)),
    Row("accounts:profile", everyone(200)),
    Row(
        "accounts:profile",
        everyone(302),
        method="POST",
        data=lambda w: {"full_name": "Renamed Person", "preferred_name": ""},
        label="post",
    ),
    Row("accounts:calendar", everyone(200), follow_up=lambda w, r, p: _no_feed_made(w, r, p)),
    Row(
        "accounts:calendar",
        everyone(200),
        method="POST",
        data=lambda w: {"action": "create"},
        label="create",
        follow_up=lambda w, r, p: _own_feed_made(w, r, p),
    ),
    Row("accounts:calendar", everyone(302), method="POST", data=lambda w: {"action": "revoke"}, label="revoke"),
    # The feed answers to its secret token alone (calendar apps do not sign in): a wrong token is 404 for all.
    Row("accounts:calendar-feed", everyone(404, anonymous=404), args=lambda w: ["not-a-real-token"]),
    Row("accounts:calendar-feed", everyone(200, anonymous=200), args=lambda w: [_token_of(w.teacher)], label="token"),
    # Signing in and out.
    Row("account_login", _signin_page(302), follow_up=_redirects_to("home")),
    Row(
        "account_login",
        _signin_page(302),
        method="POST",
        data=lambda w: {"login": "nobody@example.org", "password": "wrong-password-1"},
        label="post wrong password",
    ),
    Row("account_logout", everyone(200)),
    Row("account_logout", everyone(LOGIN), method="POST", label="post", follow_up=_signed_out),
    # Sign-up is closed: a visitor reads why; nothing is created on POST.
    Row("account_signup", _signin_page(302), follow_up=_redirects_to("home")),
    Row(
        "account_signup",
        _signin_page(302),
        method="POST",
        data=lambda w: {
            "email": "newcomer@example.org",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
        },
        label="post",
        follow_up=_no_account_created,
    ),
    Row("account_inactive", STATIC, label="static"),
    # Passwords.
    Row("account_change_password", everyone(200)),
    # Everyone here has a password, so "set a password" sends them to "change my password".
    Row("account_set_password", everyone(302), follow_up=_redirects_to("account_change_password")),
    Row("account_reauthenticate", everyone(200)),
    Row("account_reset_password", STATIC),
    Row("account_reset_password_done", STATIC, label="static"),
    # An unknown key shows "this link no longer works" to anyone.
    Row("account_reset_password_from_key", STATIC, args=lambda w: ["2", "not-a-key"], label="bad key"),
    Row("account_reset_password_from_key_done", STATIC, label="static"),
    # Email management and email confirmation are not used by Trellis (districts manage addresses).
    # Switched off in trellis/urls.py: districts manage email addresses; sign-in by emailed code is off.
    Row("account_email", everyone(404, anonymous=404)),
    Row("account_email_verification_sent", everyone(404, anonymous=404)),
    Row("account_confirm_email", everyone(404, anonymous=404), args=lambda w: ["not-a-key"], label="bad key"),
    Row("account_confirm_login_code", everyone(404, anonymous=404)),
    Row("off-email", everyone(404, anonymous=404)),
    Row("off-confirm-email", everyone(404, anonymous=404)),
    Row("off-login-code", everyone(404, anonymous=404)),
    # Two-factor authentication.
    Row("mfa_index", everyone(200)),
    # No sign-in is waiting for a second factor, so the page sends people on.
    Row("mfa_authenticate", everyone(302), follow_up=_redirects_to("home")),
    # No authenticator yet: confirming by code is impossible, so allauth asks for the password.
    Row("mfa_reauthenticate", everyone(302), follow_up=_redirects_to("account_reauthenticate")),
    # Setting up or replacing factors first asks the person to confirm it is them.
    Row("mfa_activate_totp", everyone(302), follow_up=_redirects_to("account_reauthenticate", prefix=True)),
    Row("mfa_generate_recovery_codes", everyone(302), follow_up=_redirects_to("account_reauthenticate", prefix=True)),
    # Pages about an authenticator the person does not have.
    Row("mfa_deactivate_totp", everyone(404)),
    Row("mfa_view_recovery_codes", everyone(404)),
    Row("mfa_download_recovery_codes", everyone(404)),
]
