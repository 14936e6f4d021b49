"""CASE export: valid against the 1.1 package schema, and export -> import preserves everything."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator

from trellis.frameworks.case.export import export_package
from trellis.frameworks.models import Framework, FrameworkNode, LevelDescriptor, ScaleLevel
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.starter import starter_framework_identifier
from trellis.frameworks.tests.packages import rubric_package

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parent / "data" / "case_v1p1_package.schema.json").read_text())
VALIDATOR = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)


def schema_errors(package) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(package)]


def snapshot(framework) -> dict:
    """Everything a round trip must keep: tree, order, codes, statements, types, levels, descriptors."""
    version = framework.current_version
    nodes = list(FrameworkNode.objects.filter(version=version).order_by("outline").select_related("parent"))
    levels = list(ScaleLevel.objects.filter(scale__version=version).values_list("position", "label", "score"))
    descriptors = sorted(
        LevelDescriptor.objects.filter(node__version=version).values_list("node__code", "level__position", "text")
    )
    return {
        "title": framework.title,
        "nodes": [
            (n.code, n.title, n.statement, n.node_type, n.depth, n.sort_order, n.parent.code if n.parent else None)
            for n in nodes
        ],
        "levels": levels,
        "descriptors": descriptors,
    }


def reimport_into(district, package) -> Framework:
    framework, report, _ = framework_import_case(actor=None, raw=json.dumps(package).encode(), district=district)
    assert not report.errors, report.errors
    return framework


def starter():
    return Framework.objects.get(
        district=None, case_identifier=starter_framework_identifier("open-instructional-practice")
    )


def test_starter_exports_valid_case_1_1_with_its_continuum():
    package = export_package(starter().current_version)
    assert schema_errors(package) == []
    assert package["CFDocument"]["caseVersion"] == "1.1"
    rubric = package["CFRubrics"][0]
    assert len(rubric["CFRubricCriteria"]) == 12
    assert all(len(c["CFRubricCriterionLevels"]) == 4 for c in rubric["CFRubricCriteria"])


def test_export_is_stable():
    version = starter().current_version
    assert json.dumps(export_package(version)) == json.dumps(export_package(version))


def test_round_trip_of_the_starter_is_exact(world):
    original = starter()
    copy = reimport_into(world.district, export_package(original.current_version))
    assert copy.pk != original.pk and copy.district == world.district
    assert snapshot(copy) == snapshot(original)


def test_round_trip_of_an_imported_package(world):
    first = reimport_into(None, rubric_package())
    package = export_package(first.current_version)
    assert schema_errors(package) == []
    second = reimport_into(world.district, package)
    assert snapshot(second) == snapshot(first)


def test_imported_sample_exports_valid(world):
    from tests.samples import sample_path

    raw = sample_path("case-opensalt", "Ordering.json").read_bytes()
    framework, report, _ = framework_import_case(actor=None, raw=raw)
    package = export_package(framework.current_version)
    assert schema_errors(package) == []
    assert len(package["CFItems"]) == 28


# Random trees: codes, statements (any text, astral characters included) and shapes survive export -> import.
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(str.strip)


@st.composite
def trees(draw):
    size = draw(st.integers(min_value=1, max_value=25))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, size)]
    levels = draw(st.integers(min_value=2, max_value=7))
    return {
        "parents": parents,
        "statements": [draw(text) for _ in range(size)],
        "codes": [f"N{i}" for i in range(size)],
        "levels": [draw(text)[:50] for _ in range(levels)],
        "descending": draw(st.booleans()),
    }


def build_package(tree) -> dict:
    from trellis.frameworks.tests.packages import STAMP, uid

    doc = uid("hdoc")
    ids = [uid("h", i) for i in range(len(tree["codes"]))]
    items = [
        {
            "identifier": ids[i],
            "uri": f"https://x.example.org/{ids[i]}",
            "fullStatement": s,
            "humanCodingScheme": tree["codes"][i],
            "lastChangeDateTime": STAMP,
        }
        for i, s in enumerate(tree["statements"])
    ]
    assocs = []
    for i, parent in enumerate(tree["parents"]):
        dest = doc if parent is None else ids[parent]
        assocs.append(
            {
                "identifier": uid("ha", i),
                "uri": f"https://x.example.org/a/{i}",
                "associationType": "isChildOf",
                "sequenceNumber": i + 1,
                "originNodeURI": {"title": "", "identifier": ids[i], "uri": "u"},
                "destinationNodeURI": {"title": "", "identifier": dest, "uri": "u"},
                "lastChangeDateTime": STAMP,
            }
        )
    n = len(tree["levels"])
    scores = list(range(n, 0, -1)) if tree["descending"] else list(range(1, n + 1))
    rubric = {
        "identifier": uid("hr"),
        "uri": "https://x.example.org/r",
        "lastChangeDateTime": STAMP,
        "CFRubricCriteria": [
            {
                "identifier": uid("hc", i),
                "uri": f"https://x.example.org/c/{i}",
                "lastChangeDateTime": STAMP,
                "CFItemURI": {"title": "", "identifier": ids[i], "uri": "u"},
                "CFRubricCriterionLevels": [
                    {
                        "identifier": uid("hl", i, p),
                        "uri": "u",
                        "lastChangeDateTime": STAMP,
                        "position": p + 1,
                        "quality": q,
                        "score": float(scores[p]),
                        "description": f"{tree['statements'][i]} at {q}",
                    }
                    for p, q in enumerate(tree["levels"])
                ],
            }
            for i in range(len(ids))
        ],
    }
    return {
        "CFDocument": {
            "identifier": doc,
            "uri": "https://x.example.org/doc",
            "creator": "Hypothesis",
            "title": "Random",
            "lastChangeDateTime": STAMP,
        },
        "CFItems": items,
        "CFAssociations": assocs,
        "CFRubrics": [rubric],
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees())
def test_random_trees_survive_export_then_import(world, tree):
    original = reimport_into(None, build_package(tree))
    exported = export_package(original.current_version)
    assert schema_errors(exported) == []
    again = reimport_into(world.district, exported)
    assert snapshot(again) == snapshot(original)
    assert again.current_version.scale.direction == ("descending" if tree["descending"] else "ascending")
    Framework.objects.filter(pk__in=[original.pk, again.pk]).delete()
