"""Read a CASE 1.0 or 1.1 CFPackage into plain data, checking everything before anything is written.

``parse_package`` never raises on bad input: it returns a ``CaseReport`` whose
``errors`` say what is wrong and where (in plain words), and ``warnings`` for
what it tolerated (1.0-era properties, date-times without a zone, sequence
numbers given as strings). A package with errors is not imported.
"""

import json
import re
import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

CHILD_OF = "isChildOf"
# Properties of CFItem we map to columns; the rest are kept in ``extra`` for export.
ITEM_COLUMNS = {
    "identifier",
    "uri",
    "fullStatement",
    "abbreviatedStatement",
    "humanCodingScheme",
    "CFItemType",
    "CFItemTypeURI",
    "listEnumeration",
    "educationLevel",
    "lastChangeDateTime",
    "CFDocumentURI",
    "educationalLevel",
}
LEGACY_PROPERTIES = ("CFPackageURI", "CFDocumentURI", "CFItemAssociationURI")
_TZ_SUFFIX = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


@dataclass
class CaseItem:
    identifier: str
    uri: str
    statement: str
    title: str
    code: str
    item_type: str
    item_type_uri: str
    list_enumeration: str
    education_levels: list
    extra: dict
    index: int


@dataclass
class CaseLink:
    identifier: str
    uri: str
    relation: str
    origin_id: str
    origin_uri: str
    origin_title: str
    dest_id: str
    dest_uri: str
    dest_title: str
    sequence: int | None


@dataclass
class CaseLevel:
    identifier: str
    position: int
    quality: str
    score: float | None
    description: str
    feedback: str


@dataclass
class CaseCriterion:
    identifier: str
    item_id: str
    position: int
    levels: list


@dataclass
class CaseRubric:
    identifier: str
    title: str
    description: str
    criteria: list


@dataclass
class CasePackage:
    document: dict
    items: list
    links: list  # every association except isChildOf
    parent_of: dict  # item id -> (parent item id or None for top level, sequence)
    item_types: dict  # CFItemType identifier -> title
    rubric: CaseRubric | None
    order: list = field(default_factory=list)  # item ids in depth-first outline order
    depth_of: dict = field(default_factory=dict)


@dataclass
class CaseReport:
    title: str = ""
    items: int = 0
    top_level: int = 0
    depth: int = 0
    associations: int = 0
    external_links: int = 0
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "items": self.items,
            "top_level": self.top_level,
            "depth": self.depth,
            "associations": self.associations,
            "external_links": self.external_links,
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }

    def warn_once(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def parse_package(raw: bytes | str, *, max_bytes: int) -> tuple[CasePackage | None, CaseReport]:
    report = CaseReport()
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > max_bytes:
        report.errors.append(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1_000_000, 1), "limit": round(max_bytes / 1_000_000, 1)}
        )
        return None, report
    data = _load_json(raw, report)
    if data is None:
        return None, report
    if not isinstance(data, dict) or not isinstance(data.get("CFDocument"), dict):
        report.errors.append(_("This is JSON but not a CASE package: it has no CFDocument object at the top level."))
        return None, report
    package = _read(data, report)
    if report.errors:
        return None, report
    return package, report


def _load_json(raw, report):
    if isinstance(raw, bytes):
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.errors.append(_("The file is not UTF-8 text (byte %(pos)s).") % {"pos": exc.start})
            return None
    stripped = raw.lstrip()[:200].lower()
    if stripped.startswith(("<!doctype", "<html", "<?xml", "<")):
        report.errors.append(_("The file is a web page or XML, not a CASE package (JSON)."))
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        report.errors.append(
            _("The file is not valid JSON: %(msg)s at line %(line)s, column %(col)s.")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        )
        return None
    except RecursionError:
        report.errors.append(_("The file is nested too deeply to be a CASE package."))
        return None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return str(value)


