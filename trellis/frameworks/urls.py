from django.urls import path

from trellis.frameworks import views

app_name = "frameworks"

urlpatterns = [
    # Frameworks
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.framework_detail, name="framework-detail"),
    path("<int:pk>/case.json", views.framework_export, name="framework-export"),
    path("<int:pk>/choose/", views.framework_choose_view, name="framework-choose"),
    # CASE import wizard
    path("import/", views.import_start, name="import"),
    path("import/<int:pk>/", views.import_preview, name="import-preview"),
    path("import/<int:pk>/cancel/", views.import_cancel, name="import-cancel"),
    # Action-step libraries
    path("libraries/", views.library_list, name="library-list"),
    path("libraries/<int:pk>/", views.library_detail, name="library-detail"),
    path("libraries/<int:pk>/choose/", views.library_choose_view, name="library-choose"),
    path("libraries/<int:pk>/copy/", views.library_copy_view, name="library-copy"),
    path("steps/<int:pk>/", views.step_detail, name="step-detail"),
    path("steps/<int:pk>/edit/", views.step_edit, name="step-edit"),
    path("steps/<int:pk>/exemplars/", views.exemplar_add_view, name="exemplar-add"),
]
