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

from trellis.coaching import models as m
from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.lib.rules import NOTHING, Rule, fetch
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


def relationship_q(user, prefix: str = "") -> Q:
    """Relationships ``user`` works in: as a member teacher, or as the coach who still supports a member."""
    members = m.RelationshipMember.objects.filter(relationship=OuterRef(prefix + "pk" if not prefix else prefix + "id"))
    as_teacher = Exists(members.filter(teacher=user))
    as_coach = Q(**{prefix + "coach": user}) & Q(Exists(members.filter(teacher__in=coached_teachers(user))))
    return Q(as_teacher) | as_coach


def relationship_coach_q(user, prefix: str = "") -> Q:
    members = m.RelationshipMember.objects.filter(relationship=OuterRef(prefix + "pk" if not prefix else prefix + "id"))
    return Q(**{prefix + "coach": user}) & Q(Exists(members.filter(teacher__in=coached_teachers(user))))


class RelationshipRule(Rule):
    """Coaching content: the teachers in it and the coach (while the coach still supports them)."""

    model = m.Relationship

    def view_filter(self, user) -> Q:
        return relationship_q(user)

    def change_filter(self, user) -> Q:
        return relationship_coach_q(user)


class _InRelationshipRule(Rule):
    """Rows that belong to a relationship follow its visibility; teachers and coach change them through services."""

    def view_filter(self, user) -> Q:
        return Q(relationship__in=m.Relationship.objects.filter(relationship_q(user)).values("pk"))

    def change_filter(self, user) -> Q:
        return self.view_filter(user)


class RelationshipMemberRule(_InRelationshipRule):
    model = m.RelationshipMember


class IntakeRule(Rule):
    """An intake is the teacher's own: in a group, the other members do not see it."""

    model = m.Intake

    def view_filter(self, user) -> Q:
        mine = Q(teacher=user) & Q(relationship__members__teacher=user)
        coaching = Q(relationship__in=m.Relationship.objects.filter(relationship_coach_q(user)).values("pk"))
        return mine | coaching

    def change_filter(self, user) -> Q:
        return self.view_filter(user)


class SessionSeriesRule(_InRelationshipRule):
    model = m.SessionSeries

    def change_filter(self, user) -> Q:
        return Q(relationship__in=m.Relationship.objects.filter(relationship_coach_q(user)).values("pk"))


class CoachingSessionRule(SessionSeriesRule):
    model = m.CoachingSession


class _TeacherOwnedRule(Rule):
    """A teacher's own growth records: the teacher and the coaches who support them."""

    teacher_path = "teacher"

    def view_filter(self, user) -> Q:
        return Q(**{self.teacher_path: user}) | Q(**{self.teacher_path + "__in": coached_teachers(user)})

    def change_filter(self, user) -> Q:
        return self.view_filter(user)


class GoalRule(_TeacherOwnedRule):
    model = m.Goal


class GoalDataPointRule(_TeacherOwnedRule):
    model = m.GoalDataPoint
    teacher_path = "goal__teacher"


class StrategyTrialRule(_TeacherOwnedRule):
    model = m.StrategyTrial
    teacher_path = "goal__teacher"


class CoachingStepRule(_TeacherOwnedRule):
    model = m.CoachingStep


class PracticeRoundRule(_TeacherOwnedRule):
    model = m.PracticeRound
    teacher_path = "step__teacher"


class PlacementRule(_TeacherOwnedRule):
    model = m.Placement

    def change_filter(self, user) -> Q:
        return Q(teacher=user)


class _SharedDataRule(Rule):
    """Cycle models and protocols: shipped ones for everyone signed in, a district's own for its people."""

    def view_filter(self, user) -> Q:
        # A facilitator uses the cycle models and protocols of the districts whose teachers they support.
        served = get_user_model().objects.filter(pk__in=coached_teachers(user)).values("district_id")
        return Q(district__isnull=True) | Q(district=user.district_id) | Q(district__in=served)

    def change_filter(self, user) -> Q:
        return Q(district__in=roles_of(user).admin_district_ids)


class CycleModelRule(_SharedDataRule):
    model = m.CycleModel


class ProtocolRule(_SharedDataRule):
    model = m.Protocol


class CoachingPolicyRule(Rule):
    model = m.CoachingPolicy

    def view_filter(self, user) -> Q:
        return Q(district=user.district_id) if user.district_id else NOTHING

    def change_filter(self, user) -> Q:
        return Q(district__in=roles_of(user).admin_district_ids)


def access_relationship(user, pk, *, write=False):
    qs = m.Relationship.objects.select_related("coach", "district", "cycle_model")
    return fetch(m.Relationship, user, pk, write=write, queryset=qs)


def access_session(user, pk, *, write=False):
    qs = m.CoachingSession.objects.select_related("relationship__coach", "relationship__district", "protocol", "series")
    return fetch(m.CoachingSession, user, pk, write=write, queryset=qs)


def access_goal(user, pk, *, write=False):
    return fetch(m.Goal, user, pk, write=write, queryset=m.Goal.objects.select_related("teacher", "relationship"))


def access_step(user, pk, *, write=False):
    qs = m.CoachingStep.objects.select_related(
        "teacher", "proposed_by", "library_step", "node", "source_observation", "follow_up_observation"
    )
    return fetch(m.CoachingStep, user, pk, write=write, queryset=qs)


def access_intake(user, pk, *, write=False):
    qs = m.Intake.objects.select_related("relationship__coach", "teacher", "framework_version__framework")
    return fetch(m.Intake, user, pk, write=write, queryset=qs)


def access_note(user, pk, *, write=False):
    qs = CoachingNote.objects.select_related("coach", "teacher")
    return fetch(CoachingNote, user, pk, write=write, queryset=qs)


def access_share(user, pk, *, write=False):
    return fetch(CoachingShare, user, pk, write=write, queryset=CoachingShare.objects.select_related("shared_with"))
