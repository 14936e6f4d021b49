"""Signing in, passwords, two-factor authentication and the account page, as a person meets them."""

import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.orgs.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts attempts in the cache (locmem in tests), which outlives a test: start each from zero.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def html(response):
    return response.content.decode()


def totp_code(secret):
    """The code an authenticator app shows now (time_machine moves "now")."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


# Signing in


def test_login_page_says_what_trellis_is_and_offers_a_reset(db):
    page = html(Client().get(reverse("account_login")))
    assert "Sign in to Trellis" in page
    assert "coaching and professional learning" in page
    assert f'href="{reverse("account_reset_password")}">Forgot your password?' in page
    assert '<label for="id_login">' in page and '<label for="id_password">' in page
    assert 'class="entrance"' in page and 'class="card stack"' in page
    # The Trellis shell, not allauth's bare page.
    assert 'class="site-header"' in page and "trellis/css/trellis.css" in page
    assert "Menu:" not in page


def test_right_password_lands_on_home(world):
    client = Client()
    response = sign_in(client, world.teacher.email)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert f"Welcome, {world.teacher.display_name}" in html(home)


def test_email_is_matched_without_regard_to_case(world):
    response = sign_in(Client(), world.teacher.email.upper())
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_and_keeps_the_email(world):
    client = Client()
    response = sign_in(client, world.teacher.email, "not-the-password")
    assert response.status_code == 200
    page = html(response)
    assert "The email address and/or password you specified are not correct." in page
    assert 'role="alert"' in page
    assert f'value="{world.teacher.email}"' in page
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_empty_fields_are_named(db):
    page = html(Client().post(reverse("account_login"), {"login": "", "password": ""}))
    assert 'id="id_login_error"' in page and 'id="id_password_error"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_login_error"' in page


def test_five_wrong_passwords_lock_the_account_for_the_window(world):
    client = Client()
    for _ in range(5):
        assert "not correct" in html(sign_in(client, world.teacher.email, "guess-again-123"))
    # The sixth attempt is refused even with the right password.
    response = sign_in(client, world.teacher.email)
    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in html(response)
    assert not response.wsgi_request.user.is_authenticated
    # Another person's sign-in from the same place is not affected.
    assert sign_in(Client(), world.coach.email)["Location"] == reverse("home")
    # After the window (LOGIN_ATTEMPTS_WINDOW, 300 s by default) the right password works again.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=301)):
        assert sign_in(Client(), world.teacher.email)["Location"] == reverse("home")


def test_a_room_of_teachers_signs_in_from_one_address(world):
    """A PD session: everyone signs in at once from the school's one public address."""
    from trellis.orgs.factories import PersonFactory

    people = [PersonFactory(district=world.district) for _ in range(45)]
    for person in people:
        response = sign_in(Client(REMOTE_ADDR="203.0.113.7"), person.email)
        assert response.status_code == 302 and response["Location"] == reverse("home"), person.email


def test_deactivated_person_cannot_sign_in(world):
    world.teacher.is_active = False
    world.teacher.save()
    response = sign_in(Client(), world.teacher.email)
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert not response.wsgi_request.user.is_authenticated
    page = html(Client().get(response["Location"]))
    assert "This account is switched off" in page and "district" in page


def test_sign_out_asks_then_signs_out(world, client_for):
    client = client_for(world.teacher)
    page = html(client.get(reverse("account_logout")))
    assert "Sign out of Trellis?" in page and '<button type="submit" class="button">Sign out</button>' in page
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert client.get(reverse("home")).status_code == 302


# Sign-up is closed


def test_signup_page_explains_that_districts_create_accounts(db):
    page = html(Client().get(reverse("account_signup")))
    assert "Accounts are created by your district" in page
    assert "<form" not in page.split('id="main"')[1]


def test_signup_post_creates_nothing(db):
    before = User.objects.count()
    response = Client().post(
        reverse("account_signup"),
        {"email": "newcomer@example.org", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )
    assert response.status_code == 200
    assert "Accounts are created by your district" in html(response)
    assert User.objects.count() == before
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert not response.wsgi_request.user.is_authenticated


# Password reset


def test_password_reset_sends_a_working_link(world):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": world.teacher.email})
    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
    assert "Check your email" in html(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.teacher.email]
    assert "Reset your Trellis password" in message.subject
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)

    # The link leads to a form (allauth first moves the key out of the address into the session).
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200 and "Choose a new password" in html(response)
    new_password = "a-brand-new-pass-42"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302 and done["Location"] == reverse("account_reset_password_from_key_done")
    assert "Your password is changed" in html(client.get(done["Location"]))

    world.teacher.refresh_from_db()
    assert world.teacher.check_password(new_password)
    assert sign_in(Client(), world.teacher.email, new_password)["Location"] == reverse("home")
    # The link works once.
    assert "This link no longer works" in html(Client().get(link))


