"""Writes to coaching records and to the teacher's shares of them."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.audit.services import audit_record, snapshot
from trellis.coaching.models import CoachingNote, CoachingShare
from trellis.orgs.access import coached_teachers
from trellis.orgs.models import Membership, Role, active_on

NOTE_FIELDS = ["met_on", "title", "body", "next_steps"]


def _clean_note_fields(title: str, body: str, met_on: datetime.date) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the note a title.")
    if not body:
        errors["body"] = _("Write what you talked about.")
    if met_on > timezone.localdate():
        errors["met_on"] = _("The conversation cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    return title, body


def note_create(
    *, actor, teacher, title: str, body: str, next_steps: str = "", met_on: datetime.date | None = None
) -> CoachingNote:
    """A coach records a coaching conversation with a teacher on their caseload."""
    met_on = met_on or timezone.localdate()
    title, body = _clean_note_fields(title, body, met_on)
    if not coached_teachers_include(actor, teacher):
        raise ValidationError({"teacher": _("This teacher is not on your caseload.")})
    with transaction.atomic():
        note = CoachingNote.objects.create(
            district_id=teacher.district_id,
            coach=actor,
            teacher=teacher,
            met_on=met_on,
            title=title,
            body=body,
            next_steps=(next_steps or "").strip(),
        )
        audit_record(actor=actor, action="coaching_note.create", obj=note, after=snapshot(note, NOTE_FIELDS))
    return note


def coached_teachers_include(coach, teacher) -> bool:
    return coached_teachers(coach).filter(teacher_id=teacher.pk).exists()


def note_update(*, actor, note: CoachingNote, title: str, body: str, next_steps: str, met_on: datetime.date):
    title, body = _clean_note_fields(title, body, met_on)
    with transaction.atomic():
        locked = CoachingNote.objects.select_for_update().get(pk=note.pk)
        before = snapshot(locked, NOTE_FIELDS)
        locked.title, locked.body, locked.next_steps, locked.met_on = title, body, (next_steps or "").strip(), met_on
        locked.save()
        audit_record(
            actor=actor, action="coaching_note.update", obj=locked, before=before, after=snapshot(locked, NOTE_FIELDS)
        )
    return locked


def note_delete(*, actor, note: CoachingNote) -> None:
    with transaction.atomic():
        CoachingShare.objects.filter(
            content_type=ContentType.objects.get_for_model(CoachingNote), object_id=note.pk
        ).delete()
        audit_record(actor=actor, action="coaching_note.delete", obj=note, before=snapshot(note, ["title", "met_on"]))
        note.delete()


def leaders_of(teacher):
    """The campus leaders of the campuses where ``teacher`` currently teaches."""
    campuses = Membership.objects.filter(active_on(timezone.localdate()), person=teacher, role=Role.TEACHER).values(
        "organization_id"
    )
    leader_ids = Membership.objects.filter(
        active_on(timezone.localdate()), role=Role.CAMPUS_LEADER, organization__in=campuses
    ).values("person_id")
    return get_user_model().objects.filter(pk__in=leader_ids, is_active=True).exclude(pk=teacher.pk)


def share_create(*, actor, record, shared_with) -> CoachingShare:
    """The teacher shares one of their coaching records with one of their campus leaders."""
    if record.teacher_id != actor.pk:
        raise ValidationError(_("Only the teacher a record is about can share it."))
    if not leaders_of(actor).filter(pk=shared_with.pk).exists():
        raise ValidationError({"shared_with": _("You can share with a leader of your own campus only.")})
    ct = ContentType.objects.get_for_model(record)
    with transaction.atomic():
        existing = CoachingShare.objects.filter(
            content_type=ct, object_id=record.pk, shared_with=shared_with, revoked_at__isnull=True
        ).first()
        if existing:
            return existing
        share = CoachingShare.objects.create(
            district_id=record.district_id, teacher=actor, shared_with=shared_with, content_type=ct, object_id=record.pk
        )
        audit_record(
            actor=actor,
            action="coaching_share.create",
            obj=share,
            after={"record": f"{ct.model}:{record.pk}", "shared_with": shared_with.pk},
        )
    return share


def share_revoke(*, actor, share: CoachingShare) -> CoachingShare:
    if share.teacher_id != actor.pk:
        raise ValidationError(_("Only the teacher who shared a record can stop sharing it."))
    with transaction.atomic():
        locked = CoachingShare.objects.select_for_update().get(pk=share.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="coaching_share.revoke",
                obj=locked,
                before={"revoked_at": None},
                after={"revoked_at": locked.revoked_at.isoformat()},
            )
    return locked
