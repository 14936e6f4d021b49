"""The starter framework and action-step library shipped with Trellis (CC BY 4.0, written by the project).

``install_starter_content`` runs after every ``migrate`` and does nothing once
the content is there, so a fresh install always has it. Identifiers are UUIDv5
of stable keys: the same content exports with the same CASE identifiers everywhere.
"""

import json
from pathlib import Path

from django.db import transaction

from trellis.frameworks.case.export import stable_uuid
from trellis.frameworks.models import (
    ActionStep,
    ActionStepLibrary,
    Framework,
    FrameworkNode,
    FrameworkVersion,
    LevelDescriptor,
    LibraryPhase,
    PerformanceScale,
    ScaleDirection,
    ScaleLevel,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORK_FILE = DATA_DIR / "open_instructional_practice.json"
LIBRARY_FILE = DATA_DIR / "open_action_steps.json"


def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def starter_framework_identifier(key: str) -> str:
    return stable_uuid("starter-framework", key)


def install_starter_content(using: str = "default") -> bool:
    """Install the starter content if it is missing; True when something was installed."""
    if not FRAMEWORK_FILE.exists() or not LIBRARY_FILE.exists():
        return False
    framework_data = load_json(FRAMEWORK_FILE)
    key = framework_data["framework"]["key"]
    if Framework.objects.using(using).filter(district=None, case_identifier=starter_framework_identifier(key)).exists():
        return False
    with transaction.atomic(using=using):
        framework = _install_framework(framework_data, using)
        _install_library(load_json(LIBRARY_FILE), framework, using)
    return True


def _install_framework(data: dict, using: str) -> Framework:
    meta = data["framework"]
    key = meta["key"]
    framework = Framework.objects.using(using).create(
        district=None,
        title=meta["title"],
        publisher=meta["publisher"],
        kind=meta["kind"],
        language=meta.get("language", "en"),
        description=meta.get("description", ""),
        licence=meta["licence"],
        licence_url=meta.get("licence_url", ""),
        case_identifier=starter_framework_identifier(key),
        adoption_status="Adopted",
    )
    version = FrameworkVersion.objects.using(using).create(framework=framework, label=meta["version"])
    scale = PerformanceScale.objects.using(using).create(
        version=version,
        title=f"{meta['title']} continuum",
        direction=data["scale"].get("direction", ScaleDirection.ASCENDING),
        case_identifier=stable_uuid("starter-rubric", key),
    )
    levels = {
        str(level["ordinal"]): ScaleLevel.objects.using(using).create(
            scale=scale,
            position=level["ordinal"],
            label=level["label"],
            code=level.get("code", ""),
            score=float(level["ordinal"]),
            short_descriptor=level.get("short_descriptor", ""),
        )
        for level in data["scale"]["levels"]
    }
    outline = 0
    for d_index, domain in enumerate(data["nodes"], start=1):
        parent = _node(version, key, domain, None, d_index, 1, outline, using)
        outline += 1
        for c_index, component in enumerate(domain.get("children", []), start=1):
            node = _node(version, key, component, parent, c_index, 2, outline, using)
            outline += 1
            LevelDescriptor.objects.using(using).bulk_create(
                LevelDescriptor(node=node, level=levels[ordinal], text=text)
                for ordinal, text in component.get("descriptors", {}).items()
            )
    framework.current_version = version
    framework.save(update_fields=["current_version"])
    return framework


def _node(version, key, data, parent, position, depth, outline, using) -> FrameworkNode:
    extra = {}
    if data.get("look_fors"):
        extra["extensions"] = {"trellis:lookFors": data["look_fors"]}
    return FrameworkNode.objects.using(using).create(
        version=version,
        parent=parent,
        node_type=data["type"].title(),
        code=data["code"],
        title=data["title"],
        statement=data.get("description") or data["title"],
        sort_order=position,
        depth=depth,
        outline=outline,
        case_identifier=stable_uuid("starter-node", key, data["code"]),
        extra=extra,
    )


def _install_library(data: dict, framework: Framework, using: str) -> ActionStepLibrary:
    meta = data["library"]
    library = ActionStepLibrary.objects.using(using).create(
        district=None,
        key=meta["key"],
        title=meta["title"],
        publisher=meta["publisher"],
        version=meta["version"],
        description=meta.get("description", ""),
        licence=meta["licence"],
        licence_url=meta.get("licence_url", ""),
        framework=framework,
    )
    phases = {
        phase["key"]: LibraryPhase.objects.using(using).create(
            library=library,
            key=phase["key"],
            label=phase["label"],
            description=phase.get("description", ""),
            position=position,
        )
        for position, phase in enumerate(data["phases"], start=1)
    }
    nodes = {n.code: n for n in FrameworkNode.objects.using(using).filter(version=framework.current_version)}
    for step_data in data["steps"]:
        step = ActionStep.objects.using(using).create(
            library=library,
            phase=phases[step_data["phase"]],
            code=step_data["code"],
            sequence=step_data["sequence"],
            title=step_data["title"],
            description=step_data.get("description", ""),
            sub_moves=step_data.get("sub_moves", []),
            look_fors=step_data.get("look_fors", []),
            practice_prompt=step_data.get("practice_prompt", ""),
            typical_duration_days=step_data.get("typical_duration_days", 7),
        )
        step.aligned_nodes.set([nodes[code] for code in step_data.get("aligned_components", []) if code in nodes])
    return library
