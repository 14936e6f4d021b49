"""Reads that feed the frameworks pages, each in a fixed number of queries whatever the data size."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from trellis.frameworks.models import (
    ActionStep,
    ActionStepLibrary,
    DistrictFrameworkChoice,
    DistrictLibraryChoice,
    ExemplarResource,
    Framework,
    FrameworkNode,
    LevelDescriptor,
    NodeAlignment,
    PerformanceScale,
    ScaleLevel,
)
from trellis.lib.markdown import render_markdown
from trellis.lib.rules import rule_for

# How many steps one page of a library shows: the scope and sequence stays readable and bounded.
STEPS_PER_PAGE = 50
# How many items of an uploaded package the import preview shows.
PREVIEW_NODES = 50


# Catalogue -------------------------------------------------------------------------------------------------------


def framework_catalogue(user):
    """Frameworks ``user`` may see, shipped and their district's, with the size of the current version."""
    # One query: the counts are joins on the current version, not queries per framework. Components are
    # the nodes with descriptors (the rows of the continuum).
    qs = rule_for(Framework).visible(user).select_related("current_version")
    return qs.annotate(
        node_count=Count("current_version__nodes", distinct=True),
        component_count=Count("current_version__nodes__descriptors__node", distinct=True),
    ).order_by("title", "id")


def library_catalogue(user):
    """Action-step libraries ``user`` may see, with their number of steps."""
    qs = rule_for(ActionStepLibrary).visible(user).select_related("framework", "copied_from")
    return qs.annotate(step_count=Count("steps")).order_by("district_id", "title", "id")


def framework_choices(district) -> dict:
    """framework id -> whether it is the default, for the frameworks ``district`` uses."""
    if district is None:
        return {}
    rows = DistrictFrameworkChoice.objects.filter(district=district).values_list("framework_id", "is_default")
    return dict(rows)


def library_choices(district) -> dict:
    if district is None:
        return {}
    rows = DistrictLibraryChoice.objects.filter(district=district).values_list("library_id", "is_default")
    return dict(rows)


def mark_choices(rows, choices: dict) -> list:
    """Attach ``in_use`` and ``is_default`` to each row of a catalogue page (no query)."""
    rows = list(rows)
    for row in rows:
        row.in_use = row.pk in choices
        row.is_default = bool(choices.get(row.pk))
    return rows


# Crosswalk relations (CASE association types) in words: (as stored, seen from the other end).
RELATIONS = {
    "isChildOf": (_("Child of"), _("Parent of")),
    "isPeerOf": (_("Peer of"), _("Peer of")),
    "isPartOf": (_("Part of"), _("Has part")),
    "exactMatchOf": (_("Exact match of"), _("Exact match of")),
    "precedes": (_("Comes before"), _("Comes after")),
    "isRelatedTo": (_("Related to"), _("Related to")),
    "replacedBy": (_("Replaced by"), _("Replaces")),
    "exemplar": (_("Exemplar"), _("Exemplar of")),
    "hasSkillLevel": (_("Has skill level"), _("Skill level of")),
}


def relation_label(relation: str, reversed_: bool = False) -> str:
    labels = RELATIONS.get(relation)
    if labels is None:
        return relation
    return str(labels[1] if reversed_ else labels[0])


# Framework page --------------------------------------------------------------------------------------------------


@dataclass
class OutlineNode:
    """A node of a tree shown as nested lists (the framework outline or the import preview)."""

    id: object
    code: str
    title: str
    statement: str
    node_type: str = ""
    alignments: list = field(default_factory=list)
    children: list = field(default_factory=list)

    @property
    def statement_html(self) -> str:
        """The statement as safe HTML (imported text may hold Markdown; raw HTML is escaped)."""
        return render_markdown(self.statement)


@dataclass
class ComponentRow:
    node: FrameworkNode
    cells: list  # one entry per level: (level, descriptor or None)
    look_fors: list
    alignments: list


@dataclass
class ComponentGroup:
    heading: FrameworkNode | None
    rows: list


