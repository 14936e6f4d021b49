"""A district's coaching policy: the cadence and action-step defaults its coaching relationships start from."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import CoachingPolicy
from trellis.orgs.models import OrgKind
from trellis.orgs.roles import roles_of

__all__ = ["POLICY_FIELDS", "POLICY_LIMITS", "policy_update"]

# field -> (lowest, highest) allowed value.
POLICY_LIMITS = {
    "meetings_per_month": (1, 8),
    "meeting_minutes": (10, 120),
    "max_open_steps": (1, 2),
    "follow_up_days": (1, 30),
}
POLICY_FIELDS = list(POLICY_LIMITS)


def policy_update(*, actor, district, **fields) -> CoachingPolicy:
    """A district admin sets the district's coaching defaults (a policy row is created on first save)."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"Not a coaching policy field: {sorted(unknown)}")
    if district.kind != OrgKind.DISTRICT or district.pk not in roles_of(actor).admin_district_ids:
        raise ValidationError(_("Only an administrator of this district changes its coaching policy."))
    errors = {}
    for name, value in fields.items():
        low, high = POLICY_LIMITS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, created = CoachingPolicy.objects.select_for_update().get_or_create(district=district)
        before = None if created else snapshot(policy, POLICY_FIELDS)
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save()
        audit_record(
            actor=actor,
            action="coaching_policy.update",
            obj=policy,
            district=district,
            before=before,
            after=snapshot(policy, POLICY_FIELDS),
        )
    return policy
