"""Who coaches whom in the current district, including service-center facilitators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trellis.lib.rules import rule_for
from trellis.orgs import selectors
from trellis.orgs.access import access_caseload, active_memberships
from trellis.orgs.forms import CaseloadFilterForm, CaseloadForm
from trellis.orgs.models import CaseloadAssignment, Role
from trellis.orgs.services import caseload_assign
from trellis.orgs.services import caseload_end as end_caseload
from trellis.orgs.views.common import (
    add_service_error,
    current_district,
    filters,
    listing,
    render_page,
    require_in_district,
)


@login_required
@require_GET
def caseload_list(request):
    district = current_district(request)
    form = CaseloadFilterForm(request.GET, district=district)
    wanted = filters(form)
    today = timezone.localdate()
    rows = all_rows = CaseloadAssignment.objects.filter(district=district)
    if wanted.get("q"):
        q = wanted["q"]
        rows = rows.filter(
            Q(coach__full_name__icontains=q)
            | Q(coach__preferred_name__icontains=q)
            | Q(coach__email__icontains=q)
            | Q(teacher__full_name__icontains=q)
            | Q(teacher__preferred_name__icontains=q)
            | Q(teacher__email__icontains=q)
        )
    if wanted.get("coach"):
        rows = rows.filter(coach=wanted["coach"])
    if wanted.get("campus"):
        teaches_there = active_memberships().filter(
            person=OuterRef("teacher_id"), organization=wanted["campus"], role=Role.TEACHER
        )
        rows = rows.filter(Exists(teaches_there))
    status = wanted.get("status") or "current"
    if status == "current":
        rows = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    elif status == "ended":
        rows = rows.filter(valid_to__lt=today)
    rows = selectors.caseloads_with_coverage(rule_for(CaseloadAssignment).visible(request.user, rows))
    context = {
        "form": form,
        "today": today,
        "filtered": any(wanted.get(k) for k in ("q", "coach", "campus")) or status != "current",
    }
    context.update(listing(request, rows.order_by("coach__full_name", "teacher__full_name", "pk")))
    if not context["page_obj"].object_list and not context["filtered"]:
        # Only ended assignments: the default filter hid them, so say that rather than "none yet".
        context["filtered"] = all_rows.exists()
    names = selectors.campus_names_by_teacher(row.teacher_id for row in context["page_obj"])
    for row in context["page_obj"]:
        row.campus_names = names.get(row.teacher_id, "")
    return render_page(request, district, "orgs/caseload_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def caseload_create(request):
    district = current_district(request)
    # ?coach= / ?teacher= come from links on a person's page; an id that is not a valid choice is simply not selected.
    initial = {"valid_from": timezone.localdate()}
    initial.update({k: request.GET[k] for k in ("coach", "teacher") if request.GET.get(k, "").isdigit()})
    form = CaseloadForm(request.POST or None, district=district, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = caseload_assign(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(teacher)s is now on %(coach)s's caseload.")
                % {"teacher": assignment.teacher.display_name, "coach": assignment.coach.display_name},
            )
            return redirect("orgs:caseload-list")
    return render_page(request, district, "orgs/caseload_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def caseload_end(request, pk):
    """GET asks "are you sure?"; POST ends the assignment today (the record stays as history)."""
    district = current_district(request)
    assignment = access_caseload(request.user, pk, write=True)
    require_in_district(assignment.district_id, district)
    today = timezone.localdate()
    error = None
    if request.method == "POST":
        try:
            end_caseload(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("%(teacher)s is no longer on %(coach)s's caseload.")
                % {"teacher": assignment.teacher.display_name, "coach": assignment.coach.display_name},
            )
            return redirect("orgs:caseload-list")
    context = {
        "assignment": assignment,
        "ended": assignment.valid_to is not None and assignment.valid_to < today,
        "today": today,
        "error": error,
    }
    return render_page(request, district, "orgs/caseload_end.html", context, status=400 if error else 200)
