"""People of the current district, and the roles (memberships) they hold."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trellis.lib.rules import rule_for
from trellis.orgs import selectors
from trellis.orgs.access import access_membership, access_person, active_memberships
from trellis.orgs.forms import MembershipForm, PersonCreateForm, PersonEditForm, PersonFilterForm, SetActiveForm
from trellis.orgs.models import CaseloadAssignment, Membership, Role
from trellis.orgs.services import membership_create as create_membership
from trellis.orgs.services import membership_end as end_membership
from trellis.orgs.services import person_create as create_person
from trellis.orgs.services import person_set_active, person_update
from trellis.orgs.views.common import (
    add_service_error,
    current_district,
    filters,
    listing,
    render_page,
    require_in_district,
)

User = get_user_model()

# How many caseload rows the person page shows before pointing to the caseload list.
DETAIL_LIMIT = 25


def _person(request, district, pk, *, write=False):
    person = access_person(request.user, pk, write=write)
    require_in_district(person.district_id, district)
    return person


@login_required
@require_GET
def person_list(request):
    district = current_district(request)
    form = PersonFilterForm(request.GET, district=district)
    wanted = filters(form)
    people = everyone = User.objects.filter(district=district)
    if wanted.get("q"):
        q = wanted["q"]
        people = people.filter(Q(full_name__icontains=q) | Q(preferred_name__icontains=q) | Q(email__icontains=q))
    if wanted.get("campus"):
        at_campus = active_memberships().filter(person=OuterRef("pk"), organization=wanted["campus"])
        people = people.filter(Exists(at_campus))
    if wanted.get("role"):
        holds = active_memberships().filter(person=OuterRef("pk"), district=district, role=wanted["role"])
        people = people.filter(Exists(holds))
    status = wanted.get("status") or "active"
    if status != "all":
        people = people.filter(is_active=status == "active")
    people = selectors.with_current_memberships(rule_for(User).visible(request.user, people))
    filtered = any(wanted.get(k) for k in ("q", "campus", "role")) or status != "active"
    context = {"form": form, "filtered": filtered}
    context.update(listing(request, people.order_by("full_name", "pk")))
    if not context["page_obj"].object_list and not filtered:
        # Only deactivated people: the default filter hid them, so say that rather than "none yet".
        context["filtered"] = everyone.exists()
    return render_page(request, district, "orgs/person_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    """Add a person and, optionally, their first role, so a new teacher is ready in one step."""
    district = current_district(request)
    initial = {}
    if request.GET.get("organization"):
        initial = {"organization": request.GET["organization"], "role": Role.TEACHER}
    form = PersonCreateForm(request.POST or None, district=district, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Both or neither: a person whose role could not be given is not left half set up.
            with transaction.atomic():
                person = create_person(
                    actor=request.user,
                    district=district,
                    email=data["email"],
                    full_name=data["full_name"],
                    preferred_name=data["preferred_name"],
                    employee_group=data["employee_group"],
                )
                if data["role"]:
                    create_membership(
                        actor=request.user, person=person, organization=data["organization"], role=data["role"]
                    )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": person.display_name})
            return redirect("orgs:person-detail", person.pk)
    return render_page(request, district, "orgs/person_form.html", {"form": form, "person": None})


@login_required
@require_GET
def person_detail(request, pk):
    district = current_district(request)
    person = _person(request, district, pk)
    today = timezone.localdate()
    memberships = rule_for(Membership).visible(request.user, person.memberships.all())
    memberships = memberships.select_related("organization").order_by(
        F("valid_to").desc(nulls_first=True), "-valid_from", "pk"
    )
    not_ended = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    caseloads = rule_for(CaseloadAssignment).visible(
        request.user, CaseloadAssignment.objects.filter(not_ended, district=district)
    )
    as_coach = list(
        selectors.caseloads_with_coverage(caseloads.filter(coach=person)).order_by("teacher__full_name", "pk")[
            : DETAIL_LIMIT + 1
        ]
    )
    as_teacher = list(
        selectors.caseloads_with_coverage(caseloads.filter(teacher=person)).order_by("coach__full_name", "pk")[
            : DETAIL_LIMIT + 1
        ]
    )
    names = selectors.campus_names_by_teacher(row.teacher_id for row in as_coach)
    for row in as_coach:
        row.campus_names = names.get(row.teacher_id, "")
    current_roles = {m.role for m in active_memberships(today).filter(person=person).only("role")}
    context = {
        "person": person,
        "today": today,
        "as_coach": as_coach[:DETAIL_LIMIT],
        "as_coach_more": len(as_coach) > DETAIL_LIMIT,
        "as_teacher": as_teacher[:DETAIL_LIMIT],
        "as_teacher_more": len(as_teacher) > DETAIL_LIMIT,
        "can_coach": bool(current_roles & {Role.COACH, Role.CAMPUS_LEADER}),
        "is_teacher": Role.TEACHER in current_roles,
        "is_self": person.pk == request.user.pk,
    }
    context.update(listing(request, memberships))
    return render_page(request, district, "orgs/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    district = current_district(request)
    person = _person(request, district, pk, write=True)
    form = PersonEditForm(
        request.POST or None,
        initial={
            "full_name": person.full_name,
            "preferred_name": person.preferred_name,
            "email": person.email,
            "employee_group": person.employee_group,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("orgs:person-detail", person.pk)
    return render_page(request, district, "orgs/person_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_active(request, pk):
    """GET asks "are you sure?"; POST deactivates (never deletes) or reactivates."""
    district = current_district(request)
    person = _person(request, district, pk, write=True)
    form = SetActiveForm(request.POST or None, initial={"active": "0" if person.is_active else "1"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            active = form.cleaned_data["active"]
            if active == person.is_active:
                messages.info(request, _("Nothing to change: the account is already in that state."))
                return redirect("orgs:person-detail", person.pk)
            try:
                person_set_active(actor=request.user, person=person, active=active)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                done = _("%(name)s is reactivated.") if active else _("%(name)s is deactivated.")
                messages.success(request, done % {"name": person.display_name})
                return redirect("orgs:person-detail", person.pk)
        status = 400
    context = {"person": person, "form": form, "is_self": person.pk == request.user.pk}
    return render_page(request, district, "orgs/person_active.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def membership_create(request, pk):
    district = current_district(request)
    person = _person(request, district, pk, write=True)
    form = MembershipForm(request.POST or None, district=district, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            create_membership(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The role is added."))
            return redirect("orgs:person-detail", person.pk)
    return render_page(request, district, "orgs/membership_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    """GET asks "are you sure?"; POST ends the role today (the record stays as history)."""
    district = current_district(request)
    membership = access_membership(request.user, pk, write=True)
    require_in_district(membership.district_id, district)
    today = timezone.localdate()
    ended = membership.valid_to is not None and membership.valid_to < today
    error = None
    if request.method == "POST":
        try:
            kept = end_membership(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = exc
        else:
            # A role that had not started yet is withdrawn rather than ended.
            messages.success(request, _("The role is ended.") if kept else _("The role is withdrawn."))
            return redirect("orgs:person-detail", membership.person_id)
    context = {
        "membership": membership,
        "person": membership.person,
        "ended": ended,
        "today": today,
        "error": error,
        "own_admin_role": membership.person_id == request.user.pk and membership.role == Role.DISTRICT_ADMIN,
    }
    return render_page(request, district, "orgs/membership_end.html", context, status=400 if error else 200)
