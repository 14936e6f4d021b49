"""OpenID Connect sign-in, end to end: Django's test client, allauth, and a real identity provider on loopback.

The flow is the real one: POST to the district's sign-in address → allauth reads the IdP's
discovery document and redirects to its authorization endpoint → the IdP redirects back with
a code → allauth exchanges it at the token endpoint (an RS256-signed ID token) and reads
userinfo → Trellis links the sign-in to the rostered person, or refuses.
"""

from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from trellis.rostering.services import district_sso_save
from trellis.rostering.tests.oidc_idp import LocalIdP

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp_server():
    with LocalIdP().running() as provider:
        yield provider


@pytest.fixture
def idp(idp_server, settings):
    settings.SSO_ALLOW_LOOPBACK_HTTP = True
    idp_server.requests.clear()
    idp_server.codes.clear()
    idp_server.tokens.clear()
    return idp_server


def configure(world, idp, kind="google", **extra):
    values = {
        "actor": None,
        "district": world.district,
        "enabled": True,
        "kind": kind,
        "domains": ["a.example.org"],
        "client_id": idp.client_id,
        "client_secret": idp.client_secret,
        "server_url": idp.base,
        **extra,
    }
    return district_sso_save(**values)


def sign_in(config, idp, claims: dict, *, next_url="/"):
    """Run the browser's part of the flow; returns (client, final response)."""
    client = Client()
    idp.next_claims = claims
    start = client.post(
        reverse("openid_connect_login", args=[config.provider_id]), {"process": "login", "next": next_url}
    )
    assert start.status_code == 302, start.content[:500]
    assert start["Location"].startswith(f"{idp.base}/authorize?")
    # The browser at the IdP: the IdP signs the person in and redirects back with a code.
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert at_idp.status_code == 302
    back = urlsplit(at_idp.headers["Location"])
    assert back.path == reverse("openid_connect_callback", args=[config.provider_id])
    response = client.get(f"{back.path}?{back.query}")
    return client, response


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def google_claims(email, *, verified=True, sub="g-1", hd="a.example.org", **more):
    return {"sub": sub, "email": email, "email_verified": verified, "hd": hd, "name": "Someone", **more}


def test_a_verified_email_in_the_districts_domain_signs_the_rostered_person_in(world, idp):
    config = configure(world, idp)
    client, response = sign_in(config, idp, google_claims("Teacher@a.example.org"), next_url="/coaching/")
    assert response.status_code == 302 and response["Location"] == "/coaching/"
    assert signed_in_as(client) == str(world.teacher.pk)
    account = SocialAccount.objects.get(user=world.teacher)
    assert (account.provider, account.uid) == (config.provider_id, "g-1")
    assert ("POST", "/token") in idp.requests and ("GET", "/userinfo") in idp.requests
    # The next sign-in finds the linked account directly.
    client, response = sign_in(config, idp, google_claims("teacher@a.example.org"))
    assert signed_in_as(client) == str(world.teacher.pk)
    assert SocialAccount.objects.count() == 1


def test_an_unverified_email_is_refused(world, idp):
    config = configure(world, idp)
    client, response = sign_in(config, idp, google_claims("teacher@a.example.org", verified=False))
    assert response.status_code == 403
    assert "did not confirm" in response.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_an_email_outside_the_districts_domains_is_refused(world, idp):
    config = configure(world, idp)
    client, response = sign_in(config, idp, google_claims("teacher@b.example.org", hd="b.example.org"))
    assert response.status_code == 403
    assert "is not in Cedar Valley ISD" in response.content.decode()
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


def test_a_google_account_outside_the_workspace_is_refused(world, idp):
    config = configure(world, idp)
    client, response = sign_in(config, idp, google_claims("teacher@a.example.org", hd=""))
    assert response.status_code == 403 and signed_in_as(client) is None


def test_nobody_is_created_for_an_unknown_person(world, idp):
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.count()
    config = configure(world, idp)
    client, response = sign_in(config, idp, google_claims("newcomer@a.example.org"))
    assert response.status_code == 403 and "no Trellis account" in response.content.decode()
    assert get_user_model().objects.count() == before and signed_in_as(client) is None


def test_classlink_links_by_roster_id(world, idp):
    world.teacher.sourced_id = "SIS-1001"
    world.teacher.save()
    config = configure(world, idp, kind="classlink")
    # No verified email at all: the roster id claim alone identifies the person.
    client, response = sign_in(config, idp, {"sub": "cl-9", "SourcedId": "SIS-1001", "email": "ana@personal.example"})
    assert response.status_code == 302 and signed_in_as(client) == str(world.teacher.pk)


def test_clever_with_an_unverified_email_and_no_roster_match_is_refused(world, idp):
    config = configure(world, idp, kind="clever", tenant="clever-district-1")
    claims = {"sub": "cv-1", "email": "teacher@a.example.org", "email_verified": False, "district": "clever-district-1"}
    client, response = sign_in(config, idp, claims)
    assert response.status_code == 403 and signed_in_as(client) is None


def test_microsoft_checks_the_tenant(world, idp):
    tenant = "0b3c7a7e-0000-4000-8000-000000000001"
    config = configure(world, idp, kind="microsoft", tenant=tenant)
    claims = {"sub": "ms-1", "tid": "another-tenant", "preferred_username": "teacher@a.example.org"}
    client, response = sign_in(config, idp, claims)
    assert response.status_code == 403 and "another organization" in response.content.decode()
    claims["tid"] = tenant
    client, response = sign_in(config, idp, claims)
    assert signed_in_as(client) == str(world.teacher.pk)


def test_a_disabled_provider_signs_nobody_in(world, idp):
    config = configure(world, idp)
    district_sso_save(
        actor=None,
        district=world.district,
        enabled=False,
        kind="google",
        domains=["a.example.org"],
        client_id=idp.client_id,
        server_url=idp.base,
    )
    response = Client().post(reverse("openid_connect_login", args=[config.provider_id]), {"process": "login"})
    assert response.status_code == 404


def test_connecting_an_account_by_hand_is_refused(world, idp, client_for):
    config = configure(world, idp)
    client = client_for(world.teacher)
    idp.next_claims = google_claims("teacher@a.example.org")
    start = client.post(reverse("openid_connect_login", args=[config.provider_id]), {"process": "connect"})
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_idp.headers["Location"])
    response = client.get(f"{back.path}?{back.query}")
    assert response.status_code == 403 and not SocialAccount.objects.exists()


def test_the_connections_page_lists_only_the_persons_own_district(world, idp, client_for):
    configure(world, idp)
    assert client_for(world.teacher_b).get(reverse("socialaccount_connections")).status_code == 200
    from trellis.accounts.sso import list_apps

    class Request:
        user = world.teacher_b

    assert list_apps(Request()) == []
    Request.user = world.teacher
    assert [a.provider_id for a in list_apps(Request())] == ["cedar-valley-google"]
