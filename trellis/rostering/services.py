"""Writes of the rostering app: imports, the sync schedule, single sign-on settings.

``roster_import`` is the one way a roster reaches the database, whoever starts it (the
command, the upload page, the scheduled sync). It reads and checks the whole package, plans
every change, and only then writes, in one transaction with bulk statements. Writing one
audit entry per changed row would cost more than the import itself, so an import writes ONE
audit entry summarising its counts, and the per-row report (what changed, row by row, capped)
is kept on the ``RosterImport`` record the entry points to. An import that changes nothing
writes no audit entry.
"""

import contextlib
import gc
import hashlib
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.rostering import models as m
from trellis.rostering.importer import apply_plan, plan_import
from trellis.rostering.oneroster.parse import Options, parse_package
from trellis.rostering.oneroster.report import ERROR, NOTICE, WARNING, Report

log = logging.getLogger(__name__)

EMPTY_COUNTS = {
    "orgs": {"created": 0, "updated": 0, "deactivated": 0, "linked": 0, "unchanged": 0},
    "people": {
        "created": 0,
        "updated": 0,
        "linked": 0,
        "deactivated": 0,
        "reactivated": 0,
        "unchanged": 0,
        "skipped": 0,
    },
    "memberships": {"created": 0, "updated": 0, "ended": 0, "unchanged": 0},
}


def import_options(*, strict=False, classes=False, mode="") -> Options:
    return Options(strict=strict, classes=classes, mode=mode or "", max_file_bytes=settings.ROSTER_MAX_FILE_BYTES)


def run_import(
    *, district, source, options: Options, dry_run: bool, confirm_deactivation: bool = False, actor=None
) -> tuple[dict, bool]:
    """Check ``source`` and, unless ``dry_run`` or it has errors, import it. Returns (report, wrote).

    The caller records the result; ``roster_import`` below is the service that does both.
    """
    started = time.monotonic()
    with _without_cycle_collection():
        roster, report, plan, wrote = _check_and_write(
            district=district,
            source=source,
            options=options,
            dry_run=dry_run,
            confirm_deactivation=confirm_deactivation,
            actor=actor,
        )
    data = _report_data(roster, report, plan, dry_run, wrote)
    data["seconds"] = round(time.monotonic() - started, 3)
    return data, wrote


