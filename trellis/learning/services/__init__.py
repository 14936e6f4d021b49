"""Writes for professional learning. Every service is ``<entity>_<verb>(*, actor, ...)``:
one transaction, one audit entry (``learning.<entity>.<verb>``), emails and tasks after commit.

Errors: ``ValidationError`` for bad input, an illegal state change or someone who is not
eligible (messages in plain words, keyed by the field when there is one);
``PermissionDenied`` when the actor may not do this at all (views normally rule that
out first with the access helpers in ``trellis.learning.access``). ``actor=None`` is
system work (demo loader, imports): it skips the permission checks and the
registration window, never capacity.

Modules: ``programs`` (policy, programs, cohorts, invitations, sessions, materials),
``registration`` (registration, waiting list, approval, check-in, attendance),
``certificates``, ``feedback`` (question bank, surveys, After Action Reviews, commitments).
"""

from trellis.learning.services.certificates import (  # noqa: F401
    certificate_issue,
    certificate_issue_all,
    certificate_revoke,
)
from trellis.learning.services.feedback import (  # noqa: F401
    commitment_create,
    commitment_delete,
    commitment_update,
    question_create,
    question_retire,
    review_point_add,
    review_point_remove,
    review_start,
    review_update,
    survey_close,
    survey_create,
    survey_reopen,
    survey_respond,
)
from trellis.learning.services.programs import (  # noqa: F401
    cohort_create,
    cohort_set_facilitators,
    cohort_update,
    invitation_create,
    invitation_withdraw,
    material_add,
    material_remove,
    policy_update,
    program_archive,
    program_create,
    program_publish,
    program_update,
    session_cancel,
    session_create,
    session_set_facilitators,
    session_update,
)
from trellis.learning.services.registration import (  # noqa: F401
    Enrolment,
    attendance_adjust,
    attendance_check_in,
    attendance_mark,
    promote_waitlist,
    registration_approve,
    registration_bulk_create,
    registration_cancel,
    registration_create,
    registration_create_series,
    registration_decline,
    session_close_checkin,
    session_open_checkin,
)
