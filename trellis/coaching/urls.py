from django.urls import path

from trellis.coaching.views import dashboards, goals, library, notes, relationships, schedule, sessions, steps

app_name = "coaching"

urlpatterns = [
    # Notes
    path("notes/", notes.note_list, name="note-list"),
    path("notes/new/<int:teacher_pk>/", notes.note_create_view, name="note-create"),
    path("notes/<int:pk>/", notes.note_detail, name="note-detail"),
    path("notes/<int:pk>/edit/", notes.note_edit, name="note-edit"),
    path("notes/<int:pk>/delete/", notes.note_delete_view, name="note-delete"),
    # Sharing (the teacher's choice)
    path("notes/<int:pk>/share/", notes.note_share, name="note-share"),
    path("shares/<int:pk>/revoke/", notes.share_revoke_view, name="share-revoke"),
    # Relationships: agreement, consent, status, intake
    path("relationships/", relationships.relationship_list, name="relationship-list"),
    path("relationships/new/", relationships.relationship_create_view, name="relationship-create"),
    path("relationships/<int:pk>/", relationships.relationship_detail, name="relationship-detail"),
    path("relationships/<int:pk>/edit/", relationships.relationship_edit, name="relationship-edit"),
    path("relationships/<int:pk>/consent/", relationships.relationship_consent_view, name="relationship-consent"),
    path("relationships/<int:pk>/schedule/", schedule.schedule_create_view, name="schedule-create"),
    path(
        "relationships/<int:pk>/<str:action>/",
        relationships.relationship_status_view,
        name="relationship-status",
    ),
    path("relationships/<int:pk>/intake/<int:teacher_pk>/", relationships.intake_view, name="intake"),
    path("intakes/<int:pk>/focus/", relationships.intake_focus_view, name="intake-focus"),
    # Scheduling
    path("schedules/<int:pk>/stop/", schedule.schedule_stop_view, name="schedule-stop"),
    path("relationships/<int:pk>/sessions/new/", schedule.session_create_view, name="session-create"),
    path("sessions/<int:pk>/reschedule/", schedule.session_reschedule_view, name="session-reschedule"),
    path("sessions/<int:pk>/cancel/", schedule.session_cancel_view, name="session-cancel"),
    path("sessions/<int:pk>/invite.ics", schedule.session_ics, name="session-ics"),
    path("settings/", schedule.policy_view, name="policy"),
    # The session screen
    path("sessions/<int:pk>/", sessions.session_run, name="session-run"),
    path("sessions/<int:pk>/notes/", sessions.session_notes_view, name="session-notes"),
    path("sessions/<int:pk>/complete/", sessions.session_complete_view, name="session-complete"),
    path("sessions/<int:pk>/missed/", sessions.session_missed_view, name="session-missed"),
    # Action steps
    path("steps/new/", steps.step_create_view, name="step-create"),
    path("steps/<int:pk>/", steps.step_detail, name="step-detail"),
    path("steps/<int:pk>/practice/", steps.step_practice_view, name="step-practice"),
    path("steps/<int:pk>/follow-up/", steps.step_follow_up_view, name="step-follow-up"),
    path("steps/<int:pk>/<str:action>/", steps.step_action_view, name="step-action"),
    # Goals and strategy trials
    path("goals/new/", goals.goal_create_view, name="goal-create"),
    path("goals/<int:pk>/", goals.goal_detail, name="goal-detail"),
    path("goals/<int:pk>/edit/", goals.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/data/", goals.goal_data_view, name="goal-data"),
    path("goals/<int:pk>/trials/new/", goals.trial_create_view, name="trial-create"),
    path("goals/<int:pk>/<str:action>/", goals.goal_action_view, name="goal-action"),
    # The district's library of cycle models and protocols
    path("library/", library.library, name="library"),
    path("library/cycle-models/new/", library.cycle_model_edit, name="cycle-model-create"),
    path("library/cycle-models/<int:pk>/", library.cycle_model_edit, name="cycle-model-edit"),
    path("library/protocols/new/", library.protocol_edit, name="protocol-create"),
    path("library/protocols/<int:pk>/", library.protocol_edit, name="protocol-edit"),
    path("library/<str:kind>/<int:pk>/offered/", library.library_offer, name="library-offer"),
    # Dashboards
    path("caseload/", dashboards.caseload, name="caseload"),
    path("growth/", dashboards.my_growth, name="my-growth"),
    path("growth/placement/", dashboards.placement_create_view, name="placement-create"),
]
