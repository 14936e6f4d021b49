"""Authorization matrix rows for the frameworks pages (see tests/authz.py).

Every person with a role reads the shipped framework and library. A district's
own framework, library copy and steps are read by its people and by the service
center it granted access (both of its facilitators and its admin: the grant is to
the service center); the admin of district B gets 404 on them. Only district
admins choose, copy, import and edit (403 for everyone else, whatever the id);
shipped steps are edited by no one (403, with a pointer to making a copy).
POST rows carry valid data, so an allowed request succeeds and redirects.
"""

import json
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz import Row, everyone
from trellis.frameworks.models import ActionStep, ActionStepLibrary, Framework
from trellis.frameworks.services import framework_import_case, library_copy
from trellis.frameworks.starter import starter_framework_identifier
from trellis.frameworks.tests.packages import rubric_package

READ = everyone(200)
# District A's own rows: district B's admin does not see them.
READ_A = everyone(200, other_admin=404)
ADMIN_POST = everyone(403, district_admin=302, other_admin=302)
ADMIN_POST_A = everyone(403, district_admin=302, other_admin=404)
ADMIN_PAGE = everyone(403, district_admin=200, other_admin=200)
ADMIN_PAGE_A = everyone(403, district_admin=200, other_admin=404)
WRONG_METHOD = everyone(405)


def starter(world) -> Framework:
    return Framework.objects.get(
        district=None, case_identifier=starter_framework_identifier("open-instructional-practice")
    )


def starter_library(world) -> ActionStepLibrary:
    return ActionStepLibrary.objects.get(district=None, key="open-action-steps")


def starter_step(world) -> ActionStep:
    return ActionStep.objects.filter(library=starter_library(world)).order_by("sequence").first()


def district_framework(world) -> Framework:
    framework, report, _existed = framework_import_case(
        actor=world.district_admin, raw=json.dumps(rubric_package()).encode(), district=world.district
    )
    assert not report.errors, report.errors
    return framework


def district_library(world) -> ActionStepLibrary:
    return library_copy(actor=world.district_admin, library=starter_library(world), district=world.district)


def district_step(world) -> ActionStep:
    return district_library(world).steps.order_by("sequence").first()


# Helpers the view tests share ---------------------------------------------------------------------------------

_NS = uuid.UUID("8b1f9a52-3c47-4e0e-9f7d-1d2a6c5e4b30")
LEVELS = ["Emerging", "Developing", "Skilled", "Leading"]


