"""CASE import: the real OpenSALT packages, the synthetic rubric package, and bad input."""

import json

import pytest

from tests.samples import sample_path
from trellis.audit.models import AuditEntry
from trellis.frameworks.models import Framework, FrameworkNode, LevelDescriptor, NodeAlignment, ScaleLevel
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.tests.packages import rubric_package

pytestmark = pytest.mark.django_db


def case_file(name) -> bytes:
    return sample_path("case-opensalt", name).read_bytes()


def do_import(raw, **kwargs):
    framework, report, _existed = framework_import_case(actor=None, raw=raw, **kwargs)
    assert not report.errors, report.errors
    return framework, report


def outline(framework):
    return list(
        FrameworkNode.objects.filter(version=framework.current_version).order_by("outline").values_list("code", "depth")
    )


# Expected results from standards.md §9.2.
@pytest.mark.parametrize(
    ("name", "items", "top_level", "depth"),
    [
        ("Ordering.json", 28, 1, 5),
        ("SmartLevelFramework.json", 14, 2, 2),
        ("SequenceNumberFramework.json", 2, 2, 1),
        ("ItemTypeTestFramework.json", 1, 1, 1),
        ("Utf8TestFramework.json", 1, 1, 1),
        ("MarkdownFramework.json", 2, 2, 1),
        ("AdoptedTestFramework.json", 1, 1, 1),
        ("EmptyExternalFramework.json", 0, 0, 0),
    ],
)
def test_sample_imports_as_expected(name, items, top_level, depth):
    framework, report = do_import(case_file(name))
    assert (report.items, report.top_level, report.depth) == (items, top_level, depth)
    nodes = FrameworkNode.objects.filter(version=framework.current_version)
    assert nodes.count() == items
    assert nodes.filter(parent=None).count() == top_level
    assert max([d for _c, d in outline(framework)], default=0) == depth


def test_ordering_keeps_codes_and_abbreviations_and_has_no_orphans():
    framework, report = do_import(case_file("Ordering.json"))
    data = json.loads(case_file("Ordering.json"))
    codes = {i["humanCodingScheme"] for i in data["CFItems"]}
    stored = FrameworkNode.objects.filter(version=framework.current_version)
    assert set(stored.values_list("code", flat=True)) == codes
    abbreviated = {i["identifier"]: i.get("abbreviatedStatement", "") for i in data["CFItems"]}
    for node in stored:
        assert node.title == abbreviated[node.case_identifier]
    assert not any("no isChildOf" in w for w in report.warnings)
    assert any("CFPackageURI" in w for w in report.warnings)  # a 1.0-era property, tolerated
    # The "?" damage is in the source data: imported as is.
    assert stored.filter(statement__contains="?").exists() == ("?" in case_file("Ordering.json").decode())


def test_sequence_number_orders_siblings():
    framework, _ = do_import(case_file("SequenceNumberFramework.json"))
    assert [code for code, _d in outline(framework)] == ["SNT.2", "SNT.1"]


def test_item_type_is_resolved():
    framework, _ = do_import(case_file("ItemTypeTestFramework.json"))
    node = FrameworkNode.objects.get(version=framework.current_version)
    assert node.node_type == "Standard"


def test_utf8_astral_characters_round_trip_byte_exact():
    framework, _ = do_import(case_file("Utf8TestFramework.json"))
    data = json.loads(case_file("Utf8TestFramework.json"))
    assert framework.title == data["CFDocument"]["title"] and "𝑑" in framework.title
    node = FrameworkNode.objects.get(version=framework.current_version)
    assert node.statement.encode("utf-8") == data["CFItems"][0]["fullStatement"].encode("utf-8")


def test_markdown_is_stored_verbatim():
    framework, _ = do_import(case_file("MarkdownFramework.json"))
    data = json.loads(case_file("MarkdownFramework.json"))
    stored = dict(
        FrameworkNode.objects.filter(version=framework.current_version).values_list("case_identifier", "statement")
    )
    for item in data["CFItems"]:
        assert stored[item["identifier"]] == item["fullStatement"]
    assert any("\r\n" in s for s in stored.values()) and any("$x^2$" in s or "x^2" in s for s in stored.values())