def _check_datetime(value, where, report) -> None:
    if isinstance(value, str) and value and not _TZ_SUFFIX.search(value):
        report.warn_once(
            _("Some dates have no time zone (for example %(where)s); they were read as UTC.") % {"where": where}
        )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def _read(data: dict, report: CaseReport) -> CasePackage:
    document = _read_document(data["CFDocument"], report)
    for name in LEGACY_PROPERTIES:
        if name in data["CFDocument"]:
            report.warn_once(_("The package uses the CASE 1.0 property %(name)s; it was ignored.") % {"name": name})
    items = _read_items(data.get("CFItems"), report)
    item_types = _read_item_types(data.get("CFDefinitions"), report)
    by_id = {item.identifier: item for item in items}
    links, parent_of = _read_associations(data.get("CFAssociations"), document["identifier"], by_id, report)
    rubric = _read_rubric(data.get("CFRubrics"), by_id, report)
    for item in items:
        if item.item_type == "" and item.item_type_uri:
            item.item_type = item_types.get(item.extra.get("_type_id", ""), "")
        item.extra.pop("_type_id", None)
    package = CasePackage(
        document=document, items=items, links=links, parent_of=parent_of, item_types=item_types, rubric=rubric
    )
    if not report.errors:
        _build_outline(package, report)
    report.title = document["title"]
    report.items = len(items)
    report.associations = len(links) + len(parent_of)
    report.external_links = sum(1 for link in links if link.dest_id not in by_id or link.origin_id not in by_id)
    return package


def _read_document(doc: dict, report: CaseReport) -> dict:
    identifier = _text(doc.get("identifier")).strip()
    title = _text(doc.get("title")).strip()
    if not identifier:
        report.errors.append(_("CFDocument has no identifier."))
    elif not _is_uuid(identifier):
        report.warn_once(_("The CFDocument identifier %(id)s is not a UUID.") % {"id": identifier})
    if not title:
        report.errors.append(_("CFDocument has no title."))
    _check_datetime(doc.get("lastChangeDateTime"), "CFDocument", report)
    licence = doc.get("licenseURI") if isinstance(doc.get("licenseURI"), dict) else {}
    return {
        "identifier": identifier,
        "uri": _text(doc.get("uri")),
        "title": title,
        "creator": _text(doc.get("creator")),
        "publisher": _text(doc.get("publisher")),
        "description": _text(doc.get("description")),
        "version": _text(doc.get("version")),
        "adoption_status": _text(doc.get("adoptionStatus")),
        "language": _text(doc.get("language")),
        "source_url": _text(doc.get("officialSourceURL")),
        "licence": _text(licence.get("title")),
        "licence_url": _text(licence.get("uri")),
        "last_change": _text(doc.get("lastChangeDateTime")),
    }


def _read_items(raw_items, report: CaseReport) -> list[CaseItem]:
    if raw_items is None:
        return []
    if not isinstance(raw_items, list):
        report.errors.append(_("CFItems must be a list."))
        return []
    items, seen = [], set()
    for index, raw in enumerate(raw_items):
        where = f"CFItems[{index}]"
        if not isinstance(raw, dict):
            report.errors.append(_("%(where)s is not an object.") % {"where": where})
            continue
        identifier = _text(raw.get("identifier")).strip()
        if not identifier:
            report.errors.append(_("%(where)s has no identifier.") % {"where": where})
            continue
        if identifier in seen:
            report.errors.append(
                _("%(where)s repeats the identifier %(id)s used by another item.") % {"where": where, "id": identifier}
            )
            continue
        seen.add(identifier)
        statement = _text(raw.get("fullStatement"))
        if not statement.strip():
            report.errors.append(_("%(where)s (%(id)s) has no fullStatement.") % {"where": where, "id": identifier})
        _check_datetime(raw.get("lastChangeDateTime"), where, report)
        levels = raw.get("educationLevel")
        if levels is None and "educationalLevel" in raw:
            levels = raw["educationalLevel"]
            report.warn_once(_("Some items use educationalLevel (a misspelling); it was read as educationLevel."))
        if isinstance(levels, str):
            levels = [levels]
        type_uri = raw.get("CFItemTypeURI") if isinstance(raw.get("CFItemTypeURI"), dict) else {}
        extra = {k: v for k, v in raw.items() if k not in ITEM_COLUMNS}
        extra["_type_id"] = _text(type_uri.get("identifier"))
        items.append(
            CaseItem(
                identifier=identifier,
                uri=_text(raw.get("uri")),
                statement=statement,
                title=_text(raw.get("abbreviatedStatement")),
                code=_text(raw.get("humanCodingScheme")),
                item_type=_text(raw.get("CFItemType")),
                item_type_uri=_text(type_uri.get("uri")),
                list_enumeration=_text(raw.get("listEnumeration")),
                education_levels=[_text(level) for level in (levels or []) if level is not None],
                extra=extra,
                index=index,
            )
        )
    return items