def make_package(
    key: str,
    *,
    title: str = "Generated Framework",
    domains: int = 2,
    components: int = 3,
    levels: int = 4,
    descending: bool = False,
    crosswalk: bool = False,
    statement=None,
) -> dict:
    """A CASE 1.1 package: ``domains`` x ``components`` with a descriptor for every component x level.

    ``crosswalk`` adds, per component, an isRelatedTo link to the previous component and an
    exactMatchOf link to a node outside the package. ``statement`` (a callable of the code)
    overrides the components' statements.
    """

    def uid(*parts):
        return str(uuid.uuid5(_NS, ":".join([key, *map(str, parts)])))

    doc = uid("doc")
    base = "https://case.example.org/ims/case/v1p1"

    def ref(identifier, kind="CFItems"):
        return {"identifier": identifier, "uri": f"{base}/{kind}/{identifier}", "title": identifier[:8]}

    stamp = "2026-08-01T00:00:00+00:00"
    items, associations, criteria = [], [], []

    def child(origin, dest, seq, kind="CFItems"):
        ident = uid("assoc", origin)
        associations.append(
            {
                "identifier": ident,
                "uri": f"{base}/CFAssociations/{ident}",
                "associationType": "isChildOf",
                "sequenceNumber": seq,
                "originNodeURI": ref(origin),
                "destinationNodeURI": ref(dest, kind),
                "lastChangeDateTime": stamp,
            }
        )

    previous = None
    for d in range(1, domains + 1):
        domain_id = uid("D", d)
        items.append(
            {
                "identifier": domain_id,
                "uri": f"{base}/CFItems/{domain_id}",
                "fullStatement": f"Domain {d} of {title}",
                "abbreviatedStatement": f"Domain {d}",
                "humanCodingScheme": f"D{d}",
                "CFItemType": "Domain",
                "lastChangeDateTime": stamp,
            }
        )
        child(domain_id, doc, d, kind="CFDocuments")
        for c in range(1, components + 1):
            code = f"D{d}.C{c}"
            item_id = uid("C", d, c)
            items.append(
                {
                    "identifier": item_id,
                    "uri": f"{base}/CFItems/{item_id}",
                    "fullStatement": statement(code) if statement else f"Statement of {code}.",
                    "abbreviatedStatement": f"Component {code}",
                    "humanCodingScheme": code,
                    "CFItemType": "Component",
                    "lastChangeDateTime": stamp,
                }
            )
            child(item_id, domain_id, c)
            if crosswalk:
                if previous:
                    ident = uid("rel", item_id)
                    associations.append(
                        {
                            "identifier": ident,
                            "uri": f"{base}/CFAssociations/{ident}",
                            "associationType": "isRelatedTo",
                            "originNodeURI": ref(item_id),
                            "destinationNodeURI": ref(previous),
                            "lastChangeDateTime": stamp,
                        }
                    )
                ident = uid("ext", item_id)
                outside = uid("outside", item_id)
                associations.append(
                    {
                        "identifier": ident,
                        "uri": f"{base}/CFAssociations/{ident}",
                        "associationType": "exactMatchOf",
                        "originNodeURI": ref(item_id),
                        "destinationNodeURI": {
                            "identifier": outside,
                            "uri": f"https://state.example.org/case/{outside}",
                            "title": f"State standard for {code}",
                        },
                        "lastChangeDateTime": stamp,
                    }
                )
            previous = item_id
            criteria.append(
                {
                    "identifier": uid("crit", code),
                    "uri": f"{base}/CFRubricCriteria/{uid('crit', code)}",
                    "CFItemURI": ref(item_id),
                    "position": len(criteria) + 1,
                    "lastChangeDateTime": stamp,
                    "CFRubricCriterionLevels": [
                        {
                            "identifier": uid("lvl", code, n),
                            "uri": f"{base}/CFRubricCriterionLevels/{uid('lvl', code, n)}",
                            "quality": LEVELS[n] if n < len(LEVELS) else f"Level {n + 1}",
                            "score": float(levels - n if descending else n + 1),
                            "position": n + 1,
                            "description": f"{code} at level {n + 1}.",
                            "lastChangeDateTime": stamp,
                        }
                        for n in range(levels)
                    ],
                }
            )
    package = {
        "CFDocument": {
            "identifier": doc,
            "uri": f"{base}/CFDocuments/{doc}",
            "creator": "Example Publisher",
            "title": title,
            "lastChangeDateTime": stamp,
            "version": "1.0",
            "adoptionStatus": "Draft",
            "language": "en",
        },
        "CFItems": items,
        "CFAssociations": associations,
    }
    if levels:
        package["CFRubrics"] = [
            {
                "identifier": uid("rubric"),
                "uri": f"{base}/CFRubrics/{uid('rubric')}",
                "title": f"{title} levels",
                "lastChangeDateTime": stamp,
                "CFRubricCriteria": criteria,
            }
        ]
    return package


def import_package(world, package: dict, district=None):
    """Import ``package`` for district A (or ``district``) and return the framework."""
    framework, report, _existed = framework_import_case(
        actor=world.district_admin, raw=json.dumps(package).encode(), district=district or world.district
    )
    assert not report.errors, report.errors
    return framework


def case_import_job(world):
    """A checked import of district A, waiting for its admin to press Import."""
    from trellis.frameworks.services import case_import_job_create
    from trellis.frameworks.tasks import check_case_import

    job = case_import_job_create(
        actor=world.district_admin,
        district=world.district,
        kind="coach_competency",
        source="package.json",
        raw=json.dumps(rubric_package()).encode(),
    )
    check_case_import.call(job.pk)
    return job


def _package_upload(world):
    return {
        "file": SimpleUploadedFile("package.json", json.dumps(rubric_package()).encode(), "application/json"),
        "kind": "coach_competency",
    }


def _step_data(world):
    step = ActionStep.objects.filter(library__district=world.district).order_by("sequence").first()
    return {
        "title": "Matrix title",
        "description": "Edited through the matrix.",
        "sub_moves": "One\nTwo",
        "look_fors": "Seen",
        "practice_prompt": "Practise it.",
        "typical_duration_days": "5",
        "phase": str(step.phase_id) if step else "",
    }


