"""Writes a person makes to their own account."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.accounts.models import CalendarFeed
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


def calendar_feed_create(*, actor) -> str:
    """Make a new private calendar address for ``actor``; earlier ones stop working. Returns the token."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(person=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
        feed = CalendarFeed.objects.create(person=actor, token_hash=feed_token_hash(token))
        audit_record(actor=actor, action="calendar_feed.create", obj=feed, district=actor.district)
    return token


def calendar_feed_revoke(*, actor) -> int:
    """Stop every calendar address of ``actor``."""
    with transaction.atomic():
        feeds = list(CalendarFeed.objects.filter(person=actor, revoked_at__isnull=True))
        for feed in feeds:
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="calendar_feed.revoke", obj=feed, district=actor.district)
    return len(feeds)


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
