"""Forms for the coaching cycle: the session screen, action steps, goals, trials and placements.

They check the shape of the input (a date, a number, one of the offered choices);
the services hold the rules and their refusals are shown on these forms.
"""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trellis.coaching.models import (
    CoachingSession,
    CoachingStep,
    DataSource,
    Goal,
    GoalDataPoint,
    GoalKind,
    PracticeRound,
    RoundQuality,
    StrategyTrial,
    TrialResult,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


DATE_ERRORS = {
    "required": _("Enter the date."),
    "invalid": _("Enter the date as a date, for example 2025-09-15."),
}


def _max(model, name):
    return model._meta.get_field(name).max_length


# The session screen ------------------------------------------------------------------------------------------------


class SessionCompleteForm(forms.Form):
    next_steps = forms.CharField(
        label=_("Next steps"),
        required=False,
        max_length=_max(CoachingSession, "next_steps"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the teacher (and you) will do before you meet again."),
    )


class PracticeRoundForm(forms.Form):
    quality = forms.ChoiceField(
        label=_("How did the round go?"),
        choices=RoundQuality.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the round went.")},
    )
    scenario = forms.CharField(
        label=_("What was rehearsed"),
        required=False,
        max_length=_max(PracticeRound, "scenario"),
        help_text=_("For example: the first two minutes of the lesson launch."),
    )
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        max_length=PracticeRound._meta.get_field("feedback").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Action steps ------------------------------------------------------------------------------------------------------


class StepProposeForm(forms.Form):
    library_step = forms.TypedChoiceField(
        label=_("From the library"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a step from the list shown.")},
    )
    title = forms.CharField(
        label=_("Action step, in your words"),
        required=False,
        max_length=_max(CoachingStep, "title"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One discrete, observable move the teacher can practise this week. "
            "Leave empty to use the library step's words."
        ),
    )
    look_fors = forms.CharField(
        label=_("Look-fors"),
        required=False,
        max_length=CoachingStep._meta.get_field("look_fors").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What a follow-up visit should see, one per line. The library step's look-fors are used if empty."),
    )
    node = forms.TypedChoiceField(
        label=_("Area"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose an area of your district's framework.")},
    )
    relationship = forms.ModelChoiceField(
        label=_("Coaching relationship"),
        queryset=None,
        required=False,
        empty_label=_("None (outside a relationship)"),
        error_messages={"invalid_choice": _("Choose one of your relationships with this teacher.")},
    )

    def __init__(self, *args, library_steps, areas, relationships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library_step"].choices = [("", _("None: I write my own"))] + [
            (step.pk, step.title) for step in library_steps
        ]
        self.fields["node"].choices = [("", _("No particular area"))] + list(areas)
        self.fields["relationship"].queryset = relationships
        self.fields["relationship"].label_from_instance = _relationship_label

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("library_step") and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("Write the action step, or choose one from the library."))
        return data


def _relationship_label(rel) -> str:
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    name = rel.title or gettext("Coaching since %(date)s") % {"date": date_format(rel.created_at, "M j, Y")}
    return f"{name} ({rel.get_status_display().lower()})"


class StepAgreeForm(forms.Form):
    follow_up_due = forms.DateField(
        label=_("Follow-up by"),
        widget=DATE_WIDGET,
        help_text=_("When your coach comes to see the step in class, usually within a week."),
        error_messages={
            "required": _("Enter the follow-up date."),
            "invalid": _("Enter the follow-up date as a date, for example 2025-09-15."),
        },
    )


class StepMasterForm(forms.Form):
    note = forms.CharField(
        label=_("What showed mastery (optional)"),
        required=False,
        max_length=CoachingStep._meta.get_field("mastery_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StepSupersedeForm(forms.Form):
    by = forms.ModelChoiceField(
        label=_("The step that takes priority (optional)"),
        queryset=None,
        required=False,
        empty_label=_("Not recorded"),
        error_messages={"invalid_choice": _("Choose another step of the same teacher.")},
    )

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = steps
        self.fields["by"].label_from_instance = lambda step: f"{step.title} ({step.get_state_display()})"


class FollowUpForm(forms.Form):
    observation = forms.TypedChoiceField(
        label=_("Follow-up observation"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the observation that followed the step up."),
            "invalid_choice": _("Choose one of the observations listed."),
        },
    )
    evidence = forms.TypedMultipleChoiceField(
        label=_("Evidence notes that show the look-fors"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose notes from the observation shown.")},
    )

    def __init__(self, *args, observations, notes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observation"].choices = [(o.pk, str(o.pk)) for o in observations]
        self.fields["evidence"].choices = [(n.pk, n.text[:80]) for n in notes]


# Goals -------------------------------------------------------------------------------------------------------------


class GoalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of goal"),
        choices=GoalKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of goal this is.")},
    )
    statement = forms.CharField(
        label=_("Goal"),
        max_length=Goal._meta.get_field("statement").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One sentence: what will be different, for whom, by when."),
        error_messages={"required": _("Write the goal in a sentence.")},
    )
    nodes = forms.TypedMultipleChoiceField(
        label=_("Framework areas"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose areas of your district's framework.")},
    )
    measure = forms.CharField(
        label=_("What we measure"),
        max_length=_max(Goal, "measure"),
        help_text=_("The number that will show progress, e.g. students who explain their reasoning in writing."),
        error_messages={"required": _("Say what you will measure to know the goal is met.")},
    )
    unit = forms.CharField(
        label=_("Unit"), required=False, max_length=_max(Goal, "unit"), help_text=_("e.g. % of students, minutes")
    )
    baseline = forms.DecimalField(
        label=_("Baseline (where things stand now)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages={"invalid": _("Enter the baseline as a number.")},
    )
    target = forms.DecimalField(
        label=_("Target"),
        required=False,
        max_digits=10,
        decimal_places=2,
        error_messages={"invalid": _("Enter the target as a number.")},
    )
    collection = forms.CharField(
        label=_("How it is collected"),
        required=False,
        max_length=_max(Goal, "collection"),
        help_text=_("e.g. exit tickets every Friday, scored with the class rubric"),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nodes"].choices = list(areas)
        if not areas:
            del self.fields["nodes"]


class DataPointForm(forms.Form):
    recorded_on = forms.DateField(
        label=_("Date"), widget=DATE_WIDGET, initial=timezone.localdate, error_messages=DATE_ERRORS
    )
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=10,
        decimal_places=2,
        error_messages={"required": _("Enter the number you measured."), "invalid": _("Enter a number.")},
    )
    source = forms.ChoiceField(
        label=_("Where the number comes from"),
        choices=[("", _("Choose…"))] + DataSource.choices,
        error_messages={"required": _("Choose where the number comes from.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=_max(GoalDataPoint, "note"))
    observation = forms.TypedChoiceField(
        label=_("From an observation (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the observations listed.")},
    )

    def __init__(self, *args, observations, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.formats import date_format

        self.fields["observation"].choices = [("", _("None"))] + [
            (o.pk, f"{o.get_kind_display()} · {date_format(o.started_at or o.created_at, 'M j, Y')}")
            for o in observations
        ]
        if not observations:
            # Nothing to link: the choice is hidden, and an id sent anyway is refused.
            self.fields["observation"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if self.fields["observation"].widget.is_hidden and "observation" in self._errors:
            # A hidden choice's error would show nowhere: say it at the top of the form.
            self.add_error(None, list(self._errors.pop("observation")))
        return data

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and abs(value) >= Decimal("100000000"):
            raise forms.ValidationError(_("Enter a smaller number."))
        return value


class TrialForm(forms.Form):
    strategy = forms.CharField(
        label=_("Strategy I tried"),
        max_length=_max(StrategyTrial, "strategy"),
        error_messages={"required": _("Name the strategy you tried.")},
    )
    tried_on = forms.DateField(
        label=_("When"), widget=DATE_WIDGET, initial=timezone.localdate, error_messages=DATE_ERRORS
    )
    evidence = forms.CharField(
        label=_("Data I gathered about its effect"),
        max_length=StrategyTrial._meta.get_field("evidence").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say what data you gathered about its effect.")},
    )
    result = forms.ChoiceField(
        label=_("Did it work?"),
        choices=TrialResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether it worked.")},
    )
    reflection = forms.CharField(
        label=_("What I will keep or change"),
        required=False,
        max_length=StrategyTrial._meta.get_field("reflection").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# My growth ---------------------------------------------------------------------------------------------------------


class PlacementForm(forms.Form):
    node = forms.TypedChoiceField(
        label=_("Area"),
        coerce=int,
        error_messages={"required": _("Choose an area."), "invalid_choice": _("Choose one of the areas listed.")},
    )
    level = forms.TypedChoiceField(
        label=_("Where I am today"),
        coerce=int,
        error_messages={"required": _("Choose a level."), "invalid_choice": _("Choose one of the levels listed.")},
    )

    def __init__(self, *args, areas, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = list(areas)
        self.fields["level"].choices = levels if len(levels) != 1 else levels[0][1]
