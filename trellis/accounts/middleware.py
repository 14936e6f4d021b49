"""Enforce a district's rule that its administrators use two-factor authentication."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trellis.orgs.models import Organization
from trellis.orgs.roles import roles_of

# Pages an admin still reaches before setting up an authenticator.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")


class RequireAdminMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.warning(
                request, _("Your district requires administrators to use an authenticator app. Set one up to continue.")
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up_mfa(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_ALLOWED_PREFIXES):
            return False
        admin_of = roles_of(user).admin_district_ids
        if not admin_of:
            return False
        if not Organization.objects.filter(pk__in=admin_of, require_admin_mfa=True).exists():
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
