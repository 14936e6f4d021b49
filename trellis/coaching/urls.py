from django.urls import path

from trellis.coaching import views

app_name = "coaching"

urlpatterns = [
    # Notes
    path("notes/", views.note_list, name="note-list"),
    path("notes/new/<int:teacher_pk>/", views.note_create_view, name="note-create"),
    path("notes/<int:pk>/", views.note_detail, name="note-detail"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", views.note_delete_view, name="note-delete"),
    # Sharing (the teacher's choice)
    path("notes/<int:pk>/share/", views.note_share, name="note-share"),
    path("shares/<int:pk>/revoke/", views.share_revoke_view, name="share-revoke"),
]
