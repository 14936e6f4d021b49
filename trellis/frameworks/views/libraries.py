"""Action-step libraries: the list, a library's scope and sequence, one step, and a district's edits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.frameworks import selectors
from trellis.frameworks.access import access_library, access_step
from trellis.frameworks.forms import CopyForm, ExemplarForm, LibraryFilterForm, StepForm
from trellis.frameworks.models import ActionStep
from trellis.frameworks.services import action_step_update, exemplar_add, library_copy
from trellis.frameworks.views.common import add_service_error, current_district, reading_district, require_role
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.lib.rules import rule_for


@login_required
@require_GET
def library_list(request):
    roles = require_role(request.user)
    district = reading_district(request, roles)
    page_obj = paginate(request, selectors.library_catalogue(request.user))
    context = {
        "district": district,
        "can_manage": roles.is_district_admin,
        "page_obj": page_obj,
        "libraries": selectors.mark_choices(page_obj.object_list, selectors.library_choices(district)),
        "query_string": query_string_without_page(request),
        "back": request.get_full_path(),
    }
    return render(request, "frameworks/library_list.html", context)


@login_required
@require_GET
def library_detail(request, pk):
    roles = require_role(request.user)
    library = access_library(request.user, pk)
    district = reading_district(request, roles)
    options = selectors.library_filter_options(library)
    form = LibraryFilterForm(request.GET, options=options)
    form.is_valid()
    wanted = getattr(form, "cleaned_data", {})  # a bad value is shown on the form and ignored
    node_ids = None
    if wanted.get("component"):
        node_ids = {wanted["component"]}
    if wanted.get("domain"):
        below = set(options.below.get(wanted["domain"], []))
        node_ids = below if node_ids is None else node_ids & below
    phase = next((p for p in options.phases if p.pk == wanted.get("phase")), None)
    q = (wanted.get("q") or "").strip()
    steps = selectors.library_steps(library, q=q, node_ids=node_ids, phase=phase)
    page_obj = paginate(request, steps, selectors.STEPS_PER_PAGE)
    selectors.mark_choices([library], selectors.library_choices(district))
    context = {
        "library": library,
        "form": form,
        "page_obj": page_obj,
        "filtered": bool(q or node_ids is not None or phase),
        "query_string": query_string_without_page(request),
        "district": district,
        "can_manage": roles.is_district_admin and library.district_id in (None, getattr(district, "pk", None)),
        "can_copy": roles.is_district_admin,
        "is_own_copy": library.district_id is not None and library.district_id in roles.admin_district_ids,
        "back": request.get_full_path(),
    }
    return render(request, "frameworks/library_detail.html", context)


@login_required
@require_POST
def library_copy_view(request, pk):
    district = current_district(request)
    library = access_library(request.user, pk)
    form = CopyForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    try:
        copy = library_copy(actor=request.user, library=library, district=district, title=title)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("frameworks:library-detail", library.pk)
    messages.success(
        request,
        _("%(title)s is your district's copy. Edit its steps here; the original stays as it was.")
        % {"title": copy.title},
    )
    return redirect("frameworks:library-detail", copy.pk)


@login_required
@require_GET
def step_detail(request, pk):
    roles = require_role(request.user)
    step = access_step(request.user, pk)
    context = {
        "step": step,
        "library": step.library,
        "aligned": selectors.step_aligned_nodes(step),
        "exemplars": selectors.step_exemplars(step),
        "can_edit": step.library.district_id is not None and rule_for(ActionStep).can_change(request.user, step),
        "can_copy": step.library.district_id is None and roles.is_district_admin,
    }
    return render(request, "frameworks/step_detail.html", context)


def _editable_step(request, pk):
    """A step of the admin's own library copy; shipped steps answer 403 with a pointer to making a copy."""
    step = access_step(request.user, pk)
    if step.library.district_id is None:
        return step, render(request, "frameworks/step_shipped.html", {"step": step}, status=403)
    if not rule_for(ActionStep).can_change(request.user, step):
        raise PermissionDenied
    return step, None


def _step_form(step, data=None):
    initial = {
        "title": step.title,
        "description": step.description,
        "sub_moves": step.sub_moves,
        "look_fors": step.look_fors,
        "practice_prompt": step.practice_prompt,
        "typical_duration_days": step.typical_duration_days,
        "phase": step.phase_id,
        "aligned_nodes": list(step.aligned_nodes.values_list("pk", flat=True)),
    }
    return StepForm(
        data,
        initial=initial,
        phases=step.library.phases.order_by("position", "id"),
        components=selectors.component_choices(step.library, step),
    )


def _render_edit(request, step, form, exemplar_form, status=200):
    context = {
        "step": step,
        "library": step.library,
        "form": form,
        "exemplar_form": exemplar_form,
        "exemplars": selectors.step_exemplars(step),
    }
    return render(request, "frameworks/step_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, pk):
    step, refused = _editable_step(request, pk)
    if refused:
        return refused
    form = _step_form(step, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        aligned = list(data.pop("aligned_nodes"))
        try:
            action_step_update(actor=request.user, step=step, aligned_nodes=aligned, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your changes to %(code)s are saved.") % {"code": step.code})
            return redirect("frameworks:step-detail", step.pk)
    return _render_edit(request, step, form, ExemplarForm(prefix="exemplar"))


@login_required
@require_POST
def exemplar_add_view(request, pk):
    step, refused = _editable_step(request, pk)
    if refused:
        return refused
    form = ExemplarForm(request.POST, prefix="exemplar")
    if form.is_valid():
        try:
            resource = exemplar_add(actor=request.user, step=step, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(title)s is added to the step.") % {"title": resource.title})
            return redirect("frameworks:step-edit", step.pk)
    return _render_edit(request, step, _step_form(step), form)
