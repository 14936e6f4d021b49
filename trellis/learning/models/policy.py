"""Per-organization settings for professional learning: approval and the credit rule.

One row per district (or service center); when there is no row the defaults apply
(``trellis.learning.credits.policy_for``). A district's row governs its own
participants wherever they learn: whether their registrations need the district's
approval, and how their minutes become clock hours and CEUs. An organization's
``sponsor_number`` is printed on certificates of the programs it runs (its provider or
approval number with the state).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class HourRounding(models.TextChoices):
    DOWN = "down", _("Round down")
    NEAREST = "nearest", _("Round to the nearest step")


HOUR_STEPS = [
    (Decimal("0.10"), _("a tenth of an hour")),
    (Decimal("0.25"), _("a quarter hour")),
    (Decimal("0.50"), _("a half hour")),
    (Decimal("1.00"), _("a whole hour")),
]


class LearningPolicy(models.Model):
    organization = models.OneToOneField(
        "orgs.Organization", verbose_name=_("organization"), on_delete=models.CASCADE, related_name="learning_policy"
    )
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    approval_required = models.BooleanField(
        _("registrations need the district's approval"),
        default=False,
        help_text=_("A district admin approves each registration of the district's people before it takes a seat."),
    )
    minutes_per_hour = models.PositiveSmallIntegerField(
        _("minutes per clock hour"), default=60, validators=[MinValueValidator(30), MaxValueValidator(120)]
    )
    hour_step = models.DecimalField(
        _("hours are counted in steps of"), max_digits=3, decimal_places=2, choices=HOUR_STEPS, default=Decimal("0.25")
    )
    rounding = models.CharField(_("rounding"), max_length=10, choices=HourRounding.choices, default=HourRounding.DOWN)
    ceu_enabled = models.BooleanField(
        _("show CEUs"), default=False, help_text=_("1 CEU = 10 contact hours, shown to one decimal.")
    )
    credit_label = models.CharField(
        _("name of the credit"), max_length=60, blank=True, help_text=_('For example "CPE hours". Empty: clock hours.')
    )
    sponsor_number = models.CharField(
        _("provider or approval number"),
        max_length=80,
        blank=True,
        help_text=_("Printed on certificates of the programs this organization runs."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("professional-learning policy")
        verbose_name_plural = _("professional-learning policies")
        indexes = [models.Index(fields=["district"], name="learn_policy_district_idx")]

    def __str__(self):
        return str(_("Professional-learning policy · %(org)s") % {"org": self.organization})

    @property
    def credit_name(self) -> str:
        return self.credit_label or str(_("clock hours"))