def test_password_reset_for_an_unknown_email_looks_the_same(world):
    known = Client().post(reverse("account_reset_password"), {"email": world.teacher.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    # Same answer, same next page: the form does not reveal who has an account.
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    to_unknown = [m for m in mail.outbox if m.to == ["nobody@example.org"]]
    # Whatever allauth tells the unknown address, it carries no reset link and no sign-up invitation.
    for message in to_unknown:
        assert "/password/reset/key/" not in message.body
        assert "/signup/" not in message.body
        assert "created by districts" in message.body


def test_password_reset_form_names_a_bad_email(db):
    page = html(Client().post(reverse("account_reset_password"), {"email": "not-an-email"}))
    assert 'id="id_email_error"' in page and 'aria-invalid="true"' in page
    assert not mail.outbox


# Changing the password while signed in


def test_change_password_checks_the_current_one(world, client_for):
    client = client_for(world.teacher)
    page = html(client.get(reverse("account_change_password")))
    assert "Change my password" in page and "Forgot your current password?" in page
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong-old-pass", "password1": "another-pass-77", "password2": "another-pass-77"},
    )
    assert response.status_code == 200 and 'id="id_oldpassword_error"' in html(response)
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(TEST_PASSWORD)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "another-pass-77", "password2": "another-pass-77"},
    )
    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.check_password("another-pass-77")


# Two-factor authentication


def test_turning_on_two_factor_then_signing_in_with_a_code(world):
    client = Client()
    sign_in(client, world.coach.email)
    index = html(client.get(reverse("mfa_index")))
    assert "Two-factor authentication" in index and "Set up an authenticator app" in index

    # Setting it up first asks for the password again.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert "Confirm it’s you" in html(client.get(response["Location"]))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    page = html(response)
    assert response.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page and 'alt="QR code' in page
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"', page).group(1)

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and 'id="id_code_error"' in html(wrong)
    assert not Authenticator.objects.filter(user=world.coach).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=world.coach, type=Authenticator.Type.TOTP).exists()
    codes_page = html(client.get(reverse("mfa_view_recovery_codes")))
    assert "Recovery codes" in codes_page and "<code>" in codes_page

    # Next sign-in: password, then a code.
    fresh = Client()
    response = sign_in(fresh, world.coach.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    page = html(fresh.get(reverse("mfa_authenticate")))
    assert "Enter your authenticator code" in page and "recovery codes" in page
    assert not fresh.get(reverse("home")).wsgi_request.user.is_authenticated
    # The code that activated the app cannot be replayed, so use the next time step.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30)):
        response = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302 and response["Location"] == reverse("home")
        assert f"Welcome, {world.coach.display_name}" in html(fresh.get(reverse("home")))


def test_managing_two_factor_pages(world, client_for):
    secret = generate_totp_secret()
    TOTP.activate(world.coach, secret)
    codes = RecoveryCodes.activate(world.coach).generate_codes()
    client = client_for(world.coach)

    index = html(client.get(reverse("mfa_index")))
    assert "You sign in with a code from your authenticator app." in index
    assert "10 of 10 recovery codes are left." in index and "Make new codes" in index
    # Seeing codes or changing factors asks the person to confirm it is them: with a code, now that they have an app.
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 302
    reauth = html(client.get(response["Location"]))
    assert "Confirm it’s you" in reauth and reverse("account_reauthenticate") in reauth
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})

    listing = html(client.get(reverse("mfa_view_recovery_codes")))
    assert f"<code>{codes[0]}</code>" in listing
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download["Content-Disposition"].startswith("attachment") and codes[0] in download.content.decode()

    generate = html(client.get(reverse("mfa_generate_recovery_codes")))
    assert "Make new recovery codes?" in generate and "stop working at once" in generate
    page = html(client.get(reverse("mfa_deactivate_totp")))
    assert "Turn off the authenticator app?" in page and "button-danger" in page
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.coach, type=Authenticator.Type.TOTP).exists()
    assert "Set up an authenticator app" in html(client.get(reverse("mfa_index")))


def test_opening_the_email_page_does_not_block_two_factor_setup(world, client_for):
    client = client_for(world.teacher)
    client.get(reverse("account_email"))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert not EmailAddress.objects.filter(user=world.teacher, verified=False).exists()
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


# The account page


def test_profile_saves_the_name_and_audits_it(world, client_for):
    client = client_for(world.teacher)
    page = html(client.get(reverse("accounts:profile")))
    assert world.teacher.email in page and "Change my password" in page
    response = client.post(reverse("accounts:profile"), {"full_name": "Ana María Teacher", "preferred_name": "Ana"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    world.teacher.refresh_from_db()
    assert (world.teacher.full_name, world.teacher.preferred_name) == ("Ana María Teacher", "Ana")
    entry = AuditEntry.objects.get(action="profile.update", actor=world.teacher)
    assert entry.before == {"full_name": "Ana Teacher", "preferred_name": ""}
    assert entry.after == {"full_name": "Ana María Teacher", "preferred_name": "Ana"}
    assert entry.district == world.district
    assert "Your name is saved." in html(client.get(reverse("accounts:profile")))


@pytest.mark.parametrize("name", ["", "    "])
def test_profile_refuses_an_empty_name(world, client_for, name):
    client = client_for(world.teacher)
    response = client.post(reverse("accounts:profile"), {"full_name": name, "preferred_name": "Ana"})
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    page = html(response)
    assert 'id="id_full_name_error"' in page and 'aria-invalid="true"' in page
    world.teacher.refresh_from_db()
    assert (world.teacher.full_name, world.teacher.preferred_name) == ("Ana Teacher", "")
    assert not AuditEntry.objects.filter(action="profile.update").exists()
