"""Writes a person makes to their own account."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot

PROFILE_FIELDS = ["full_name", "preferred_name"]


def profile_update(*, actor, full_name: str, preferred_name: str = ""):
    """A person changes how their name is shown."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": _("Enter your full name.")})
    with transaction.atomic():
        before = snapshot(actor, PROFILE_FIELDS)
        actor.full_name = full_name
        actor.preferred_name = (preferred_name or "").strip()
        actor.save(update_fields=PROFILE_FIELDS)
        audit_record(
            actor=actor,
            action="profile.update",
            obj=actor,
            district=actor.district,
            before=before,
            after=snapshot(actor, PROFILE_FIELDS),
        )
    return actor
