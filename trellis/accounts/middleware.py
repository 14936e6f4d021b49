"""Keep idle sessions rolling; enforce a district's rule that its administrators use two-factor authentication."""

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trellis.orgs.roles import roles_of

# Pages an admin still reaches before setting up an authenticator.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")


# The session key that holds when the session's expiry was last pushed forward (epoch seconds).
REFRESHED_AT = "_refreshed_at"


def mark_session_fresh(sender, request, user, **kwargs):
    """At sign-in the session is new (and saved anyway): its first page needs no extra write."""
    if hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())


class RefreshIdleSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE seconds without a request. Pushing the expiry forward on
    every request (SESSION_SAVE_EVERY_REQUEST) writes the session row on every page view; this writes
    it at most once per SESSION_REFRESH_SECONDS, so a session ends between AGE minus that and AGE
    seconds after its last request. Sits inside SessionMiddleware, which saves what is marked modified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A visitor with no session, or with a stale cookie (whose session loads empty), gets no new row.
        if session is not None and not session.is_empty() and session.keys():
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now
        return response


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
        if not roles_of(user).mfa_required_district_ids:
            return False
        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
