"""Benchmark: 300 participants check in to a face-to-face session within one minute, from their phones.

The app runs for real (gunicorn on loopback, the project's settings plus a check-in URL,
see bench/checkin_settings.py); 300 teachers are registered for two sessions whose check-in
is open. Each simulated phone logs in through the sign-in page (session and CSRF cookies),
then opens the check-in page a QR code points to and POSTs the code, as a browser would:

- "spread": arrivals spread at random over one minute (people walking in at 9:00);
- "burst": all 300 at the same instant (the worst case: everyone scans the code together).

In both, one phone in ten double-taps (two POSTs at once). Afterwards the database must show
every participant checked in exactly once (no lost check-ins, no doubles: one check-in audit
entry per registration) and every request answered; the time per check-in (POST) is reported
as p50/p95/p99.

Usage:
    scripts/with-postgres.sh .venv/bin/python bench/checkin_load.py [--participants 300] [--window 60]
Without DATABASE_URL it runs on a temporary SQLite file (and says so in the results).
Writes bench/results/checkin_load.json (merging the runs of each database and mode).
"""

import argparse
import http.cookiejar
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "checkin_load.json"
SETTINGS = "bench.checkin_settings"
CHECKED_IN_AT = re.compile(r'data-checked-in-at="([^"]+)"')
PASSWORD = "bench-checkin-pass-1"
P95_LIMIT_MS = 1000
DOUBLE_TAP_SHARE = 0.1
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Data, in this process (same database as the server) --------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def build_data(participants: int) -> dict:
    """Migrate, then a service center, a district, a campus, a facilitator, the participants, and two
    sessions (one per mode) that started five minutes ago, everyone registered, check-in open."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from trellis.learning import services as s
    from trellis.learning.notify import emails_off
    from trellis.orgs.models import Membership, Organization, OrgKind, Role

    call_command("migrate", verbosity=0)
    User = get_user_model()
    sc = Organization.objects.create(kind=OrgKind.SERVICE_CENTER, name="Bench Service Center", slug="bench-sc")
    district = Organization.objects.create(kind=OrgKind.DISTRICT, name="Bench ISD", slug="bench-isd", parent=sc)
    district.district = district
    district.save()
    campus = Organization.objects.create(
        kind=OrgKind.CAMPUS, name="Bench Elementary", slug="bench-el", parent=district, district=district
    )
    hashed = make_password(PASSWORD)
    facilitator = User.objects.create(
        email="facilitator@bench.example.org", full_name="Bench Facilitator", service_center=sc, password=hashed
    )
    Membership.objects.create(person=facilitator, organization=sc, role=Role.FACILITATOR)
    people = User.objects.bulk_create(
        User(
            email=f"teacher{i:04d}@bench.example.org", full_name=f"Teacher {i:04d}", district=district, password=hashed
        )
        for i in range(participants)
    )
    Membership.objects.bulk_create(
        Membership(person=p, organization=campus, role=Role.TEACHER, district=district) for p in people
    )
    now = timezone.now()
    sessions = {}
    with emails_off():
        program = s.program_create(actor=None, owner=sc, title="Bench literacy day")
        s.program_publish(actor=None, program=program)
        cohort = s.cohort_create(actor=None, program=program, name="Bench cohort", facilitators=[facilitator])
        for mode in ("spread", "burst"):
            session = s.session_create(
                actor=None,
                cohort=cohort,
                title=f"Bench session ({mode})",
                starts_at=now - datetime.timedelta(minutes=5),
                ends_at=now + datetime.timedelta(hours=3),
            )
            for start in range(0, len(people), 500):
                s.registration_bulk_create(actor=None, session=session, participants=people[start : start + 500])
            code = s.session_open_checkin(actor=facilitator, session=session).checkin_code
            sessions[mode] = {"pk": session.pk, "code": code}
    return {"emails": [p.email for p in people], "sessions": sessions}


def verify(session_pk: int, participants: int) -> dict:
    from django.db.models import Count

    from trellis.audit.models import AuditEntry
    from trellis.learning.models import Registration

    registrations = Registration.objects.filter(session_id=session_pk)
    checked = registrations.filter(checked_in_at__isnull=False).count()
    ids = [str(pk) for pk in registrations.values_list("pk", flat=True)]
    entries = (
        AuditEntry.objects.filter(action="learning.attendance.check_in", object_id__in=ids)
        .values("object_id")
        .annotate(n=Count("id"))
    )
    return {
        "registered": registrations.count(),
        "checked_in": checked,
        "lost": participants - checked,
        "double_check_ins": sum(1 for row in entries if row["n"] > 1),
        "check_in_audit_entries": sum(row["n"] for row in entries),
    }


# The server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "trellis.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        f"--chdir={ROOT}",
        "--log-level=warning",
        "--timeout=60",
    ]
    return subprocess.Popen(command, env=env)


def wait_ready(base: str, server: subprocess.Popen, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped (exit status {server.returncode})")
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit("the server did not answer within a minute")


# The phones -------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Phone:
    """One participant's browser: its own cookies (session, CSRF), requests as a browser makes them."""

    def __init__(self, base: str, email: str):
        self.base, self.email = base, email
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def _open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as exc:  # 3xx (redirects are not followed) and 4xx/5xx
            return exc.code, exc.read().decode(errors="replace")
        with response:
            return response.status, response.read().decode(errors="replace")

    def _token(self, page: str) -> str:
        match = CSRF_INPUT.search(page)
        if not match:
            raise RuntimeError(f"{self.email}: no CSRF token on the page")
        return match.group(1)

    def log_in(self) -> None:
        status, page = self._open("/accounts/login/")
        status, _page = self._open(
            "/accounts/login/", {"login": self.email, "password": PASSWORD, "csrfmiddlewaretoken": self._token(page)}
        )
        if status != 302 or not any(cookie.name == "sessionid" for cookie in self.jar):
            raise RuntimeError(f"{self.email}: sign-in failed ({status})")

    def open_checkin(self, code: str) -> str:
        """The page the QR code opens; returns its CSRF token."""
        status, page = self._open(f"/learning/check-in/{code}/")
        if status != 200:
            raise RuntimeError(f"{self.email}: check-in page answered {status}")
        return self._token(page)

    def post_checkin(self, code: str, token: str) -> tuple[float, int, dict]:
        """POST the one-tap form of the participant's check-in page; the answer page carries the check-in time."""
        started = time.perf_counter()
        status, body = self._open(f"/learning/check-in/{code}/", {"code": code, "csrfmiddlewaretoken": token})
        elapsed = (time.perf_counter() - started) * 1000
        match = CHECKED_IN_AT.search(body)
        payload = {"ok": True, "checked_in_at": match.group(1)} if match else {"ok": False, "error": body[:200]}
        return elapsed, status, payload


