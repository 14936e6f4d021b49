"""Build a CASE 1.1 CFPackage from a framework version.

Identifiers are stable: imported rows keep the publisher's identifiers, and rows
authored in Trellis get UUIDv5 identifiers derived from stable keys when they
are created, so exporting twice gives the same package.
"""

import uuid

from django.conf import settings

from trellis.frameworks.models import FrameworkNode, LevelDescriptor, NodeAlignment

NAMESPACE = uuid.UUID("5d6c7a1e-7f0b-4a53-9a9c-2f0f3b4b1c10")
# CFItem properties the 1.1 package schema allows beyond those we map to columns.
ITEM_EXTRA_ALLOWED = {
    "alternativeLabel",
    "conceptKeywords",
    "conceptKeywordsURI",
    "notes",
    "subject",
    "subjectURI",
    "language",
    "licenseURI",
    "statusStartDate",
    "statusEndDate",
    "extensions",
}


def stable_uuid(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _uri(kind: str, identifier: str, given: str = "") -> str:
    if given:
        return given
    base = settings.SITE_URL.rstrip("/")
    return f"{base}/ims/case/v1p1/{kind}/{identifier}"


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, AttributeError):
        return False


def _case_id(value: str, *fallback) -> str:
    """The row's CASE identifier when it is a UUID, else a stable UUID derived from it (1.1 requires UUIDs)."""
    return value.lower() if value and _is_uuid(value) else stable_uuid(*(fallback or (value,)))


def export_package(version) -> dict:
    framework = version.framework
    stamp = framework.updated_at.isoformat()
    doc_id = _case_id(framework.case_identifier, "framework", framework.pk)
    doc_uri = _uri("CFDocuments", doc_id, framework.case_uri)
    document = {
        "identifier": doc_id,
        "uri": doc_uri,
        "creator": framework.publisher or "Trellis",
        "title": framework.title,
        "lastChangeDateTime": stamp,
        "caseVersion": "1.1",
    }
    for key, value in (
        ("publisher", framework.publisher),
        ("description", framework.description),
        ("language", framework.language),
        ("version", version.label),
        ("adoptionStatus", framework.adoption_status),
        ("officialSourceURL", framework.source_url),
    ):
        if value:
            document[key] = value
    licences = []
    if framework.licence or framework.licence_url:
        licence_id = stable_uuid("licence", framework.licence_url or framework.licence)
        document["licenseURI"] = {
            "title": framework.licence or framework.licence_url,
            "identifier": licence_id,
            "uri": framework.licence_url or _uri("CFLicenses", licence_id),
        }
        licences.append(
            {
                "identifier": licence_id,
                "uri": document["licenseURI"]["uri"],
                "title": document["licenseURI"]["title"],
                "licenseText": framework.licence_url or framework.licence,
                "lastChangeDateTime": stamp,
            }
        )

    nodes = list(FrameworkNode.objects.filter(version=version).order_by("outline"))
    ids = {n.pk: _case_id(n.case_identifier, "node", version.pk, n.pk) for n in nodes}
    item_types = _item_types(nodes, stamp)
    items = [_item(n, ids[n.pk], item_types, stamp) for n in nodes]
    by_pk = {n.pk: n for n in nodes}
    associations = [_child_of(n, ids, doc_id, doc_uri, framework.title, by_pk, stamp) for n in nodes]
    associations += _alignments(version, ids, nodes, stamp)

    package = {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": list(item_types.values()),
            "CFLicenses": licences,
            "CFSubjects": [],
            "CFConcepts": [],
            "CFAssociationGroupings": [],
        },
    }
    rubric = _rubric(version, ids, nodes, stamp)
    if rubric:
        package["CFRubrics"] = [rubric]
    return package


def _item_types(nodes, stamp) -> dict:
    types = {}
    for node in nodes:
        if node.node_type and node.node_type not in types:
            type_id = stable_uuid("item-type", node.node_type)
            types[node.node_type] = {
                "identifier": type_id,
                "uri": _uri("CFItemTypes", type_id),
                "title": node.node_type,
                "description": node.node_type,
                "hierarchyCode": str(node.depth),
                "typeCode": node.node_type,
                "lastChangeDateTime": stamp,
            }
    return types


def _item(node, identifier, item_types, stamp) -> dict:
    item = {
        "identifier": identifier,
        "uri": _uri("CFItems", identifier, node.case_uri),
        "fullStatement": node.statement,
        "lastChangeDateTime": stamp,
    }
    if node.title:
        item["abbreviatedStatement"] = node.title
    if node.code:
        item["humanCodingScheme"] = node.code
    if node.list_enumeration:
        item["listEnumeration"] = node.list_enumeration
    if node.education_levels:
        item["educationLevel"] = list(node.education_levels)
    if node.node_type:
        type_def = item_types[node.node_type]
        item["CFItemType"] = node.node_type
        item["CFItemTypeURI"] = {"title": node.node_type, "identifier": type_def["identifier"], "uri": type_def["uri"]}
    for key, value in (node.extra or {}).items():
        if key in ITEM_EXTRA_ALLOWED:
            item[key] = value
    return item


