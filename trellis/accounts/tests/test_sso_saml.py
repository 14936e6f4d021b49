"""SAML 2.0 sign-in: a response signed with a key made for the test is accepted; a tampered one is refused.

The test plays the identity provider: it reads allauth's AuthnRequest, writes the SAML
Response a district IdP would send (assertion signed with python3-saml's own utilities),
and posts it to the assertion consumer service, as the browser would.
"""

import base64
import datetime
import re
import uuid
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from trellis.rostering.services import district_sso_save
from trellis.rostering.tests.certs import key_and_cert

pytestmark = pytest.mark.django_db
IDP_ENTITY = "https://idp.cedar.example.org/saml"
HOST = {"HTTP_HOST": "testserver"}


@pytest.fixture
def config(world):
    _key, cert = key_and_cert()
    return district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="saml",
        domains=["a.example.org"],
        saml_entity_id=IDP_ENTITY,
        saml_sso_url="https://idp.cedar.example.org/sso",
        saml_certificate=cert,
    )


def _instant(delta_minutes=0) -> str:
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=delta_minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_response(config, request_id: str, email: str, *, tamper=None) -> str:
    key, cert = key_and_cert()
    acs = f"http://testserver{reverse('saml_acs', args=[config.provider_id])}"
    audience = f"http://testserver{reverse('saml_metadata', args=[config.provider_id])}"
    assertion_id = f"_a{uuid.uuid4().hex}"
    assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{assertion_id}" Version="2.0" IssueInstant="{_instant()}">
<saml:Issuer>{IDP_ENTITY}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{email}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData InResponseTo="{request_id}" NotOnOrAfter="{_instant(5)}" Recipient="{acs}"/>
</saml:SubjectConfirmation>
</saml:Subject>
<saml:Conditions NotBefore="{_instant(-5)}" NotOnOrAfter="{_instant(5)}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{_instant()}" SessionIndex="{assertion_id}">
<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>
<saml:Attribute Name="email"><saml:AttributeValue>{email}</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement>
</saml:Assertion>"""
    signed = OneLogin_Saml2_Utils.add_sign(
        assertion,
        key,
        cert,
        sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
        digest_algorithm=OneLogin_Saml2_Constants.SHA256,
    )
    signed = signed.decode() if isinstance(signed, bytes) else signed
    signed = re.sub(r"^<\?xml[^>]*\?>\s*", "", signed)
    if tamper:
        signed = tamper(signed)
    response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_instant()}" Destination="{acs}" InResponseTo="{request_id}">
<saml:Issuer>{IDP_ENTITY}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
{signed}
</samlp:Response>"""
    return base64.b64encode(response.encode()).decode()


def start(config) -> tuple[Client, str]:
    """Begin the sign-in; returns the client and the AuthnRequest's ID."""
    client = Client()
    response = client.post(reverse("saml_login", args=[config.provider_id]), {"process": "login", "next": "/"}, **HOST)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://idp.cedar.example.org/sso"
    request_xml = zlib.decompress(base64.b64decode(parse_qs(location.query)["SAMLRequest"][0]), -15).decode()
    return client, re.search(r'ID="([^"]+)"', request_xml).group(1)


def finish(client, config, saml_b64):
    acs = client.post(reverse("saml_acs", args=[config.provider_id]), {"SAMLResponse": saml_b64}, **HOST)
    assert acs.status_code == 302
    return client.get(acs["Location"], **HOST)


def test_a_signed_response_signs_the_rostered_person_in(world, config):
    client, request_id = start(config)
    response = finish(client, config, saml_response(config, request_id, "teacher@a.example.org"))
    assert response.status_code == 302, response.content[:600]
    assert client.session.get("_auth_user_id") == str(world.teacher.pk)
    account = SocialAccount.objects.get(user=world.teacher)
    assert account.provider == config.provider_id and account.uid == "teacher@a.example.org"


def test_a_tampered_response_is_refused(world, config):
    client, request_id = start(config)

    def swap_person(xml):
        return xml.replace("teacher@a.example.org", "admin@a.example.org")

    response = finish(client, config, saml_response(config, request_id, "teacher@a.example.org", tamper=swap_person))
    assert response.status_code == 401  # allauth's sign-in error page: "Signature validation failed"
    assert client.session.get("_auth_user_id") is None
    assert not SocialAccount.objects.exists()


def test_a_response_signed_by_another_key_is_refused(world, config):
    client, request_id = start(config)
    other_key, other_cert = key_and_cert("someone-else")
    saml = saml_response(config, request_id, "teacher@a.example.org")
    decoded = base64.b64decode(saml).decode()
    # Replace the signed assertion by one signed with a key the district never installed.
    assertion = re.search(r"<saml:Assertion.*</saml:Assertion>", decoded, re.S).group(0)
    unsigned = re.sub(r"<ds:Signature.*</ds:Signature>", "", assertion, flags=re.S)
    forged = OneLogin_Saml2_Utils.add_sign(unsigned, other_key, other_cert)
    forged = re.sub(r"^<\?xml[^>]*\?>\s*", "", forged.decode() if isinstance(forged, bytes) else forged)
    decoded = decoded.replace(assertion, forged)
    response = finish(client, config, base64.b64encode(decoded.encode()).decode())
    assert client.session.get("_auth_user_id") is None and response.status_code == 401


def test_an_email_outside_the_districts_domains_is_refused(world, config):
    client, request_id = start(config)
    response = finish(client, config, saml_response(config, request_id, "teacher@b.example.org"))
    assert response.status_code == 403 and client.session.get("_auth_user_id") is None


def test_sp_metadata_names_the_acs(config):
    response = Client().get(reverse("saml_metadata", args=[config.provider_id]), **HOST)
    assert response.status_code == 200
    assert reverse("saml_acs", args=[config.provider_id]) in response.content.decode()