@dataclass
class Continuum:
    scale: PerformanceScale | None
    levels: list
    groups: list  # ComponentGroup, in outline order
    outline: list  # OutlineNode roots, when there is no grid
    node_count: int
    has_look_fors: bool
    has_alignments: bool

    @property
    def has_grid(self) -> bool:
        return bool(self.groups)


def look_fors_of(node: FrameworkNode) -> list:
    extensions = (node.extra or {}).get("extensions") or {}
    value = extensions.get("trellis:lookFors") if isinstance(extensions, dict) else None
    return [str(item) for item in value if item] if isinstance(value, list) else []


def continuum(version) -> Continuum:
    """The grid (components x levels) of a framework version, or its outline when it has no continuum.

    Five queries whatever the size: scale, levels, nodes, descriptors, crosswalk links.
    """
    if version is None:
        return Continuum(None, [], [], [], 0, False, False)
    scale = PerformanceScale.objects.filter(version=version).first()
    levels = list(ScaleLevel.objects.filter(scale=scale).order_by("position")) if scale else []
    nodes = list(
        FrameworkNode.objects.filter(version=version)
        .only("id", "parent_id", "code", "title", "statement", "node_type", "outline", "extra", "version_id")
        .order_by("outline", "id")
    )
    descriptors: dict = {}
    if levels:
        for d in LevelDescriptor.objects.filter(level__scale=scale).only("id", "node_id", "level_id", "text"):
            d.text_html = render_markdown(d.text)
            descriptors.setdefault(d.node_id, {})[d.level_id] = d
    alignments: dict = {}
    links = (
        NodeAlignment.objects.filter(from_node__version=version)
        .select_related("to_node__version")
        .only(
            "id",
            "from_node_id",
            "relation",
            "to_identifier",
            "to_uri",
            "to_title",
            "reversed",
            "sequence",
            "to_node__id",
            "to_node__code",
            "to_node__title",
            "to_node__statement",
            "to_node__version__id",
            "to_node__version__framework_id",
        )
        .order_by("sequence", "id")
    )
    for link in links:
        link.relation_label = relation_label(link.relation, link.reversed)
        alignments.setdefault(link.from_node_id, []).append(link)

    by_id = {node.pk: node for node in nodes}
    for node in nodes:
        node.statement_html = render_markdown(node.statement)
    groups: dict = {}
    has_look_fors = False
    for node in nodes:
        if node.pk not in descriptors:
            continue
        row = ComponentRow(
            node=node,
            cells=[(level, descriptors[node.pk].get(level.pk)) for level in levels],
            look_fors=look_fors_of(node),
            alignments=alignments.get(node.pk, []),
        )
        has_look_fors = has_look_fors or bool(row.look_fors)
        key = node.parent_id
        if key not in groups:
            groups[key] = ComponentGroup(heading=by_id.get(key), rows=[])
        groups[key].rows.append(row)
    grid = list(groups.values())
    outline = [] if grid else build_outline(_outline_entries(nodes, alignments))
    has_alignments = any(row.alignments for group in grid for row in group.rows)
    return Continuum(scale, levels, grid, outline, len(nodes), has_look_fors, has_alignments)


def _outline_entries(nodes, alignments):
    for node in nodes:
        entry = OutlineNode(
            id=node.pk,
            code=node.code,
            title=node.title,
            statement=node.statement,
            node_type=node.node_type,
            alignments=alignments.get(node.pk, []),
        )
        yield entry, node.parent_id


def build_outline(entries) -> list:
    """Nest ``(OutlineNode, parent id)`` pairs given in outline order (parents first) into a list of roots."""
    placed: dict = {}
    roots = []
    for entry, parent_id in entries:
        parent = placed.get(parent_id) if parent_id is not None else None
        (parent.children if parent is not None else roots).append(entry)
        placed[entry.id] = entry
    return roots


# Import preview --------------------------------------------------------------------------------------------------


