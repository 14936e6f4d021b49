"""Authorization matrix rows for the rostering pages and for django-allauth's sign-in-with-a-provider pages.

Rostering pages are for district admins only: everyone else signed in gets 403, whatever
the id. District B's admin gets 200 on list pages (their own district) and 404 on district
A's imports. "Sign in with your district" (sso-find) is for anyone, signed in or not.

The allauth rows pin what allauth 65 does with one district app configured (made in the
row's ``args``): provider sign-in pages confirm before leaving (200), callbacks without a
sign-in under way answer 401 (allauth's authentication-error page), SAML metadata is
public. The SAML logout endpoint is requested with an unknown organization (404): it needs
a real IdP message. allauth's four deprecated ``social/...`` redirects have no URL names;
tests/test_authz_matrix.py exempts them.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz import LOGIN, Row, everyone
from trellis.rostering import models as m
from trellis.rostering.tests.certs import cert_pem
from trellis.rostering.tests.packages import basic_files, teachers, zip_package

LIST = everyone(403, district_admin=200, other_admin=200)
OBJECT = everyone(403, district_admin=200, other_admin=404)
CREATE = everyone(403, district_admin=302, other_admin=302)
CHANGE = everyone(403, district_admin=302, other_admin=404)
PUBLIC = everyone(200, anonymous=200)
SIGNED_IN_PAGE = everyone(200)


def _import(world, status=m.ImportStatus.CHECKED):
    """A checked upload of district A, waiting to be imported (its file stored)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = default_storage.save("roster-imports/matrix.zip", ContentFile(b"PK"))
    record = m.RosterImport.objects.create(
        district=world.district,
        source=m.ImportSource.UPLOAD,
        status=status,
        filename="roster.zip",
        stored_file=stored,
        report={"errors": [], "warnings": [], "notices": [], "people": {"created": 1}},
        requested_by=world.district_admin,
    )
    return record.pk


def _zip_upload(world):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = zip_package(Path(tmp) / "roster.zip", basic_files(*teachers(2)))
        data = path.read_bytes()
    return {"file": SimpleUploadedFile("roster.zip", data, content_type="application/zip"), "classes": "on"}


def _oidc(world):
    from trellis.rostering.services import district_sso_save

    config = district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="google",
        domains=["a.example.org"],
        client_id="matrix-client",
        client_secret="matrix-secret",
    )
    return [config.provider_id]


def _saml(world):
    from trellis.rostering.services import district_sso_save

    config = district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="saml",
        domains=["a.example.org"],
        saml_entity_id="https://idp.a.example.org/metadata",
        saml_sso_url="https://idp.a.example.org/sso",
        saml_certificate=cert_pem(),
    )
    return [config.provider_id]


SSO_POST = {
    "enabled": "on",
    "kind": "google",
    "domains": "example-district.org",
    "allow_local_passwords": "on",
    "client_id": "client-1",
    "client_secret": "secret-1",
}

ROWS = [
    # Imports
    Row("rostering:import-list", LIST),
    Row("rostering:import-upload", LIST),
    Row("rostering:import-upload", CREATE, method="POST", data=_zip_upload, label="post"),
    Row("rostering:import-detail", OBJECT, args=lambda w: [_import(w)]),
    Row("rostering:import-confirm", CHANGE, args=lambda w: [_import(w)], method="POST"),
    Row("rostering:import-confirm", everyone(405), args=lambda w: [_import(w)], label="get"),
    Row("rostering:import-cancel", CHANGE, args=lambda w: [_import(w)], method="POST"),
    # The scheduled sync and single sign-on
    Row("rostering:schedule", LIST),
    Row(
        "rostering:schedule",
        CREATE,
        method="POST",
        data=lambda w: {"enabled": "on", "folder": "drop-folder", "mode": "", "classes": ""},
        label="post",
    ),
    Row("rostering:sso-settings", LIST),
    Row("rostering:sso-settings", CREATE, method="POST", data=lambda w: dict(SSO_POST), label="post"),
    Row("rostering:sso-find", PUBLIC),
    # django-allauth: signing in with a district's provider
    Row("socialaccount_connections", SIGNED_IN_PAGE),
    Row("socialaccount_login_cancelled", PUBLIC),
    Row("socialaccount_login_error", everyone(401, anonymous=401)),
    Row("socialaccount_signup", everyone(LOGIN)),  # no sign-up under way, and sign-up is closed anyway
    Row("openid_connect_login", PUBLIC, args=_oidc),
    Row(
        "openid_connect_login",
        everyone(404, anonymous=404),
        args=lambda w: ["no-such-district-google"],
        label="unknown",
    ),
    Row("openid_connect_callback", everyone(401, anonymous=401), args=_oidc),
    Row("saml_login", PUBLIC, args=_saml),
    Row("saml_metadata", PUBLIC, args=_saml),
    Row("saml_acs", everyone(302, anonymous=302), args=_saml),
    Row("saml_finish_acs", everyone(401, anonymous=401), args=_saml),
    Row("saml_sls", everyone(404, anonymous=404), args=lambda w: ["no-such-district-saml"]),
]