def log_everyone_in(phones: list, pool_size: int) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=pool_size) as pool:
        list(pool.map(lambda phone: phone.log_in(), phones))
    return time.perf_counter() - started


def run_phase(phones: list, code: str, window: float, seed: int) -> dict:
    """Every phone opens the check-in page and POSTs the code at its arrival time; one in ten posts twice at once."""
    rng = random.Random(seed)
    arrivals = [rng.uniform(0, window) if window > 0 else 0.0 for _phone in phones]
    doubles = set(rng.sample(range(len(phones)), k=int(len(phones) * DOUBLE_TAP_SHARE)))
    results, lock = [], threading.Lock()
    start_at = time.monotonic() + 2.0  # every thread is waiting before the first arrival

    def visit(index: int) -> None:
        phone = phones[index]
        time.sleep(max(0.0, start_at + arrivals[index] - time.monotonic()))
        opened = time.perf_counter()
        try:
            token = phone.open_checkin(code)
            taps = 2 if index in doubles else 1
            if taps == 1:
                outcomes = [phone.post_checkin(code, token)]
            else:
                barrier = threading.Barrier(2)

                def tap():
                    barrier.wait(timeout=30)
                    return phone.post_checkin(code, token)

                with ThreadPoolExecutor(max_workers=2) as taps_pool:
                    outcomes = list(taps_pool.map(lambda _i: tap(), range(2)))
            row = {
                "index": index,
                "post_ms": [o[0] for o in outcomes],
                "statuses": [o[1] for o in outcomes],
                "payloads": [o[2] for o in outcomes],
                "scan_to_done_ms": (time.perf_counter() - opened) * 1000,
                "finished": time.monotonic() - start_at,
            }
        except Exception as exc:  # counted as an error
            row = {"index": index, "error": str(exc), "finished": time.monotonic() - start_at}
        with lock:
            results.append(row)

    with ThreadPoolExecutor(max_workers=len(phones)) as pool:
        list(pool.map(visit, range(len(phones))))
    return {"results": results, "doubles": len(doubles)}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(share):
        return round(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))], 1)

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1], 1),
        "mean": round(statistics.fmean(ordered), 1),
    }


