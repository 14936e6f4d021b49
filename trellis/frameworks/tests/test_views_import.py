"""The CASE import wizard: upload or address, a background check, preview, import or cancel; never a 500."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.samples import sample_path
from trellis.audit.models import AuditEntry
from trellis.frameworks.models import CaseImportJob, Framework, FrameworkNode
from trellis.frameworks.tests.authz import make_package

pytestmark = pytest.mark.django_db

START = reverse("frameworks:import")


def preview_url(job) -> str:
    return reverse("frameworks:import-preview", args=[job.pk])


def cancel_url(job) -> str:
    return reverse("frameworks:import-cancel", args=[job.pk])


def latest_job():
    return CaseImportJob.objects.order_by("-pk").first()


def upload(content: bytes, name="package.json"):
    return SimpleUploadedFile(name, content, "application/json")


def stored_files() -> list:
    try:
        return default_storage.listdir("case-imports")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def admin(world, client_for, django_capture_on_commit_callbacks):
    """The district admin, whose posts run the tasks they enqueue (as the immediate backend does after commit)."""
    client = client_for(world.district_admin)
    plain_post = client.post

    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return plain_post(*args, **kwargs)

    client.post = post
    return client


def test_the_start_page_offers_a_file_or_an_address(admin):
    html = admin.get(START).content.decode()
    assert 'type="file"' in html and 'name="url"' in html and 'name="kind"' in html
    assert 'enctype="multipart/form-data"' in html


def test_the_wizard_imports_the_ordering_sample(world, admin):
    raw = sample_path("case-opensalt", "Ordering.json").read_bytes()
    response = admin.post(START, {"file": upload(raw, "Ordering.json"), "kind": "teaching_practice"})
    job = latest_job()
    assert response.status_code == 302 and response["Location"] == preview_url(job)
    assert job.status == "ready" and job.source == "Ordering.json" and job.created_by == world.district_admin
    assert job.report["items"] == 28 and not job.existed
    assert len(stored_files()) == 1
    assert not Framework.objects.filter(district=world.district).exists()  # the check wrote nothing

    html = admin.get(preview_url(job)).content.decode()
    assert "ACT Holistic Framework, Math" in html
    for label, value in [("Items", 28), ("Top-level items", 1), ("Depth", 5)]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert "Ordering.json" in html and "Teaching practice" in html
    assert "Creates a new framework for Cedar Valley ISD." in html
    assert "H.A.MATH.GM.PF.2DFP.L1.1" in html  # the outline preview
    assert ">Import</button>" in html
    assert "cannot be imported" not in html and "Checking…" not in html

    response = admin.post(preview_url(job), follow=True)
    framework = Framework.objects.get(district=world.district)
    assert response.redirect_chain[-1][0] == reverse("frameworks:framework-detail", args=[framework.pk])
    assert "ACT Holistic Framework, Math is imported: 28 items." in response.content.decode()
    assert framework.kind == "teaching_practice"
    assert FrameworkNode.objects.filter(version=framework.current_version).count() == 28
    entry = AuditEntry.objects.get(action="framework.import")
    assert entry.actor_id == world.district_admin.pk and entry.district_id == world.district.pk
    assert entry.object_id == str(framework.pk)
    # The stored package is gone and the job records the result.
    assert stored_files() == []
    job.refresh_from_db()
    assert job.status == "imported" and job.framework == framework and job.stored_file == ""
    # A finished import cannot be imported again.
    response = admin.post(preview_url(job), follow=True)
    assert response.redirect_chain == [(START, 302)] and "There is no import waiting" in response.content.decode()

    # The same package again: the preview says it updates the framework in place, and it does.
    admin.post(START, {"file": upload(raw, "Ordering.json"), "kind": "teaching_practice"})
    job = latest_job()
    assert job.existed
    html = admin.get(preview_url(job)).content.decode()
    assert "Updates ACT Holistic Framework, Math in place" in html and ">Import and update</button>" in html
    response = admin.post(preview_url(job), follow=True)
    assert "is updated: 28 items" in response.content.decode()
    assert Framework.objects.filter(district=world.district).count() == 1


def test_the_preview_says_checking_until_the_task_has_run(world, client_for):
    """Without running the task (a real worker runs it later), the page waits and polls a small status partial."""
    admin = client_for(world.district_admin)
    response = admin.post(START, {"file": upload(json.dumps(make_package("later")).encode()), "kind": "other"})
    job = latest_job()
    assert response["Location"] == preview_url(job) and job.status == "pending"
    html = admin.get(preview_url(job)).content.decode()
    assert "Checking…" in html and 'hx-trigger="every 2s"' in html
    assert f'<a href="{preview_url(job)}">Refresh</a>' in html
    assert "<meta http-equiv" not in html
    assert ">Import</button>" not in html and ">Cancel</button>" in html
    # The poll gets the partial while it waits ...
    partial = admin.get(preview_url(job), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "Checking…" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    # ... an import pressed meanwhile is refused ...
    response = admin.post(preview_url(job), follow=True)
    assert "still being checked" in response.content.decode()
    assert not Framework.objects.filter(district=world.district).exists()
    # ... and once the check is done the poll asks for a full reload.
    from trellis.frameworks.tasks import check_case_import

    check_case_import.call(job.pk)
    partial = admin.get(preview_url(job), headers={"HX-Request": "true"})
    assert partial.status_code == 204 and partial["HX-Refresh"] == "true"
    assert ">Import</button>" in admin.get(preview_url(job)).content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not json", "The file is not valid JSON"),
        (b'{"hello": "world"}', "not a CASE package"),
        (b"<!doctype html><html><body>Sign in</body></html>", "web page or XML"),
        (b"\xff\xfe\x00bad", "not UTF-8"),
    ],
)
def test_a_bad_file_shows_its_errors_and_no_import_button(world, admin, content, message):
    response = admin.post(START, {"file": upload(content), "kind": "other"})
    assert response.status_code == 302
    job = latest_job()
    assert job.status == "failed" and stored_files() == []
    html = admin.get(preview_url(job)).content.decode()
    assert "This package cannot be imported" in html and message in html
    assert "Nothing was stored" in html
    assert ">Import</button>" not in html and "Start again with another package" in html
    # Forcing the import anyway writes nothing.
    response = admin.post(preview_url(job), follow=True)
    assert "nothing was imported" in response.content.decode()
    assert not Framework.objects.filter(district=world.district).exists()
    assert not AuditEntry.objects.filter(action__startswith="framework.import").exists()


def test_a_package_with_a_cycle_names_it(world, admin):
    package = make_package("cycle", domains=1, components=1)
    domain, component = package["CFItems"][0]["identifier"], package["CFItems"][1]["identifier"]
    package["CFAssociations"][0]["destinationNodeURI"] = {"identifier": component, "uri": "x", "title": "x"}
    package["CFAssociations"][0]["originNodeURI"] = {"identifier": domain, "uri": "x", "title": "x"}
    admin.post(START, {"file": upload(json.dumps(package).encode()), "kind": "other"})
    html = admin.get(preview_url(latest_job())).content.decode()
    assert "form a cycle" in html and ">Import</button>" not in html


def test_an_upload_over_the_limit_is_refused_on_the_form(world, admin, settings):
    settings.CASE_MAX_BYTES = 2048
    response = admin.post(START, {"file": upload(b" " * 5000), "kind": "other"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The file is 4.9\xa0KB; the limit is 2.0\xa0KB." in html
    assert stored_files() == [] and not CaseImportJob.objects.exists()


def test_a_file_and_an_address_or_neither(admin):
    response = admin.post(START, {"kind": "other"})
    assert "Choose a CASE package file or enter its address." in response.content.decode()
    response = admin.post(START, {"file": upload(b"{}"), "url": "https://example.org/x", "kind": "other"})
    assert "not both" in response.content.decode()
    response = admin.post(START, {"file": upload(b"{}"), "kind": "nonsense"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert stored_files() == [] and not CaseImportJob.objects.exists()


def test_a_finished_or_unknown_import_is_not_waiting(admin):
    admin.post(START, {"file": upload(json.dumps(make_package("done")).encode()), "kind": "other"})
    job = latest_job()
    admin.post(cancel_url(job))
    response = admin.get(preview_url(job), follow=True)
    assert response.redirect_chain == [(START, 302)]
    assert "There is no import waiting" in response.content.decode()
    response = admin.post(preview_url(job), follow=True)
    assert response.redirect_chain == [(START, 302)]
    assert admin.get(reverse("frameworks:import-preview", args=[999999])).status_code == 404


def test_a_stored_file_that_went_missing_is_an_expired_import(admin):
    admin.post(START, {"file": upload(json.dumps(make_package("gone")).encode()), "kind": "other"})
    job = latest_job()
    default_storage.delete(job.stored_file)
    response = admin.get(preview_url(job), follow=True)
    assert response.redirect_chain == [(START, 302)]
    assert "There is no import waiting" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.stored_file == ""


def test_cancel_deletes_the_stored_package(world, admin):
    admin.post(START, {"file": upload(json.dumps(make_package("cancel")).encode()), "kind": "other"})
    job = latest_job()
    assert len(stored_files()) == 1
    response = admin.post(cancel_url(job), follow=True)
    assert response.redirect_chain[-1][0] == reverse("frameworks:catalogue")
    assert "The import is cancelled" in response.content.decode()
    assert stored_files() == []
    job.refresh_from_db()
    assert job.status == "cancelled" and job.stored_file == ""
    assert AuditEntry.objects.filter(action="case_import.cancel", object_id=str(job.pk)).exists()
    assert not Framework.objects.filter(district=world.district).exists()
    # Cancelling again says nothing and changes nothing.
    response = admin.post(cancel_url(job), follow=True)
    assert "The import is cancelled" not in response.content.decode()


def test_a_second_upload_replaces_the_first(admin):
    admin.post(START, {"file": upload(json.dumps(make_package("one", title="One")).encode()), "kind": "other"})
    first = latest_job()
    admin.post(START, {"file": upload(json.dumps(make_package("two", title="Two")).encode()), "kind": "other"})
    assert len(stored_files()) == 1
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert "<dt>Title</dt><dd>Two</dd>" in admin.get(preview_url(latest_job())).content.decode()


def test_other_roles_cannot_use_the_wizard(world, admin, client_for):
    admin.post(START, {"file": upload(json.dumps(make_package("mine")).encode()), "kind": "other"})
    job = latest_job()
    for persona in ("teacher", "coach", "campus_leader", "facilitator", "sc_admin"):
        client = client_for(getattr(world, persona))
        assert client.get(START).status_code == 403
        assert client.post(START, {"file": upload(json.dumps(make_package("x")).encode())}).status_code == 403
        assert client.get(preview_url(job)).status_code == 403
        assert client.post(preview_url(job)).status_code == 403
        assert client.post(cancel_url(job)).status_code == 403
    assert len(stored_files()) == 1 and CaseImportJob.objects.count() == 1


def test_a_waiting_import_is_not_someone_elses(world, admin, client_for):
    admin.post(START, {"file": upload(json.dumps(make_package("mine")).encode()), "kind": "other"})
    job = latest_job()
    other = client_for(world.other_admin)  # district B's admin
    assert other.get(preview_url(job)).status_code == 404
    assert other.get(preview_url(job), headers={"HX-Request": "true"}).status_code == 404
    assert other.post(preview_url(job)).status_code == 404
    assert other.post(cancel_url(job)).status_code == 404
    assert len(stored_files()) == 1
    job.refresh_from_db()
    assert job.status == "ready"
    assert not Framework.objects.exclude(district=None).exists()


# Import from an address, against a real HTTP server on the loopback interface ------------------------------------

PACKAGE = json.dumps(make_package("served", title="Served Framework")).encode()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if "/ims/case/v1p1/CFPackages/" in self.path:
            self._send(200, "application/json", PACKAGE)
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, "application/json", PACKAGE)
        elif self.path == "/html":
            self._send(200, "text/html; charset=utf-8", b"<!doctype html><title>Sign in</title>")
        elif self.path == "/huge":
            self._send(200, "application/json", b"[" + b"0," * 5000 + b"0]")
        elif self.path == "/huge-undeclared":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"[" + b"0," * 5000 + b"0]")
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_an_address_is_fetched_and_imported(world, admin, server):
    url = f"{server}/ims/case/v1p1/CFDocuments/abc"  # a document address becomes its package address
    response = admin.post(START, {"url": url, "kind": "coach_competency"})
    job = latest_job()
    assert response.status_code == 302 and response["Location"] == preview_url(job)
    assert job.status == "ready" and job.source_kind == "url" and len(stored_files()) == 1
    html = admin.get(preview_url(job)).content.decode()
    assert "Served Framework" in html and f"{server}/ims/case/v1p1/CFPackages/abc" in html
    response = admin.post(preview_url(job), follow=True)
    framework = Framework.objects.get(district=world.district)
    assert framework.title == "Served Framework" and framework.kind == "coach_competency"
    assert response.redirect_chain[-1][0] == reverse("frameworks:framework-detail", args=[framework.pk])


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/slow", "did not answer within 1 seconds"),
        ("/html", "answered with a web page"),
        ("/huge", "The server sent more than"),
        ("/huge-undeclared", "The server sent more than"),
        ("/missing", "HTTP 404"),
    ],
)
def test_a_failed_fetch_is_shown_on_the_preview(world, admin, server, settings, path, message):
    settings.CASE_FETCH_TIMEOUT = 1
    settings.CASE_MAX_BYTES = 4096
    response = admin.post(START, {"url": f"{server}{path}", "kind": "other"})
    job = latest_job()
    assert response.status_code == 302 and job.status == "failed"
    html = admin.get(preview_url(job)).content.decode()
    assert "This package cannot be imported" in html and message in html
    assert ">Import</button>" not in html and "Start again with another package" in html
    assert stored_files() == []
    assert not Framework.objects.filter(district=world.district).exists()


def test_an_address_nobody_answers(admin, settings):
    settings.CASE_FETCH_TIMEOUT = 1
    admin.post(START, {"url": "http://127.0.0.1:9/ims/case/v1p1/CFPackages/x", "kind": "other"})
    job = latest_job()
    assert job.status == "failed" and stored_files() == []
    assert "could not be reached" in admin.get(preview_url(job)).content.decode()
