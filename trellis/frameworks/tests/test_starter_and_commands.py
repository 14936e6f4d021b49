"""The shipped starter content, and the import_case / export_case commands."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.samples import sample_path
from trellis.frameworks.models import ActionStep, ActionStepLibrary, Framework, FrameworkNode, LevelDescriptor
from trellis.frameworks.starter import install_starter_content, starter_framework_identifier

pytestmark = pytest.mark.django_db


def starter():
    return Framework.objects.get(
        district=None, case_identifier=starter_framework_identifier("open-instructional-practice")
    )


def test_fresh_install_has_the_starter_framework_and_library():
    framework = starter()
    assert framework.title == "Open Instructional Practice" and framework.licence == "CC-BY-4.0"
    nodes = FrameworkNode.objects.filter(version=framework.current_version)
    assert nodes.filter(depth=1).count() == 4 and nodes.filter(depth=2).count() == 12
    # A descriptor for every component x level.
    assert LevelDescriptor.objects.filter(node__version=framework.current_version).count() == 48
    library = ActionStepLibrary.objects.get(key="open-action-steps", district=None)
    steps = ActionStep.objects.filter(library=library)
    assert 38 <= steps.count() <= 44
    assert list(steps.values_list("sequence", flat=True)) == list(range(1, steps.count() + 1))
    assert all(s.aligned_nodes.exists() and s.look_fors and s.practice_prompt for s in steps)


def test_install_is_idempotent():
    assert install_starter_content() is False
    assert Framework.objects.filter(case_identifier=starter().case_identifier).count() == 1


def test_shipped_text_is_ours():
    from trellis.frameworks.starter import FRAMEWORK_FILE, LIBRARY_FILE

    text = (FRAMEWORK_FILE.read_text() + LIBRARY_FILE.read_text()).lower()
    for name in (
        "danielson",
        "marzano",
        "iste",
        "tntp",
        "bambrick",
        "get better faster",
        "distinguished",
        "unsatisfactory",
    ):
        assert not re.search(rf"\b{name}\b", text), name


def test_import_case_json_summary():
    out = io.StringIO()
    call_command("import_case", str(sample_path("case-opensalt", "Ordering.json")), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert {k: summary[k] for k in ("title", "items", "top_level", "depth", "associations", "external_links")} == {
        "title": "ACT Holistic Framework, Math",
        "items": 28,
        "top_level": 1,
        "depth": 5,
        "associations": 28,
        "external_links": 0,
    }
    assert summary["errors"] == [] and isinstance(summary["warnings"], list)


def test_import_case_dry_run_writes_nothing():
    out = io.StringIO()
    call_command("import_case", str(sample_path("case-opensalt", "SmartLevelFramework.json")), "--dry-run", stdout=out)
    assert "Dry run: nothing was written." in out.getvalue()
    assert not Framework.objects.filter(title="SmartLevel Test").exists()


def test_import_case_into_a_district(world):
    call_command(
        "import_case",
        str(sample_path("case-opensalt", "AdoptedTestFramework.json")),
        "--district",
        "cedar-valley",
        stdout=io.StringIO(),
    )
    assert Framework.objects.get(title="Adopted Test").district == world.district
    with pytest.raises(CommandError, match="No district"):
        call_command(
            "import_case", str(sample_path("case-opensalt", "AdoptedTestFramework.json")), "--district", "nope"
        )


def test_import_case_errors_exit_non_zero(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"CFDocument": ')
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_case", str(bad), "--json", stdout=out)
    assert "not valid JSON" in json.loads(out.getvalue())["errors"][0]
    with pytest.raises(CommandError, match="No file"):
        call_command("import_case", str(tmp_path / "missing.json"))


def test_export_case_writes_a_file_that_imports_back(tmp_path, world):
    target = tmp_path / "oip.json"
    call_command("export_case", starter().case_identifier, "-o", str(target), stdout=io.StringIO())
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["CFDocument"]["title"] == "Open Instructional Practice"
    call_command("import_case", str(target), "--district", "cedar-valley", stdout=io.StringIO())
    copy = Framework.objects.get(district=world.district, case_identifier=starter().case_identifier)
    assert FrameworkNode.objects.filter(version=copy.current_version).count() == 16
    with pytest.raises(CommandError):
        call_command("export_case", "999999")
