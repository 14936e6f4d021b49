"""Coaching sessions: a recurring schedule per relationship, and the sessions it produces.

A schedule expands into session rows (so each can be held, moved or cancelled on
its own) and into one recurring calendar event. A session remembers the start the
rule gave it (``occurrence_start``) so a moved session is sent to calendars as an
override of that occurrence, and a cancelled one as an exception date.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionSeries(models.Model):
    relationship = models.ForeignKey("coaching.Relationship", on_delete=models.CASCADE, related_name="series")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    first_start = models.DateTimeField(_("first session"))
    timezone = models.CharField(max_length=64)
    interval_weeks = models.PositiveSmallIntegerField(_("every (weeks)"), default=2)
    until = models.DateField(_("until"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    protocol = models.ForeignKey("coaching.Protocol", on_delete=models.PROTECT, related_name="+")
    skip_dates = models.JSONField(_("dates skipped"), default=list, blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: raised on every change.")
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session schedule")
        ordering = ["-created_at", "-id"]


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Missed")


class CoachingSession(models.Model):
    AUDIT_HIDES_CONTENT = True

    relationship = models.ForeignKey("coaching.Relationship", on_delete=models.CASCADE, related_name="sessions")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    series = models.ForeignKey(SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    occurrence_start = models.DateTimeField(null=True, blank=True, editable=False)
    protocol = models.ForeignKey(
        "coaching.Protocol", verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=30)
    location = models.CharField(_("where"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE of this session's own event.")
    # {"<step key>": "notes"}: one entry per protocol step.
    step_notes = models.JSONField(default=dict, blank=True)
    next_steps = models.TextField(_("next steps"), max_length=4000, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coaching session")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["relationship", "starts_at"], name="session_rel_start_idx"),
            models.Index(fields=["district", "status", "starts_at"], name="session_district_idx"),
            models.Index(fields=["status", "starts_at"], name="session_due_idx"),
        ]

    def __str__(self):
        return f"{_('coaching session')} #{self.pk}"

    @property
    def is_moved(self) -> bool:
        return self.occurrence_start is not None and self.occurrence_start != self.starts_at
