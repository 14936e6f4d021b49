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


def framework_choose(*, actor, district, framework: Framework, enabled: bool, is_default: bool = False):
    """Turn a framework on or off for a district, and make it the district's default."""
    if framework.district_id not in (None, district.pk):
        raise ValidationError(_("This framework belongs to another district."))
    with transaction.atomic():
        choice = DistrictFrameworkChoice.objects.filter(district=district, framework=framework).first()
        before = {"enabled": choice is not None, "is_default": bool(choice and choice.is_default)}
        if not enabled:
            if choice:
                choice.delete()
        else:
            if is_default:
                DistrictFrameworkChoice.objects.filter(district=district, is_default=True).exclude(
                    framework=framework
                ).update(is_default=False)
            choice, _created = DistrictFrameworkChoice.objects.update_or_create(
                district=district, framework=framework, defaults={"is_default": is_default}
            )
        after = {"enabled": enabled, "is_default": enabled and is_default}
        audit_record(
            actor=actor, action="framework.choose", obj=framework, district=district, before=before, after=after
        )
    return choice if enabled else None


def library_choose(*, actor, district, library: ActionStepLibrary, enabled: bool, is_default: bool = False):
    if library.district_id not in (None, district.pk):
        raise ValidationError(_("This library belongs to another district."))
    with transaction.atomic():
        choice = DistrictLibraryChoice.objects.filter(district=district, library=library).first()
        before = {"enabled": choice is not None, "is_default": bool(choice and choice.is_default)}
        if not enabled:
            if choice:
                choice.delete()
        else:
            if is_default:
                DistrictLibraryChoice.objects.filter(district=district, is_default=True).exclude(
                    library=library
                ).update(is_default=False)
            choice, _created = DistrictLibraryChoice.objects.update_or_create(
                district=district, library=library, defaults={"is_default": is_default}
            )
        after = {"enabled": enabled, "is_default": enabled and is_default}
        audit_record(actor=actor, action="library.choose", obj=library, district=district, before=before, after=after)
    return choice if enabled else None


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
