from django.urls import path

from trellis.learning.views import district, participant, programs, running

app_name = "learning"

urlpatterns = [
    # Participants: the catalogue, registering, checking in, surveys, commitments, certificates
    path("", participant.catalogue, name="catalogue"),
    path("sessions/<int:pk>/", participant.session_detail, name="session"),
    path("sessions/<int:pk>/register/", participant.register, name="register"),
    path("cohorts/<int:pk>/register/", participant.register_series, name="register-series"),
    path("registrations/<int:pk>/cancel/", participant.registration_cancel_view, name="registration-cancel"),
    path("registrations/<int:pk>/invite.ics", participant.registration_ics, name="registration-ics"),
    path("mine/", participant.my_learning, name="my-learning"),
    path("transcript/", participant.my_transcript, name="my-transcript"),
    path("check-in/", participant.checkin_form, name="checkin-form"),
    path("check-in/<str:code>/", participant.checkin, name="checkin"),
    path("surveys/<int:pk>/", participant.survey_answer, name="survey"),
    path("sessions/<int:pk>/commitments/new/", participant.commitment_create_view, name="commitment-create"),
    path("commitments/<int:pk>/edit/", participant.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", participant.commitment_delete_view, name="commitment-delete"),
    path("certificates/<int:pk>/", participant.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", participant.certificate_pdf_view, name="certificate-pdf"),
    # Public: confirms a certificate from the code printed on it (anonymous allowed).
    path("verify/<str:code>/", participant.certificate_verify, name="verify"),
    # Districts and campuses: approvals, enrolling a team, their people's learning, the credit rule
    path("approvals/", district.approvals, name="approvals"),
    path("registrations/<int:pk>/approve/", district.registration_approve_view, name="registration-approve"),
    path("registrations/<int:pk>/decline/", district.registration_decline_view, name="registration-decline"),
    path("sessions/<int:pk>/enrol/", district.enrol, name="enrol"),
    path("people/", district.people_registrations_view, name="people-registrations"),
    path("people/<int:pk>/transcript/", district.transcript_view, name="transcript"),
    path("policy/", district.policy_view, name="policy"),
    # Program managers: programs, cohorts, sessions, invitations, certificates, question bank
    path("programs/", programs.program_list, name="program-list"),
    path("programs/new/", programs.program_create_view, name="program-create"),
    path("programs/<int:pk>/", programs.program_overview_view, name="program-overview"),
    path("programs/<int:pk>/edit/", programs.program_edit, name="program-edit"),
    path("programs/<int:pk>/cohorts/new/", programs.cohort_create_view, name="cohort-create"),
    path("programs/<int:pk>/<str:action>/", programs.program_action, name="program-action"),
    path("cohorts/<int:pk>/", programs.cohort_detail, name="cohort-detail"),
    path("cohorts/<int:pk>/edit/", programs.cohort_edit, name="cohort-edit"),
    path("cohorts/<int:pk>/invitations/", programs.cohort_invite, name="cohort-invite"),
    path("invitations/<int:pk>/withdraw/", programs.invitation_withdraw_view, name="invitation-withdraw"),
    path("cohorts/<int:pk>/sessions/new/", programs.session_create_view, name="session-create"),
    path("cohorts/<int:pk>/certificates/", programs.cohort_certificates, name="cohort-certificates"),
    path("certificates/<int:pk>/revoke/", programs.certificate_revoke_view, name="certificate-revoke"),
    path("questions/", programs.question_bank_view, name="question-bank"),
    path("questions/<int:pk>/retire/", programs.question_retire_view, name="question-retire"),
    # Facilitators: running a session
    path("sessions/<int:pk>/manage/", running.session_manage, name="session-manage"),
    path("sessions/<int:pk>/edit/", running.session_edit, name="session-edit"),
    path("sessions/<int:pk>/cancel/", running.session_cancel_view, name="session-cancel"),
    path("sessions/<int:pk>/materials/", running.session_materials, name="session-materials"),
    path("materials/<int:pk>/", running.material_download, name="material-download"),
    path("materials/<int:pk>/remove/", running.material_remove_view, name="material-remove"),
    path("sessions/<int:pk>/check-in-screen/", running.checkin_screen, name="checkin-screen"),
    path("sessions/<int:pk>/roster/", running.roster_update, name="roster-update"),
    path("sessions/<int:pk>/results/", running.session_results, name="session-results"),
    path("sessions/<int:pk>/survey/", running.survey_build, name="survey-build"),
    path("surveys/<int:pk>/<str:action>/", running.survey_action, name="survey-action"),
    path("sessions/<int:pk>/review/", running.review_view, name="review"),
    path("review-points/<int:pk>/remove/", running.review_point_remove_view, name="review-point-remove"),
]