@contextlib.contextmanager
def _without_cycle_collection():
    """Performance: reading and planning a roster allocates a few objects per row and makes no
    reference cycles, yet the cyclic garbage collector would run hundreds of times over a large
    one (a third of a re-import's time for 50,000 people). Reference counting still frees all
    of it; the collector is back on at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_and_write(*, district, source, options, dry_run, confirm_deactivation, actor):
    roster, report = parse_package(source, options)
    plan = None
    wrote = False
    if roster is not None and not report.has_errors:
        plan = plan_import(
            district=district,
            roster=roster,
            report=report,
            actor=actor,
            confirm_deactivation=confirm_deactivation,
            max_share=settings.ROSTER_MAX_DEACTIVATION_SHARE,
        )
        if not report.has_errors and not dry_run and plan.has_writes:
            try:
                with transaction.atomic():
                    apply_plan(plan)
                    wrote = True
            except (IntegrityError, DatabaseError) as exc:
                log.warning("roster import for %s rolled back: %s", district.pk, exc)
                wrote = False
                report.error(
                    "concurrent_change",
                    _(
                        "Someone changed people or campuses while the import ran, so nothing was imported. "
                        "Import the files again."
                    ),
                )
    return roster, report, plan, wrote


def _report_data(roster, report: Report, plan, dry_run: bool, wrote: bool) -> dict:
    data = {
        "version": roster.version if roster else "",
        "mode": roster.overall_mode if roster else "",
        "dry_run": dry_run,
        "written": wrote,
        **{k: dict(v) for k, v in EMPTY_COUNTS.items()},
    }
    if plan is not None:
        data.update(plan.summary())
        data["changes"] = dict(plan.changes)
    if roster is not None:
        data["skipped"] = dict(roster.skipped)
        data["rows_read"] = roster.rows_read
        data["source_system"] = roster.source_system
    data.update(report.as_lists())
    data["totals"] = {"errors": report.count(ERROR), "warnings": report.count(WARNING), "notices": report.count(NOTICE)}
    data["_has_writes"] = bool(plan and plan.has_writes)
    return data


def roster_import(
    *,
    actor,
    district,
    source,
    options: Options,
    dry_run: bool = False,
    confirm_deactivation: bool = False,
    record: m.RosterImport | None = None,
    source_kind: str = m.ImportSource.COMMAND,
    filename: str = "",
    fingerprint: str = "",
    size: int = 0,
) -> m.RosterImport:
    """Check and import a OneRoster package for ``district``; the record holds the report.

    The roster's writes and the summary audit entry commit together, or not at all.
    """
    if record is None:
        record = m.RosterImport.objects.create(
            district=district,
            source=source_kind,
            status=m.ImportStatus.IMPORTING,
            filename=filename[:255],
            fingerprint=fingerprint,
            size=size,
            options=_options_dict(options, confirm_deactivation),
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
    report, wrote = run_import(
        district=district,
        source=source,
        options=options,
        dry_run=dry_run,
        confirm_deactivation=confirm_deactivation,
        actor=actor,
    )
    has_writes = report.pop("_has_writes")
    record.report = report
    record.version = report["version"]
    record.mode = report["mode"] if report["mode"] in ("bulk", "delta", "mixed") else ""
    record.error_count = report["totals"]["errors"]
    record.warning_count = report["totals"]["warnings"]
    record.finished_at = timezone.now()
    record.options = _options_dict(options, confirm_deactivation)
    error_codes = {e["code"] for e in report["errors"]}
    if error_codes == {"mass_deactivation"} and dry_run and record.source == m.ImportSource.UPLOAD:
        # Only the guard objects: the admin may confirm on the report page and import.
        record.status = m.ImportStatus.CHECKED
        record.options["needs_confirmation"] = True
    elif report["errors"] or record.error_count:
        record.status = m.ImportStatus.REFUSED
    elif dry_run:
        record.status = m.ImportStatus.CHECKED if record.source == m.ImportSource.UPLOAD else m.ImportStatus.DRY_RUN
    else:
        record.status = m.ImportStatus.IMPORTED
    with transaction.atomic():
        record.save()
        if wrote and has_writes:
            audit_record(
                actor=actor,
                action="roster.import",
                obj=record,
                district=district,
                after={
                    "file": record.filename,
                    "version": record.version,
                    "mode": record.mode,
                    **{k: report[k] for k in ("orgs", "people", "memberships") if k in report},
                    **({"classes": report["classes"]} if "classes" in report else {}),
                },
            )
    return record


def _options_dict(options: Options, confirm: bool) -> dict:
    return {"strict": options.strict, "classes": options.classes, "mode": options.mode, "confirm_deactivation": confirm}


def fingerprint_path(path) -> tuple[str, int]:
    """(SHA-256, size in bytes) of a zip file, or of a folder's CSV files (names and contents)."""
    path = Path(path)
    digest = hashlib.sha256()
    size = 0
    if path.is_dir():
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            if entry.name.lower().endswith(".csv") and entry.is_file(follow_symlinks=False):
                digest.update(entry.name.encode() + b"\0")
                size += _hash_file(Path(entry.path), digest)
    else:
        size = _hash_file(path, digest)
    return digest.hexdigest(), size


def _hash_file(path: Path, digest) -> int:
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size


# Uploads (the import page) -------------------------------------------------------------------

UPLOAD_DIR = "roster-imports/"


def roster_upload_create(*, actor, district, stored_file: str, filename: str, fingerprint: str, size: int, options):
    """Record an uploaded package, waiting for its check (the task ``check_upload`` runs it)."""
    with transaction.atomic():
        record = m.RosterImport.objects.create(
            district=district,
            source=m.ImportSource.UPLOAD,
            status=m.ImportStatus.QUEUED,
            filename=filename[:255],
            stored_file=stored_file,
            fingerprint=fingerprint,
            size=size,
            options=_options_dict(options, False),
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action="roster.upload",
            obj=record,
            district=district,
            after=snapshot(record, ["filename", "size"]),
        )
    return record


