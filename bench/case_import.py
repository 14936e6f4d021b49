"""Benchmark: import generated CASE packages of growing size (4-level rubric on every leaf).

Each size runs in its own process against a fresh database, so peak memory (RSS)
is that import's alone. Usage: python bench/case_import.py [--sizes 1250,2500,5000]
Uses DATABASE_URL when set (PostgreSQL), else a temporary SQLite file.
Writes bench/results/case_import.json.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = "2026-08-01T00:00:00+00:00"
NS = uuid.UUID("6a1e1c3e-61c8-4d0c-9a50-0c8f9f3f7b11")


def uid(*parts) -> str:
    return str(uuid.uuid5(NS, ":".join(map(str, parts))))


def generate(items: int) -> dict:
    """A framework of ``items`` nodes: domains of 10 components of 10 indicators...; a rubric row per leaf."""
    doc = uid("doc", items)
    nodes, assocs, criteria = [], [], []
    parents = [doc]
    for i in range(items):
        ident = uid("item", items, i)
        parent = doc if i < max(1, items // 100) else parents[(i // 10) % len(parents)]
        nodes.append(
            {
                "identifier": ident,
                "uri": f"https://bench.example.org/i/{ident}",
                "fullStatement": f"Statement {i}",
                "humanCodingScheme": f"B.{i}",
                "lastChangeDateTime": STAMP,
            }
        )
        assocs.append(
            {
                "identifier": uid("assoc", items, i),
                "uri": f"https://bench.example.org/a/{i}",
                "associationType": "isChildOf",
                "sequenceNumber": i,
                "originNodeURI": {"title": "", "identifier": ident, "uri": "u"},
                "destinationNodeURI": {"title": "", "identifier": parent, "uri": "u"},
                "lastChangeDateTime": STAMP,
            }
        )
        parents.append(ident)
        criteria.append(
            {
                "identifier": uid("crit", items, i),
                "uri": "u",
                "lastChangeDateTime": STAMP,
                "CFItemURI": {"title": "", "identifier": ident, "uri": "u"},
                "CFRubricCriterionLevels": [
                    {
                        "identifier": uid("lvl", items, i, p),
                        "uri": "u",
                        "lastChangeDateTime": STAMP,
                        "position": p,
                        "quality": f"Level {p}",
                        "score": float(p),
                        "description": f"Descriptor {i}/{p}",
                    }
                    for p in range(1, 5)
                ],
            }
        )
    return {
        "CFDocument": {
            "identifier": doc,
            "uri": "https://bench.example.org/doc",
            "creator": "Bench",
            "title": f"Bench {items}",
            "lastChangeDateTime": STAMP,
        },
        "CFItems": nodes,
        "CFAssociations": assocs,
        "CFRubrics": [
            {"identifier": uid("rubric", items), "uri": "u", "lastChangeDateTime": STAMP, "CFRubricCriteria": criteria}
        ],
    }


def run_one(items: int) -> dict:
    """Child process: migrate a fresh database, import once, report time and memory."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from trellis.frameworks.services import framework_import_case

    raw = json.dumps(generate(items)).encode()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    framework, report, _ = framework_import_case(actor=None, raw=raw)
    seconds = time.perf_counter() - started
    # Peak resident memory of the whole process (Django included) up to the end of the first import.
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert framework is not None and not report.errors, report.errors
    reimport_started = time.perf_counter()
    framework_import_case(actor=None, raw=raw)
    reimport_seconds = time.perf_counter() - reimport_started
    from django.db import connection

    return {
        "items": items,
        "levels": 4,
        "bytes": len(raw),
        "database": connection.vendor,
        "seconds": round(seconds, 3),
        "reimport_seconds": round(reimport_seconds, 3),
        "items_per_second": round(items / seconds),
        "rss_before_import_mb": round(rss_before, 1),
        "process_peak_rss_mb": round(rss_peak, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1250,2500,5000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as tmp:
            env.setdefault("TRELLIS_VAR_DIR", tmp)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size)], env=env, capture_output=True, text=True, check=True
            )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(row)
        print(
            f"{size:>6} items: {row['seconds']:>7.2f} s  ({row['items_per_second']} items/s), "
            f"re-import {row['reimport_seconds']:.2f} s, RSS before {row['rss_before_import_mb']} MB, "
            f"process peak RSS {row['process_peak_rss_mb']} MB [{row['database']}]"
        )
    base = results[0]
    for row in results[1:]:
        row["time_ratio_vs_smallest"] = round(row["seconds"] / base["seconds"], 2)
        row["size_ratio_vs_smallest"] = round(row["items"] / base["items"], 2)
    out_path = ROOT / "bench" / "results" / "case_import.json"
    out_path.write_text(
        json.dumps({"machine": platform.platform(), "cpus": os.cpu_count(), "runs": results}, indent=2) + "\n"
    )
    print(f"wrote {out_path.relative_to(ROOT)}")
    largest = results[-1]
    if largest["process_peak_rss_mb"] >= 200:
        sys.exit(f"peak memory {largest['process_peak_rss_mb']} MB is over the 200 MB target")


if __name__ == "__main__":
    main()
