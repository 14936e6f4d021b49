"""Cycle models and meeting protocols: data, not code (shipped ones have no district)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CycleModel(models.Model):
    """How a coaching relationship runs: its phases and default cadence (e.g. model, name, practise)."""

    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    # [{"key": "see", "label": "See it", "description": "..."}]
    phases = models.JSONField(_("phases"), default=list)
    meetings_per_month = models.PositiveSmallIntegerField(_("meetings a month"), default=2)
    meeting_minutes = models.PositiveSmallIntegerField(_("minutes a meeting"), default=30)
    licence = models.CharField(_("licence"), max_length=120, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("cycle model")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="cycle_model_unique_key"),
            models.UniqueConstraint(fields=["key"], condition=Q(district=None), name="cycle_model_unique_shipped_key"),
        ]

    def __str__(self):
        return self.name


class ProtocolPurpose(models.TextChoices):
    INTAKE = "intake", _("Intake")
    FEEDBACK = "feedback", _("Feedback and practice")
    CHECK_IN = "check_in", _("Check-in")
    PLANNING = "planning", _("Planning")
    REFLECTING = "reflecting", _("Reflecting")
    OTHER = "other", _("Other")


class Protocol(models.Model):
    """A meeting protocol: ordered steps, each with prompts and a time box."""

    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ProtocolPurpose.choices)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    # [{"key": "see", "label": "See it", "prompts": ["..."], "minutes": 5, "pulls": ["evidence"]}]
    steps = models.JSONField(_("steps"), default=list)
    licence = models.CharField(_("licence"), max_length=120, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("meeting protocol")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="protocol_unique_key"),
            models.UniqueConstraint(fields=["key"], condition=Q(district=None), name="protocol_unique_shipped_key"),
        ]

    def __str__(self):
        return self.name

    @property
    def total_minutes(self) -> int:
        return sum(int(step.get("minutes") or 0) for step in self.steps)