def test_adoption_status_is_kept():
    framework, _ = do_import(case_file("AdoptedTestFramework.json"))
    assert (
        framework.adoption_status == json.loads(case_file("AdoptedTestFramework.json"))["CFDocument"]["adoptionStatus"]
    )


def test_reimport_updates_in_place_and_never_duplicates():
    first, _ = do_import(case_file("Ordering.json"))
    node_ids = set(FrameworkNode.objects.filter(version=first.current_version).values_list("pk", flat=True))
    again, _ = do_import(case_file("Ordering.json"))
    assert again.pk == first.pk
    assert Framework.objects.filter(case_identifier=first.case_identifier).count() == 1
    assert set(FrameworkNode.objects.filter(version=again.current_version).values_list("pk", flat=True)) == node_ids
    assert AuditEntry.objects.filter(action="framework.import").count() == 1
    assert AuditEntry.objects.filter(action="framework.reimport").count() == 1


def test_same_package_in_two_districts_is_two_frameworks(world):
    a, _ = do_import(case_file("AdoptedTestFramework.json"), district=world.district)
    b, _ = do_import(case_file("AdoptedTestFramework.json"), district=world.district_b)
    assert a.pk != b.pk and a.district == world.district and b.district == world.district_b


def test_dry_run_writes_nothing():
    framework, report, existed = framework_import_case(actor=None, raw=case_file("Ordering.json"), dry_run=True)
    assert framework is None and not existed and report.items == 28
    assert not Framework.objects.filter(title="ACT Holistic Framework, Math").exists()


def test_rubric_becomes_the_continuum():
    framework, report = do_import(json.dumps(rubric_package()).encode())
    levels = list(
        ScaleLevel.objects.filter(scale__version=framework.current_version).values_list("position", "label", "score")
    )
    assert levels == [(1, "Beginning", 1.0), (2, "Developing", 2.0), (3, "Proficient", 3.0), (4, "Distinguished", 4.0)]
    goal = FrameworkNode.objects.get(version=framework.current_version, code="D1.C1")
    descriptors = dict(LevelDescriptor.objects.filter(node=goal).values_list("level__position", "text"))
    assert descriptors[1] == "Goal is set by the coach or is not measurable."
    assert descriptors[4] == "Teacher leads goal setting; coach probes and extends."


def test_descending_scale_is_detected():
    package = rubric_package(descending=True)
    framework, _ = do_import(json.dumps(package).encode())
    assert framework.current_version.scale.direction == "descending"


def test_other_associations_become_crosswalk_links_including_external():
    package = rubric_package()
    items = package["CFItems"]
    package["CFAssociations"].append(
        {
            "identifier": "11111111-2222-4333-8444-555555555555",
            "uri": "https://example.org/a/1",
            "associationType": "exactMatchOf",
            "originNodeURI": {"title": "D1.C1", "identifier": items[1]["identifier"], "uri": items[1]["uri"]},
            "destinationNodeURI": {
                "title": "State 3.2",
                "identifier": "ext-3.2",
                "uri": "https://state.example.org/3.2",
            },
            "lastChangeDateTime": "2026-08-01T00:00:00+00:00",
        }
    )
    framework, report = do_import(json.dumps(package).encode())
    link = NodeAlignment.objects.get(from_node__version=framework.current_version)
    assert link.relation == "exactMatchOf" and link.is_external and link.to_uri == "https://state.example.org/3.2"
    assert report.external_links == 1


def test_crosswalk_to_a_framework_already_in_trellis_resolves_to_its_node():
    target, _ = do_import(case_file("ItemTypeTestFramework.json"))
    target_node = FrameworkNode.objects.get(version=target.current_version)
    package = rubric_package()
    package["CFAssociations"].append(
        {
            "identifier": "21111111-2222-4333-8444-555555555555",
            "uri": "https://example.org/a/2",
            "associationType": "isRelatedTo",
            "originNodeURI": {"title": "x", "identifier": package["CFItems"][1]["identifier"], "uri": "u"},
            "destinationNodeURI": {
                "title": "Item 1",
                "identifier": target_node.case_identifier,
                "uri": target_node.case_uri,
            },
            "lastChangeDateTime": "2026-08-01T00:00:00+00:00",
        }
    )
    framework, _ = do_import(json.dumps(package).encode())
    link = NodeAlignment.objects.get(from_node__version=framework.current_version)
    assert link.to_node == target_node
