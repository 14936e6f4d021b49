"""Writes to frameworks and action-step libraries."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record
from trellis.frameworks.case.importer import write_package
from trellis.frameworks.case.parse import CaseReport, parse_package
from trellis.frameworks.models import (
    ActionStep,
    ActionStepLibrary,
    DistrictFrameworkChoice,
    DistrictLibraryChoice,
    ExemplarResource,
    Framework,
    FrameworkKind,
    LibraryPhase,
)


def framework_import_case(
    *, actor, raw: bytes, district=None, kind: str = "", dry_run: bool = False
) -> tuple[Framework | None, CaseReport, bool]:
    """Check a CASE package and, unless ``dry_run`` or it has errors, store it.

    Returns (framework or None, report, whether it exists already). Nothing is
    written when the report has errors.
    """
    if kind and kind not in FrameworkKind.values:
        raise ValidationError({"kind": _("Choose a kind of framework.")})
    package, report = parse_package(raw, max_bytes=settings.CASE_MAX_BYTES)
    if package is None:
        return None, report, False
    exists = Framework.objects.filter(district=district, case_identifier=package.document["identifier"]).exists()
    if dry_run:
        return None, report, exists
    with transaction.atomic():
        framework, created = write_package(package, district=district, kind=kind)
        audit_record(
            actor=actor,
            action="framework.import" if created else "framework.reimport",
            obj=framework,
            district=district,
            after={k: v for k, v in report.as_dict().items() if k != "warnings"},
        )
    return framework, report, exists


def _choose(*, actor, district, model, field: str, target, enabled: bool, is_default: bool, action: str, foreign: str):
    """Turn ``target`` (a framework or a library) on or off for a district, optionally as its one default."""
    if target.district_id not in (None, district.pk):
        raise ValidationError(foreign)
    with transaction.atomic():
        choice = model.objects.filter(district=district, **{field: target}).first()
        before = {"enabled": choice is not None, "is_default": bool(choice and choice.is_default)}
        if not enabled:
            if choice:
                choice.delete()
        else:
            if is_default:
                model.objects.filter(district=district, is_default=True).exclude(**{field: target}).update(
                    is_default=False
                )
            choice, _created = model.objects.update_or_create(
                district=district, **{field: target}, defaults={"is_default": is_default}
            )
        after = {"enabled": enabled, "is_default": enabled and is_default}
        audit_record(actor=actor, action=action, obj=target, district=district, before=before, after=after)
    return choice if enabled else None


def framework_choose(*, actor, district, framework: Framework, enabled: bool, is_default: bool = False):
    """Turn a framework on or off for a district, and make it the district's default for observations and goals."""
    return _choose(
        actor=actor,
        district=district,
        model=DistrictFrameworkChoice,
        field="framework",
        target=framework,
        enabled=enabled,
        is_default=is_default,
        action="framework.choose",
        foreign=_("This framework belongs to another district."),
    )


def library_choose(*, actor, district, library: ActionStepLibrary, enabled: bool, is_default: bool = False):
    """Turn an action-step library on or off for a district, and make it the district's default."""
    return _choose(
        actor=actor,
        district=district,
        model=DistrictLibraryChoice,
        field="library",
        target=library,
        enabled=enabled,
        is_default=is_default,
        action="library.choose",
        foreign=_("This library belongs to another district."),
    )


def library_copy(*, actor, library: ActionStepLibrary, district, title: str = "") -> ActionStepLibrary:
    """Copy a library into a district so it can edit its copy; the original stays untouched."""
    with transaction.atomic():
        copy = ActionStepLibrary.objects.create(
            district=district,
            title=(title or "").strip()
            or _("%(title)s (%(district)s copy)") % {"title": library.title, "district": district.name},
            publisher=library.publisher,
            version=library.version,
            description=library.description,
            licence=library.licence,
            licence_url=library.licence_url,
            framework=library.framework,
            copied_from=library,
        )
        phases = {}
        for phase in library.phases.all():
            phases[phase.pk] = LibraryPhase.objects.create(
                library=copy,
                district=district,
                key=phase.key,
                label=phase.label,
                description=phase.description,
                position=phase.position,
            )
        for step in library.steps.prefetch_related("aligned_nodes", "exemplars"):
            new = ActionStep.objects.create(
                library=copy,
                district=district,
                phase=phases[step.phase_id],
                code=step.code,
                sequence=step.sequence,
                title=step.title,
                description=step.description,
                sub_moves=list(step.sub_moves),
                look_fors=list(step.look_fors),
                practice_prompt=step.practice_prompt,
                typical_duration_days=step.typical_duration_days,
            )
            new.aligned_nodes.set(step.aligned_nodes.all())
            ExemplarResource.objects.bulk_create(
                ExemplarResource(step=new, district=district, title=e.title, url=e.url, file=e.file)
                for e in step.exemplars.all()
            )
        audit_record(actor=actor, action="library.copy", obj=copy, district=district, after={"copied_from": library.pk})
    return copy