ROWS = [
    # Frameworks
    Row("frameworks:catalogue", READ),
    Row("frameworks:framework-detail", READ, args=lambda w: [starter(w).pk]),
    Row("frameworks:framework-detail", READ_A, args=lambda w: [district_framework(w).pk], label="district A"),
    Row("frameworks:framework-detail", everyone(404), args=lambda w: [999999], label="unknown id"),
    Row("frameworks:framework-export", READ, args=lambda w: [starter(w).pk]),
    Row("frameworks:framework-export", READ_A, args=lambda w: [district_framework(w).pk], label="district A"),
    Row("frameworks:framework-choose", WRONG_METHOD, args=lambda w: [starter(w).pk]),
    Row(
        "frameworks:framework-choose",
        ADMIN_POST,
        args=lambda w: [starter(w).pk],
        method="POST",
        data=lambda w: {"action": "default"},
    ),
    Row(
        "frameworks:framework-choose",
        ADMIN_POST_A,
        args=lambda w: [district_framework(w).pk],
        method="POST",
        data=lambda w: {"action": "use"},
        label="district A",
    ),
    # CASE import wizard
    Row("frameworks:import", ADMIN_PAGE),
    Row("frameworks:import", ADMIN_POST, method="POST", data=_package_upload, label="upload"),
    # A job is district A's admin's only: district B's admin gets 404, everyone else 403 (no district to admin).
    Row("frameworks:import-preview", ADMIN_PAGE_A, args=lambda w: [case_import_job(w).pk]),
    Row(
        "frameworks:import-preview", ADMIN_POST_A, args=lambda w: [case_import_job(w).pk], method="POST", label="import"
    ),
    Row(
        "frameworks:import-preview",
        everyone(403, district_admin=404, other_admin=404),
        args=lambda w: [999999],
        label="unknown id",
    ),
    Row("frameworks:import-cancel", WRONG_METHOD, args=lambda w: [case_import_job(w).pk]),
    Row("frameworks:import-cancel", ADMIN_POST_A, args=lambda w: [case_import_job(w).pk], method="POST"),
    # Libraries
    Row("frameworks:library-list", READ),
    Row("frameworks:library-detail", READ, args=lambda w: [starter_library(w).pk]),
    Row("frameworks:library-detail", READ_A, args=lambda w: [district_library(w).pk], label="district A copy"),
    Row(
        "frameworks:library-choose",
        ADMIN_POST,
        args=lambda w: [starter_library(w).pk],
        method="POST",
        data=lambda w: {"action": "use"},
    ),
    Row(
        "frameworks:library-choose",
        ADMIN_POST_A,
        args=lambda w: [district_library(w).pk],
        method="POST",
        data=lambda w: {"action": "default"},
        label="district A copy",
    ),
    Row("frameworks:library-copy", WRONG_METHOD, args=lambda w: [starter_library(w).pk]),
    Row("frameworks:library-copy", ADMIN_POST, args=lambda w: [starter_library(w).pk], method="POST"),
    Row(
        "frameworks:library-copy",
        ADMIN_POST_A,
        args=lambda w: [district_library(w).pk],
        method="POST",
        label="district A copy",
    ),
    # Steps
    Row("frameworks:step-detail", READ, args=lambda w: [starter_step(w).pk]),
    Row("frameworks:step-detail", READ_A, args=lambda w: [district_step(w).pk], label="district A copy"),
    Row("frameworks:step-edit", everyone(403), args=lambda w: [starter_step(w).pk], label="shipped"),
    Row(
        "frameworks:step-edit",
        everyone(403),
        args=lambda w: [starter_step(w).pk],
        method="POST",
        data=_step_data,
        label="shipped, POST",
    ),
    Row(
        "frameworks:step-edit",
        everyone(403, district_admin=200, other_admin=404),
        args=lambda w: [district_step(w).pk],
        label="district A copy",
    ),
    Row(
        "frameworks:step-edit",
        ADMIN_POST_A,
        args=lambda w: [district_step(w).pk],
        method="POST",
        data=_step_data,
        label="district A copy, POST",
    ),
    Row("frameworks:exemplar-add", WRONG_METHOD, args=lambda w: [district_step(w).pk]),
    Row(
        "frameworks:exemplar-add",
        everyone(403),
        args=lambda w: [starter_step(w).pk],
        method="POST",
        data=lambda w: {"exemplar-title": "A video", "exemplar-url": "https://example.org/video"},
        label="shipped",
    ),
    Row(
        "frameworks:exemplar-add",
        ADMIN_POST_A,
        args=lambda w: [district_step(w).pk],
        method="POST",
        data=lambda w: {"exemplar-title": "A video", "exemplar-url": "https://example.org/video"},
        label="district A copy",
    ),
]