def _link(identifier, uri, title) -> dict:
    return {"title": title or identifier, "identifier": identifier, "uri": uri or identifier}


def _child_of(node, ids, doc_id, doc_uri, doc_title, by_pk, stamp) -> dict:
    assoc_id = stable_uuid("child-of", ids[node.pk])
    if node.parent_id:
        parent = by_pk[node.parent_id]
        parent_id = ids[parent.pk]
        destination = _link(parent_id, _uri("CFItems", parent_id, parent.case_uri), parent.code or parent.title)
    else:
        destination = _link(doc_id, doc_uri, doc_title)
    return {
        "identifier": assoc_id,
        "uri": _uri("CFAssociations", assoc_id),
        "associationType": "isChildOf",
        "sequenceNumber": node.sort_order,
        "originNodeURI": _link(ids[node.pk], _uri("CFItems", ids[node.pk], node.case_uri), node.code or node.title),
        "destinationNodeURI": destination,
        "lastChangeDateTime": stamp,
    }


def _alignments(version, ids, nodes, stamp) -> list:
    by_pk = {n.pk: n for n in nodes}
    rows = []
    for a in NodeAlignment.objects.filter(from_node__version=version).select_related("to_node").order_by("id"):
        source = by_pk[a.from_node_id]
        here = _link(ids[source.pk], _uri("CFItems", ids[source.pk], source.case_uri), source.code or source.title)
        if a.to_node_id and a.to_node_id in ids:
            there = _link(ids[a.to_node_id], _uri("CFItems", ids[a.to_node_id]), a.to_title)
        else:
            there = _link(a.to_identifier, a.to_uri, a.to_title)
        assoc_id = _case_id(a.case_identifier, "alignment", a.pk)
        row = {
            "identifier": assoc_id,
            "uri": _uri("CFAssociations", assoc_id),
            "associationType": a.relation,
            "originNodeURI": there if a.reversed else here,
            "destinationNodeURI": here if a.reversed else there,
            "lastChangeDateTime": stamp,
        }
        if a.sequence is not None:
            row["sequenceNumber"] = a.sequence
        rows.append(row)
    return rows


def _rubric(version, ids, nodes, stamp) -> dict | None:
    scale = getattr(version, "scale", None)
    if scale is None:
        return None
    descriptors = list(
        LevelDescriptor.objects.filter(level__scale=scale)
        .select_related("level")
        .order_by("node__outline", "level__position")
    )
    if not descriptors:
        return None
    rubric_id = _case_id(scale.case_identifier, "rubric", version.pk)
    by_node: dict = {}
    for d in descriptors:
        by_node.setdefault(d.node_id, []).append(d)
    by_pk = {n.pk: n for n in nodes}
    criteria = []
    for position, (node_pk, rows) in enumerate(by_node.items(), start=1):
        node = by_pk[node_pk]
        criterion_id = _case_id(rows[0].case_criterion_identifier, "criterion", ids[node_pk])
        criteria.append(
            {
                "identifier": criterion_id,
                "uri": _uri("CFRubricCriteria", criterion_id),
                "category": node.code or node.title,
                "description": node.title or node.statement[:200],
                "CFItemURI": _link(ids[node_pk], _uri("CFItems", ids[node_pk], node.case_uri), node.code or node.title),
                "weight": 1.0,
                "position": position,
                "rubricId": rubric_id,
                "lastChangeDateTime": stamp,
                "CFRubricCriterionLevels": [_level(d, criterion_id, ids[node_pk], stamp) for d in rows],
            }
        )
    rubric = {
        "identifier": rubric_id,
        "uri": _uri("CFRubrics", rubric_id),
        "title": scale.title or f"{version.framework.title} continuum",
        "lastChangeDateTime": stamp,
        "CFRubricCriteria": criteria,
    }
    if scale.description:
        rubric["description"] = scale.description
    return rubric


def _level(descriptor, criterion_id, node_case_id, stamp) -> dict:
    level = descriptor.level
    level_id = _case_id(descriptor.case_level_identifier, "level", node_case_id, level.position)
    row = {
        "identifier": level_id,
        "uri": _uri("CFRubricCriterionLevels", level_id),
        "description": descriptor.text,
        "quality": level.label,
        "position": level.position,
        "rubricCriterionId": criterion_id,
        "lastChangeDateTime": stamp,
    }
    if level.score is not None:
        row["score"] = level.score
    if descriptor.feedback:
        row["feedback"] = descriptor.feedback
    return row
