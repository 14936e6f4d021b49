"""Teacher-defined goals with a measure, data points over time, and strategy trials."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalKind(models.TextChoices):
    TEACHER_PRACTICE = "teacher_practice", _("My teaching practice")
    STUDENT_OUTCOME = "student_outcome", _("Student learning")
    PROFESSIONAL = "professional", _("Professional growth")


class GoalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    MET = "met", _("Met")
    REVISED = "revised", _("Revised")
    ABANDONED = "abandoned", _("Set aside")


class Goal(models.Model):
    AUDIT_HIDES_CONTENT = True

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="goals")
    relationship = models.ForeignKey(
        "coaching.Relationship", on_delete=models.SET_NULL, null=True, blank=True, related_name="goals"
    )
    kind = models.CharField(_("kind of goal"), max_length=20, choices=GoalKind.choices)
    statement = models.TextField(_("goal"), max_length=2000)
    nodes = models.ManyToManyField(
        "frameworks.FrameworkNode", verbose_name=_("framework areas"), blank=True, related_name="+"
    )
    measure = models.CharField(_("what we measure"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("e.g. % of students, minutes"))
    baseline = models.DecimalField(_("baseline"), max_digits=10, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2, null=True, blank=True)
    collection = models.CharField(_("how it is collected"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.DRAFT)
    revised_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions", editable=False
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["teacher", "status"], name="goal_teacher_status_idx")]

    def __str__(self):
        return f"{_('goal')} #{self.pk}"


class DataSource(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    STUDENT_WORK = "student_work", _("Student work")
    ASSESSMENT = "assessment", _("Assessment")
    SURVEY = "survey", _("Survey")
    SELF_REPORT = "self_report", _("Self-report")


class GoalDataPoint(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="data_points")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    recorded_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=20, choices=DataSource.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    observation = models.ForeignKey(
        "observations.Observation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data point")
        ordering = ["recorded_on", "id"]
        indexes = [models.Index(fields=["goal", "recorded_on"], name="datapoint_goal_idx")]


class TrialResult(models.TextChoices):
    WORKED = "worked", _("It worked")
    PARTLY = "partly", _("Partly")
    NOT_YET = "not_yet", _("Not yet")


class StrategyTrial(models.Model):
    """A strategy the teacher tried toward a goal: what happened, and what to change."""

    AUDIT_HIDES_CONTENT = True

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="trials")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    strategy = models.CharField(_("strategy I tried"), max_length=300)
    tried_on = models.DateField(_("when"))
    evidence = models.TextField(_("data I gathered about its effect"), max_length=4000)
    result = models.CharField(_("did it work?"), max_length=10, choices=TrialResult.choices)
    reflection = models.TextField(_("what I will keep or change"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("strategy trial")
        ordering = ["-tried_on", "-id"]
