"""Forms of the participant, district and campus pages of professional learning.

They check the shape of the input (a date, a number, one of the offered choices); the
services in ``trellis.learning.services`` hold the rules, and their refusals are shown
on these forms.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trellis.learning import models as m

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date, for example 2026-09-15.")}


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# The catalogue ----------------------------------------------------------------------------------


def upcoming_months(count: int = 12) -> list[tuple[str, str]]:
    """("2026-09", "September 2026") for this month and the next ``count - 1``."""
    day = timezone.localdate().replace(day=1)
    months = []
    for _i in range(count):
        months.append((day.strftime("%Y-%m"), date_format(day, "F Y")))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


class CatalogueFilterForm(forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    month = forms.ChoiceField(label=_("Month"), required=False)

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs"))] + [(p.pk, p.title) for p in programs]
        self.fields["month"].choices = [("", _("Any month"))] + upcoming_months()

    def month_range(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        """The chosen month as [start, end) in the site's time zone, or None."""
        value = (getattr(self, "cleaned_data", None) or {}).get("month")
        if not value:
            return None
        year, month = (int(part) for part in value.split("-"))
        first = datetime.date(year, month, 1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
        return start, datetime.datetime.combine(following, datetime.time.min, tzinfo=zone)


# Registration -----------------------------------------------------------------------------------


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=_max(m.Registration, "reason"),
        help_text=_("Helps the facilitators plan; your district sees it too."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not approved"),
        max_length=_max(m.Registration, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The participant reads this in their email and on their learning page."),
        error_messages={"required": _("Tell the participant why, so they know what to do next.")},
    )


# Check-in ---------------------------------------------------------------------------------------


class CheckinForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        help_text=_("Six letters and digits, shown on the facilitator's screen."),
        error_messages={"required": _("Enter the code shown on the facilitator's screen.")},
        widget=forms.TextInput(
            attrs={
                "class": "code-input",
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "maxlength": "20",
            }
        ),
    )


# Surveys ----------------------------------------------------------------------------------------


YES_NO = [("yes", pgettext_lazy("survey answer", "Yes")), ("no", pgettext_lazy("survey answer", "No"))]


class SurveyForm(forms.Form):
    """One field per survey item, named ``item_<id>`` as the service expects."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = self._field(item)

    @staticmethod
    def _field(item: m.SurveyItem) -> forms.Field:
        errors = {"required": _("Answer this question.")}
        if item.kind == m.QuestionKind.SCALE:
            labels = list(item.scale_labels or [])
            choices = [
                (str(n), f"{n} · {labels[n - 1]}" if len(labels) >= n and labels[n - 1] else str(n))
                for n in range(1, 6)
            ]
            return forms.ChoiceField(
                label=item.text,
                choices=choices,
                required=item.required,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                error_messages={**errors, "invalid_choice": _("Choose a number from 1 to 5.")},
            )
        if item.kind == m.QuestionKind.YES_NO:
            return forms.ChoiceField(
                label=item.text,
                choices=YES_NO,
                required=item.required,
                widget=forms.RadioSelect(attrs={"class": "yes-no"}),
                error_messages={**errors, "invalid_choice": _("Answer yes or no.")},
            )
        return forms.CharField(
            label=item.text,
            required=item.required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages=errors,
        )

    def answers(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name.startswith("item_")}

    def rows(self):
        """(item, bound field) pairs, in the survey's order, for the template."""
        return [(item, self[f"item_{item.pk}"]) for item in self.items]


# Commitments ------------------------------------------------------------------------------------


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label=_("What I will try"),
        max_length=_max(m.Commitment, "text") or 1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One thing you will try in your classroom or on your campus, in a sentence or two."),
        error_messages={"required": _("Write what you will try.")},
    )
    due_on = forms.DateField(label=_("By (optional)"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    shared = forms.BooleanField(
        label=_("Share with the facilitators"),
        required=False,
        help_text=m.Commitment._meta.get_field("shared").help_text,
    )


class CommitmentEditForm(CommitmentForm):
    done = forms.BooleanField(label=_("I have tried it"), required=False)


# Districts and campuses -------------------------------------------------------------------------


class EnrolSearchForm(forms.Form):
    q = forms.CharField(label=_("Find people"), required=False, max_length=100)


class EnrolForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("People to register"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one person."),
            "invalid_choice": _("Choose people from the list."),
            "invalid_pk_value": _("Choose people from the list."),
        },
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people


WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + list(m.RegistrationStatus.choices)
    )
    when = forms.ChoiceField(label=_("When"), required=False, choices=WHEN_CHOICES)


class TranscriptFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    until = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS)

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Choose an end date on or after the start date."))
        return data


POLICY_FIELDS = [
    "approval_required",
    "minutes_per_hour",
    "hour_step",
    "rounding",
    "ceu_enabled",
    "credit_label",
    "sponsor_number",
]
# A service center's people do not register: it sets only the number printed on its certificates.
SERVICE_CENTER_POLICY_FIELDS = ["sponsor_number"]


class PolicyForm(forms.Form):
    def __init__(self, *args, fields=POLICY_FIELDS, **kwargs):
        super().__init__(*args, **kwargs)
        for name in fields:
            field = m.LearningPolicy._meta.get_field(name).formfield()
            if name == "rounding":
                field.widget = forms.RadioSelect(choices=field.choices)
                field.choices = [c for c in field.choices if c[0]]
            if name == "minutes_per_hour":
                # The model's limits, on the form too (a model field's validators do not carry over).
                field = forms.IntegerField(
                    label=field.label,
                    min_value=30,
                    max_value=120,
                    error_messages={
                        "required": _("Enter the minutes that make a clock hour, usually 60."),
                        "invalid": _("Enter a whole number of minutes."),
                        "min_value": _("Use at least 30 minutes per hour."),
                        "max_value": _("Use at most 120 minutes per hour."),
                    },
                )
            self.fields[name] = field