def preview_outline(package, limit: int = PREVIEW_NODES) -> tuple[list, int]:
    """The first ``limit`` items of a parsed CASE package as a tree, and how many were left out."""
    if package is None:
        return [], 0
    items = {item.identifier: item for item in package.items}
    shown = package.order[:limit]

    def entries():
        for item_id in shown:
            item = items[item_id]
            entry = OutlineNode(
                id=item_id, code=item.code, title=item.title, statement=item.statement, node_type=item.item_type
            )
            yield entry, package.parent_of.get(item_id, (None, None))[0]

    return build_outline(entries()), max(len(package.order) - len(shown), 0)


def framework_for_document(district, identifier: str) -> Framework | None:
    """The framework an import of this CASE document would update, if there is one."""
    if not identifier:
        return None
    return Framework.objects.filter(district=district, case_identifier=identifier).first()


# Libraries -------------------------------------------------------------------------------------------------------


@dataclass
class FilterOptions:
    domains: list  # FrameworkNode
    components: list  # FrameworkNode
    phases: list  # LibraryPhase
    below: dict  # domain id -> ids of the domain and every node under it


def library_filter_options(library) -> FilterOptions:
    """What a library's steps can be filtered by: its framework's domains and components, and its phases.

    Two queries: the framework's nodes and the library's phases.
    """
    phases = list(library.phases.order_by("position", "id"))
    version_id = library.framework.current_version_id if library.framework_id else None
    if version_id is None:
        return FilterOptions([], [], phases, {})
    nodes = list(
        FrameworkNode.objects.filter(version_id=version_id)
        .only("id", "parent_id", "code", "title", "statement", "outline")
        .annotate(descriptor_count=Count("descriptors"))
        .order_by("outline", "id")
    )
    domains = [n for n in nodes if n.parent_id is None]
    components = [n for n in nodes if n.descriptor_count] or [n for n in nodes if n.parent_id is not None]
    root_of: dict = {}
    below: dict = {}
    for node in nodes:  # parents come before children in the outline
        root = node.pk if node.parent_id is None else root_of.get(node.parent_id, node.pk)
        root_of[node.pk] = root
        below.setdefault(root, []).append(node.pk)
    return FilterOptions(domains, components, phases, below)


def library_steps(library, *, q: str = "", node_ids=None, phase=None):
    """The steps of a library in scope-and-sequence order, narrowed by search and filters."""
    steps = ActionStep.objects.filter(library=library)
    if q:
        steps = steps.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(look_fors__icontains=q))
    if node_ids is not None:
        links = ActionStep.aligned_nodes.through.objects.filter(frameworknode_id__in=list(node_ids))
        steps = steps.filter(pk__in=links.values("actionstep_id"))
    if phase is not None:
        steps = steps.filter(phase=phase)
    # Aligned components come in one prefetch query for the whole page.
    aligned = Prefetch("aligned_nodes", queryset=FrameworkNode.objects.only("id", "code", "title").order_by("outline"))
    return (
        steps.select_related("phase")
        .prefetch_related(aligned)
        .only(
            "id",
            "code",
            "title",
            "description",
            "sequence",
            "library_id",
            "phase__id",
            "phase__label",
            "phase__description",
            "phase__position",
        )
        .order_by("phase__position", "phase_id", "sequence", "id")
    )


def step_aligned_nodes(step) -> list:
    """The components a step is aligned to, with what it takes to link to their framework page."""
    return list(step.aligned_nodes.select_related("version").order_by("version_id", "outline"))


def step_exemplars(step) -> list:
    return list(ExemplarResource.objects.filter(step=step).order_by("id"))


def component_choices(library, step):
    """Nodes a step of ``library`` can be aligned to: the framework's components, plus what it is aligned to now."""
    current = list(step.aligned_nodes.values_list("pk", flat=True))
    version_id = library.framework.current_version_id if library.framework_id else None
    wanted = Q(pk__in=current)
    if version_id is not None:
        in_version = FrameworkNode.objects.filter(version_id=version_id)
        has_descriptors = in_version.filter(descriptors__isnull=False).exists()
        if has_descriptors:
            wanted |= Q(version_id=version_id, descriptors__isnull=False)
        else:
            wanted |= Q(version_id=version_id)
    return FrameworkNode.objects.filter(wanted).distinct().order_by("version_id", "outline", "id")
