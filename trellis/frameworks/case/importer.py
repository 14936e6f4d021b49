"""Write a parsed CASE package into frameworks, all or nothing.

Re-importing a package with the same document identifier updates the framework
in place: the version with the same label is rewritten, nodes are matched by
their CASE identifiers (so their ids, and anything pinned to them, survive).
"""

from django.db.models import Q

from trellis.frameworks.case.parse import CasePackage
from trellis.frameworks.models import (
    Framework,
    FrameworkKind,
    FrameworkNode,
    FrameworkVersion,
    LevelDescriptor,
    NodeAlignment,
    PerformanceScale,
    ScaleDirection,
    ScaleLevel,
)

_BATCH = 1000
NODE_FIELDS = [
    "parent",
    "node_type",
    "code",
    "title",
    "statement",
    "sort_order",
    "depth",
    "outline",
    "case_uri",
    "item_type_uri",
    "list_enumeration",
    "education_levels",
    "extra",
]


def _differs(row, values: dict) -> bool:
    for field, value in values.items():
        if field == "parent":
            if row.parent_id != (value.pk if value else None):
                return True
        elif getattr(row, field) != value:
            return True
    return False


def write_package(package: CasePackage, *, district=None, kind: str = "") -> tuple[Framework, bool]:
    """Store ``package``; returns the framework and whether it was created. Call inside a transaction."""
    doc = package.document
    framework = (
        Framework.objects.select_for_update().filter(district=district, case_identifier=doc["identifier"]).first()
    )
    created = framework is None
    framework = framework or Framework(district=district, case_identifier=doc["identifier"])
    framework.title = doc["title"][:300]
    framework.publisher = (doc["publisher"] or doc["creator"])[:300]
    framework.description = doc["description"]
    framework.language = doc["language"][:20]
    framework.case_uri = doc["uri"][:500]
    framework.adoption_status = doc["adoption_status"][:60]
    framework.source_url = doc["source_url"][:500] if doc["source_url"].startswith(("http://", "https://")) else ""
    framework.licence = doc["licence"][:200] or framework.licence
    framework.licence_url = doc["licence_url"][:500] if doc["licence_url"].startswith("http") else framework.licence_url
    if kind:
        framework.kind = kind
    elif created:
        framework.kind = FrameworkKind.OTHER
    framework.save()
    version, _ = FrameworkVersion.objects.get_or_create(
        framework=framework, label=doc["version"][:100], defaults={"district": district}
    )
    version.case_last_change = doc["last_change"][:60]
    version.save(update_fields=["case_last_change"])
    nodes = _write_nodes(package, version, district)
    _write_alignments(package, nodes, district)
    _write_scale(package, version, nodes, district)
    framework.current_version = version
    framework.save(update_fields=["current_version"])
    return framework, created


def _write_nodes(package: CasePackage, version: FrameworkVersion, district) -> dict:
    by_id = {item.identifier: item for item in package.items}
    existing = {n.case_identifier: n for n in FrameworkNode.objects.filter(version=version)}
    keep = set(by_id)
    FrameworkNode.objects.filter(version=version).exclude(case_identifier__in=keep).delete()
    nodes: dict[str, FrameworkNode] = {}
    # Parents come before children in the outline, so each depth can be written in bulk once
    # the depth above it has ids.
    by_depth: dict[int, list[str]] = {}
    for item_id in package.order:
        by_depth.setdefault(package.depth_of[item_id], []).append(item_id)
    sibling_position: dict = {}
    outline = {item_id: i for i, item_id in enumerate(package.order)}
    for depth in sorted(by_depth):
        to_create, to_update = [], []
        for item_id in by_depth[depth]:
            item = by_id[item_id]
            parent_id = package.parent_of[item_id][0]
            key = parent_id or ""
            sibling_position[key] = sibling_position.get(key, 0) + 1
            values = {
                "parent": nodes[parent_id] if parent_id else None,
                "node_type": item.item_type[:100],
                "code": item.code[:100],
                "title": item.title[:500],
                "statement": item.statement,
                "sort_order": sibling_position[key],
                "depth": depth,
                "outline": outline[item_id],
                "case_uri": item.uri[:500],
                "item_type_uri": item.item_type_uri[:500],
                "list_enumeration": item.list_enumeration[:100],
                "education_levels": item.education_levels,
                "extra": item.extra,
            }
            node = existing.get(item_id)
            if node is None:
                node = FrameworkNode(version=version, district=district, case_identifier=item_id, **values)
                to_create.append(node)
            elif _differs(node, values):
                # Only rows whose content changed are written: an unchanged re-import writes nothing.
                for field, value in values.items():
                    setattr(node, field, value)
                to_update.append(node)
            nodes[item_id] = node
        FrameworkNode.objects.bulk_create(to_create, batch_size=_BATCH)
        if to_update:
            FrameworkNode.objects.bulk_update(to_update, NODE_FIELDS, batch_size=200)
    return nodes


