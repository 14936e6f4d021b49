"""A district can require its administrators to use two-factor authentication."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_without_authenticator_is_sent_to_setup(world, client_for):
    world.district.require_admin_mfa = True
    world.district.save()
    client = client_for(world.district_admin)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # Every other page sends them to the same place; the set-up page itself first asks for the password again.
    assert client.get(reverse("orgs:person-list"))["Location"] == reverse("mfa_activate_totp")
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 302 and reverse("account_reauthenticate") in setup["Location"]


def test_admin_with_authenticator_passes(world, client_for):
    world.district.require_admin_mfa = True
    world.district.save()
    Authenticator.objects.create(user=world.district_admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = client_for(world.district_admin).get(reverse("home"))
    assert response.status_code == 200


def test_policy_off_or_not_an_admin(world, client_for):
    assert client_for(world.district_admin).get(reverse("home")).status_code == 200
    world.district.require_admin_mfa = True
    world.district.save()
    # The rule is for administrators; teachers in that district are not forced.
    assert client_for(world.teacher).get(reverse("home")).status_code == 200
    # Another district's admin is not bound by this district's rule.
    assert client_for(world.other_admin).get(reverse("home")).status_code == 200
