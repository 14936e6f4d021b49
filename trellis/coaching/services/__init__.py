"""Writes for coaching. Each module covers one part of the loop; names are re-exported here."""

from trellis.coaching.services.goals import *  # noqa: F403
from trellis.coaching.services.library import *  # noqa: F403
from trellis.coaching.services.notes import (  # noqa: F401
    coached_teachers_include,
    leaders_of,
    note_create,
    note_delete,
    note_update,
    share_create,
    share_revoke,
)
from trellis.coaching.services.policy import *  # noqa: F403
from trellis.coaching.services.relationships import *  # noqa: F403
from trellis.coaching.services.schedule import *  # noqa: F403
from trellis.coaching.services.steps import *  # noqa: F403
