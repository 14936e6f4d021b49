"""Benchmark: import a generated OneRoster 1.1 bulk package of 50,000 staff and 500 campuses.

The package (a zip, written row by row) has a district, 500 schools and 50,000 staff
(teachers, aides, administrators, counselors; some at two schools) plus 5,000 students who
must be skipped. Each database runs in its own process against a fresh database, so peak
memory (RSS) is that process's alone: Django, the migrations, the first import and a second
import of the same package, which must change nothing and be at least 3 times faster.

Usage: python bench/oneroster_import.py [--staff 50000] [--campuses 500]
SQLite (a temporary file) always; PostgreSQL too when DATABASE_URL is set, e.g.
    scripts/with-postgres.sh .venv/bin/python bench/oneroster_import.py
Writes bench/results/oneroster_import.json (merging the runs of each database).
"""

import argparse
import csv
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The column list comes from the importer's own spec (a module without Django), so the two cannot drift.
from trellis.rostering.oneroster.spec import USER_COLUMNS, V11  # noqa: E402

MEMORY_LIMIT_MB = 300
MIN_SPEEDUP = 3.0

USERS_HEADER = USER_COLUMNS[V11]


def generate(path: Path, staff: int, campuses: int, students: int) -> int:
    """Write the package to ``path``; returns the number of data rows."""
    rows = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "manifest.csv",
            "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nsource.systemName,Bench SIS\n"
            "file.orgs,bulk\nfile.users,bulk\nfile.demographics,absent\nfile.enrollments,absent\n",
        )
        with zf.open("orgs.csv", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(
                ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
            )
            writer.writerow(["bench-district", "", "", "Bench ISD", "district", "", ""])
            for c in range(campuses):
                writer.writerow(
                    [f"sch-{c:04d}", "", "", f"Bench School {c:04d}", "school", f"{c:06d}", "bench-district"]
                )
                rows += 1
            out.flush()
            out.detach()
        with zf.open("users.csv", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(USERS_HEADER)
            for i in range(staff):
                role = "teacher"
                if i % 20 == 1:
                    role = "aide"
                elif i % 50 == 2:
                    role = "administrator"
                elif i % 40 == 3:
                    role = "counselor"
                school = f"sch-{i % campuses:04d}"
                orgs = school if i % 10 else f"{school},sch-{(i + 7) % campuses:04d}"
                email = f"staff{i:05d}@bench.example.org"
                writer.writerow(
                    [
                        f"stf-{i:05d}",
                        "",
                        "",
                        "true",
                        orgs,
                        role,
                        email,
                        f"{{Local:{i}}}",
                        f"Given{i}",
                        f"Family{i}",
                        "",
                        f"E{i:06d}",
                        email,
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
                rows += 1
            for s in range(students):
                writer.writerow(
                    [
                        f"stu-{s:05d}",
                        "",
                        "",
                        "true",
                        f"sch-{s % campuses:04d}",
                        "student",
                        f"stu{s}",
                        "",
                        "S",
                        f"{s}",
                        "",
                        "",
                        f"stu{s}@students.example.org",
                        "",
                        "",
                        "",
                        "09",
                        "",
                    ]
                )
                rows += 1
            out.flush()
            out.detach()
    return rows


def run_one(package: str, rows: int, staff: int) -> dict:
    """Child process: migrate a fresh database, import twice, report time and memory."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from trellis.orgs.models import Organization, OrgKind
    from trellis.rostering.services import import_options, roster_import

    district = Organization.objects.create(kind=OrgKind.DISTRICT, name="Bench ISD", slug="bench-isd")
    district.district = district
    district.save()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    first = roster_import(actor=None, district=district, source=package, options=import_options())
    seconds = time.perf_counter() - started
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert first.report["errors"] == [], first.report["errors"][:3]
    assert first.report["people"]["created"] == staff, first.report["people"]
    started = time.perf_counter()
    second = roster_import(actor=None, district=district, source=package, options=import_options())
    reimport_seconds = time.perf_counter() - started
    rss_end = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert second.report["written"] is False and second.report["people"]["unchanged"] == staff, second.report["people"]
    return {
        "database": connection.vendor,
        "staff": staff,
        "campuses": first.report["orgs"]["created"],
        "rows_in_package": rows,
        "memberships_created": first.report["memberships"]["created"],
        "students_skipped": first.report["skipped"].get("not_staff", 0),
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "staff_per_second": round(staff / seconds),
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_speedup": round(seconds / reimport_seconds, 1),
        "rss_before_import_mb": round(rss_before, 1),
        "peak_rss_after_first_import_mb": round(rss_peak, 1),
        "peak_rss_after_reimport_mb": round(rss_end, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=50_000)
    parser.add_argument("--campuses", type=int, default=500)
    parser.add_argument("--students", type=int, default=5_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        package, rows, staff = args.child
        print(json.dumps(run_one(package, int(rows), int(staff))))
        return
    out_path = ROOT / "bench" / "results" / "oneroster_import.json"
    previous = json.loads(out_path.read_text()) if out_path.exists() else {}
    runs = {run["database"]: run for run in previous.get("runs", [])}
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "bench-oneroster.zip"
        started = time.perf_counter()
        rows = generate(package, args.staff, args.campuses, args.students)
        print(
            f"generated {rows:,} rows ({package.stat().st_size / 1e6:.1f} MB zipped) in {time.perf_counter() - started:.1f} s"
        )
        targets = [("sqlite", {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})]
        if os.environ.get("DATABASE_URL"):
            targets.append(("postgresql", dict(os.environ)))
        for label, env in targets:
            with tempfile.TemporaryDirectory() as var:
                env = {**env, "TRELLIS_VAR_DIR": var}
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(package), str(rows), str(args.staff)],
                    env=env,
                    capture_output=True,
                    text=True,
                )
            if out.returncode:
                sys.exit(f"{label} run failed:\n{out.stderr[-3000:]}")
            row = json.loads(out.stdout.strip().splitlines()[-1])
            runs[row["database"]] = row
            print(
                f"[{row['database']}] {args.staff:,} staff, {args.campuses} campuses: first import {row['seconds']} s "
                f"({row['rows_per_second']:,} rows/s), re-import {row['reimport_seconds']} s "
                f"({row['reimport_speedup']}x faster), peak RSS {row['peak_rss_after_reimport_mb']} MB"
            )
    out_path.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "memory_limit_mb": MEMORY_LIMIT_MB,
                "min_reimport_speedup": MIN_SPEEDUP,
                "runs": sorted(runs.values(), key=lambda r: r["database"]),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out_path.relative_to(ROOT)}")
    for row in runs.values():
        if row["peak_rss_after_reimport_mb"] >= MEMORY_LIMIT_MB:
            sys.exit(
                f"[{row['database']}] peak memory {row['peak_rss_after_reimport_mb']} MB is over {MEMORY_LIMIT_MB} MB"
            )
        if row["reimport_speedup"] < MIN_SPEEDUP:
            sys.exit(f"[{row['database']}] re-import only {row['reimport_speedup']}x faster (want {MIN_SPEEDUP}x)")


if __name__ == "__main__":
    main()
