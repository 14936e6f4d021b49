"""A district's own cycle models and meeting protocols (shipped ones are read-only; a district copies them).

Phases and steps are data: a district names its own phases (e.g. its cycle's
"plan, teach, reflect") and writes its own protocols with prompts and time boxes.
A model or protocol in use is never deleted; it is no longer offered instead.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import CycleModel, Protocol, ProtocolPurpose
from trellis.coaching.services.common import clean_text
from trellis.orgs.roles import roles_of

__all__ = ["cycle_model_save", "protocol_save", "library_item_set_offered", "MAX_PHASES", "MAX_STEPS"]

MAX_PHASES = 8
MAX_STEPS = 10


def _require_admin(actor, district) -> None:
    if district.pk not in roles_of(actor).admin_district_ids:
        raise ValidationError(_("Only your district's administrators change its coaching models and protocols."))


def _unique_key(model, district, name: str, instance) -> str:
    base = slugify(name)[:50] or "custom"
    key, n = base, 2
    others = model.objects.filter(district=district)
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    while others.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def _clean_phases(phases: list[dict]) -> list[dict]:
    cleaned = []
    for item in phases:
        label = clean_text(item.get("label"))[:80]
        if not label:
            continue
        key = slugify(label)[:40] or f"phase-{len(cleaned) + 1}"
        if any(p["key"] == key for p in cleaned):
            raise ValidationError(
                {"phases": _("Two phases are called “%(label)s”: give each its own name.") % {"label": label}}
            )
        cleaned.append({"key": key, "label": label, "description": clean_text(item.get("description"))[:500]})
    if not cleaned:
        raise ValidationError({"phases": _("Name at least one phase.")})
    if len(cleaned) > MAX_PHASES:
        raise ValidationError({"phases": _("A cycle has at most %(n)s phases.") % {"n": MAX_PHASES}})
    return cleaned


def _clean_steps(steps: list[dict]) -> list[dict]:
    cleaned = []
    for item in steps:
        label = clean_text(item.get("label"))[:80]
        if not label:
            continue
        minutes = item.get("minutes")
        if minutes is None or not 1 <= int(minutes) <= 60:
            raise ValidationError({"steps": _("Give “%(label)s” a time box of 1 to 60 minutes.") % {"label": label}})
        key = slugify(label)[:40] or f"step-{len(cleaned) + 1}"
        if any(s["key"] == key for s in cleaned):
            raise ValidationError(
                {"steps": _("Two steps are called “%(label)s”: give each its own name.") % {"label": label}}
            )
        prompts = [clean_text(p)[:300] for p in (item.get("prompts") or []) if clean_text(p)][:6]
        cleaned.append(
            {
                "key": key,
                "label": label,
                "minutes": int(minutes),
                "prompts": prompts,
                "pulls": list(item.get("pulls") or []),
            }
        )
    if not cleaned:
        raise ValidationError({"steps": _("Write at least one step.")})
    if len(cleaned) > MAX_STEPS:
        raise ValidationError({"steps": _("A protocol has at most %(n)s steps.") % {"n": MAX_STEPS}})
    return cleaned


def _save(actor, model, district, item, fields: dict):
    """Create the district's own item, or update it; one audit entry either way."""
    with transaction.atomic():
        if item is None:
            key = _unique_key(model, district, fields["name"], None)
            item = model.objects.create(district=district, key=key, licence="", **fields)
            before, action = None, "create"
        else:
            before, action = snapshot(item, list(fields)), "update"
            for name, value in fields.items():
                setattr(item, name, value)
            item.save()
        audit_record(
            actor=actor,
            action=f"{model._meta.model_name.replace('cyclemodel', 'cycle_model')}.{action}",
            obj=item,
            before=before,
            after=snapshot(item, list(fields)),
        )
    return item


def cycle_model_save(
    *,
    actor,
    district,
    name: str,
    phases: list[dict],
    description: str = "",
    meetings_per_month: int = 2,
    meeting_minutes: int = 30,
    cycle_model: CycleModel | None = None,
) -> CycleModel:
    """Create or edit a district's own cycle model."""
    _require_admin(actor, district)
    if cycle_model is not None and cycle_model.district_id != district.pk:
        raise ValidationError(_("Shipped cycle models are read-only: make your district's own copy instead."))
    name = clean_text(name)[:120]
    errors = {}
    if not name:
        errors["name"] = _("Give the cycle model a name.")
    if not 1 <= meetings_per_month <= 8:
        errors["meetings_per_month"] = _("Choose 1 to 8 meetings a month.")
    if not 10 <= meeting_minutes <= 120:
        errors["meeting_minutes"] = _("Choose 10 to 120 minutes.")
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "description": clean_text(description)[:4000],
        "phases": _clean_phases(phases),
        "meetings_per_month": meetings_per_month,
        "meeting_minutes": meeting_minutes,
    }
    return _save(actor, CycleModel, district, cycle_model, fields)


def protocol_save(
    *,
    actor,
    district,
    name: str,
    purpose: str,
    steps: list[dict],
    description: str = "",
    protocol: Protocol | None = None,
) -> Protocol:
    """Create or edit a district's own meeting protocol."""
    _require_admin(actor, district)
    if protocol is not None and protocol.district_id != district.pk:
        raise ValidationError(_("Shipped protocols are read-only: make your district's own copy instead."))
    name = clean_text(name)[:120]
    errors = {}
    if not name:
        errors["name"] = _("Give the protocol a name.")
    if purpose not in ProtocolPurpose.values:
        errors["purpose"] = _("Choose what the protocol is for.")
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "purpose": purpose,
        "description": clean_text(description)[:4000],
        "steps": _clean_steps(steps),
    }
    return _save(actor, Protocol, district, protocol, fields)


def library_item_set_offered(*, actor, item: CycleModel | Protocol, offered: bool):
    """Offer a district's own model or protocol to its coaches, or stop offering it (kept for past use)."""
    if item.district_id is None:
        raise ValidationError(_("Shipped items are always offered; make your own copy to change one."))
    _require_admin(actor, item.district)
    with transaction.atomic():
        before = item.is_active
        item.is_active = offered
        item.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=f"{item._meta.model_name}.offered",
            obj=item,
            before={"is_active": before},
            after={"is_active": offered},
        )
    return item
