from django.urls import path

from trellis.orgs import views

app_name = "orgs"

urlpatterns = [
    path("settings/", views.district_settings, name="district-settings"),
    # Campuses
    path("campuses/", views.campus_list, name="campus-list"),
    path("campuses/new/", views.campus_create, name="campus-create"),
    path("campuses/<int:pk>/", views.campus_detail, name="campus-detail"),
    path("campuses/<int:pk>/edit/", views.campus_edit, name="campus-edit"),
    path("campuses/<int:pk>/active/", views.campus_active, name="campus-active"),
    # People and their roles
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/active/", views.person_active, name="person-active"),
    path("people/<int:pk>/roles/new/", views.membership_create, name="membership-create"),
    path("roles/<int:pk>/end/", views.membership_end, name="membership-end"),
    # Caseloads
    path("caseloads/", views.caseload_list, name="caseload-list"),
    path("caseloads/new/", views.caseload_create, name="caseload-create"),
    path("caseloads/<int:pk>/end/", views.caseload_end, name="caseload-end"),
    # Service-center access grants
    path("service-centers/", views.grant_list, name="grant-list"),
    path("service-centers/new/", views.grant_create, name="grant-create"),
    path("service-centers/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
]