def roster_upload_discard(*, actor, record: m.RosterImport, status=m.ImportStatus.CANCELLED) -> m.RosterImport:
    """Cancel an upload that was checked but not imported, and delete its stored file."""
    from django.core.files.storage import default_storage

    with transaction.atomic():
        locked = m.RosterImport.objects.select_for_update().get(pk=record.pk)
        if locked.status not in (m.ImportStatus.CHECKED, m.ImportStatus.QUEUED, m.ImportStatus.REFUSED):
            raise ValidationError(_("This import is finished; there is nothing to cancel."))
        path = locked.stored_file
        locked.stored_file = ""
        if locked.status != m.ImportStatus.REFUSED:
            locked.status = status
        locked.save(update_fields=["stored_file", "status"])
        audit_record(actor=actor, action=f"roster.{status}", obj=locked)
        if path.startswith(UPLOAD_DIR):
            transaction.on_commit(lambda: _delete_stored(default_storage, path))
    return locked


def _delete_stored(storage, path: str) -> None:
    try:
        storage.delete(path)
    except OSError:
        log.warning("could not delete %s", path)


# The scheduled sync's settings ------------------------------------------------------------------

SCHEDULE_FIELDS = ["enabled", "folder", "mode", "classes"]


def sync_folder_path(folder: str) -> Path:
    """The absolute path of a district's drop folder; it must stay inside ROSTER_SYNC_ROOT."""
    root = Path(settings.ROSTER_SYNC_ROOT).resolve()
    path = (root / folder).resolve()
    if path == root or root not in path.parents:
        raise ValidationError({"folder": _("Choose a folder inside the roster drop directory.")})
    return path


def sync_schedule_save(*, actor, district, enabled: bool, folder: str, mode: str = "", classes: bool = False):
    """Create or change a district's scheduled sync (the folder ``sync_oneroster`` watches)."""
    folder = (folder or "").strip().strip("/")
    path = sync_folder_path(folder)
    if mode not in ("", "bulk", "delta"):
        raise ValidationError({"mode": _("Choose how to read the files.")})
    with transaction.atomic():
        if m.SyncSchedule.objects.filter(folder=folder).exclude(district=district).exists():
            raise ValidationError({"folder": _("Another district already uses this folder. Choose another name.")})
        schedule, created = m.SyncSchedule.objects.select_for_update().get_or_create(
            district=district, defaults={"folder": folder}
        )
        before = None if created else snapshot(schedule, SCHEDULE_FIELDS)
        schedule.enabled, schedule.folder, schedule.mode, schedule.classes = enabled, folder, mode, classes
        schedule.save()
        audit_record(
            actor=actor,
            action="roster.schedule.create" if created else "roster.schedule.update",
            obj=schedule,
            district=district,
            before=before,
            after=snapshot(schedule, SCHEDULE_FIELDS),
        )
    del path  # checked above; ``sync_oneroster`` creates the folder on its next run
    return schedule


# Single sign-on settings -------------------------------------------------------------------------

SSO_FIELDS = [
    "enabled",
    "kind",
    "client_id",
    "server_url",
    "tenant",
    "roster_id_claim",
    "saml_entity_id",
    "saml_sso_url",
    "allow_local_passwords",
]


