"""The observation pages: list, plan, live capture, review, sharing, the read view, check-ins, timeline, notices.

Observations are fetched through ``trellis.observations.access`` (404 when the
reader may not see one, so its existence is not confirmed; 403 when they see it
but may not change it) and every change goes through one service in
``trellis.observations.services``. Reads that cross relations live in ``selectors``.
"""

from trellis.observations.views.capture import (
    capture,
    capture_sync_view,
    evidence_file,
    evidence_upload,
    observation_finish_view,
)
from trellis.observations.views.checkins import cadence_view, check_in_create, check_in_list, teacher_timeline
from trellis.observations.views.notices import notice_list
from trellis.observations.views.pages import (
    observation_acknowledge_view,
    observation_cancel_view,
    observation_create,
    observation_detail,
    observation_discussed_view,
    observation_edit,
    observation_list,
    observation_share_revoke,
    observation_share_with_leader,
)
from trellis.observations.views.review import observation_review, observation_share_view

__all__ = [
    "cadence_view",
    "capture",
    "capture_sync_view",
    "check_in_create",
    "check_in_list",
    "evidence_file",
    "evidence_upload",
    "notice_list",
    "observation_acknowledge_view",
    "observation_cancel_view",
    "observation_create",
    "observation_detail",
    "observation_discussed_view",
    "observation_edit",
    "observation_finish_view",
    "observation_list",
    "observation_review",
    "observation_share_revoke",
    "observation_share_view",
    "observation_share_with_leader",
    "teacher_timeline",
]
