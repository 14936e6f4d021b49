"""Classroom observations: live evidence, real-time feedback, the one growth area, sharing; and check-ins.

Coaching observations sit behind the coaching firewall: the observer and the
teacher see the content (the teacher only once it is shared); leaders see that an
observation happened unless the teacher shares it with them.

Notes, tallies and feedback captured on a device carry a ``client_id`` made by
that device, so a batch sent twice (a retry after a dropped connection) is stored
once, and two devices adding notes to one observation never overwrite each other.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ObservationType(models.TextChoices):
    WALKTHROUGH = "walkthrough", _("Walkthrough")
    INFORMAL = "informal", _("Informal")
    FORMAL = "formal", _("Formal")
    VIDEO = "video", _("Video")
    PEER = "peer", _("Peer")
    SELF_REVIEW = "self_review", _("Self-review")


class Purpose(models.TextChoices):
    COACHING = "coaching", _("Coaching (non-evaluative)")
    EVALUATION = "evaluation", _("Evaluation")


class State(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared")
    DISCUSSED = "discussed", _("Discussed")
    CANCELLED = "cancelled", _("Cancelled")


class GradeBand(models.TextChoices):
    EARLY = "prek_2", _("Pre-K–2")
    ELEMENTARY = "3_5", _("Grades 3–5")
    MIDDLE = "6_8", _("Grades 6–8")
    HIGH = "9_12", _("Grades 9–12")
    ADULT = "adult", _("Adult learners")


class Observation(models.Model):
    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("observer"), on_delete=models.PROTECT, related_name="observations_made"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="observations"
    )
    campus = models.ForeignKey(
        "orgs.Organization", verbose_name=_("campus"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=20, choices=ObservationType.choices, default=ObservationType.INFORMAL)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.COACHING)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED)
    class_name = models.CharField(_("class"), max_length=120, blank=True)
    subject = models.CharField(_("subject"), max_length=120, blank=True)
    grade_band = models.CharField(_("grade band"), max_length=10, choices=GradeBand.choices, blank=True)
    lesson_objective = models.TextField(_("lesson objective"), max_length=2000, blank=True)
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion",
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    focus_nodes = models.ManyToManyField("frameworks.FrameworkNode", blank=True, related_name="+")
    focus_step = models.ForeignKey(
        "frameworks.ActionStep",
        verbose_name=_("current action step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # After the visit: the one highest-leverage growth area and the proposed action step.
    growth_node = models.ForeignKey(
        "frameworks.FrameworkNode",
        verbose_name=_("highest-leverage growth area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    growth_rationale = models.TextField(_("why this area"), max_length=5000, blank=True)
    proposed_step = models.ForeignKey(
        "frameworks.ActionStep",
        verbose_name=_("proposed action step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_step_text = models.TextField(_("proposed action step (own words)"), max_length=2000, blank=True)
    strengths_summary = models.TextField(_("strengths to keep"), max_length=5000, blank=True)
    ratings_enabled = models.BooleanField(_("rate on the continuum"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    teacher_reflection = models.TextField(_("teacher's reflection"), max_length=5000, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["district", "-created_at"], name="obs_district_idx"),
            models.Index(fields=["observer", "state", "-created_at"], name="obs_observer_idx"),
            # The teachers an observer has seen (the list's filter), and their latest visit to each.
            models.Index(fields=["observer", "teacher", "-created_at"], name="obs_observer_teacher_idx"),
            models.Index(fields=["teacher", "-created_at"], name="obs_teacher_idx"),
            models.Index(fields=["campus", "-created_at"], name="obs_campus_idx"),
        ]

    def __str__(self):
        return (
            f"{self.get_kind_display()} · {self.teacher} · {self.created_at:%Y-%m-%d}"
            if self.created_at
            else "observation"
        )

    @property
    def is_open_for_capture(self) -> bool:
        return self.state in (State.PLANNED, State.IN_PROGRESS, State.DRAFT)


class Valence(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    GROWTH = "growth", _("Growth")
    NEUTRAL = "neutral", _("Neutral")


class EvidenceNote(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="notes")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.UUIDField(help_text="Made by the capturing device; makes a re-sent note a no-op.")
    at = models.DateTimeField(_("time"))
    text = models.TextField(_("note"), max_length=4000)
    valence = models.CharField(_("kind"), max_length=10, choices=Valence.choices, default=Valence.NEUTRAL)
    nodes = models.ManyToManyField("frameworks.FrameworkNode", blank=True, related_name="+")
    step = models.ForeignKey(
        "frameworks.ActionStep", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit; an edit based on an older revision is refused."
    )
    deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["observation", "at"], name="note_obs_at_idx")]
        constraints = [models.UniqueConstraint(fields=["observation", "client_id"], name="note_unique_client_id")]


class TallyCounter(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="tallies")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    label = models.CharField(_("what is counted"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["observation", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["observation", "label"], name="tally_unique_label")]


class TallyMark(models.Model):
    """One tap on a counter (+1 or -1). The count is the sum, so taps from two devices add up."""

    counter = models.ForeignKey(TallyCounter, on_delete=models.CASCADE, related_name="marks")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    client_id = models.UUIDField()
    delta = models.SmallIntegerField(default=1)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["counter", "client_id"], name="mark_unique_client_id")]


class FeedbackMode(models.TextChoices):
    CUE = "cue", _("Non-verbal cue")
    WHISPER = "whisper", _("Whispered prompt")
    MODEL = "model", _("Modelled or stepped in")
    NOTE = "note", _("Written note")


class FeedbackEvent(models.Model):
    """Feedback given in the moment during the visit, against the action step it served."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="feedback_events")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    client_id = models.UUIDField()
    at = models.DateTimeField()
    mode = models.CharField(_("how"), max_length=10, choices=FeedbackMode.choices)
    step = models.ForeignKey(
        "frameworks.ActionStep", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("what was said or done"), max_length=2000, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["observation", "client_id"], name="feedback_unique_client_id")]


class EvidenceFile(models.Model):
    """A photo or document attached as evidence; served only through an access-checked view."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="files")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Rating(models.Model):
    """An optional placement on the continuum; off by default for coaching observations."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="ratings")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    node = models.ForeignKey("frameworks.FrameworkNode", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("frameworks.ScaleLevel", on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["observation", "node"], name="rating_unique_node")]


class CheckIn(models.Model):
    """A recurring check-in on priorities, progress on action steps and goals, alignment and blockers."""

    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins_held")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_ins")
    held_on = models.DateField(_("date"))
    priorities = models.TextField(_("priorities"), max_length=4000)
    progress = models.TextField(_("progress on action steps and goals"), max_length=4000, blank=True)
    alignment_notes = models.TextField(_("how action steps serve the priorities"), max_length=4000, blank=True)
    blockers = models.TextField(_("blockers"), max_length=4000, blank=True)
    next_check_in = models.DateField(_("next check-in"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["coach", "teacher", "-held_on"], name="checkin_pair_idx"),
            models.Index(fields=["teacher", "-held_on"], name="checkin_teacher_idx"),
        ]


class CheckInCadence(models.Model):
    """How often a coach checks in with a teacher (default from settings when absent)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=14)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coach", "teacher"], name="cadence_unique_pair")]


class Notice(models.Model):
    """An in-app notice (the bell): e.g. "Your coach shared an observation"."""

    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread_idx", condition=Q(read_at=None)),
        ]
