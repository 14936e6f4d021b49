from django.urls import path

from trellis.observations import views

app_name = "observations"

urlpatterns = [
    # Observations
    path("", views.observation_list, name="list"),
    path("new/", views.observation_create, name="create"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("<int:pk>/edit/", views.observation_edit, name="edit"),
    path("<int:pk>/cancel/", views.observation_cancel_view, name="cancel"),
    # During the visit
    path("<int:pk>/capture/", views.capture, name="capture"),
    path("<int:pk>/sync/", views.capture_sync_view, name="sync"),
    path("<int:pk>/files/", views.evidence_upload, name="upload"),
    path("files/<int:pk>/", views.evidence_file, name="file"),
    path("<int:pk>/finish/", views.observation_finish_view, name="finish"),
    # After the visit
    path("<int:pk>/review/", views.observation_review, name="review"),
    path("<int:pk>/share/", views.observation_share_view, name="share"),
    path("<int:pk>/discussed/", views.observation_discussed_view, name="discussed"),
    # The teacher's side
    path("<int:pk>/acknowledge/", views.observation_acknowledge_view, name="acknowledge"),
    path("<int:pk>/sharing/", views.observation_share_with_leader, name="share-with-leader"),
    path("<int:pk>/sharing/<int:share_pk>/stop/", views.observation_share_revoke, name="share-revoke"),
    # Check-ins and the timeline
    path("check-ins/", views.check_in_list, name="checkins"),
    path("check-ins/<int:teacher_pk>/new/", views.check_in_create, name="checkin-create"),
    path("check-ins/<int:teacher_pk>/cadence/", views.cadence_view, name="cadence"),
    path("teachers/<int:teacher_pk>/timeline/", views.teacher_timeline, name="timeline"),
    # Notices
    path("notices/", views.notice_list, name="notices"),
]