STEP_FIELDS = ["title", "description", "sub_moves", "look_fors", "practice_prompt", "typical_duration_days", "phase"]


def action_step_update(*, actor, step: ActionStep, aligned_nodes=None, **changes) -> ActionStep:
    """Edit a step of a district's own library (shipped libraries are copied first)."""
    if step.library.district_id is None:
        raise ValidationError(_("Shipped libraries cannot be edited; make a copy for your district first."))
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if "title" in changes and not (changes["title"] or "").strip():
        raise ValidationError({"title": _("Give the step a title.")})
    if "phase" in changes and changes["phase"].library_id != step.library_id:
        raise ValidationError({"phase": _("Choose a phase of this library.")})
    with transaction.atomic():
        before = {k: getattr(step, k if k != "phase" else "phase_id") for k in changes}
        for key, value in changes.items():
            setattr(step, key, value)
        step.save()
        if aligned_nodes is not None:
            step.aligned_nodes.set(aligned_nodes)
        after = {k: getattr(step, k if k != "phase" else "phase_id") for k in changes}
        audit_record(actor=actor, action="action_step.update", obj=step, before=before, after=after)
    return step


def exemplar_add(*, actor, step: ActionStep, title: str, url: str = "", file=None) -> ExemplarResource:
    if step.library.district_id is None:
        raise ValidationError(_("Shipped libraries cannot be edited; make a copy for your district first."))
    if not (title or "").strip():
        raise ValidationError({"title": _("Give the resource a title.")})
    if not url and not file:
        raise ValidationError({"url": _("Add a link or a file.")})
    with transaction.atomic():
        resource = ExemplarResource.objects.create(
            step=step, district=step.district, title=title.strip(), url=url, file=file or ""
        )
        audit_record(
            actor=actor, action="exemplar.add", obj=resource, district=step.district, after={"title": resource.title}
        )
    return resource


# The CASE import wizard: a job per package, checked by a background task ------------------------------------------

CASE_IMPORT_DIR = "case-imports/"
_OPEN = ("pending", "checking", "ready", "failed")


def case_import_job_create(*, actor, district, kind: str, source: str, raw: bytes | None = None):
    """Record a package to check and enqueue its check: an uploaded file's bytes (stored now) or an address.

    The person's earlier unfinished import for the district is cancelled: one waiting import at a time.
    """
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from trellis.frameworks.models import CaseImportJob, CaseImportSource
    from trellis.frameworks.tasks import check_case_import

    if kind not in FrameworkKind.values:
        raise ValidationError({"kind": _("Choose a kind of framework.")})
    path = ""
    if raw is not None:
        path = default_storage.save(f"{CASE_IMPORT_DIR}{uuid.uuid4()}.json", ContentFile(raw))
    with transaction.atomic():
        earlier = CaseImportJob.objects.select_for_update().filter(
            district=district, created_by=actor, status__in=_OPEN
        )
        for job in earlier:
            _case_import_close(job, "cancelled")
        job = CaseImportJob.objects.create(
            district=district,
            created_by=actor,
            source=source[:1000],
            source_kind=CaseImportSource.FILE if raw is not None else CaseImportSource.URL,
            kind=kind,
            stored_file=path,
        )
        audit_record(actor=actor, action="case_import.create", obj=job, district=district, after={"source": job.source})
        transaction.on_commit(lambda: check_case_import.enqueue(job.pk))
    return job


