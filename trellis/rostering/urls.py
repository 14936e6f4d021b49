from django.urls import path

from trellis.rostering import views

app_name = "rostering"

urlpatterns = [
    # OneRoster imports
    path("", views.import_list, name="import-list"),
    path("import/", views.import_upload, name="import-upload"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import-cancel"),
    # The scheduled sync
    path("sync/", views.schedule, name="schedule"),
    # Single sign-on
    path("sso/", views.sso_settings, name="sso-settings"),
    path("sso/find/", views.sso_find, name="sso-find"),
]
