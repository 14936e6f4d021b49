"""Coaching relationships: a coach and one teacher (or a small group), their agreement and intake."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoachingPolicy(models.Model):
    """A district's coaching defaults; absent means the product defaults below."""

    district = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="coaching_policy", editable=False
    )
    meetings_per_month = models.PositiveSmallIntegerField(_("meetings a month"), default=2)
    meeting_minutes = models.PositiveSmallIntegerField(_("minutes a meeting"), default=30)
    max_open_steps = models.PositiveSmallIntegerField(
        _("open action steps per teacher"),
        default=2,
        help_text=_("How many action steps a teacher works on at once (1 or 2)."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("days to follow-up"), default=7, help_text=_("Follow-up is due this many days after a step is agreed.")
    )

    class Meta:
        verbose_name = _("coaching policy")


class RelationshipStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Relationship(models.Model):
    """A coach working with one teacher or a small group, under an agreement the teachers consent to."""

    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.PROTECT, related_name="relationships_led"
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RelationshipMember", related_name="coaching_relationships"
    )
    title = models.CharField(_("name"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RelationshipStatus.choices, default=RelationshipStatus.PROPOSED
    )
    cycle_model = models.ForeignKey(
        "coaching.CycleModel", verbose_name=_("cycle model"), on_delete=models.PROTECT, related_name="+"
    )
    norms = models.TextField(_("how we work together"), max_length=4000, blank=True)
    sharing = models.TextField(_("what is shared, and with whom"), max_length=4000, blank=True)
    meetings_per_month = models.PositiveSmallIntegerField(_("meetings a month"), null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(_("minutes a meeting"), null=True, blank=True)
    location = models.CharField(_("where we meet"), max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coaching relationship")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["coach", "status"], name="rel_coach_status_idx"),
            models.Index(fields=["district", "status"], name="rel_district_status_idx"),
        ]

    def __str__(self):
        return self.title or f"{_('coaching relationship')} #{self.pk}"


class RelationshipMember(models.Model):
    """A teacher in a relationship, with their recorded consent to its agreement."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="members")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["relationship", "teacher"], name="member_unique_teacher"),
        ]
        indexes = [models.Index(fields=["teacher"], name="member_teacher_idx")]


class Intake(models.Model):
    """The first meeting: what the teacher already knows and wants."""

    AUDIT_HIDES_CONTENT = True

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="intakes")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", verbose_name=_("framework"), on_delete=models.PROTECT, related_name="+"
    )
    strengths = models.TextField(_("strengths I bring"), max_length=4000, blank=True)
    interests = models.TextField(_("what I want to work on"), max_length=4000, blank=True)
    prior_pd = models.TextField(_("professional learning so far"), max_length=4000, blank=True)
    constraints = models.TextField(_("constraints (time, schedule, duties)"), max_length=4000, blank=True)
    preferred_times = models.CharField(_("preferred meeting times"), max_length=300, blank=True)
    focus_nodes = models.ManyToManyField(
        "frameworks.FrameworkNode", verbose_name=_("confirmed focus areas"), blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("intake")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["relationship", "teacher"], name="intake_unique_teacher")]


class PlacementSource(models.TextChoices):
    INTAKE = "intake", _("Intake")
    SELF = "self", _("Self-placement")


class Placement(models.Model):
    """Where a teacher places themselves on one component of the continuum, on a date."""

    AUDIT_HIDES_CONTENT = True

    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placements")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    node = models.ForeignKey("frameworks.FrameworkNode", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("frameworks.ScaleLevel", on_delete=models.PROTECT, related_name="+")
    placed_on = models.DateField()
    source = models.CharField(max_length=10, choices=PlacementSource.choices, default=PlacementSource.SELF)
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, null=True, blank=True, related_name="placements")

    class Meta:
        verbose_name = _("continuum placement")
        ordering = ["placed_on", "id"]
        indexes = [models.Index(fields=["teacher", "node", "placed_on"], name="placement_teacher_idx")]
