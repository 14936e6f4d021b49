"""The coaching firewall for observations.

- The observer reads and works on their observation (a facilitator only while
  the teacher's district grants access).
- The teacher reads it once it is shared with them (nothing before).
- A campus leader reads a coaching observation's content only while the teacher
  shares it with them; otherwise leaders see that it happened (``happened_at``
  selectors), never what was written.
- District admins see counts, not content.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from trellis.coaching.access import shared_with
from trellis.lib.rules import Rule, fetch
from trellis.observations import models as m
from trellis.orgs.access import coached_teachers, people_at
from trellis.orgs.roles import roles_of

VISIBLE_TO_TEACHER = (m.State.SHARED, m.State.DISCUSSED)
EDITABLE_STATES = (m.State.PLANNED, m.State.IN_PROGRESS, m.State.DRAFT)


def observation_content_q(user) -> Q:
    """Observations whose content ``user`` may read, as a filter."""
    own = Q(observer=user)
    if user.service_center_id:
        own &= Q(teacher__in=coached_teachers(user))
    result = own | Q(teacher=user, state__in=VISIBLE_TO_TEACHER)
    roles = roles_of(user)
    if roles.is_campus_leader:
        led = get_user_model().objects.filter(people_at(roles.leader_campus_ids)).values("pk")
        result |= shared_with(user, m.Observation) & Q(teacher__in=led, state__in=VISIBLE_TO_TEACHER)
    return result


class ObservationRule(Rule):
    model = m.Observation

    def view_filter(self, user) -> Q:
        return observation_content_q(user)

    def change_filter(self, user) -> Q:
        own = Q(observer=user)
        if user.service_center_id:
            own &= Q(teacher__in=coached_teachers(user))
        return own


class _ObservationPartRule(Rule):
    """Parts of an observation follow the observation's own visibility."""

    def view_filter(self, user) -> Q:
        return Q(observation__in=m.Observation.objects.filter(observation_content_q(user)).values("pk"))

    def change_filter(self, user) -> Q:
        return Q(observation__in=m.Observation.objects.filter(ObservationRule().change_filter(user)).values("pk"))


class EvidenceNoteRule(_ObservationPartRule):
    model = m.EvidenceNote


class TallyCounterRule(_ObservationPartRule):
    model = m.TallyCounter


class FeedbackEventRule(_ObservationPartRule):
    model = m.FeedbackEvent


class EvidenceFileRule(_ObservationPartRule):
    model = m.EvidenceFile


class RatingRule(_ObservationPartRule):
    model = m.Rating


class TallyMarkRule(Rule):
    model = m.TallyMark

    def view_filter(self, user) -> Q:
        return Q(counter__in=m.TallyCounter.objects.filter(TallyCounterRule().view_filter(user)).values("pk"))


class CheckInRule(Rule):
    """Check-ins are coaching content: the coach who holds them (while supporting the teacher) and the teacher."""

    model = m.CheckIn

    def view_filter(self, user) -> Q:
        return Q(teacher=user) | Q(coach=user, teacher__in=coached_teachers(user))

    def change_filter(self, user) -> Q:
        return Q(coach=user, teacher__in=coached_teachers(user))


class CheckInCadenceRule(CheckInRule):
    model = m.CheckInCadence


class NoticeRule(Rule):
    model = m.Notice

    def view_filter(self, user) -> Q:
        return Q(recipient=user)

    def change_filter(self, user) -> Q:
        return Q(recipient=user)


def access_observation(user, pk, *, write=False):
    qs = m.Observation.objects.select_related(
        "teacher", "observer", "campus", "framework_version__framework", "focus_step", "growth_node", "proposed_step"
    )
    return fetch(m.Observation, user, pk, write=write, queryset=qs)


def access_evidence_file(user, pk):
    return fetch(m.EvidenceFile, user, pk, queryset=m.EvidenceFile.objects.select_related("observation"))


def access_check_in(user, pk, *, write=False):
    return fetch(m.CheckIn, user, pk, write=write, queryset=m.CheckIn.objects.select_related("teacher", "coach"))


def may_observe(observer, teacher) -> bool:
    """Whom a person may observe: teachers they support, teachers on campuses they lead, or themselves."""
    if observer.pk == teacher.pk:
        return True
    if coached_teachers(observer).filter(teacher_id=teacher.pk).exists():
        return True
    roles = roles_of(observer)
    if roles.is_campus_leader:
        return get_user_model().objects.filter(people_at(roles.leader_campus_ids), pk=teacher.pk).exists()
    return False
