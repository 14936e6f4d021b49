"""Bad CASE input gets a clear message naming what and where, and nothing is written."""

import json

import pytest

from trellis.frameworks.models import Framework, FrameworkNode
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.tests.packages import rubric_package

pytestmark = pytest.mark.django_db


def refused(raw) -> list[str]:
    before = (Framework.objects.count(), FrameworkNode.objects.count())
    framework, report, _ = framework_import_case(actor=None, raw=raw)
    assert framework is None and report.errors
    assert (Framework.objects.count(), FrameworkNode.objects.count()) == before
    return report.errors


def test_not_json():
    errors = refused(b'{"CFDocument": {"title": "x",')
    assert "not valid JSON" in errors[0] and "line 1" in errors[0]


def test_not_utf8():
    assert "not UTF-8" in refused('{"t": "caf\xe9"}'.encode("latin-1"))[0]


def test_html_answer():
    assert "web page" in refused(b"<!DOCTYPE html><html><body>Sign in</body></html>")[0]


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b'{"CFItems": []}', b'{"CFDocument": "x"}'])
def test_wrong_shape(raw):
    assert "no CFDocument" in refused(raw)[0]


def test_cycle_in_is_child_of():
    package = rubric_package()
    d1 = package["CFItems"][0]["identifier"]
    c1 = package["CFItems"][1]["identifier"]
    # D1 becomes a child of its own child.
    package["CFAssociations"][0]["destinationNodeURI"]["identifier"] = c1
    errors = refused(json.dumps(package).encode())
    assert any("cycle" in e and d1 in e for e in errors)


def test_duplicate_identifiers():
    package = rubric_package()
    package["CFItems"][2]["identifier"] = package["CFItems"][1]["identifier"]
    errors = refused(json.dumps(package).encode())
    assert any("CFItems[2]" in e and "repeats" in e for e in errors)


def test_dangling_reference():
    package = rubric_package()
    package["CFAssociations"][1]["destinationNodeURI"]["identifier"] = "00000000-0000-4000-8000-00000000dead"
    errors = refused(json.dumps(package).encode())
    assert any("CFAssociations[1]" in e and "00000000-0000-4000-8000-00000000dead" in e for e in errors)


def test_missing_full_statement_and_title():
    package = rubric_package()
    del package["CFItems"][0]["fullStatement"]
    package["CFDocument"]["title"] = " "
    errors = refused(json.dumps(package).encode())
    assert any("fullStatement" in e for e in errors) and any("no title" in e for e in errors)


def test_oversized_file(settings):
    settings.CASE_MAX_BYTES = 60_000_000
    raw = b" " * 60_000_001
    assert "limit is 60.0 MB" in refused(raw)[0]


def test_tolerates_1_0_era_quirks():
    package = rubric_package()
    package["CFDocument"]["CFPackageURI"] = "https://x.example.org/pkg"
    package["CFDocument"]["lastChangeDateTime"] = "2017-01-01T00:00:00"
    package["CFAssociations"][1]["sequenceNumber"] = "1"
    package["CFItems"][1]["educationalLevel"] = "06"
    framework, report, _ = framework_import_case(actor=None, raw=json.dumps(package).encode())
    assert framework is not None and not report.errors
    joined = " ".join(report.warnings)
    assert "CFPackageURI" in joined and "time zone" in joined and "text instead of numbers" in joined
    assert FrameworkNode.objects.get(version=framework.current_version, code="D1.C1").education_levels == ["06"]


def test_two_parents_keeps_the_first_with_a_warning():
    package = rubric_package()
    extra = dict(package["CFAssociations"][2])
    extra["identifier"] = "99999999-0000-4000-8000-000000000001"
    extra["destinationNodeURI"] = dict(package["CFAssociations"][0]["destinationNodeURI"])
    package["CFAssociations"].append(extra)
    framework, report, _ = framework_import_case(actor=None, raw=json.dumps(package).encode())
    assert any("more than one parent" in w for w in report.warnings)
    node = FrameworkNode.objects.get(version=framework.current_version, code="D1.C2")
    assert node.parent.code == "D1"
