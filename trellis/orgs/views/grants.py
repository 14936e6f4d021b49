"""The district's access grants to service centers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trellis.lib.rules import rule_for
from trellis.orgs.access import access_grant
from trellis.orgs.forms import GrantForm
from trellis.orgs.models import AccessGrant, CaseloadAssignment, GrantStatus, active_on
from trellis.orgs.services import grant_create as create_grant
from trellis.orgs.services import grant_revoke as revoke_grant
from trellis.orgs.views.common import (
    add_service_error,
    current_district,
    listing,
    render_page,
    require_in_district,
)


@login_required
@require_GET
def grant_list(request):
    district = current_district(request)
    grants = AccessGrant.objects.filter(district=district).select_related("service_center", "granted_by")
    grants = rule_for(AccessGrant).visible(request.user, grants).prefetch_related("campuses")
    context = listing(request, grants.order_by("-valid_from", "-pk"))
    return render_page(request, district, "orgs/grant_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def grant_create(request):
    district = current_district(request)
    form = GrantForm(request.POST or None, district=district, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            grant = create_grant(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(center)s's facilitators can now work with the people this grant covers.")
                % {"center": grant.service_center.name},
            )
            return redirect("orgs:grant-list")
    return render_page(request, district, "orgs/grant_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request, pk):
    """GET explains what revoking does and asks "are you sure?"; POST revokes at once."""
    district = current_district(request)
    grant = access_grant(request.user, pk, write=True)
    require_in_district(grant.district_id, district)
    error = None
    if request.method == "POST":
        try:
            revoke_grant(actor=request.user, grant=grant)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("The grant is revoked. %(center)s's facilitators no longer have access.")
                % {"center": grant.service_center.name},
            )
            return redirect("orgs:grant-list")
    # How many current facilitator assignments in the district lose access, so the admin knows the effect.
    affected = (
        CaseloadAssignment.objects.filter(active_on(timezone.localdate()), district=district)
        .filter(coach__service_center=grant.service_center_id)
        .count()
    )
    context = {
        "grant": grant,
        "revoked": grant.status == GrantStatus.REVOKED,
        "affected": affected,
        "error": error,
    }
    return render_page(request, district, "orgs/grant_revoke.html", context, status=400 if error else 200)
