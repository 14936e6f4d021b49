"""Trellis URL layout: one prefix per area, each app its own namespace."""

from django.contrib import admin
from django.urls import include, path, re_path

from trellis.accounts import views as account_views
from trellis.lib import errors

urlpatterns = [
    path("", account_views.home, name="home"),
    # A person's email address is managed by their district (by hand or from the roster), and sign-in by
    # emailed code is off: allauth's self-service email and login-code pages answer "not found".
    path("accounts/email/", errors.page_not_found, name="off-email"),
    re_path(r"^accounts/confirm-email/", errors.page_not_found, name="off-confirm-email"),
    re_path(r"^accounts/login/code/", errors.page_not_found, name="off-login-code"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("trellis.accounts.urls")),
    path("district/", include("trellis.orgs.urls")),
    path("coaching/", include("trellis.coaching.urls")),
    path("audit/", include("trellis.audit.urls")),
    path("frameworks/", include("trellis.frameworks.urls")),
    path("observations/", include("trellis.observations.urls")),
    path("rostering/", include("trellis.rostering.urls")),  # OneRoster imports, sync, district SSO
    path("learning/", include("trellis.learning.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "trellis.lib.errors.bad_request"
handler403 = "trellis.lib.errors.permission_denied"
handler404 = "trellis.lib.errors.page_not_found"
handler500 = "trellis.lib.errors.server_error"
