"""Registrations (with their attendance) and certificates of completion.

A registration carries the participant's district, so the district sees its own
people's learning wherever it happens and never another district's.

Attendance lives on the registration: one row per person per session, so a second
check-in cannot create a second attendance. ``minutes_attended`` is the source of
truth for credit; hours and CEUs are derived from it by the participant's district's
rule (``trellis.learning.credits``) and snapshotted on certificates.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for district approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Not approved")


# A person holds at most one of these per session.
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class CheckinMethod(models.TextChoices):
    CODE = "code", _("Code or QR code")
    ROSTER = "roster", _("Marked by the facilitator")


class Registration(models.Model):
    session = models.ForeignKey("learning.Session", on_delete=models.PROTECT, related_name="registrations")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.PROTECT,
        related_name="learning_registrations",
    )
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    # Waiting-list order: first come, first served.
    queued_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True, help_text=_("Why it was declined or cancelled."))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Added to the session's SEQUENCE in this person's invitations, so a re-registration after a
    # cancellation outranks the CANCEL their calendar already holds (see trellis.learning.calendar).
    ics_offset = models.PositiveSmallIntegerField(default=0, editable=False)
    # Attendance.
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True, editable=False)
    checkin_method = models.CharField(max_length=10, choices=CheckinMethod.choices, blank=True, editable=False)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["session_id", "queued_at", "id"]
        indexes = [
            models.Index(fields=["session", "status", "queued_at"], name="learn_reg_session_idx"),
            models.Index(fields=["participant", "status"], name="learn_reg_participant_idx"),
            models.Index(fields=["district", "status"], name="learn_reg_district_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="learn_reg_one_active_per_person",
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.session}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None


def new_certificate_code() -> str:
    # 128 random bits: unguessable, so the verification page can be public.
    return secrets.token_urlsafe(16)


class Certificate(models.Model):
    """A certificate of completion of a cohort, with what it says frozen at issue time."""

    code = models.CharField(max_length=40, unique=True, default=new_certificate_code, editable=False)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_certificates"
    )
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    cohort = models.ForeignKey("learning.Cohort", on_delete=models.PROTECT, related_name="certificates")
    # The snapshot: a later change of name, title, minutes or credit rule does not alter an issued certificate.
    participant_name = models.CharField(_("name"), max_length=150)
    program_title = models.CharField(_("program"), max_length=200)
    cohort_name = models.CharField(_("cohort"), max_length=200)
    provider_name = models.CharField(_("provider"), max_length=200)
    sponsor_number = models.CharField(_("provider or approval number"), max_length=80, blank=True)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"))
    minutes = models.PositiveIntegerField(_("minutes"))
    clock_hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    credit_label = models.CharField(_("credit"), max_length=60)
    ceus = models.DecimalField(_("CEUs"), max_digits=6, decimal_places=1, null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["participant", "-issued_at"], name="learn_cert_participant_idx"),
            models.Index(fields=["district", "-issued_at"], name="learn_cert_district_idx"),
            models.Index(fields=["cohort"], name="learn_cert_cohort_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"], condition=Q(revoked_at=None), name="learn_cert_one_valid_per_cohort"
            )
        ]

    def __str__(self):
        return f"{self.participant_name} · {self.program_title}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
