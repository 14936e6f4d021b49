"""The coaching firewall.

Coaching content is visible to the teacher it is about and to the coach who
currently supports that teacher (a facilitator only while the teacher's district
grants access). A campus leader reads a record only while the teacher shares it
with them and they still lead the teacher's campus. No other role, district
admins included, reads coaching content; they see counts through selectors.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.lib.rules import Rule, fetch
from trellis.orgs.access import coached_teachers, people_at
from trellis.orgs.roles import roles_of


def shared_with(user, model) -> Q:
    """Records of ``model`` the teacher currently shares with ``user``."""
    shares = CoachingShare.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id=OuterRef("pk"),
        shared_with=user,
        revoked_at__isnull=True,
    )
    return Q(Exists(shares))


class CoachingNoteRule(Rule):
    model = CoachingNote

    def view_filter(self, user) -> Q:
        roles = roles_of(user)
        q = Q(teacher=user)
        if roles.is_coach or roles.is_facilitator:
            q |= Q(coach=user, teacher__in=coached_teachers(user))
        if roles.is_campus_leader:
            led = get_user_model().objects.filter(people_at(roles.leader_campus_ids)).values("pk")
            q |= shared_with(user, CoachingNote) & Q(teacher__in=led)
        return q

    def change_filter(self, user) -> Q:
        return Q(coach=user, teacher__in=coached_teachers(user))


class CoachingShareRule(Rule):
    model = CoachingShare

    def view_filter(self, user) -> Q:
        return Q(teacher=user) | Q(shared_with=user, revoked_at__isnull=True)

    def change_filter(self, user) -> Q:
        return Q(teacher=user)


def access_note(user, pk, *, write=False):
    qs = CoachingNote.objects.select_related("coach", "teacher")
    return fetch(CoachingNote, user, pk, write=write, queryset=qs)


def access_share(user, pk, *, write=False):
    return fetch(CoachingShare, user, pk, write=write, queryset=CoachingShare.objects.select_related("shared_with"))