def summarise(mode: str, phase: dict, check: dict, window: float) -> dict:
    rows = phase["results"]
    failed = [r for r in rows if "error" in r]
    ok_rows = [r for r in rows if "error" not in r]
    posts = [ms for r in ok_rows for ms in r["post_ms"]]
    bad_status = sum(
        1
        for r in ok_rows
        for code, payload in zip(r["statuses"], r["payloads"], strict=True)
        if code != 200 or not payload.get("ok")
    )
    # A double tap must answer both taps with the same, single check-in.
    mismatched = sum(
        1 for r in ok_rows if len(r["payloads"]) == 2 and len({p.get("checked_in_at") for p in r["payloads"]}) != 1
    )
    return {
        "mode": mode,
        "arrival_window_s": window,
        "participants": len(rows),
        "double_taps": phase["doubles"],
        "requests": len(posts),
        "errors": len(failed) + bad_status,
        "error_samples": [r["error"] for r in failed[:3]],
        "double_tap_answers_disagreeing": mismatched,
        **check,
        "all_done_within_s": round(max(r["finished"] for r in rows), 1),
        "checkin_post_ms": percentiles(posts),
        "scan_to_done_ms": percentiles([r["scan_to_done_ms"] for r in ok_rows]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the 'spread' arrivals fall")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2), help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as var:
        os.environ["TRELLIS_VAR_DIR"] = var
        (Path(var) / "static").mkdir()  # whitenoise's STATIC_ROOT (files come from the finders)
        setup_django()
        from django.db import connection

        database = connection.vendor
        started = time.perf_counter()
        data = build_data(args.participants)
        print(
            f"[{database}] {args.participants} participants registered for two sessions in {time.perf_counter() - started:.1f} s"
        )
        connection.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, args.workers, args.threads)
        try:
            wait_ready(base, server)
            phones = [Phone(base, email) for email in data["emails"]]
            login_seconds = log_everyone_in(phones, pool_size=16)
            print(f"[{database}] {len(phones)} people signed in through the sign-in page in {login_seconds:.1f} s")
            runs = []
            for mode, window in (("spread", args.window), ("burst", 0.0)):
                session = data["sessions"][mode]
                phase = run_phase(phones, session["code"], window, args.seed)
                check = verify(session["pk"], args.participants)
                connection.close()
                run = {
                    "database": database,
                    **summarise(mode, phase, check, window),
                    "login_all_s": round(login_seconds, 1),
                }
                runs.append(run)
                post = run["checkin_post_ms"]
                print(
                    f"[{database}] {mode}: {run['checked_in']}/{run['registered']} checked in, lost {run['lost']}, "
                    f"doubles {run['double_check_ins']}, errors {run['errors']}; POST p50 {post.get('p50')} ms, "
                    f"p95 {post.get('p95')} ms, p99 {post.get('p99')} ms; all done within {run['all_done_within_s']} s"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged = {(r["database"], r["mode"]): r for r in previous.get("runs", [])}
    merged.update({(r["database"], r["mode"]): r for r in runs})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads, loopback",
                "p95_limit_ms": P95_LIMIT_MS,
                "runs": sorted(merged.values(), key=lambda r: (r["database"], r["mode"])),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    for run in runs:
        problems = []
        if run["lost"] or run["double_check_ins"] or run["errors"] or run["double_tap_answers_disagreeing"]:
            problems.append("lost, double or failed check-ins")
        if run["mode"] == "spread" and run["checkin_post_ms"].get("p95", 0) > P95_LIMIT_MS:
            problems.append(f"p95 over {P95_LIMIT_MS} ms")
        if problems:
            sys.exit(f"[{run['database']}] {run['mode']}: " + "; ".join(problems))


if __name__ == "__main__":
    main()
