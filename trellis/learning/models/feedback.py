"""Feedback and review: the question bank, post-session surveys, After Action Reviews, commitments.

Survey questions are data: a bank of items (a starter bank shipped with Trellis, and
items a district or service center writes), each tagged with its Guskey level. A
survey copies the items it uses, so editing or retiring a bank item never changes a
survey that people have already answered.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class GuskeyLevel(models.IntegerChoices):
    REACTIONS = 1, _("1 · Participants' reactions")
    LEARNING = 2, _("2 · Participants' learning")
    ORGANISATION = 3, _("3 · Organisation support and change")
    PRACTICE = 4, _("4 · Use of new knowledge and skills")
    STUDENTS = 5, _("5 · Student learning outcomes")


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale of 1 to 5")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Short answer")


class QuestionBankItem(models.Model):
    # Empty for the starter bank shipped with Trellis (read by everyone, changed by nobody).
    owner = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="learning_questions"
    )
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    key = models.CharField(max_length=80, blank=True, editable=False, help_text="Stable key of a shipped item.")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices)
    scale_labels = models.JSONField(_("labels of the scale"), default=list, blank=True)
    guskey_level = models.PositiveSmallIntegerField(_("Guskey level"), choices=GuskeyLevel.choices)
    construct = models.CharField(_("what it measures"), max_length=80, blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("question bank")
        ordering = ["guskey_level", "id"]
        indexes = [models.Index(fields=["owner", "is_active"], name="learn_question_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(owner=None) & ~Q(key=""), name="learn_question_unique_shipped_key"
            )
        ]

    def __str__(self):
        return self.text


class Survey(models.Model):
    """The short survey participants answer after a session."""

    session = models.OneToOneField("learning.Session", on_delete=models.PROTECT, related_name="survey")
    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    is_open = models.BooleanField(_("open for answers"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["owner"], name="learn_survey_owner_idx")]

    def __str__(self):
        return str(_("Survey · %(session)s") % {"session": self.session})


class SurveyItem(models.Model):
    """A question of one survey: a copy of the bank item it came from."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    position = models.PositiveSmallIntegerField(default=0)
    bank_item = models.ForeignKey(QuestionBankItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=QuestionKind.choices)
    scale_labels = models.JSONField(default=list, blank=True)
    guskey_level = models.PositiveSmallIntegerField(_("Guskey level"), choices=GuskeyLevel.choices)
    required = models.BooleanField(_("answer required"), default=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["survey_id", "position", "id"]

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    """One participant's answers. Only the respondent reads it; facilitators see aggregates."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["district"], name="learn_response_district_idx")]
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="learn_response_once")]

    def __str__(self):
        return str(_("Response #%(pk)s") % {"pk": self.pk})


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="answers")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    # 1 to 5 on a scale; 1 yes, 0 no. Stored as a number so results are aggregated in the database.
    number = models.SmallIntegerField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(5)])
    text = models.TextField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["item", "number"], name="learn_answer_item_idx")]
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="learn_answer_once")]

    def __str__(self):
        return str(_("Answer #%(pk)s") % {"pk": self.pk})


class ActionReview(models.Model):
    """After Action Review of a session: four questions, blameless, soon after the event."""

    session = models.OneToOneField("learning.Session", on_delete=models.PROTECT, related_name="review")
    owner = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    planned = models.TextField(_("What was supposed to happen?"), max_length=5000, blank=True)
    actual = models.TextField(_("What actually happened?"), max_length=5000, blank=True)
    why_different = models.TextField(_("Why was there a difference?"), max_length=5000, blank=True)
    lessons = models.TextField(_("What can we learn; what do we do next time?"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("After Action Review")
        verbose_name_plural = _("After Action Reviews")
        indexes = [models.Index(fields=["owner"], name="learn_review_owner_idx")]

    def __str__(self):
        return str(_("After Action Review · %(session)s") % {"session": self.session})


class ReviewPointKind(models.TextChoices):
    SUSTAIN = "sustain", _("Sustain")
    IMPROVE = "improve", _("Improve")


class ReviewPoint(models.Model):
    """Something to sustain or improve, with who takes it on and by when."""

    review = models.ForeignKey(ActionReview, on_delete=models.CASCADE, related_name="points")
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReviewPointKind.choices)
    text = models.CharField(_("what"), max_length=500)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    due_on = models.DateField(_("by"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("review point")
        verbose_name_plural = _("review points")
        ordering = ["review_id", "kind", "position", "id"]

    def __str__(self):
        return self.text


class Commitment(models.Model):
    """What a participant will try back on campus after a session."""

    # Private to the participant unless shared: the audit log names the row, not its text.
    AUDIT_HIDES_CONTENT = True

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_commitments"
    )
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", editable=False)
    session = models.ForeignKey("learning.Session", on_delete=models.PROTECT, related_name="commitments")
    text = models.TextField(_("what I will try"), max_length=1000)
    shared = models.BooleanField(
        _("share with the facilitators"),
        default=False,
        help_text=_("Facilitators always see how many commitments you made; the text only when you share it."),
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["participant", "-created_at"], name="learn_commit_participant_idx"),
            models.Index(fields=["session"], name="learn_commit_session_idx"),
            models.Index(fields=["district"], name="learn_commit_district_idx"),
        ]

    def __str__(self):
        return str(_("Commitment #%(pk)s") % {"pk": self.pk})
