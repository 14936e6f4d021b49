"""The district's own settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trellis.orgs.access import access_organization
from trellis.orgs.forms import DistrictSettingsForm
from trellis.orgs.services import organization_update
from trellis.orgs.views.common import add_service_error, current_district, render_page


@login_required
@require_http_methods(["GET", "POST"])
def district_settings(request):
    district = current_district(request)
    # Through the access helper too, so the write is authorised by the same rule as everywhere else.
    district = access_organization(request.user, district.pk, write=True)
    form = DistrictSettingsForm(
        request.POST or None,
        initial={"name": district.name, "timezone": district.timezone, "require_admin_mfa": district.require_admin_mfa},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(actor=request.user, organization=district, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The district settings are saved."))
            return redirect("orgs:district-settings")
    return render_page(request, district, "orgs/district_settings.html", {"form": form})
