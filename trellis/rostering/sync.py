"""The scheduled sync: import the new packages a district's SIS drops into its folder.

``manage.py sync_oneroster`` (from cron) calls ``sync_all``. For each enabled schedule it
lists the folder's packages (zip files, and folders holding a manifest.csv), oldest first,
leaves alone any that changed in the last ROSTER_SYNC_SETTLE_SECONDS (the SIS may still be
writing), and imports each package it has not seen before, identified by the SHA-256 of its
content: a package is never imported twice, whatever it is called, and a refused package is
not retried (the report says why; the SIS drops a corrected one). After a refused package
the district's later packages wait, since a delta depends on the ones before it. A bulk file
that would deactivate too many people is refused like any other: only an admin confirms that.
"""

import contextlib
import datetime
import fcntl
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.rostering import models as m
from trellis.rostering.services import (
    fingerprint_path,
    import_options,
    roster_import,
    roster_upload_discard,
    sync_folder_path,
)

log = logging.getLogger(__name__)
UPLOAD_TTL = datetime.timedelta(days=1)


@contextlib.contextmanager
def sync_lock():
    """One sync at a time (cron may start the next run before the last one ends)."""
    root = Path(settings.ROSTER_SYNC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".sync.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def sync_all(*, district=None, dry_run=False) -> list[dict]:
    schedules = m.SyncSchedule.objects.filter(enabled=True).select_related("district").order_by("pk")
    if district is not None:
        schedules = schedules.filter(district=district)
    results = [sync_district(schedule, dry_run=dry_run) for schedule in schedules]
    if not dry_run:
        expire_uploads()
    return results


def packages_in(folder: Path) -> list[tuple[Path, float]]:
    """(path, last change) of each package in ``folder``: zip files and folders with a manifest."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            path = Path(entry.path)
            if entry.is_file() and entry.name.lower().endswith(".zip"):
                found.append((path, entry.stat().st_mtime))
            elif entry.is_dir() and any(p.name.lower() == "manifest.csv" for p in path.iterdir()):
                found.append((path, max(p.stat().st_mtime for p in path.iterdir() if p.is_file())))
    return sorted(found, key=lambda item: (item[1], item[0].name))


def sync_district(schedule: m.SyncSchedule, *, dry_run=False) -> dict:
    district = schedule.district
    result = {"district": district.slug, "folder": schedule.folder, "imported": [], "skipped": [], "status": ""}
    try:
        folder = sync_folder_path(schedule.folder)
    except ValidationError:
        result["status"] = _("The folder is outside the roster drop directory.")
        return _finish(schedule, result, dry_run)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        result["status"] = _("Created the folder %(path)s; waiting for files.") % {"path": folder}
        return _finish(schedule, result, dry_run)
    seen = dict((schedule.last_report or {}).get("seen") or {})
    settle = time.time() - settings.ROSTER_SYNC_SETTLE_SECONDS
    options = import_options(classes=schedule.classes, mode=schedule.mode)
    for path, changed in packages_in(folder):
        if changed > settle:
            result["skipped"].append({"file": path.name, "why": "still changing"})
            continue
        stamp = [path.stat().st_size, changed]
        known = seen.get(path.name)
        digest = known[2] if known and known[:2] == stamp else fingerprint_path(path)[0]
        seen[path.name] = [*stamp, digest]
        if m.RosterImport.objects.filter(
            district=district, fingerprint=digest, status__in=[m.ImportStatus.IMPORTED, m.ImportStatus.REFUSED]
        ).exists():
            continue  # imported (or refused) before: never twice
        if dry_run:
            result["imported"].append({"file": path.name, "dry_run": True})
            continue
        record = roster_import(
            actor=None,
            district=district,
            source=path,
            options=options,
            source_kind=m.ImportSource.SCHEDULE,
            filename=path.name,
            fingerprint=digest,
            size=stamp[0],
        )
        schedule.last_import = record
        result["imported"].append({"file": path.name, "import": record.pk, "status": record.status})
        if record.status != m.ImportStatus.IMPORTED:
            result["status"] = _("%(file)s was not imported (%(n)s errors); later files wait for a corrected one.") % {
                "file": path.name,
                "n": record.error_count,
            }
            break
    # Forget files that are gone, so the record stays small.
    present = {p.name for p, _changed in packages_in(folder)}
    result["seen"] = {name: value for name, value in seen.items() if name in present}
    if not result["status"]:
        n = len([i for i in result["imported"] if i.get("status") == m.ImportStatus.IMPORTED])
        result["status"] = _("Imported %(n)s new file(s).") % {"n": n} if n else _("No new files.")
    return _finish(schedule, result, dry_run)


def _finish(schedule, result, dry_run) -> dict:
    if dry_run:
        return result
    schedule.last_run_at = timezone.now()
    schedule.last_status = str(result["status"])[:200]
    schedule.last_report = {k: v for k, v in result.items() if k != "district"}
    schedule.save(update_fields=["last_run_at", "last_status", "last_report", "last_import"])
    return result


def expire_uploads() -> int:
    """Delete uploaded packages that were checked but never imported within a day."""
    stale = m.RosterImport.objects.filter(
        source=m.ImportSource.UPLOAD,
        status__in=[m.ImportStatus.CHECKED, m.ImportStatus.QUEUED],
        created_at__lt=timezone.now() - UPLOAD_TTL,
    ).exclude(stored_file="")
    count = 0
    for record in stale:
        try:
            roster_upload_discard(actor=None, record=record, status=m.ImportStatus.EXPIRED)
            count += 1
        except ValidationError:
            continue
    return count