def _read_item_types(definitions, report: CaseReport) -> dict:
    if not isinstance(definitions, dict):
        return {}
    types = {}
    for raw in definitions.get("CFItemTypes") or []:
        if isinstance(raw, dict) and raw.get("identifier"):
            types[_text(raw["identifier"])] = _text(raw.get("title"))
    return types


def _sequence(raw, where, report) -> int | None:
    value = raw.get("sequenceNumber")
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = int(str(value).strip())
    except ValueError:
        report.warn_once(_("%(where)s has a sequenceNumber that is not a number; it was ignored.") % {"where": where})
        return None
    report.warn_once(_("Some sequenceNumber values are text instead of numbers; they were read as numbers."))
    return number


def _node_ref(raw) -> tuple[str, str, str]:
    if isinstance(raw, dict):
        return _text(raw.get("identifier")).strip(), _text(raw.get("uri")), _text(raw.get("title"))
    if isinstance(raw, str):
        return raw.rsplit("/", 1)[-1], raw, ""
    return "", "", ""


def _read_associations(raw_links, doc_id: str, by_id: dict, report: CaseReport):
    links, parent_of, seen = [], {}, set()
    if raw_links is None:
        return links, parent_of
    if not isinstance(raw_links, list):
        report.errors.append(_("CFAssociations must be a list."))
        return links, parent_of
    for index, raw in enumerate(raw_links):
        where = f"CFAssociations[{index}]"
        if not isinstance(raw, dict):
            report.errors.append(_("%(where)s is not an object.") % {"where": where})
            continue
        identifier = _text(raw.get("identifier")).strip()
        if identifier and identifier in seen:
            report.errors.append(
                _("%(where)s repeats the association identifier %(id)s.") % {"where": where, "id": identifier}
            )
            continue
        seen.add(identifier)
        relation = _text(raw.get("associationType")).strip()
        origin_id, origin_uri, origin_title = _node_ref(raw.get("originNodeURI"))
        dest_id, dest_uri, dest_title = _node_ref(raw.get("destinationNodeURI"))
        if not relation or not origin_id or not dest_id:
            report.errors.append(
                _("%(where)s needs an associationType, an originNodeURI and a destinationNodeURI.") % {"where": where}
            )
            continue
        sequence = _sequence(raw, where, report)
        if relation == CHILD_OF:
            _read_child_of(where, origin_id, dest_id, sequence, doc_id, by_id, parent_of, report)
            continue
        if origin_id not in by_id and dest_id not in by_id:
            report.warn_once(_("%(where)s links two nodes outside this package; it was skipped.") % {"where": where})
            continue
        links.append(
            CaseLink(
                identifier=identifier,
                uri=_text(raw.get("uri")),
                relation=relation,
                origin_id=origin_id,
                origin_uri=origin_uri,
                origin_title=origin_title,
                dest_id=dest_id,
                dest_uri=dest_uri,
                dest_title=dest_title,
                sequence=sequence,
            )
        )
    return links, parent_of


def _read_child_of(where, origin_id, dest_id, sequence, doc_id, by_id, parent_of, report):
    if origin_id not in by_id:
        report.errors.append(
            _("%(where)s: the child %(id)s of an isChildOf link is not an item in this package.")
            % {"where": where, "id": origin_id}
        )
        return
    if dest_id != doc_id and dest_id not in by_id:
        report.errors.append(
            _("%(where)s: the parent %(id)s of an isChildOf link is neither the document nor an item in this package.")
            % {"where": where, "id": dest_id}
        )
        return
    if origin_id == dest_id:
        report.errors.append(_("%(where)s: item %(id)s is its own parent.") % {"where": where, "id": origin_id})
        return
    if origin_id in parent_of:
        report.warn_once(
            _("Item %(id)s has more than one parent; the first was kept and the others were ignored.")
            % {"id": origin_id}
        )
        return
    parent_of[origin_id] = (None if dest_id == doc_id else dest_id, sequence)


