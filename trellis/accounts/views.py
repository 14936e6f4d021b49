"""The home page each person lands on, and their own account page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trellis.accounts.forms import ProfileForm
from trellis.accounts.services import profile_update
from trellis.orgs import selectors
from trellis.orgs.models import Organization
from trellis.orgs.roles import roles_of


@login_required
def home(request):
    """A role-aware home: every section the person's roles call for, most specific first."""
    roles = roles_of(request.user)
    context = {"roles": roles}
    if roles.is_district_admin:
        district = Organization.objects.filter(pk__in=roles.admin_district_ids).order_by("name").first()
        context["district"] = district
        context["overview"] = selectors.district_overview(district)
    if roles.is_service_center_admin:
        context["sc_overview"] = selectors.service_center_overview(roles.sc_admin_ids)
    if roles.is_campus_leader:
        context["leader"] = selectors.leader_home(request.user, roles.leader_campus_ids)
    if roles.is_coach or roles.is_facilitator:
        context["caseload"] = selectors.coach_caseload(request.user)
        if roles.is_facilitator:
            context["pending_access"] = selectors.facilitator_pending(request.user)
    if roles.is_teacher:
        context["mine"] = selectors.teacher_home(request.user)
    return render(request, "accounts/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(
        request.POST or None,
        initial={
            "full_name": request.user.full_name,
            "preferred_name": request.user.preferred_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your name is saved."))
            return redirect("accounts:profile")
    memberships = request.user.memberships.select_related("organization").order_by("-valid_from")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})
