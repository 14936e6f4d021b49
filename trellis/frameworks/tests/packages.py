"""Small CASE packages built in code for tests (synthetic, in the shape of standards.md Appendix A)."""

import copy
import uuid

STAMP = "2026-08-01T00:00:00+00:00"
NS = uuid.UUID("0f5c2c7e-3b1a-4d9e-9d61-7a2b8c3d4e5f")


def uid(*parts) -> str:
    return str(uuid.uuid5(NS, ":".join(map(str, parts))))


def _ref(identifier, title, kind="CFItems"):
    return {
        "title": title,
        "identifier": identifier,
        "uri": f"https://coach.example.org/ims/case/v1p1/{kind}/{identifier}",
    }


def rubric_package(*, descending: bool = False) -> dict:
    """One domain, two competencies, a four-level rubric on the first competency."""
    doc = uid("doc")
    d1, c1, c2 = uid("D1"), uid("D1.C1"), uid("D1.C2")
    qualities = ["Beginning", "Developing", "Proficient", "Distinguished"]
    texts = [
        "Goal is set by the coach or is not measurable.",
        "Goal is co-written but not tied to student evidence.",
        "Goal is co-constructed, measurable and tied to student evidence.",
        "Teacher leads goal setting; coach probes and extends.",
    ]
    scores = [4.0, 3.0, 2.0, 1.0] if descending else [1.0, 2.0, 3.0, 4.0]
    package = {
        "CFDocument": {
            "identifier": doc,
            "uri": f"https://coach.example.org/ims/case/v1p1/CFDocuments/{doc}",
            "creator": "Example Unified School District",
            "title": "Example Instructional Coaching Framework",
            "lastChangeDateTime": STAMP,
            "version": "2026.1",
            "adoptionStatus": "Draft",
            "language": "en",
        },
        "CFItems": [
            {
                "identifier": d1,
                "uri": _ref(d1, "")["uri"],
                "fullStatement": "Building partnership with teachers",
                "humanCodingScheme": "D1",
                "CFItemType": "Domain",
                "lastChangeDateTime": STAMP,
            },
            {
                "identifier": c1,
                "uri": _ref(c1, "")["uri"],
                "fullStatement": "Co-constructs a measurable goal.",
                "abbreviatedStatement": "Goal setting",
                "humanCodingScheme": "D1.C1",
                "CFItemType": "Competency",
                "lastChangeDateTime": STAMP,
            },
            {
                "identifier": c2,
                "uri": _ref(c2, "")["uri"],
                "fullStatement": "Gives feedback within 48 hours.",
                "abbreviatedStatement": "Feedback",
                "humanCodingScheme": "D1.C2",
                "CFItemType": "Competency",
                "lastChangeDateTime": STAMP,
            },
        ],
        "CFAssociations": [
            _child(d1, "D1", doc, "doc", 1, kind="CFDocuments"),
            _child(c1, "D1.C1", d1, "D1", 1),
            _child(c2, "D1.C2", d1, "D1", 2),
        ],
        "CFRubrics": [
            {
                "identifier": uid("rubric"),
                "uri": "https://coach.example.org/ims/case/v1p1/CFRubrics/" + uid("rubric"),
                "title": "Coaching competency performance levels",
                "lastChangeDateTime": STAMP,
                "CFRubricCriteria": [
                    {
                        "identifier": uid("crit"),
                        "uri": "https://coach.example.org/c/" + uid("crit"),
                        "CFItemURI": _ref(c1, "D1.C1"),
                        "position": 1,
                        "lastChangeDateTime": STAMP,
                        "CFRubricCriterionLevels": [
                            {
                                "identifier": uid("lvl", i),
                                "uri": "https://coach.example.org/l/" + uid("lvl", i),
                                "quality": q,
                                "score": scores[i],
                                "position": i + 1,
                                "description": texts[i],
                                "lastChangeDateTime": STAMP,
                            }
                            for i, q in enumerate(qualities)
                        ],
                    }
                ],
            }
        ],
    }
    return copy.deepcopy(package)


def _child(origin, origin_title, dest, dest_title, seq, kind="CFItems"):
    ident = uid("assoc", origin)
    return {
        "identifier": ident,
        "uri": f"https://coach.example.org/ims/case/v1p1/CFAssociations/{ident}",
        "associationType": "isChildOf",
        "sequenceNumber": seq,
        "originNodeURI": _ref(origin, origin_title),
        "destinationNodeURI": _ref(dest, dest_title, kind),
        "lastChangeDateTime": STAMP,
    }
