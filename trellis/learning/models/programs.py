"""Programs, cohorts, sessions and their materials; invitations to invitation-only cohorts.

A program (say, a year-long literacy cohort) is run by a service center or a district.
It has one or more cohorts; a cohort's sessions form its series (a one-off workshop is a
cohort with one session). People register for sessions, each with its own capacity.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Program(models.Model):
    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="learning_programs"
    )
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    goals = models.TextField(_("goals"), max_length=5000, blank=True)
    frameworks = models.ManyToManyField(
        "frameworks.Framework", verbose_name=_("frameworks it targets"), blank=True, related_name="+"
    )
    # Intended outcomes, planned backwards from level 5 (Guskey).
    outcome_reactions = models.TextField(_("1 · participants' reactions"), max_length=2000, blank=True)
    outcome_learning = models.TextField(_("2 · participants' learning"), max_length=2000, blank=True)
    outcome_support = models.TextField(_("3 · organisation support and change"), max_length=2000, blank=True)
    outcome_practice = models.TextField(_("4 · use of new knowledge and skills"), max_length=2000, blank=True)
    outcome_students = models.TextField(_("5 · student learning outcomes"), max_length=2000, blank=True)
    completion_percent = models.PositiveSmallIntegerField(
        _("attendance needed for a certificate (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of a cohort's contact minutes a participant must attend to earn its certificate."),
    )
    status = models.CharField(_("status"), max_length=12, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The intended outcome per Guskey level, in level order.
    OUTCOME_FIELDS = [
        "outcome_reactions",
        "outcome_learning",
        "outcome_support",
        "outcome_practice",
        "outcome_students",
    ]

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="learn_program_owner_idx"),
            models.Index(fields=["district", "status"], name="learn_program_district_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def guskey_plan(self) -> list[tuple[int, str, str]]:
        """(level, label, intended outcome) for levels 1 to 5."""
        return [
            (level, self._meta.get_field(name).verbose_name, getattr(self, name))
            for level, name in enumerate(self.OUTCOME_FIELDS, start=1)
        ]


class RegistrationMode(models.TextChoices):
    OPEN = "open", _("Open to everyone the program serves")
    INVITATION = "invitation", _("By invitation only")


class Cohort(models.Model):
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="cohorts")
    # Copied from the program so access filters need no join.
    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    registration_mode = models.CharField(
        _("who may register"), max_length=12, choices=RegistrationMode.choices, default=RegistrationMode.OPEN
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="learning_cohorts_led"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["program"], name="learn_cohort_program_idx"),
            models.Index(fields=["owner"], name="learn_cohort_owner_idx"),
            models.Index(fields=["district"], name="learn_cohort_district_idx"),
        ]

    def __str__(self):
        return self.name


class Invitation(models.Model):
    """A person invited to an invitation-only cohort: they may register for its sessions."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The invitee's district.
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["cohort_id", "id"]
        indexes = [
            models.Index(fields=["person"], name="learn_invite_person_idx"),
            models.Index(fields=["district"], name="learn_invite_district_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["cohort", "person"], name="learn_invite_unique")]

    def __str__(self):
        return f"{self.person} → {self.cohort}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One meeting of a cohort, at a time (with its time zone) and a place or an online link."""

    cohort = models.ForeignKey(Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="sessions")
    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), max_length=5000, blank=True)
    objectives = models.TextField(
        _("objectives"), max_length=3000, blank=True, help_text=_("One per line. They open the After Action Review.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64)
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("Empty: no limit.")
    )
    contact_minutes = models.PositiveIntegerField(
        _("contact minutes"), help_text=_("The session's length without breaks and meals: what full attendance earns.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when the session starts.")
    )
    cancel_deadline = models.DateTimeField(
        _("participants may cancel until"), null=True, blank=True, help_text=_("Empty: until the session starts.")
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="learning_sessions_led"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    # iCalendar SEQUENCE: raised on every change of time or place, so calendars update their copy.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    checkin_code = models.CharField(_("check-in code"), max_length=12, blank=True, editable=False)
    checkin_opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["owner", "starts_at"], name="learn_session_owner_idx"),
            models.Index(fields=["cohort", "starts_at"], name="learn_session_cohort_idx"),
            models.Index(fields=["status", "starts_at"], name="learn_session_status_idx"),
            models.Index(fields=["district", "starts_at"], name="learn_session_district_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="learn_session_ends_after_start"),
            models.UniqueConstraint(
                fields=["checkin_code"], condition=~Q(checkin_code=""), name="learn_session_unique_checkin_code"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def objective_list(self) -> list[str]:
        return [line.strip(" -*•\t") for line in self.objectives.splitlines() if line.strip(" -*•\t")]

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def registration_deadline(self) -> datetime.datetime:
        return self.registration_closes_at or self.starts_at

    @property
    def cancellation_deadline(self) -> datetime.datetime:
        return self.cancel_deadline or self.starts_at

    @property
    def checkin_is_open(self) -> bool:
        return bool(self.checkin_code)


class Material(models.Model):
    """A handout, slide deck or link for a session: a file or a link, never both."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="learning/materials/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["session_id", "position", "id"]
        indexes = [models.Index(fields=["session", "position"], name="learn_material_session_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")), name="learn_material_file_or_link"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)
