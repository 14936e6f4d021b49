"""Writing to the audit log. Every service calls ``audit_record`` inside its transaction."""

import datetime
import decimal
import uuid

from django.db import models

from trellis.audit.models import AuditEntry


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of ``obj`` as JSON-safe data, for before/after."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name == "password":
            continue
        value = getattr(obj, field.attname)
        data[field.name] = _json_safe(value)
    return data


def _json_safe(value):
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    district=None,
    before: dict | None = None,
    after: dict | None = None,
    is_read: bool = False,
) -> AuditEntry:
    """Record one action. ``district`` defaults to the object's own district."""
    if district is None:
        district = _district_of(obj)
    changed_before, changed_after = _only_changes(before, after)
    label = str(obj)[:200]
    if getattr(obj, "AUDIT_HIDES_CONTENT", False):
        # Coaching content stays out of the log, which outlives the record and is read by admins:
        # the entry names the record and which fields changed, never their text.
        label = f"{obj._meta.verbose_name} #{obj.pk}"
        changed = sorted(set(changed_before or {}) | set(changed_after or {}))
        changed_before, changed_after = None, ({"changed": changed} if changed else None)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "email", "") or "",
        district=district,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=label,
        before=changed_before,
        after=changed_after,
        is_read=is_read,
    )


def audit_read(*, actor, obj: models.Model, district=None) -> AuditEntry:
    """Record that ``actor`` read sensitive content (coaching records)."""
    return audit_record(actor=actor, action="read", obj=obj, district=district, is_read=True)


def _district_of(obj):
    from trellis.orgs.models import Organization

    if isinstance(obj, Organization):
        return obj.district if obj.district_id else None
    district_id = getattr(obj, "district_id", None)
    return Organization(pk=district_id) if district_id else None


def _only_changes(before, after):
    """Keep only the keys whose values differ, so an update shows what changed."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
