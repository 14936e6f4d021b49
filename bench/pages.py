"""Page benchmarks at district or region scale: server time per page, queries, SQL floor, and a load run.

1. The database named by DATABASE_URL is migrated and, when empty, filled by
   ``manage.py generate_data --scale SCALE`` (its time is recorded).
2. Ten main pages are requested for a typical person each (bench/personas.py), through the
   whole WSGI stack in this process (middleware, session, auth, view, template): after a
   warm-up, REQUESTS requests per page give p50/p95 in ms and the queries per request.
3. Each page's SQL floor (bench/floors.py: the same data fetched by a hand-written query or
   a few, straight through psycopg) is timed the same way.
4. The load run (bench/load_run.py): gunicorn with 2 workers on loopback, wrk on a mix of
   the same pages, each page under several signed-in sessions, for a bounded time.

Results for this scale and database replace the earlier ones in bench/results/latest.json;
the table in bench/README.md is rewritten from that file.

Usage:
    scripts/with-postgres.sh .venv/bin/python bench/pages.py --scale district
    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py --scale region
(`make bench` runs both scales, each in its own ephemeral PostgreSQL cluster; BENCH_SCALE
chooses.)
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "latest.json"
GENERATION = ROOT / "bench" / "results" / "generate.json"
SETTINGS = "bench.page_settings"
WARM_UP = 10
SESSIONS_PER_PAGE_UNDER_LOAD = 4


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# Data ------------------------------------------------------------------------------------------------


def ensure_data(scale: str) -> dict | None:
    """Migrate; generate when empty. Returns the generation figures, or None when the data was there."""
    from django.core.management import call_command

    from trellis.datagen.generate import SERVICE_CENTER_SLUG
    from trellis.datagen.plan import SCALES
    from trellis.orgs.models import Organization, OrgKind

    call_command("migrate", verbosity=0)
    sc = Organization.objects.filter(parent=None, slug=SERVICE_CENTER_SLUG).first()
    if sc is not None:
        held = Organization.objects.filter(kind=OrgKind.DISTRICT, parent=sc).count()
        if held != SCALES[scale].districts:
            raise SystemExit(f"The database holds {held} generated district(s), not {scale} scale: use an empty one.")
        print(f"Using the {scale}-scale data already in the database.", flush=True)
        return None
    out = io.StringIO()
    began = time.monotonic()
    call_command("generate_data", scale=scale, stdout=out)
    seconds = round(time.monotonic() - began, 1)
    print(out.getvalue(), flush=True)
    return {"scale": scale, "seconds": seconds, "cpus": os.cpu_count()}


# Timing ----------------------------------------------------------------------------------------------


def wsgi_get(app, page) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": page.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": page.cookie,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status = []
    body = b"".join(app(environ, lambda s, _h: status.append(s)))
    return status[0], body


def time_page(app, page, requests: int) -> dict:
    from django.db import connection

    for _ in range(WARM_UP):
        status, _body = wsgi_get(app, page)
    if not status.startswith("200"):
        raise SystemExit(f"{page.name} ({page.path}) answered {status}, not 200.")
    executed = []

    def count(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executed.append(time.perf_counter() - began)

    times, queries, in_sql = [], [], []
    for _ in range(requests):
        executed.clear()
        with connection.execute_wrapper(count):
            began = time.perf_counter()
            wsgi_get(app, page)
            times.append((time.perf_counter() - began) * 1000)
        queries.append(len(executed))
        in_sql.append(sum(executed) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "queries": max(queries),
        # How much of a request is spent waiting for the database (median): the rest is Python.
        "sql_ms": round(statistics.median(in_sql), 2),
    }


def time_floor(page, requests: int) -> float:
    import psycopg
    from django.db import connection

    from bench.floors import FLOORS, floor_context

    floor = FLOORS[page.name]
    ctx = floor_context(page)
    params = connection.get_connection_params()
    # The driver set up as the app's own connection is: server-side binding, with statements prepared
    # after the same number of runs (or never, when DB_PREPARED_STATEMENTS is off), so the floor's
    # statements are planned as often as the page's are.
    prepare_threshold = params.get("prepare_threshold")
    params = {k: v for k, v in params.items() if k not in ("cursor_factory", "prepare_threshold")}
    with psycopg.connect(**params, prepare_threshold=prepare_threshold) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            for _ in range(WARM_UP):
                floor(cursor, ctx)
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                floor(cursor, ctx)
                times.append((time.perf_counter() - began) * 1000)
    return round(percentile(times, 0.95), 2)


# Load ------------------------------------------------------------------------------------------------


def load_mix(pages) -> list[dict]:
    """Each page under several sessions of its person, so concurrent requests rarely share a session row."""
    from bench.personas import sign_in
    from trellis.accounts.models import User

    mix = []
    for page in pages:
        user = User.objects.get(pk=page.viewer_id)
        for n in range(SESSIONS_PER_PAGE_UNDER_LOAD):
            key = page.session_key if n == 0 else sign_in(user)
            mix.append({"label": page.name, "path": page.path, "cookie": page.cookie.replace(page.session_key, key)})
    return mix


# Results ---------------------------------------------------------------------------------------------


def merge(path: Path, entries: list[dict], scale: str, database: str) -> list[dict]:
    kept = json.loads(path.read_text()) if path.exists() else []
    kept = [e for e in kept if not (e.get("scale") == scale and e.get("database") == database)]
    merged = kept + entries
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2) + "\n")
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("district", "region"), default=os.environ.get("BENCH_SCALE", "district"))
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--load-seconds", type=int, default=30)
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL is required (scripts/with-postgres.sh provides one).")
    setup_django()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from bench import report
    from bench.load_run import run_load
    from bench.personas import pick_pages

    database = (
        f"{connection.vendor} {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else connection.vendor
    )
    generated = ensure_data(args.scale)
    if generated:
        merge(GENERATION, [{**generated, "database": database}], args.scale, database)
    pages = pick_pages()
    app = get_wsgi_application()
    entries = []
    for page in pages:
        timing = time_page(app, page, args.requests)
        floor = time_floor(page, args.requests)
        entry = {"page": page.name, "scale": args.scale, "database": database, **timing, "floor_ms": floor}
        print(json.dumps(entry), flush=True)
        entries.append(entry)
    if not args.no_load:
        load = run_load(
            load_mix(pages),
            settings_module=SETTINGS,
            duration_s=args.load_seconds,
            env={"DATABASE_URL": os.environ["DATABASE_URL"]},
        )
        entries.append({"page": "load: mix of the pages above", "scale": args.scale, "database": database, **load})
        print(json.dumps(entries[-1]), flush=True)
    merged = merge(RESULTS, entries, args.scale, database)
    report.write_readme(merged)
    print(report.summary(merged), flush=True)


if __name__ == "__main__":
    main()
