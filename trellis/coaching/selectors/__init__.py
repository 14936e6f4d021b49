"""Reads of coaching records that feed pages.

Every list goes through the coaching firewall (``rule_for(CoachingNote).visible``),
so a page can never show a note its reader may not read. Each function runs a
fixed number of queries whatever the data size.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef

from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.lib.rules import rule_for
from trellis.orgs.access import coached_teachers

User = get_user_model()


def _active_shares_of(note_ref):
    return CoachingShare.objects.filter(
        content_type=ContentType.objects.get_for_model(CoachingNote), object_id=note_ref, revoked_at__isnull=True
    )


def readable_notes(user, *, teacher=None):
    """The notes ``user`` may read, newest first, with the people the list shows.

    ``is_shared`` is true when the reader is the teacher and shares the note with
    someone; it is computed in the same query (an EXISTS per row) so the list
    stays one query per page. Other readers never learn whether a teacher shares.
    """
    qs = CoachingNote.objects.select_related("coach", "teacher").only(
        "id", "met_on", "title", "teacher__full_name", "teacher__preferred_name", "teacher__email",
        "coach__full_name", "coach__preferred_name", "coach__email", "teacher_id", "coach_id",
    )  # fmt: skip
    qs = rule_for(CoachingNote).visible(user, qs)
    if teacher is not None:
        qs = qs.filter(teacher=teacher)
    shared = _active_shares_of(OuterRef("pk")).filter(teacher=user)
    return qs.annotate(is_shared=Exists(shared)).order_by("-met_on", "-id")


def caseload_teachers(user):
    """The teachers ``user`` coaches today, for the teacher filter and links."""
    return User.objects.filter(pk__in=coached_teachers(user)).order_by("full_name", "id")


def shares_of_note(note, teacher):
    """The teacher's current shares of ``note``, with whom, oldest first."""
    return list(
        _active_shares_of(note.pk).filter(teacher=teacher).select_related("shared_with").order_by("created_at", "id")
    )


def share_to(note, reader):
    """The current share of ``note`` with ``reader``, if any (how a leader came to read it)."""
    return _active_shares_of(note.pk).filter(shared_with=reader).select_related("teacher").first()