def case_import_job_check(*, job_id: int) -> None:
    """The background check: fetch an address, dry-run the package and keep the report (the task calls this)."""
    import logging
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from trellis.frameworks.case.fetch import FetchError, fetch_package
    from trellis.frameworks.models import CaseImportJob, CaseImportStatus

    started = CaseImportJob.objects.filter(pk=job_id, status=CaseImportStatus.PENDING).update(
        status=CaseImportStatus.CHECKING, updated_at=timezone.now()
    )
    if not started:
        return
    job = CaseImportJob.objects.select_related("district", "created_by").get(pk=job_id)
    path, source, existed = job.stored_file, job.source, False
    try:
        if path:
            with default_storage.open(path, "rb") as fh:
                raw = fh.read()
        else:
            fetched = fetch_package(job.source, timeout=settings.CASE_FETCH_TIMEOUT, max_bytes=settings.CASE_MAX_BYTES)
            raw, source = fetched.body, fetched.url[:1000]
            path = default_storage.save(f"{CASE_IMPORT_DIR}{uuid.uuid4()}.json", ContentFile(raw))
        _framework, case_report, existed = framework_import_case(
            actor=job.created_by, raw=raw, district=job.district, kind=job.kind, dry_run=True
        )
        report = case_report.as_dict()
        report["warnings"] = [str(w) for w in report["warnings"]]
        report["errors"] = [str(e) for e in report["errors"]]
    except FetchError as exc:
        report = {"errors": [str(exc)]}
    except ValidationError as exc:
        report = {"errors": [str(message) for message in exc.messages]}
    except OSError:
        report = {"errors": [_("The package could not be read. Start again.")]}
    except Exception:  # noqa: BLE001 (any failure must end the wait on the page)
        logging.getLogger(__name__).exception("CASE import %s failed", job_id)
        report = {"errors": [_("The check stopped because of an error in Trellis. Nothing was stored.")]}
    status = CaseImportStatus.FAILED if report.get("errors") else CaseImportStatus.READY
    updated = CaseImportJob.objects.filter(pk=job_id, status=CaseImportStatus.CHECKING).update(
        status=status,
        report=report,
        existed=existed,
        source=source,
        stored_file=path if status == CaseImportStatus.READY else "",
        updated_at=timezone.now(),
    )
    if path and (not updated or status == CaseImportStatus.FAILED):
        # Cancelled meanwhile, or nothing to import: the stored package goes.
        _delete_case_file(path)


def case_import_job_import(*, actor, job):
    """Import a checked package for real. Returns (framework or None when it has errors, report, existed)."""
    from django.core.files.storage import default_storage

    from trellis.frameworks.models import CaseImportJob, CaseImportStatus

    with transaction.atomic():
        locked = CaseImportJob.objects.select_for_update().select_related("district").get(pk=job.pk)
        if locked.status != CaseImportStatus.READY or not locked.stored_file:
            raise ValidationError(_("This import is no longer waiting to be imported."))
        with default_storage.open(locked.stored_file, "rb") as fh:
            raw = fh.read()
        framework, report, existed = framework_import_case(
            actor=actor, raw=raw, district=locked.district, kind=locked.kind, dry_run=False
        )
        if framework is None:
            return None, report, existed
        path = locked.stored_file
        locked.status, locked.framework, locked.existed, locked.stored_file = (
            CaseImportStatus.IMPORTED,
            framework,
            existed,
            "",
        )
        locked.save(update_fields=["status", "framework", "existed", "stored_file", "updated_at"])
        transaction.on_commit(lambda: _delete_case_file(path))
    return framework, report, existed


def case_import_job_cancel(*, actor, job) -> bool:
    """Cancel an unfinished import and delete its stored package; False when it was finished already."""
    from trellis.frameworks.models import CaseImportJob

    with transaction.atomic():
        locked = CaseImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status not in _OPEN:
            return False
        _case_import_close(locked, "cancelled")
        audit_record(actor=actor, action="case_import.cancel", obj=locked)
    return True


def case_import_jobs_clear_stale(*, hours: int = 24) -> int:
    """Cancel the imports started more than ``hours`` ago and still unfinished, and delete their packages."""
    from datetime import timedelta

    from django.utils import timezone

    from trellis.frameworks.models import CaseImportJob

    cutoff = timezone.now() - timedelta(hours=hours)
    count = 0
    with transaction.atomic():
        stale = CaseImportJob.objects.select_for_update().filter(status__in=_OPEN, created_at__lt=cutoff)
        for job in stale:
            _case_import_close(job, "cancelled")
            audit_record(actor=None, action="case_import.expire", obj=job)
            count += 1
    return count


def _case_import_close(job, status: str) -> None:
    """Set a job's final status and delete its stored package once the transaction commits."""
    path = job.stored_file
    job.status, job.stored_file = status, ""
    job.save(update_fields=["status", "stored_file", "updated_at"])
    if path:
        transaction.on_commit(lambda: _delete_case_file(path))


def _delete_case_file(path: str) -> None:
    import contextlib

    from django.core.files.storage import default_storage

    if path.startswith(CASE_IMPORT_DIR) and ".." not in path:
        with contextlib.suppress(OSError):
            default_storage.delete(path)