def district_sso_save(
    *,
    actor,
    district,
    enabled: bool,
    kind: str,
    domains: list[str],
    allow_local_passwords: bool = True,
    client_id: str = "",
    client_secret: str = "",
    tenant: str = "",
    server_url: str = "",
    roster_id_claim: str = "",
    saml_entity_id: str = "",
    saml_sso_url: str = "",
    saml_certificate: str = "",
):
    """Set a district's sign-in provider and the email domains it covers."""
    from trellis.accounts.sso import OIDC_KINDS, SHARED_TENANTS, is_safe_loopback

    if kind not in m.SSOKind.values:
        raise ValidationError({"kind": _("Choose a provider.")})
    errors = {}
    current = m.DistrictSSO.objects.filter(district=district).first()
    tenant, client_id = tenant.strip(), client_id.strip()
    certificate = _normalise_certificate(saml_certificate) if saml_certificate.strip() else ""
    if kind in OIDC_KINDS:
        if not client_id:
            errors["client_id"] = _("Enter the client ID your provider gave you.")
        if not client_secret and not (current and current.client_secret):
            errors["client_secret"] = _("Enter the client secret your provider gave you.")
        if kind == "microsoft" and (not tenant or tenant.lower() in SHARED_TENANTS):
            errors["tenant"] = _(
                "Enter your directory (tenant) ID; “common” or “organizations” would let any organization in."
            )
    else:
        if not saml_entity_id.strip():
            errors["saml_entity_id"] = _("Enter your identity provider's entity ID (or paste its metadata).")
        if not saml_sso_url.strip():
            errors["saml_sso_url"] = _("Enter your identity provider's sign-in address (or paste its metadata).")
        if certificate is None or not certificate:
            errors["saml_certificate"] = _("Paste your identity provider's signing certificate (PEM).")
    for field, url in (("server_url", server_url), ("saml_sso_url", saml_sso_url)):
        if url and not url.startswith("https://") and not (settings.SSO_ALLOW_LOOPBACK_HTTP and is_safe_loopback(url)):
            errors[field] = _("The address must start with https://.")
    if not allow_local_passwords and not enabled:
        errors["allow_local_passwords"] = _("Turn single sign-on on before turning Trellis passwords off.")
    taken = m.SSODomain.objects.filter(domain__in=domains).exclude(district=district).values_list("domain", flat=True)
    if taken:
        errors["domains"] = _("Another district already signs in with %(domains)s.") % {
            "domains": ", ".join(sorted(taken))
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        config = m.DistrictSSO.objects.select_for_update().filter(district=district).first()
        before = None
        if config is None:
            config = m.DistrictSSO(district=district, key=_sso_key(district))
        else:
            before = {
                **snapshot(config, SSO_FIELDS),
                "domains": sorted(config.domains.values_list("domain", flat=True)),
            }
        values = {
            "enabled": enabled,
            "kind": kind,
            "client_id": client_id,
            "tenant": tenant,
            "server_url": server_url,
            "roster_id_claim": roster_id_claim.strip(),
            "saml_entity_id": saml_entity_id.strip(),
            "saml_sso_url": saml_sso_url.strip(),
            "saml_certificate": certificate or "",
            "allow_local_passwords": allow_local_passwords,
        }
        for name, value in values.items():
            setattr(config, name, value)
        secret_changed = bool(client_secret)
        if client_secret:
            config.client_secret = client_secret
        config.save()
        config.domains.exclude(domain__in=domains).delete()
        have = set(config.domains.values_list("domain", flat=True))
        m.SSODomain.objects.bulk_create(
            [m.SSODomain(district=district, config=config, domain=d) for d in domains if d not in have]
        )
        after = {**snapshot(config, SSO_FIELDS), "domains": sorted(domains)}
        if secret_changed:
            after["client_secret"] = "changed"  # never the secret itself
        audit_record(
            actor=actor,
            action="sso.create" if before is None else "sso.update",
            obj=config,
            district=district,
            before=before,
            after=after,
        )
    return config


def _sso_key(district) -> str:
    from django.utils.text import slugify

    key = slugify(district.slug)[:50] or "district"
    if m.DistrictSSO.objects.filter(key=key).exists():
        key = f"{key}-{district.pk}"
    return key


def _normalise_certificate(text: str) -> str | None:
    """The certificate as PEM body (what python3-saml wants), or None when it is not a certificate."""
    import base64
    import binascii

    from cryptography import x509

    body = "".join(line.strip() for line in text.strip().splitlines() if line.strip() and "CERTIFICATE" not in line)
    try:
        x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
    except (ValueError, binascii.Error):
        return None
    return body
