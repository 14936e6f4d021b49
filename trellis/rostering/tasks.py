"""Background work for the upload page: check a stored package, then import it once confirmed.

Tasks take the import's id, load the row and call the service, as every task here does.
A task that fails unexpectedly marks its import failed, so a page never waits forever.
"""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

log = logging.getLogger(__name__)


@task()
def check_upload(import_id: int) -> None:
    """The dry run of an uploaded package: the report the admin reads before importing."""
    _run(import_id, dry_run=True)


@task()
def apply_upload(import_id: int) -> None:
    """Import a checked upload for real (it is checked again: the district may have changed since)."""
    _run(import_id, dry_run=False)


def _run(import_id: int, *, dry_run: bool) -> None:
    from trellis.rostering import models as m
    from trellis.rostering.services import UPLOAD_DIR, import_options, roster_import

    expected = m.ImportStatus.QUEUED if dry_run else m.ImportStatus.IMPORTING
    record = m.RosterImport.objects.select_related("district", "requested_by").filter(pk=import_id).first()
    if record is None or record.status != expected or not record.stored_file.startswith(UPLOAD_DIR):
        return
    options = record.options or {}
    try:
        with default_storage.open(record.stored_file, "rb") as fh:
            record = roster_import(
                actor=record.requested_by,
                district=record.district,
                source=fh,
                options=import_options(
                    strict=bool(options.get("strict")),
                    classes=bool(options.get("classes")),
                    mode=options.get("mode", ""),
                ),
                dry_run=dry_run,
                confirm_deactivation=bool(options.get("confirm_deactivation")),
                record=record,
            )
    except Exception:  # noqa: BLE001 (any failure must end the wait on the page)
        log.exception("roster import %s failed", import_id)
        m.RosterImport.objects.filter(pk=import_id).update(
            status=m.ImportStatus.FAILED,
            finished_at=timezone.now(),
            report={
                "errors": [
                    {
                        "code": "failed",
                        "message": _("The import stopped because of an error in Trellis. Nothing was written."),
                    }
                ]
            },
            error_count=1,
        )
        record = m.RosterImport.objects.get(pk=import_id)
    if record.status != m.ImportStatus.CHECKED and record.stored_file:
        # Imported, refused or failed: nothing left to confirm, so the stored package goes.
        path = record.stored_file
        m.RosterImport.objects.filter(pk=record.pk).update(stored_file="")
        transaction.on_commit(lambda: _delete(path))


def _delete(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:
        log.warning("could not delete %s", path)
