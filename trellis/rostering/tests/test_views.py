"""The rostering pages: upload → check → report → import or cancel; history; schedule; SSO settings."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.samples import sample_path
from trellis.audit.models import AuditEntry
from trellis.orgs.models import Membership
from trellis.rostering import models as m
from trellis.rostering.tests.packages import basic_files, sample_files, teachers, zip_package

pytestmark = pytest.mark.django_db


def _upload(tmp_path, files, name="roster.zip"):
    path = zip_package(tmp_path / name, files)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/zip")


@pytest.fixture
def admin(world, client_for):
    return client_for(world.district_admin)


def test_upload_check_report_and_import(world, admin, tmp_path, django_capture_on_commit_callbacks):
    sample_path("oneroster-1.1-edfi-lms-toolkit")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("rostering:import-upload"), {"file": _upload(tmp_path, sample_files()), "classes": "on"}
        )
    record = m.RosterImport.objects.get()
    assert response["Location"] == reverse("rostering:import-detail", args=[record.pk])
    assert record.status == m.ImportStatus.CHECKED
    assert record.options["classes"] is True
    assert default_storage.exists(record.stored_file)
    assert not Membership.objects.filter(person__sourced_id="207270").exists()  # nothing yet

    page = admin.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "What importing will do" in text
    assert "Kelley Christian" in text and "manifest.version" in text
    assert "users.csv" in text and "Row 10 has 19 values" in text  # the file, row and problem

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("rostering:import-confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == m.ImportStatus.IMPORTED
    assert record.stored_file == ""
    assert Membership.objects.filter(person__sourced_id="207270").exists()
    assert m.SchoolClass.objects.count() == 2
    assert AuditEntry.objects.filter(action="roster.import", object_id=str(record.pk)).count() == 1
    page = admin.get(reverse("rostering:import-detail", args=[record.pk]))
    assert "What changed" in page.content.decode()
    # It shows in the history.
    listing = admin.get(reverse("rostering:import-list"))
    assert record.filename in listing.content.decode()


def test_a_refused_upload_shows_its_errors_and_deletes_the_file(
    world, admin, tmp_path, django_capture_on_commit_callbacks
):
    files = basic_files(*teachers(1))
    files["users.csv"] = files["users.csv"].replace("true", "maybe")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-upload"), {"file": _upload(tmp_path, files)})
    record = m.RosterImport.objects.get()
    assert record.status == m.ImportStatus.REFUSED and record.stored_file == ""
    text = admin.get(reverse("rostering:import-detail", args=[record.pk])).content.decode()
    assert "Nothing was imported" in text and "enabledUser" in text
    response = admin.post(reverse("rostering:import-confirm", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == m.ImportStatus.REFUSED


def test_cancel_deletes_the_stored_file(world, admin, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-upload"), {"file": _upload(tmp_path, basic_files(*teachers(2)))})
    record = m.RosterImport.objects.get()
    path = record.stored_file
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-cancel", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == m.ImportStatus.CANCELLED and not default_storage.exists(path)


def test_the_guard_asks_for_confirmation_on_the_page(world, admin, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-upload"), {"file": _upload(tmp_path, basic_files(*teachers(10)), "a.zip")})
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-confirm", args=[m.RosterImport.objects.get().pk]))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-upload"), {"file": _upload(tmp_path, basic_files(*teachers(5)), "b.zip")})
    record = m.RosterImport.objects.latest("pk")
    assert record.status == m.ImportStatus.CHECKED and record.options["needs_confirmation"]
    text = admin.get(reverse("rostering:import-detail", args=[record.pk])).content.decode()
    assert "deactivate many people" in text and "confirm_deactivation" in text
    # Without the tick: refused, nothing changes.
    admin.post(reverse("rostering:import-confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == m.ImportStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("rostering:import-confirm", args=[record.pk]), {"confirm_deactivation": "on"})
    record.refresh_from_db()
    assert record.status == m.ImportStatus.IMPORTED and record.report["people"]["deactivated"] == 5


def test_the_report_page_polls_while_a_task_runs(world, admin):
    record = m.RosterImport.objects.create(
        district=world.district, source=m.ImportSource.UPLOAD, status=m.ImportStatus.QUEUED, filename="x.zip"
    )
    url = reverse("rostering:import-detail", args=[record.pk])
    assert 'hx-trigger="every 2s"' in admin.get(url).content.decode()
    partial = admin.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    record.status = m.ImportStatus.REFUSED
    record.save()
    done = admin.get(url, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_upload_form_refuses_a_csv_and_a_big_file(world, admin, settings):
    response = admin.post(
        reverse("rostering:import-upload"), {"file": SimpleUploadedFile("users.csv", b"sourcedId\n1\n")}
    )
    assert response.status_code == 200 and "not a single CSV file" in response.content.decode()
    settings.ROSTER_MAX_UPLOAD_BYTES = 1024
    response = admin.post(reverse("rostering:import-upload"), {"file": SimpleUploadedFile("big.zip", b"x" * 4096)})
    assert "the limit is" in response.content.decode()
    assert not m.RosterImport.objects.exists()


def test_history_is_paginated_and_per_district(world, admin, client_for):
    for n in range(30):
        m.RosterImport.objects.create(
            district=world.district, source=m.ImportSource.COMMAND, status=m.ImportStatus.IMPORTED, filename=f"f{n}.zip"
        )
    m.RosterImport.objects.create(district=world.district_b, source="command", status="imported", filename="other.zip")
    page = admin.get(reverse("rostering:import-list")).content.decode()
    assert "f29.zip" in page and "f0.zip" not in page and "other.zip" not in page
    assert "f0.zip" in admin.get(reverse("rostering:import-list") + "?page=2").content.decode()
    other = client_for(world.other_admin)
    record = m.RosterImport.objects.filter(district=world.district).first()
    assert other.get(reverse("rostering:import-detail", args=[record.pk])).status_code == 404


def test_history_runs_a_fixed_number_of_queries(world, admin, django_assert_max_num_queries):
    for n in range(40):
        m.RosterImport.objects.create(
            district=world.district,
            source="upload",
            status="imported",
            filename=f"f{n}.zip",
            requested_by=world.district_admin,
        )
    with django_assert_max_num_queries(14):
        assert admin.get(reverse("rostering:import-list")).status_code == 200


def test_schedule_page_saves_and_refuses_a_folder_outside_the_drop_directory(world, admin, settings, tmp_path):
    settings.ROSTER_SYNC_ROOT = tmp_path / "drop"
    url = reverse("rostering:schedule")
    response = admin.post(url, {"enabled": "on", "folder": "../../etc", "mode": ""})
    assert response.status_code == 200 and "no “..”" in response.content.decode()
    response = admin.post(url, {"enabled": "on", "folder": "cedar-valley", "mode": "bulk", "classes": "on"})
    assert response.status_code == 302
    schedule = m.SyncSchedule.objects.get(district=world.district)
    assert (schedule.folder, schedule.mode, schedule.enabled, schedule.classes) == ("cedar-valley", "bulk", True, True)
    assert AuditEntry.objects.filter(action="roster.schedule.create").exists()
    # Another district cannot take the same folder.
    m.SyncSchedule.objects.create(district=world.district_b, folder="willow")
    response = admin.post(url, {"enabled": "on", "folder": "willow", "mode": ""})
    assert "Another district already uses this folder" in response.content.decode()


def test_sso_settings_page(world, admin):
    url = reverse("rostering:sso-settings")
    data = {
        "enabled": "on",
        "kind": "microsoft",
        "domains": "cedarvalley.example.org\n@Staff.CedarValley.example.org",
        "client_id": "app-1",
        "client_secret": "s3cret",
        "tenant": "common",
        "allow_local_passwords": "",
    }
    response = admin.post(url, data)
    assert "tenant" in response.content.decode() and not m.DistrictSSO.objects.exists()
    data["tenant"] = "4f1c2b9a-0000-4000-8000-00000000beef"
    assert admin.post(url, data).status_code == 302
    config = m.DistrictSSO.objects.get()
    assert config.allow_local_passwords is False and config.client_secret == "s3cret"
    assert sorted(config.domains.values_list("domain", flat=True)) == [
        "cedarvalley.example.org",
        "staff.cedarvalley.example.org",
    ]
    page = admin.get(url).content.decode()
    assert "s3cret" not in page and "/accounts/oidc/cedar-valley-microsoft/login/callback/" in page
    # Saving without a secret keeps the saved one; the audit never holds it.
    data["client_secret"] = ""
    admin.post(url, data)
    config.refresh_from_db()
    assert config.client_secret == "s3cret"
    assert not any("s3cret" in str(e.after) for e in AuditEntry.objects.filter(action__startswith="sso."))
    # A domain of another district is refused.
    m.SSODomain.objects.create(
        district=world.district_b,
        config=m.DistrictSSO.objects.create(district=world.district_b, key="wc", kind="google"),
        domain="b.example.org",
    )
    data["domains"] = "b.example.org"
    assert "Another district already signs in with b.example.org" in admin.post(url, data).content.decode()


def test_sso_settings_saml_from_metadata(world, admin):
    from trellis.rostering.tests.certs import cert_pem

    body = "".join(cert_pem().splitlines()[1:-1])
    metadata = f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.cedar.example.org/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.cedar.example.org/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""
    data = {
        "enabled": "on",
        "kind": "saml",
        "domains": "cedar.example.org",
        "allow_local_passwords": "on",
        "saml_metadata": metadata,
    }
    assert admin.post(reverse("rostering:sso-settings"), data).status_code == 302
    config = m.DistrictSSO.objects.get()
    assert config.saml_entity_id == "https://idp.cedar.example.org/saml"
    assert config.saml_sso_url == "https://idp.cedar.example.org/sso"
    assert config.saml_certificate == body
    page = admin.get(reverse("rostering:sso-settings")).content.decode()
    assert "/accounts/saml/cedar-valley-saml/acs/" in page


def test_sso_find(world, client_for):
    from trellis.rostering.services import district_sso_save

    district_sso_save(
        actor=None,
        district=world.district,
        enabled=True,
        kind="google",
        domains=["cedar.example.org"],
        client_id="c",
        client_secret="s",
    )
    anonymous = client_for(None)
    page = anonymous.get(reverse("rostering:sso-find"), {"email": "ana@Cedar.example.org", "next": "/coaching/"})
    text = page.content.decode()
    assert "Sign in with Google Workspace" in text
    assert 'action="/accounts/oidc/cedar-valley-google/login/"' in text and 'value="/coaching/"' in text
    none = anonymous.get(reverse("rostering:sso-find"), {"email": "x@elsewhere.org", "next": "https://evil.example"})
    assert "not set up for x@elsewhere.org" in none.content.decode() and "evil" not in none.content.decode()
    partial = anonymous.get(
        reverse("rostering:sso-find"), {"email": "ana@cedar.example.org"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "Sign in with" in partial.content.decode()
