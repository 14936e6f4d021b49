"""Coaching notes, and the teacher's explicit shares of coaching records.

Coaching content belongs to the coach and the teacher (the coaching firewall).
A campus leader reads a record only while the teacher shares it with them; a
leader otherwise sees only that coaching happened (counts).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CoachingNote(models.Model):
    """A coach's record of a coaching conversation with a teacher."""

    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="notes_written"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="coaching_notes"
    )
    met_on = models.DateField(_("date of the conversation"), default=timezone.localdate)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("notes"), max_length=20000)
    next_steps = models.TextField(_("next steps"), max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        ordering = ["-met_on", "-id"]
        indexes = [
            models.Index(fields=["teacher", "-met_on"], name="note_teacher_idx"),
            models.Index(fields=["coach", "-met_on"], name="note_coach_idx"),
            models.Index(fields=["district", "met_on"], name="note_district_idx"),
        ]

    def __str__(self):
        return self.title


class CoachingShare(models.Model):
    """A teacher's share of one coaching record with one person (their campus leader)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_given")
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with"),
        on_delete=models.CASCADE,
        related_name="shares_received",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("coaching share")
        verbose_name_plural = _("coaching shares")
        indexes = [
            models.Index(fields=["content_type", "object_id", "shared_with"], name="share_record_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "shared_with"],
                condition=Q(revoked_at=None),
                name="share_one_active_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.teacher} → {self.shared_with}"
