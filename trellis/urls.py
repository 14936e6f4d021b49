"""Trellis URL layout: one prefix per area, each app its own namespace."""

from django.contrib import admin
from django.urls import include, path

from trellis.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("trellis.accounts.urls")),
    path("district/", include("trellis.orgs.urls")),
    path("coaching/", include("trellis.coaching.urls")),
    path("audit/", include("trellis.audit.urls")),
    path("frameworks/", include("trellis.frameworks.urls")),
    path("observations/", include("trellis.observations.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "trellis.lib.errors.bad_request"
handler403 = "trellis.lib.errors.permission_denied"
handler404 = "trellis.lib.errors.page_not_found"
handler500 = "trellis.lib.errors.server_error"