def _write_alignments(package: CasePackage, nodes: dict, district) -> None:
    outside_ids = {
        link.dest_id if link.origin_id in nodes else link.origin_id
        for link in package.links
        if link.dest_id not in nodes or link.origin_id not in nodes
    }
    # Links to other frameworks already in Trellis resolve to their nodes (crosswalks).
    known = {}
    if outside_ids:
        visible = Q(district=district) | Q(district__isnull=True)
        for node in FrameworkNode.objects.filter(visible, case_identifier__in=outside_ids).order_by("-id"):
            known.setdefault(node.case_identifier, node)
    wanted = []
    for link in package.links:
        reverse = link.origin_id not in nodes
        source = nodes[link.dest_id if reverse else link.origin_id]
        target_id = link.origin_id if reverse else link.dest_id
        target = nodes.get(target_id) or known.get(target_id)
        wanted.append(
            NodeAlignment(
                from_node=source,
                district=district,
                relation=link.relation[:100],
                to_node=target,
                to_identifier=target_id[:300],
                to_uri=(link.origin_uri if reverse else link.dest_uri)[:1000],
                to_title=(link.origin_title if reverse else link.dest_title)[:500],
                case_identifier=link.identifier[:100],
                sequence=link.sequence,
                reversed=reverse,
            )
        )
    existing = (
        NodeAlignment.objects.filter(from_node__version_id=next(iter(nodes.values())).version_id) if nodes else None
    )
    if existing is not None and sorted(map(_alignment_key, existing)) == sorted(map(_alignment_key, wanted)):
        return
    if existing is not None:
        existing.delete()
    NodeAlignment.objects.bulk_create(wanted, batch_size=_BATCH)


def _alignment_key(a: NodeAlignment) -> tuple:
    return (
        a.from_node_id or a.from_node.pk,
        a.relation,
        a.to_node_id,
        a.to_identifier,
        a.to_uri,
        a.to_title,
        a.case_identifier,
        a.sequence,
        a.reversed,
    )


def _write_scale(package: CasePackage, version: FrameworkVersion, nodes: dict, district) -> None:
    rubric = package.rubric
    if rubric is None or not rubric.criteria:
        return
    scale, _ = PerformanceScale.objects.get_or_create(version=version, defaults={"district": district})
    scale.title = rubric.title[:300]
    scale.description = rubric.description
    scale.case_identifier = rubric.identifier[:100]
    # The columns: every position used by a criterion, labelled by the first criterion that names it.
    columns: dict[int, object] = {}
    for criterion in rubric.criteria:
        for level in criterion.levels:
            columns.setdefault(level.position, level)
    scores = [columns[p].score for p in sorted(columns)]
    if all(s is not None for s in scores) and len(scores) > 1 and scores == sorted(scores, reverse=True):
        scale.direction = ScaleDirection.DESCENDING
    else:
        scale.direction = ScaleDirection.ASCENDING
    scale.save()
    levels = {level.position: level for level in ScaleLevel.objects.filter(scale=scale)}
    ScaleLevel.objects.filter(scale=scale).exclude(position__in=list(columns)).delete()
    for position, source in columns.items():
        level = levels.get(position) or ScaleLevel(scale=scale, position=position)
        level.label = source.quality[:200]
        level.score = source.score
        level.save()
        levels[position] = level
    existing = {(d.node_id, d.level_id): d for d in LevelDescriptor.objects.filter(level__scale=scale)}
    to_create, to_update, keep = [], [], set()
    for criterion in rubric.criteria:
        node = nodes[criterion.item_id]
        for source in criterion.levels:
            level = levels[source.position]
            values = {
                "text": source.description,
                "feedback": source.feedback,
                "case_criterion_identifier": criterion.identifier[:100],
                "case_level_identifier": source.identifier[:100],
            }
            keep.add((node.pk, level.pk))
            row = existing.get((node.pk, level.pk))
            if row is None:
                to_create.append(LevelDescriptor(node=node, level=level, district=district, **values))
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                to_update.append(row)
    stale = [row.pk for key, row in existing.items() if key not in keep]
    if stale:
        LevelDescriptor.objects.filter(pk__in=stale).delete()
    LevelDescriptor.objects.bulk_create(to_create, batch_size=_BATCH)
    if to_update:
        LevelDescriptor.objects.bulk_update(
            to_update, ["text", "feedback", "case_criterion_identifier", "case_level_identifier"], batch_size=200
        )
