"""The district admin's rostering pages, and the "sign in with your district" lookup.

Imports: history (paginated), upload → check (a background task) → the report page →
import (a background task) or cancel. The report page refreshes itself while a task runs.
The sync schedule and the single sign-on settings are one form each. Only district
admins use these pages, for the district they are working on; everyone else gets 403.
"""

import hashlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.accounts import sso
from trellis.lib.rules import rule_for
from trellis.orgs.views.common import add_service_error, current_district, listing, render_page, require_in_district
from trellis.rostering import models as m
from trellis.rostering import services, tasks
from trellis.rostering.access import access_import
from trellis.rostering.forms import ConfirmForm, ScheduleForm, SSOForm, UploadForm

# Imports ------------------------------------------------------------------------------------------


@login_required
@require_GET
def import_list(request):
    district = current_district(request)
    imports = (
        rule_for(m.RosterImport)
        .visible(request.user, m.RosterImport.objects.filter(district=district))
        .select_related("requested_by")
        .defer("report", "options")  # the list shows counts only: the reports can be large
        .order_by("-created_at", "-id")
    )
    schedule = m.SyncSchedule.objects.filter(district=district).first()
    sso_config = m.DistrictSSO.objects.filter(district=district).first()
    context = {"schedule": schedule, "sso_config": sso_config, **listing(request, imports)}
    return render_page(request, district, "rostering/import_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    district = current_district(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        stored = default_storage.save(f"{services.UPLOAD_DIR}{uuid.uuid4()}.zip", upload)
        options = services.import_options(
            strict=form.cleaned_data["strict"], classes=form.cleaned_data["classes"], mode=form.cleaned_data["mode"]
        )
        record = services.roster_upload_create(
            actor=request.user,
            district=district,
            stored_file=stored,
            filename=upload.name,
            fingerprint=digest.hexdigest(),
            size=upload.size,
            options=options,
        )
        transaction.on_commit(lambda: tasks.check_upload.enqueue(record.pk))
        return redirect("rostering:import-detail", record.pk)
    limit = round(settings.ROSTER_MAX_UPLOAD_BYTES / 1_000_000)
    return render_page(request, district, "rostering/import_upload.html", {"form": form, "limit_mb": limit})


@login_required
@require_GET
def import_detail(request, pk):
    district = current_district(request)
    record = access_import(request.user, pk)
    require_in_district(record.district_id, district)
    report = record.report or {}
    context = {
        "record": record,
        "report": report,
        "confirm_form": ConfirmForm(),
        "needs_confirmation": bool((record.options or {}).get("needs_confirmation")),
        "sections": _sections(report),
        "changes": _changes(report),
    }
    if request.htmx:
        # The report page polls while a task runs; once it is done, htmx reloads the whole page.
        if record.is_pending:
            return render(request, "rostering/_import_status.html", context)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render_page(request, district, "rostering/import_detail.html", context)


@login_required
@require_POST
def import_confirm(request, pk):
    district = current_district(request)
    record = access_import(request.user, pk, write=True)
    require_in_district(record.district_id, district)
    form = ConfirmForm(request.POST)
    form.is_valid()
    confirm = bool(form.cleaned_data.get("confirm_deactivation"))
    with transaction.atomic():
        locked = m.RosterImport.objects.select_for_update().get(pk=record.pk)
        if not locked.can_confirm:
            messages.warning(request, _("This import is no longer waiting to be imported."))
            return redirect("rostering:import-detail", record.pk)
        if (locked.options or {}).get("needs_confirmation") and not confirm:
            messages.error(request, _("Tick the box to confirm the deactivations, or cancel the import."))
            return redirect("rostering:import-detail", record.pk)
        locked.status = m.ImportStatus.IMPORTING
        locked.options = {**(locked.options or {}), "confirm_deactivation": confirm}
        locked.save(update_fields=["status", "options"])
        transaction.on_commit(lambda: tasks.apply_upload.enqueue(locked.pk))
    return redirect("rostering:import-detail", record.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    district = current_district(request)
    record = access_import(request.user, pk, write=True)
    require_in_district(record.district_id, district)
    try:
        services.roster_upload_discard(actor=request.user, record=record)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import is cancelled; nothing was imported and the file is deleted."))
    return redirect("rostering:import-list")


def _sections(report: dict) -> list[dict]:
    """The report's problems, grouped by level, for the page."""
    titles = {
        "errors": _("Errors: nothing can be imported until they are fixed"),
        "warnings": _("Warnings: read around, but worth fixing in your SIS"),
        "notices": _("Left out on purpose"),
    }
    return [{"key": key, "title": titles[key], "issues": report.get(key) or []} for key in titles if report.get(key)]


def _changes(report: dict) -> list[tuple[str, list]]:
    labels = {
        "orgs_created": _("New campuses"),
        "orgs_linked": _("Linked to the roster"),
        "orgs_updated": _("Campuses updated"),
        "orgs_deactivated": _("Campuses deactivated"),
        "people_created": _("New people"),
        "people_linked": _("People added by hand, now linked to the roster"),
        "people_updated": _("People updated"),
        "people_reactivated": _("People reactivated"),
        "people_deactivated": _("People deactivated"),
    }
    changes = report.get("changes") or {}
    return [(labels[key], changes[key]) for key in labels if changes.get(key)]


# The scheduled sync ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request):
    district = current_district(request)
    current = m.SyncSchedule.objects.filter(district=district).select_related("last_import").first()
    initial = {"folder": district.slug, "mode": ""}
    if current:
        initial = {
            "enabled": current.enabled,
            "folder": current.folder,
            "mode": current.mode,
            "classes": current.classes,
        }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sync_schedule_save(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The sync schedule is saved."))
            return redirect("rostering:schedule")
    folder_path = None
    if current:
        try:
            folder_path = services.sync_folder_path(current.folder)
        except ValidationError:
            folder_path = None
    return render_page(
        request, district, "rostering/schedule.html", {"form": form, "schedule": current, "folder_path": folder_path}
    )


# Single sign-on --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sso_settings(request):
    district = current_district(request)
    config = m.DistrictSSO.objects.filter(district=district).first()
    initial = {"allow_local_passwords": True, "kind": "google"}
    if config:
        initial = {
            field: getattr(config, field)
            for field in (
                "enabled",
                "kind",
                "client_id",
                "tenant",
                "server_url",
                "roster_id_claim",
                "saml_entity_id",
                "saml_sso_url",
                "saml_certificate",
                "allow_local_passwords",
            )
        }
        initial["domains"] = "\n".join(config.domains.values_list("domain", flat=True))
    form = SSOForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.district_sso_save(actor=request.user, district=district, **form.settings_values())
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The single sign-on settings are saved."))
            return redirect("rostering:sso-settings")
    context = {"form": form, "config": config}
    if config:
        context["callback_url"] = sso.callback_url(config)
        context["metadata_url"] = sso.metadata_url(config) if config.kind == "saml" else ""
        context["server_url"] = sso.server_url(config) if config.kind != "saml" else ""
        context["has_secret"] = bool(config.client_secret)
    return render_page(request, district, "rostering/sso_settings.html", context)


@require_GET
def sso_find(request):
    """ "Sign in with your district": the provider for the email's domain, if it has one."""
    email = (request.GET.get("email") or "").strip()[:254]
    next_url = request.GET.get("next", "")
    config = sso.config_for_email(email) if "@" in email else None
    context = {
        "email": email,
        "next": next_url if next_url.startswith("/") and not next_url.startswith("//") else "",
        "config": config,
        "login_url": sso.login_url(config) if config else "",
    }
    template = "rostering/_sso_result.html" if request.htmx else "rostering/sso_find.html"
    return render(request, template, context)
