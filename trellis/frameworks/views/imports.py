"""The CASE import wizard: choose a file or an address, check it, see a preview, import or cancel.

The checked package is kept server-side in the default storage (``case-imports/``)
between the steps, its path in the session under ``SESSION_KEY``; importing or
cancelling deletes it. Only district admins use these pages, for their district.
"""

import contextlib
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trellis.frameworks import selectors
from trellis.frameworks.case.fetch import FetchError, fetch_package
from trellis.frameworks.case.parse import parse_package
from trellis.frameworks.forms import ImportForm
from trellis.frameworks.models import FrameworkKind
from trellis.frameworks.services import framework_import_case
from trellis.frameworks.views.common import add_service_error, current_district
from trellis.orgs.models import Organization, OrgKind
from trellis.orgs.roles import roles_of

SESSION_KEY = "trellis.frameworks.case_import"
STORAGE_DIR = "case-imports/"


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    district = current_district(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        raw, source = _package_bytes(form)
        if raw is not None:
            try:
                framework_import_case(
                    actor=request.user, raw=raw, district=district, kind=form.cleaned_data["kind"], dry_run=True
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                _discard(request)  # an earlier import left unfinished
                path = default_storage.save(f"{STORAGE_DIR}{uuid.uuid4()}.json", ContentFile(raw))
                request.session[SESSION_KEY] = {
                    "path": path,
                    "kind": form.cleaned_data["kind"],
                    "source": source[:300],
                    "district": district.pk,
                }
                return redirect("frameworks:import-preview")
    return render(request, "frameworks/import_start.html", {"form": form, "district": district})


def _package_bytes(form) -> tuple[bytes | None, str]:
    """The package's bytes and where they came from; a failed fetch is shown on the form."""
    upload = form.cleaned_data.get("file")
    if upload:
        return upload.read(), upload.name
    try:
        fetched = fetch_package(
            form.cleaned_data["url"], timeout=settings.CASE_FETCH_TIMEOUT, max_bytes=settings.CASE_MAX_BYTES
        )
    except FetchError as exc:
        form.add_error("url", str(exc))
        return None, ""
    return fetched.body, fetched.url


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request):
    current_district(request)  # 403 for anyone who administers no district
    state, district, raw = _pending(request)
    if raw is None:
        messages.warning(request, _("There is no import waiting: it has expired or is finished. Start again."))
        return redirect("frameworks:import")
    if request.method == "POST":
        return _import(request, state, district, raw)
    package, report = parse_package(raw, max_bytes=settings.CASE_MAX_BYTES)
    existing = selectors.framework_for_document(district, package.document["identifier"]) if package else None
    tree, more = selectors.preview_outline(package)
    context = {
        "district": district,
        "report": report,
        "state": state,
        "kind_label": FrameworkKind(state["kind"]).label if state.get("kind") in FrameworkKind.values else "",
        "existing": existing,
        "tree": tree,
        "more": more,
        "can_import": package is not None and not report.errors,
    }
    return render(request, "frameworks/import_preview.html", context)


def _import(request, state, district, raw):
    try:
        framework, report, existed = framework_import_case(
            actor=request.user, raw=raw, district=district, kind=state.get("kind", ""), dry_run=False
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:import-preview")
    if framework is None:
        messages.error(request, _("The package has errors, so nothing was imported."))
        return redirect("frameworks:import-preview")
    _discard(request)
    if existed:
        message = _("%(title)s is updated: %(n)s items.")
    else:
        message = _("%(title)s is imported: %(n)s items.")
    messages.success(request, message % {"title": framework.title, "n": report.items})
    return redirect("frameworks:framework-detail", framework.pk)


@login_required
@require_POST
def import_cancel(request):
    current_district(request)
    had_one = request.session.get(SESSION_KEY) is not None
    _discard(request)
    if had_one:
        messages.success(request, _("The import is cancelled; nothing was stored."))
    return redirect("frameworks:catalogue")


def _pending(request):
    """The waiting import: (state, district, bytes), or (None, None, None) when there is none to finish."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or not str(state.get("path", "")).startswith(STORAGE_DIR):
        return None, None, None
    # The district it was checked for, as long as this person still administers it.
    admin_ids = roles_of(request.user).admin_district_ids
    district = Organization.objects.filter(pk=state.get("district"), pk__in=admin_ids, kind=OrgKind.DISTRICT).first()
    if district is None:
        _discard(request)
        return None, None, None
    try:
        with default_storage.open(state["path"], "rb") as fh:
            raw = fh.read()
    except (FileNotFoundError, OSError):
        _discard(request)
        return None, None, None
    return state, district, raw


def _discard(request) -> None:
    """Delete the stored package of a waiting import and forget it."""
    state = request.session.pop(SESSION_KEY, None)
    path = str(state.get("path", "")) if isinstance(state, dict) else ""
    if path.startswith(STORAGE_DIR) and ".." not in path:
        with contextlib.suppress(OSError):
            default_storage.delete(path)
