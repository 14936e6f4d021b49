"""The CASE import wizard: choose a file or an address, wait for the check, see a preview, import or cancel.

Submitting the form records a ``CaseImportJob`` (an uploaded file is kept in the
default storage under ``case-imports/``) and enqueues a task that fetches an
address and checks the package; the preview page shows "Checking…" and polls
until the report is there. Importing or cancelling deletes the stored package.
Only district admins use these pages, for their district's jobs.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trellis.frameworks import selectors
from trellis.frameworks.access import access_case_import
from trellis.frameworks.case.parse import parse_package
from trellis.frameworks.forms import ImportForm
from trellis.frameworks.models import CaseImportStatus, FrameworkKind
from trellis.frameworks.services import case_import_job_cancel, case_import_job_create, case_import_job_import
from trellis.frameworks.views.common import add_service_error, current_district
from trellis.orgs.views.common import require_in_district


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    district = current_district(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            job = case_import_job_create(
                actor=request.user,
                district=district,
                kind=form.cleaned_data["kind"],
                source=upload.name if upload else form.cleaned_data["url"],
                raw=upload.read() if upload else None,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return redirect("frameworks:import-preview", job.pk)
    return render(request, "frameworks/import_start.html", {"form": form, "district": district})


def _job(request, pk):
    """The district's job, for its admins only (404 for anyone else's), with the district."""
    district = current_district(request)  # 403 for anyone who administers no district
    job = access_case_import(request.user, pk, write=request.method == "POST")
    require_in_district(job.district_id, district)
    return job, district


def _no_import_waiting(request):
    messages.warning(request, _("There is no import waiting: it has expired or is finished. Start again."))
    return redirect("frameworks:import")


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    job, district = _job(request, pk)
    if request.htmx:
        # The page polls while the check runs; once it is done, htmx reloads the whole page.
        if job.is_pending:
            return render(request, "frameworks/_import_status.html", {"job": job})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if not job.is_open:
        return _no_import_waiting(request)
    if job.status == CaseImportStatus.READY and not default_storage.exists(job.stored_file):
        case_import_job_cancel(actor=request.user, job=job)  # the stored package went missing: it expired
        return _no_import_waiting(request)
    if request.method == "POST":
        return _import(request, job)
    package = tree = existing = None
    more = 0
    if job.status == CaseImportStatus.READY:
        with default_storage.open(job.stored_file, "rb") as fh:
            package, _report = parse_package(fh.read(), max_bytes=settings.CASE_MAX_BYTES)
        existing = selectors.framework_for_document(district, package.document["identifier"]) if package else None
        tree, more = selectors.preview_outline(package)
    report = job.report or {}
    context = {
        "district": district,
        "job": job,
        "report": report,
        "has_summary": "items" in report,
        "kind_label": FrameworkKind(job.kind).label if job.kind in FrameworkKind.values else "",
        "existing": existing,
        "tree": tree,
        "more": more,
        "can_import": package is not None and not report.get("errors"),
    }
    return render(request, "frameworks/import_preview.html", context)


def _import(request, job):
    if job.is_pending:
        messages.warning(request, _("The package is still being checked. Import it when the preview is ready."))
        return redirect("frameworks:import-preview", job.pk)
    if job.status == CaseImportStatus.FAILED:
        messages.error(request, _("The package has errors, so nothing was imported."))
        return redirect("frameworks:import-preview", job.pk)
    try:
        framework, report, existed = case_import_job_import(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:import-preview", job.pk)
    if framework is None:
        messages.error(request, _("The package has errors, so nothing was imported."))
        return redirect("frameworks:import-preview", job.pk)
    if existed:
        message = _("%(title)s is updated: %(n)s items.")
    else:
        message = _("%(title)s is imported: %(n)s items.")
    messages.success(request, message % {"title": framework.title, "n": report.items})
    return redirect("frameworks:framework-detail", framework.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    job, _district = _job(request, pk)
    if case_import_job_cancel(actor=request.user, job=job):
        messages.success(request, _("The import is cancelled; nothing was stored."))
    return redirect("frameworks:catalogue")