def _read_rubric(raw_rubrics, by_id: dict, report: CaseReport) -> CaseRubric | None:
    if not raw_rubrics:
        return None
    if not isinstance(raw_rubrics, list) or not isinstance(raw_rubrics[0], dict):
        report.errors.append(_("CFRubrics must be a list of rubric objects."))
        return None
    if len(raw_rubrics) > 1:
        report.warn_once(_("The package has several rubrics; the first was imported as the continuum."))
    raw = raw_rubrics[0]
    criteria = []
    for c_index, crit in enumerate(raw.get("CFRubricCriteria") or []):
        where = f"CFRubrics[0].CFRubricCriteria[{c_index}]"
        if not isinstance(crit, dict):
            report.errors.append(_("%(where)s is not an object.") % {"where": where})
            continue
        item_id, _uri, _title = _node_ref(crit.get("CFItemURI"))
        if item_id not in by_id:
            report.warn_once(
                _("%(where)s describes %(id)s, which is not an item in this package; it was skipped.")
                % {"where": where, "id": item_id or "?"}
            )
            continue
        levels = []
        for l_index, lvl in enumerate(crit.get("CFRubricCriterionLevels") or []):
            if not isinstance(lvl, dict):
                report.errors.append(
                    _("%(where)s.CFRubricCriterionLevels[%(n)s] is not an object.") % {"where": where, "n": l_index}
                )
                continue
            position = lvl.get("position")
            position = position if isinstance(position, int) and not isinstance(position, bool) else l_index + 1
            score = lvl.get("score")
            levels.append(
                CaseLevel(
                    identifier=_text(lvl.get("identifier")),
                    position=position,
                    quality=_text(lvl.get("quality")).strip() or _("Level %(n)s") % {"n": position},
                    score=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
                    description=_text(lvl.get("description")),
                    feedback=_text(lvl.get("feedback")),
                )
            )
        positions = [lv.position for lv in levels]
        if len(set(positions)) != len(positions):
            report.errors.append(_("%(where)s has two levels at the same position.") % {"where": where})
            continue
        criteria.append(
            CaseCriterion(
                identifier=_text(crit.get("identifier")),
                item_id=item_id,
                position=crit.get("position") if isinstance(crit.get("position"), int) else c_index + 1,
                levels=sorted(levels, key=lambda lv: lv.position),
            )
        )
    return CaseRubric(
        identifier=_text(raw.get("identifier")),
        title=_text(raw.get("title")),
        description=_text(raw.get("description")),
        criteria=criteria,
    )


def _natural_key(code: str):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code or "")]


def _build_outline(package: CasePackage, report: CaseReport) -> None:
    """Order the tree depth-first, siblings by sequenceNumber, then code, then file order; refuse cycles."""
    by_id = {item.identifier: item for item in package.items}
    orphans = [item.identifier for item in package.items if item.identifier not in package.parent_of]
    for orphan in orphans:
        package.parent_of[orphan] = (None, None)
    if orphans:
        report.warn_once(
            _("%(n)s items had no isChildOf link; they were placed at the top level.") % {"n": len(orphans)}
        )
    _refuse_cycles(package, report)
    if report.errors:
        return
    children: dict = {}
    for child_id, (parent_id, sequence) in package.parent_of.items():
        children.setdefault(parent_id, []).append((child_id, sequence))

    def sort_key(entry):
        child_id, sequence = entry
        item = by_id[child_id]
        return (sequence is None, sequence or 0, _natural_key(item.code), item.index)

    for siblings in children.values():
        siblings.sort(key=sort_key)
    order, depth_of = [], {}
    stack = [(child_id, 1) for child_id, _s in reversed(children.get(None, []))]
    while stack:
        node_id, depth = stack.pop()
        order.append(node_id)
        depth_of[node_id] = depth
        stack.extend((child_id, depth + 1) for child_id, _s in reversed(children.get(node_id, [])))
    package.order = order
    package.depth_of = depth_of
    report.top_level = len(children.get(None, []))
    report.depth = max(depth_of.values(), default=0)


def _refuse_cycles(package: CasePackage, report: CaseReport) -> None:
    state: dict = {}
    for start in package.parent_of:
        path, node = [], start
        while node is not None and state.get(node) is None:
            state[node] = "visiting"
            path.append(node)
            node = package.parent_of.get(node, (None, None))[0]
        if node is not None and state.get(node) == "visiting":
            cycle = path[path.index(node) :] + [node]
            report.errors.append(_("The isChildOf links form a cycle: %(cycle)s.") % {"cycle": " → ".join(cycle)})
            return
        for visited in path:
            state[visited] = "done"
