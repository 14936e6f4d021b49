"""Helpers shared by the coaching services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from trellis.coaching.models import CoachingPolicy
from trellis.observations.models import Notice
from trellis.orgs.access import coached_teachers


def policy_for(district_id) -> CoachingPolicy:
    """The district's coaching policy, or the product defaults when it has none."""
    return CoachingPolicy.objects.filter(district_id=district_id).first() or CoachingPolicy(district_id=district_id)


def coaches(coach, teacher) -> bool:
    """Whether ``coach`` currently supports ``teacher`` (caseload, and a grant for facilitators)."""
    return coached_teachers(coach).filter(teacher_id=teacher.pk).exists()


def require_coach_of(actor, teacher, field: str = "teacher") -> None:
    if not coaches(actor, teacher):
        raise ValidationError({field: _("%(name)s is not on your caseload.") % {"name": teacher.display_name}})


def move(obj, transitions: dict, action: str, words: dict, what: str) -> str:
    """Apply a named transition or refuse it in plain words; returns the state before."""
    allowed_from, target = transitions[action]
    if obj.state not in allowed_from:
        raise ValidationError(
            _("This %(what)s is %(state)s; it cannot be %(action)s now.")
            % {"what": what, "state": obj.get_state_display().lower(), "action": words[action]}
        )
    before = obj.state
    obj.state = target
    return before


def notify(recipient, *, text: str, url: str = "") -> None:
    Notice.objects.create(district_id=recipient.district_id, recipient=recipient, text=text[:300], url=url)


def clean_text(value: str | None) -> str:
    return (value or "").strip()
