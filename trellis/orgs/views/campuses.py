"""Campuses of the current district: list, add, view, edit, close and reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trellis.lib.rules import rule_for
from trellis.orgs import selectors
from trellis.orgs.access import access_organization
from trellis.orgs.forms import CampusFilterForm, CampusForm, SetActiveForm
from trellis.orgs.models import Organization, OrgKind
from trellis.orgs.services import campus_create as create_campus
from trellis.orgs.services import campus_set_active, organization_update
from trellis.orgs.views.common import (
    add_service_error,
    current_district,
    filters,
    listing,
    render_page,
    require_in_district,
)


def _campus(request, district, pk, *, write=False) -> Organization:
    campus = access_organization(request.user, pk, write=write)
    require_in_district(campus.district_id, district)
    if campus.kind != OrgKind.CAMPUS:
        raise Http404
    return campus


@login_required
@require_GET
def campus_list(request):
    district = current_district(request)
    form = CampusFilterForm(request.GET)
    wanted = filters(form)
    campuses = all_campuses = Organization.objects.filter(district=district, kind=OrgKind.CAMPUS)
    if wanted.get("q"):
        campuses = campuses.filter(name__icontains=wanted["q"])
    status = wanted.get("status") or "active"
    if status != "all":
        campuses = campuses.filter(is_active=status == "active")
    campuses = selectors.campuses_with_teacher_counts(rule_for(Organization).visible(request.user, campuses))
    context = {"form": form, "filtered": bool(wanted.get("q")) or status != "active"}
    context.update(listing(request, campuses.order_by("name", "pk")))
    if not context["page_obj"].object_list and not context["filtered"]:
        # Only closed campuses: the default "open" filter hid them, so say that rather than "none yet".
        context["filtered"] = all_campuses.exists()
    return render_page(request, district, "orgs/campus_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campus_create(request):
    district = current_district(request)
    form = CampusForm(request.POST or None, initial={"timezone": district.timezone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campus = create_campus(
                actor=request.user,
                district=district,
                name=data["name"],
                code=data["code"],
                timezone_name=data["timezone"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": campus.name})
            return redirect("orgs:campus-detail", campus.pk)
    return render_page(request, district, "orgs/campus_form.html", {"form": form, "campus": None})


@login_required
@require_GET
def campus_detail(request, pk):
    district = current_district(request)
    campus = _campus(request, district, pk)
    context = {"campus": campus, "role_counts": selectors.campus_role_counts(campus)}
    context.update(listing(request, selectors.campus_memberships(campus)))
    return render_page(request, district, "orgs/campus_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campus_edit(request, pk):
    district = current_district(request)
    campus = _campus(request, district, pk, write=True)
    form = CampusForm(
        request.POST or None, initial={"name": campus.name, "code": campus.code, "timezone": campus.timezone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(actor=request.user, organization=campus, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The campus is saved."))
            return redirect("orgs:campus-detail", campus.pk)
    return render_page(request, district, "orgs/campus_form.html", {"form": form, "campus": campus})


@login_required
@require_http_methods(["GET", "POST"])
def campus_active(request, pk):
    """GET asks "are you sure?"; POST closes or reopens the campus."""
    district = current_district(request)
    campus = _campus(request, district, pk, write=True)
    form = SetActiveForm(request.POST or None, initial={"active": "0" if campus.is_active else "1"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            active = form.cleaned_data["active"]
            if active == campus.is_active:
                messages.info(request, _("Nothing to change: the campus is already in that state."))
                return redirect("orgs:campus-detail", campus.pk)
            try:
                campus_set_active(actor=request.user, campus=campus, active=active)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                done = _("%(name)s is reopened.") if active else _("%(name)s is closed.")
                messages.success(request, done % {"name": campus.name})
                return redirect("orgs:campus-detail", campus.pk)
        status = 400
    context = {"campus": campus, "form": form, "closing": campus.is_active}
    return render_page(request, district, "orgs/campus_active.html", context, status=status)
