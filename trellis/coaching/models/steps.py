"""A teacher's action steps: proposed from evidence, agreed, practised, implemented, followed up, mastered."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StepState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    PRACTISING = "practising", _("Practising")
    IMPLEMENTING = "implementing", _("Using it in class")
    FOLLOW_UP = "follow_up", _("Follow-up")
    MASTERED = "mastered", _("Mastered")
    SUPERSEDED = "superseded", _("Superseded")
    DROPPED = "dropped", _("Dropped")


OPEN_STATES = (StepState.AGREED, StepState.PRACTISING, StepState.IMPLEMENTING, StepState.FOLLOW_UP)


class CoachingStep(models.Model):
    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_steps")
    relationship = models.ForeignKey(
        "coaching.Relationship", on_delete=models.SET_NULL, null=True, blank=True, related_name="steps"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    library_step = models.ForeignKey(
        "frameworks.ActionStep",
        verbose_name=_("from the library"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("action step"), max_length=300)
    look_fors = models.TextField(_("what a follow-up visit should see"), max_length=2000, blank=True)
    node = models.ForeignKey(
        "frameworks.FrameworkNode",
        verbose_name=_("area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_observation = models.ForeignKey(
        "observations.Observation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=12, choices=StepState.choices, default=StepState.PROPOSED)
    agreed_at = models.DateTimeField(null=True, blank=True)
    follow_up_due = models.DateField(_("follow-up by"), null=True, blank=True)
    follow_up_observation = models.ForeignKey(
        "observations.Observation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mastery_evidence = models.ManyToManyField("observations.EvidenceNote", blank=True, related_name="+")
    mastery_note = models.TextField(_("what showed mastery"), max_length=2000, blank=True)
    mastered_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action step")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["teacher", "state"], name="cstep_teacher_state_idx"),
            models.Index(fields=["state", "follow_up_due"], name="cstep_due_idx"),
        ]

    def __str__(self):
        return f"{_('action step')} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RoundQuality(models.TextChoices):
    NOT_YET = "not_yet", _("Not yet")
    CLOSE = "close", _("Close")
    GOT_IT = "got_it", _("Got it")


class PracticeRound(models.Model):
    """One round of rehearsing the step, with the coach's feedback."""

    step = models.ForeignKey(CoachingStep, on_delete=models.CASCADE, related_name="rounds")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    session = models.ForeignKey(
        "coaching.CoachingSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField()
    scenario = models.CharField(_("what was rehearsed"), max_length=500, blank=True)
    feedback = models.TextField(_("feedback"), max_length=2000, blank=True)
    quality = models.CharField(_("how it went"), max_length=10, choices=RoundQuality.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practice round")
        ordering = ["step", "number"]
        constraints = [models.UniqueConstraint(fields=["step", "number"], name="round_unique_number")]
