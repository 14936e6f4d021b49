"""District and campus pages of professional learning: approving registrations, enrolling a
campus team, following the district's people's learning, and the district's credit rule.

District admins act for the people of their district, campus leaders for the teachers of
their campuses; never for another district's people (404: not even confirmed to exist).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.learning import models as m
from trellis.learning import selectors as sel
from trellis.learning import selectors_pages as pages
from trellis.learning import services as s
from trellis.learning.access import access_policy, access_registration, access_session, access_transcript
from trellis.learning.credits import credit_for
from trellis.learning.forms.participant import (
    POLICY_FIELDS,
    SERVICE_CENTER_POLICY_FIELDS,
    DeclineForm,
    EnrolForm,
    EnrolSearchForm,
    PeopleFilterForm,
    PolicyForm,
)
from trellis.learning.views.participant import render_transcript
from trellis.lib.pagination import paginate, query_string_without_page
from trellis.observations.views.common import add_service_errors
from trellis.orgs.models import Organization, OrgKind
from trellis.orgs.roles import roles_of
from trellis.orgs.views.common import current_district

S = m.RegistrationStatus
ENROL_PAGE_SIZE = 50
EXAMPLE_MINUTES = (90, 375)


def _require_district_admin(user):
    roles = roles_of(user)
    if not roles.admin_district_ids:
        raise PermissionDenied
    return roles


def _require_admin_or_leader(user):
    roles = roles_of(user)
    if not (roles.admin_district_ids or roles.leader_campus_ids):
        raise PermissionDenied
    return roles


# Approvals --------------------------------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    _require_district_admin(request.user)
    page_obj = paginate(request, pages.approvals(request.user))
    context = {
        "page_obj": page_obj,
        "registrations": page_obj.object_list,
        "query_string": query_string_without_page(request),
    }
    return render(request, "learning/approvals.html", context)


def _decision_registration(request: HttpRequest, pk: int) -> m.Registration:
    registration = access_registration(request.user, pk)
    if registration.district_id not in roles_of(request.user).admin_district_ids:
        raise PermissionDenied
    return registration


@login_required
@require_POST
def registration_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _decision_registration(request, pk)
    try:
        approved = s.registration_approve(actor=request.user, registration=registration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        name, title = approved.participant.display_name, registration.session.title
        if approved.status == S.CONFIRMED:
            text = _("Approved: %(name)s has a seat in %(title)s.")
        else:
            text = _("Approved: %(title)s is full, so %(name)s is on the waiting list.")
        messages.success(request, text % {"name": name, "title": title})
    return redirect("learning:approvals")


@login_required
@require_http_methods(["GET", "POST"])
def registration_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _decision_registration(request, pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            s.registration_decline(actor=request.user, registration=registration, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Not approved: %(name)s is told why by email.") % {"name": registration.participant.display_name},
            )
            return redirect("learning:approvals")
    context = {"registration": registration, "session": registration.session, "form": form}
    return render(request, "learning/registration_decline.html", context)


# Enrolling a team -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request.user, pk)
    _require_admin_or_leader(request.user)
    people = sel.enrollable_people(request.user, session)
    form = None
    if request.method == "POST":
        form = EnrolForm(request.POST, people=people)
        if form.is_valid():
            try:
                result = s.registration_bulk_create(
                    actor=request.user, session=session, participants=list(form.cleaned_data["people"])
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, enrolment_summary(result))
                return redirect(request.get_full_path())
    search = EnrolSearchForm(request.GET or None)
    listed = people
    if search.is_bound and search.is_valid() and search.cleaned_data["q"]:
        q = search.cleaned_data["q"]
        listed = listed.filter(Q(full_name__icontains=q) | Q(preferred_name__icontains=q) | Q(email__icontains=q))
    page_obj = paginate(request, listed, ENROL_PAGE_SIZE)
    rows = list(page_obj.object_list)
    for person in rows:
        person.status_label = S(person.registration_status).label if person.registration_status else ""
    now = timezone.now()
    context = {
        "session": session,
        "form": form,
        "search": search,
        "page_obj": page_obj,
        "people": rows,
        "chosen": {str(v) for v in request.POST.getlist("people")} if request.method == "POST" else set(),
        "query_string": query_string_without_page(request),
        "closed": session.is_cancelled or now >= session.registration_deadline,
    }
    return render(request, "learning/enrol.html", context)


def enrolment_summary(result) -> str:
    counts = dict.fromkeys(S.values, 0)
    for registration in result.created:
        counts[registration.status] += 1
    parts = []
    if counts[S.CONFIRMED]:
        parts.append(
            ngettext("%(n)s has a seat", "%(n)s have a seat", counts[S.CONFIRMED]) % {"n": counts[S.CONFIRMED]}
        )
    if counts[S.WAITLISTED]:
        parts.append(
            ngettext("%(n)s is on the waiting list", "%(n)s are on the waiting list", counts[S.WAITLISTED])
            % {"n": counts[S.WAITLISTED]}
        )
    if counts[S.PENDING]:
        parts.append(
            ngettext("%(n)s waits for district approval", "%(n)s wait for district approval", counts[S.PENDING])
            % {"n": counts[S.PENDING]}
        )
    text = ngettext("Registered %(n)s person", "Registered %(n)s people", len(result.created)) % {
        "n": len(result.created)
    }
    if parts:
        text += ": " + "; ".join(parts) + "."
    else:
        text += "."
    if result.already:
        text += " " + ngettext(
            "%(n)s was already registered and stays as before.",
            "%(n)s were already registered and stay as before.",
            len(result.already),
        ) % {"n": len(result.already)}
    return text


# The district's people --------------------------------------------------------------------------


@login_required
@require_GET
def people_registrations_view(request: HttpRequest) -> HttpResponse:
    roles = _require_admin_or_leader(request.user)
    form = PeopleFilterForm(request.GET or None)
    status, upcoming, name = None, True, ""
    if form.is_bound and form.is_valid():
        status = form.cleaned_data["status"] or None
        upcoming = {"upcoming": True, "past": False, "all": None}.get(form.cleaned_data["when"] or "upcoming")
        name = form.cleaned_data["q"]
    registrations = sel.people_registrations(request.user, status=status, upcoming=upcoming)
    if form.is_bound and not form.is_valid():
        registrations = registrations.none()
    if name:
        registrations = registrations.filter(
            Q(participant__full_name__icontains=name) | Q(participant__preferred_name__icontains=name)
        )
    if upcoming is False:
        registrations = registrations.order_by("-session__starts_at", "participant__full_name", "pk")
    page_obj = paginate(request, registrations)
    context = {
        "form": form,
        "page_obj": page_obj,
        "registrations": page_obj.object_list,
        "query_string": query_string_without_page(request),
        "is_admin": bool(roles.admin_district_ids),
        "now": timezone.now(),
    }
    return render(request, "learning/people_registrations.html", context)


@login_required
@require_GET
def transcript_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_transcript(request.user, pk)
    return render_transcript(request, person, own=person.pk == request.user.pk)


# The credit rule --------------------------------------------------------------------------------


def _policy_of(request: HttpRequest) -> tuple[Organization, m.LearningPolicy]:
    """The organization whose policy the page shows, and the policy: ``?org=<id>``, else the district
    chosen on the district pages, else the admin's service center. 404 for anyone else's organization."""
    roles = roles_of(request.user)
    if not (roles.admin_district_ids or roles.sc_admin_ids):
        raise PermissionDenied
    org_pk = request.GET.get("org")
    if org_pk is None:
        org_pk = current_district(request).pk if roles.admin_district_ids else min(roles.sc_admin_ids)
    policy = access_policy(request.user, org_pk, write=True)
    return Organization.objects.get(pk=policy.organization_id), policy


@login_required
@require_http_methods(["GET", "POST"])
def policy_view(request: HttpRequest) -> HttpResponse:
    organization, policy = _policy_of(request)
    is_district = organization.kind == OrgKind.DISTRICT
    fields = POLICY_FIELDS if is_district else SERVICE_CENTER_POLICY_FIELDS
    initial = {name: getattr(policy, name) for name in fields}
    form = PolicyForm(request.POST if request.method == "POST" else None, initial=initial, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            s.policy_update(actor=request.user, organization=organization, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The professional-learning policy is saved."))
            return redirect(f"{request.path}?org={organization.pk}")
    roles = roles_of(request.user)
    managed = roles.admin_district_ids | roles.sc_admin_ids
    context = {
        "organization": organization,
        "policy": policy,
        "form": form,
        "is_district": is_district,
        "examples": [credit_for(minutes, policy) for minutes in EXAMPLE_MINUTES],
        "organizations": list(Organization.objects.filter(pk__in=managed).order_by("name")) if len(managed) > 1 else [],
    }
    return render(request, "learning/policy.html", context)
