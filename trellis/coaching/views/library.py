"""A district's coaching library: the cycle models and meeting protocols its coaches choose from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from trellis.coaching.forms.library import (
    CycleModelForm,
    PhaseFormSet,
    ProtocolForm,
    StepFormSet,
    phase_rows,
    step_rows,
)
from trellis.coaching.models import CycleModel, Protocol
from trellis.coaching.services.library import cycle_model_save, library_item_set_offered, protocol_save
from trellis.lib.rules import fetch, rule_for
from trellis.observations.views.common import add_service_errors
from trellis.orgs.models import Organization
from trellis.orgs.roles import roles_of

KINDS = {"cycle-model": CycleModel, "protocol": Protocol}


def _admin_district(user):
    roles = roles_of(user)
    if not roles.admin_district_ids:
        raise PermissionDenied
    return Organization.objects.filter(pk__in=roles.admin_district_ids).order_by("name").first()


def _may_read_library(user) -> bool:
    roles = roles_of(user)
    return roles.is_district_admin or roles.is_coach or roles.is_facilitator


@login_required
def library(request):
    if not _may_read_library(request.user):
        raise PermissionDenied
    user = request.user
    cycle_models = rule_for(CycleModel).visible(user).order_by(F("district").asc(nulls_first=True), "name")
    protocols = rule_for(Protocol).visible(user).order_by(F("district").asc(nulls_first=True), "purpose", "name")
    return render(
        request,
        "coaching/library.html",
        {
            "cycle_models": list(cycle_models),
            "protocols": list(protocols),
            "is_admin": roles_of(user).is_district_admin,
        },
    )


def _copy_source(request, model):
    """``?from=<pk>``: start from a visible model or protocol (a shipped one, typically)."""
    pk = request.GET.get("from")
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    return fetch(model, request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_model_edit(request, pk=None):
    district = _admin_district(request.user)
    item = fetch(CycleModel, request.user, pk, write=True) if pk else None
    source = item or _copy_source(request, CycleModel)
    initial = {}
    if source is not None:
        initial = {
            "name": source.name if item else _("%(name)s (our version)") % {"name": source.name},
            "description": source.description,
            "meetings_per_month": source.meetings_per_month,
            "meeting_minutes": source.meeting_minutes,
        }
    form = CycleModelForm(request.POST or None, initial=initial)
    phases = PhaseFormSet(request.POST or None, initial=phase_rows(source.phases if source else []), prefix="phase")
    if request.method == "POST" and form.is_valid() and phases.is_valid():
        try:
            saved = cycle_model_save(
                actor=request.user,
                district=district,
                cycle_model=item,
                phases=[row for row in phases.cleaned_data if row],
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("coaching:library")
    return render(
        request, "coaching/library_cycle_model.html", {"form": form, "phases": phases, "item": item, "source": source}
    )


@login_required
@require_http_methods(["GET", "POST"])
def protocol_edit(request, pk=None):
    district = _admin_district(request.user)
    item = fetch(Protocol, request.user, pk, write=True) if pk else None
    source = item or _copy_source(request, Protocol)
    initial = {}
    if source is not None:
        initial = {
            "name": source.name if item else _("%(name)s (our version)") % {"name": source.name},
            "purpose": source.purpose,
            "description": source.description,
        }
    form = ProtocolForm(request.POST or None, initial=initial)
    steps = StepFormSet(request.POST or None, initial=step_rows(source.steps if source else []), prefix="step")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        rows = [
            {
                "label": row.get("label"),
                "minutes": row.get("minutes"),
                "prompts": (row.get("prompts") or "").splitlines(),
                "pulls": [p for p in (row.get("pulls") or "").split(",") if p],
            }
            for row in steps.cleaned_data
            if row
        ]
        try:
            saved = protocol_save(actor=request.user, district=district, protocol=item, steps=rows, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
            return redirect("coaching:library")
    return render(
        request, "coaching/library_protocol.html", {"form": form, "steps": steps, "item": item, "source": source}
    )


@login_required
@require_POST
def library_offer(request, kind, pk):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    _admin_district(request.user)
    item = fetch(model, request.user, pk, write=True)
    offered = request.POST.get("offered") == "1"
    try:
        library_item_set_offered(actor=request.user, item=item, offered=offered)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            (
                _("“%(name)s” is offered to coaches again.")
                if offered
                else _("“%(name)s” is no longer offered to coaches.")
            )
            % {"name": item.name},
        )
    return redirect("coaching:library")
