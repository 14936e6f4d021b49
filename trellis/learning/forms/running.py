"""Forms of the facilitators' pages: cancelling, materials, the roster, the survey, the After Action Review."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from trellis.learning import models as m
from trellis.learning.forms.programs import date_field, person_label, text_field, time_field
from trellis.learning.services.feedback import MAX_SURVEY_ITEMS
from trellis.lib.forms import interpolate_lazy


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=m.Session._meta.get_field("cancel_reason").max_length,
        required=False,
        help_text=_("Everyone registered reads it in their notice and email, for example “weather closure”."),
    )


class MaterialForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=m.Material._meta.get_field("title").max_length,
        help_text=_("What people see in the list, for example “Slides, day 2”."),
        error_messages={"required": _("Give the material a title.")},
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A shared folder, a video, a website."),
        error_messages={"invalid": _("Enter a full link, starting with https://.")},
    )
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("A PDF, an image, or a Word, PowerPoint or Excel file. Only registered participants download it."),
    )

    def clean(self):
        cleaned = super().clean()
        if "url" in self.errors or "file" in self.errors:
            return cleaned
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            self.add_error("url", _("Give a link or a file (one of the two)."))
        return cleaned


def _local_time(value, zone):
    return value.astimezone(zone).time().replace(second=0, microsecond=0) if value else None


def roster_row_values(registration, session) -> dict:
    """What a roster row's inputs show, under the names RosterRowForm reads back. The page draws
    these inputs itself: a form's widgets cost a template render each, over a hundred on a full page."""
    zone = session.zone
    arrived, left = _local_time(registration.arrived_at, zone), _local_time(registration.left_at, zone)
    return {
        "prefix": f"r{registration.pk}",
        "present": registration.checked_in_at is not None,
        "arrived": arrived.strftime("%H:%M") if arrived else "",
        "left": left.strftime("%H:%M") if left else "",
        "minutes": registration.minutes_attended,
    }


class RosterRowForm(forms.Form):
    """One participant on the roster: present or not, and when they arrived and left (or the minutes)."""

    present = forms.BooleanField(label=_("Present"), required=False)
    arrived = time_field(_("Arrived"), required=False)
    left = time_field(_("Left"), required=False)
    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number of minutes."),
            "min_value": _("Enter a whole number of minutes."),
        },
    )

    def __init__(self, *args, registration, session, **kwargs):
        zone = session.zone
        initial = {
            "present": registration.checked_in_at is not None,
            "arrived": _local_time(registration.arrived_at, zone),
            "left": _local_time(registration.left_at, zone),
            "minutes": registration.minutes_attended,
        }
        super().__init__(*args, prefix=f"r{registration.pk}", initial=initial, **kwargs)
        self.registration = registration
        self.session = session
        self.fields["minutes"].validators.append(
            MaxValueValidator(
                session.contact_minutes,
                message=interpolate_lazy(
                    _("Enter between 0 and %(max)s minutes (the session's contact minutes)."),
                    {"max": session.contact_minutes},
                ),
            )
        )
        self.fields["minutes"].widget.attrs["max"] = session.contact_minutes
        name = registration.participant.display_name
        self.fields["present"].widget.attrs["aria-label"] = interpolate_lazy(_("%(name)s is present"), {"name": name})
        for field, label in (
            ("arrived", _("%(name)s arrived at")),
            ("left", _("%(name)s left at")),
            ("minutes", _("Minutes %(name)s attended")),
        ):
            self.fields[field].widget.attrs["aria-label"] = interpolate_lazy(label, {"name": name})

    def adjustments(self) -> dict:
        """What to pass to ``attendance_adjust``: only what the facilitator changed."""
        changed, data = self.changed_data, self.cleaned_data
        day = self.session.local_start.date()
        found = {}
        if "arrived" in changed and data.get("arrived"):
            found["arrived_at"] = datetime.datetime.combine(day, data["arrived"])
        if "left" in changed and data.get("left"):
            found["left_at"] = datetime.datetime.combine(day, data["left"])
        if "minutes" in changed and data.get("minutes") is not None:
            found["minutes"] = data["minutes"]
        return found


class SurveyBuildForm(forms.Form):
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one question."),
            "invalid_choice": _("Choose questions from the bank shown."),
            "invalid_pk_value": _("Choose questions from the bank shown."),
        },
    )
    intro = forms.CharField(
        label=_("Introduction (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A line participants read first, for example “Two minutes: it shapes day 3.”"),
    )

    def __init__(self, *args, bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = bank

    def clean_questions(self):
        questions = self.cleaned_data["questions"]
        if len(questions) > MAX_SURVEY_ITEMS:
            raise forms.ValidationError(
                _("Keep it short: choose at most %(n)s questions (you chose %(chosen)s).")
                % {"n": MAX_SURVEY_ITEMS, "chosen": len(questions)}
            )
        return questions


class ReviewForm(forms.Form):
    planned = text_field(
        m.ActionReview,
        "planned",
        rows=5,
        help_text=_("The plan and what success looked like. It starts from the session's objectives."),
    )
    actual = text_field(m.ActionReview, "actual", rows=5, help_text=_("Facts in order, from several points of view."))
    why_different = text_field(m.ActionReview, "why_different", rows=5, help_text=_("Causes: what, not who. No blame."))
    lessons = text_field(
        m.ActionReview,
        "lessons",
        rows=5,
        help_text=_("List what to sustain and what to improve below, each with who takes it on."),
    )


class ReviewPointForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Sustain or improve"),
        choices=m.ReviewPointKind.choices,
        widget=forms.RadioSelect,
        initial=m.ReviewPointKind.SUSTAIN,
        error_messages={"required": _("Choose sustain or improve."), "invalid_choice": _("Choose sustain or improve.")},
    )
    text = forms.CharField(
        label=_("What"),
        max_length=500,
        error_messages={"required": _("Say what to sustain or improve.")},
    )
    responsible = forms.ModelChoiceField(
        label=_("Who takes it on"),
        queryset=None,
        required=False,
        empty_label=_("Someone else (type the name)"),
        error_messages={"invalid_choice": _("Choose one of the session's facilitators, or type a name.")},
    )
    responsible_name = forms.CharField(label=_("Or a name"), max_length=150, required=False)
    due_on = date_field(_("By (optional)"), required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff
        self.fields["responsible"].label_from_instance = person_label

    def clean(self):
        cleaned = super().clean()
        named = cleaned.get("responsible") or (cleaned.get("responsible_name") or "").strip()
        if not named and "responsible" not in self.errors:
            self.add_error("responsible", _("Name who takes it on: choose a facilitator or type a name."))
        return cleaned
