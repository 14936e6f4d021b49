"""Importing from a CASE server, against a real HTTP server on loopback."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.httpserver import handler, serve
from trellis.frameworks.case.fetch import FetchError, fetch_package, package_url
from trellis.frameworks.models import Framework
from trellis.frameworks.tests.packages import rubric_package

PACKAGE = json.dumps(rubric_package()).encode()


def test_document_url_becomes_package_url():
    assert package_url("https://case.example.org/ims/case/v1p1/CFDocuments/abc") == (
        "https://case.example.org/ims/case/v1p1/CFPackages/abc"
    )
    assert package_url("https://case.example.org/ims/case/v1p0/CFPackages/abc").endswith("/v1p0/CFPackages/abc")
    with pytest.raises(FetchError, match="http"):
        package_url("file:///etc/passwd")


def test_success_fetches_the_package_url():
    paths = []
    with serve(handler(body=PACKAGE, paths=paths)) as base:
        fetched = fetch_package(f"{base}/ims/case/v1p1/CFDocuments/xyz", timeout=5, max_bytes=1_000_000)
    assert fetched.body == PACKAGE and paths == ["/ims/case/v1p1/CFPackages/xyz"]


def test_timeout():
    with serve(handler(body=PACKAGE, delay=2)) as base, pytest.raises(FetchError, match="did not answer within 1"):
        fetch_package(f"{base}/ims/case/v1p0/CFPackages/x", timeout=1, max_bytes=1_000_000)


def test_oversized_body():
    with serve(handler(body=b"{" + b" " * 5000 + b"}")) as base, pytest.raises(FetchError, match="more than"):
        fetch_package(f"{base}/p", timeout=5, max_bytes=1000)


def test_html_answer():
    with (
        serve(handler(body=b"<html>Login</html>", content_type="text/html")) as base,
        pytest.raises(FetchError, match="web page"),
    ):
        fetch_package(f"{base}/p", timeout=5, max_bytes=1_000_000)


def test_http_error_and_unreachable():
    with serve(handler(status=404, body=b"{}")) as base, pytest.raises(FetchError, match="HTTP 404"):
        fetch_package(f"{base}/p", timeout=5, max_bytes=1_000_000)
    with serve(handler()) as base:
        closed = base  # the server stops when the block ends
    with pytest.raises(FetchError, match="could not be reached"):
        fetch_package(f"{closed}/p", timeout=2, max_bytes=1_000_000)


@pytest.mark.django_db
def test_import_case_command_from_url(settings):
    with serve(handler(body=PACKAGE)) as base:
        out = io.StringIO()
        call_command("import_case", f"{base}/ims/case/v1p1/CFPackages/x", "--json", stdout=out)
    assert json.loads(out.getvalue())["items"] == 3
    assert Framework.objects.filter(title="Example Instructional Coaching Framework").exists()


@pytest.mark.django_db
def test_import_case_command_from_url_that_times_out(settings):
    settings.CASE_FETCH_TIMEOUT = 1
    with serve(handler(body=PACKAGE, delay=2)) as base, pytest.raises(CommandError, match="did not answer"):
        call_command("import_case", f"{base}/x")


def test_private_and_loopback_addresses_are_refused_by_default(settings):
    settings.CASE_FETCH_ALLOW_PRIVATE = False
    for url in (
        "http://127.0.0.1:9/p",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/x",
        "http://[::1]/x",
    ):
        with pytest.raises(FetchError, match="public servers"):
            fetch_package(url, timeout=1, max_bytes=1000)
