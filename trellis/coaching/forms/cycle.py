"""Forms for the coaching cycle: the agreement, the intake, scheduling, and the district's coaching policy.

They check the shape of the input and say what is wrong in plain words; the
services in ``trellis.coaching.services`` hold the rules and check again.
"""

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trellis.coaching.models import CoachingSession, Intake, Relationship
from trellis.coaching.services.relationships import AGREEMENT_FIELDS, MAX_GROUP_SIZE
from trellis.lib.forms import interpolate_lazy, whole_number_field

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
MAX_SKIP_LINES = 60

DEFAULT_NORMS = _(
    "We meet at the times we agree and both come prepared; if one of us cannot make it, we say so early.\n"
    "The coach supports and does not evaluate: we look at practice together, not at a score.\n"
    "We work on one small step at a time, practise it, and look at what changes for students.\n"
    "Either of us can ask to change how we work, to pause, or to stop."
)
DEFAULT_SHARING = _(
    "Notes from our conversations stay between the coach and the teacher.\n"
    "The teacher decides what, if anything, to share with their leader, and can stop sharing at any time.\n"
    "Leaders see only that coaching happens and how often we meet, never what we talk about."
)


def _person_label(person) -> str:
    return person.display_name


def _cycle_model_label(model) -> str:
    if model.description:
        return format_html(
            '<span class="choice-text"><span class="choice-title">{}</span> <span class="choice-help">{}</span></span>',
            model.name,
            model.description,
        )
    return format_html('<span class="choice-text"><span class="choice-title">{}</span></span>', model.name)


def _protocol_label(protocol) -> str:
    minutes = protocol.total_minutes
    if minutes:
        return _("%(name)s (%(minutes)s min)") % {"name": protocol.name, "minutes": minutes}
    return protocol.name


def _text(model, name, *, rows=4, label=None, help_text="", required=False):
    model_field = model._meta.get_field(name)
    return forms.CharField(
        label=label or model_field.verbose_name.capitalize(),
        max_length=model_field.max_length,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
    )


# The agreement ----------------------------------------------------------------------------------------------------------


class AgreementForm(forms.Form):
    cycle_model = forms.ModelChoiceField(
        label=_("How the coaching runs"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("The cycle model sets the phases you go through together and a usual cadence."),
        error_messages={
            "required": _("Choose how the coaching runs."),
            "invalid_choice": _("Choose one of the cycle models listed."),
        },
    )
    title = forms.CharField(
        label=_("Name (optional)"),
        max_length=Relationship._meta.get_field("title").max_length,
        required=False,
        help_text=_("For a group, for example “Grade 4 team”. Left empty, the teachers' names are used."),
    )
    norms = _text(
        Relationship,
        "norms",
        rows=7,
        label=_("How we work together"),
        help_text=_("The teacher reads this and consents to it before coaching starts."),
    )
    sharing = _text(
        Relationship,
        "sharing",
        rows=5,
        label=_("What is shared, and with whom"),
        help_text=_("Say plainly who may see what. Coaching notes are private to coach and teacher by default."),
    )
    meetings_per_month = whole_number_field(_("Meetings a month"), 1, 8)
    meeting_minutes = whole_number_field(_("Minutes a meeting"), 10, 120)
    location = forms.CharField(
        label=_("Where we meet"),
        max_length=Relationship._meta.get_field("location").max_length,
        required=False,
        help_text=_("A room, or “video call” with the link you use."),
    )

    def __init__(self, *args, cycle_models, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle_model"].queryset = cycle_models
        self.fields["cycle_model"].label_from_instance = _cycle_model_label
        for name, default in (
            ("meetings_per_month", policy.meetings_per_month),
            ("meeting_minutes", policy.meeting_minutes),
        ):
            self.fields[name].widget.attrs["placeholder"] = str(default)
            self.fields[name].help_text = _("Leave empty for your district's default: %(n)s.") % {"n": default}

    def agreement(self) -> dict:
        """The cleaned agreement, as the relationship services take it."""
        return {name: self.cleaned_data[name] for name in AGREEMENT_FIELDS}


class RelationshipCreateForm(AgreementForm):
    teachers = forms.ModelMultipleChoiceField(
        label=_("Teachers"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=interpolate_lazy(
            _("One teacher, or a small group of up to %(n)s who work on the same thing."), {"n": MAX_GROUP_SIZE}
        ),
        error_messages={
            "required": _("Choose at least one teacher."),
            "invalid_choice": _("Choose teachers on your caseload."),
            "invalid_pk_value": _("Choose teachers on your caseload."),
        },
    )
    field_order = ["teachers", "cycle_model", "title", "norms", "sharing", "meetings_per_month", "meeting_minutes",
                   "location"]  # fmt: skip

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = teachers
        self.fields["teachers"].label_from_instance = _person_label

    def clean_teachers(self):
        teachers = self.cleaned_data["teachers"]
        if len(teachers) > MAX_GROUP_SIZE:
            raise forms.ValidationError(_("A group has at most %(n)s teachers.") % {"n": MAX_GROUP_SIZE})
        return teachers


# The intake -------------------------------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    """The intake's answers. The placements are radio groups drawn by the template and read by ``placements``."""

    strengths = _text(Intake, "strengths", label=_("Strengths I bring"),
                      help_text=_("What goes well in your classroom, and what colleagues come to you for."))  # fmt: skip
    interests = _text(Intake, "interests", label=_("What I want to work on"),
                      help_text=_("In your own words. Suggested focus areas use the words you write here."))  # fmt: skip
    prior_pd = _text(Intake, "prior_pd", label=_("Professional learning so far"),
                     help_text=_("Courses, coaching or training that shaped your teaching."))  # fmt: skip
    constraints = _text(Intake, "constraints", label=_("Constraints"),
                        help_text=_("Time, schedule, duties: anything coaching should work around."))  # fmt: skip
    preferred_times = _text(Intake, "preferred_times", rows=0, label=_("Preferred meeting times"),
                            help_text=_("For example “Tuesdays after 3:30 pm” or “planning period, 2nd”."))  # fmt: skip

    def __init__(self, *args, components=(), levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.component_fields = {}
        level_ids = {str(level.pk) for level in levels}
        for node in components:
            name = f"place_{node.pk}"
            self.component_fields[name] = node.pk
            self.fields[name] = forms.ChoiceField(
                label=str(node),
                required=False,
                choices=[("", "")] + [(lid, lid) for lid in sorted(level_ids)],
                error_messages={"invalid_choice": _("Choose one of the levels shown for this area.")},
            )

    def placements(self) -> dict:
        """node id -> level id for each area the teacher placed themselves on."""
        return {
            node_id: int(self.cleaned_data[name])
            for name, node_id in self.component_fields.items()
            if self.cleaned_data.get(name)
        }

    def answers(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("strengths", "interests", "prior_pd", "constraints",
                                                          "preferred_times")}  # fmt: skip


class FocusForm(forms.Form):
    nodes = forms.TypedMultipleChoiceField(
        label=_("Focus areas"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose one to three focus areas."),
            "invalid_choice": _("Choose focus areas from the list."),
        },
    )

    def __init__(self, *args, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.nodes_by_id = {node.pk: node for node in components}
        self.fields["nodes"].choices = [(node.pk, str(node)) for node in components]

    def clean_nodes(self):
        ids = self.cleaned_data["nodes"]
        if not 1 <= len(ids) <= 3:
            raise forms.ValidationError(
                _(
                    "Choose one to three focus areas; you chose %(n)s. A few areas at a time is what coaching can "
                    "really move."
                )
                % {"n": len(ids)}  # fmt: skip
            )
        return [self.nodes_by_id[pk] for pk in ids]


# Scheduling -------------------------------------------------------------------------------------------------------------


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={
            "required": _("Enter a date."),
            "invalid": _("Enter a date, for example 2025-09-16."),
        },
    )


def _time_field(label, *, help_text=""):
    return forms.TimeField(
        label=label,
        widget=TIME_WIDGET,
        input_formats=["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p"],
        help_text=help_text,
        error_messages={"required": _("Enter a time."), "invalid": _("Enter a time, for example 15:30.")},
    )


_ONE_DATE = forms.DateField(input_formats=DATE_FORMATS)


def parse_skip_dates(text: str) -> tuple[list[datetime.date], list[str]]:
    """Dates written one a line (or several on a line, with commas); returns (dates, problems naming each bad line)."""
    dates, problems = [], []
    entries = [
        (number, value.strip())
        for number, line in enumerate((text or "").splitlines(), start=1)
        for value in line.split(",")
        if value.strip()
    ]
    if len(entries) > MAX_SKIP_LINES:
        return [], [str(_("List at most %(n)s dates to skip.") % {"n": MAX_SKIP_LINES})]
    for number, value in entries:
        try:
            dates.append(_ONE_DATE.clean(value))
        except forms.ValidationError:
            problems.append(
                str(
                    _("Line %(n)s: “%(value)s” is not a date. Write one date a line, year-month-day, like %(example)s.")
                    % {"n": number, "value": value[:40], "example": timezone.localdate().isoformat()}
                )
            )
    return sorted(set(dates)), problems


class _WhenForm(forms.Form):
    """A date and a time, read in the relationship's time zone."""

    def __init__(self, *args, tz: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz

    def starts_at(self, date_field="date", time_field="time") -> datetime.datetime | None:
        day, at = self.cleaned_data.get(date_field), self.cleaned_data.get(time_field)
        if day is None or at is None:
            return None
        return datetime.datetime.combine(day, at, tzinfo=ZoneInfo(self.tz))


class ScheduleForm(_WhenForm):
    first_date = _date_field(_("Date of the first session"))
    first_time = _time_field(_("Time"))
    interval_weeks = whole_number_field(_("Every how many weeks"), 1, 8, required=True)
    until = _date_field(_("Until"), help_text=_("The last day sessions can fall on, such as the end of the term."))
    minutes = whole_number_field(_("Minutes a session"), 10, 180, required=True)
    protocol = forms.ModelChoiceField(
        label=_("Meeting protocol"),
        queryset=None,
        empty_label=None,
        help_text=_("The steps each session follows; you can pick another for a single session later."),
        error_messages={"invalid_choice": _("Choose one of the protocols listed.")},
    )
    skip_dates = forms.CharField(
        label=_("Dates to skip"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Holidays, testing days: one date a line, written year-month-day."),
    )

    def __init__(self, *args, protocols, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = protocols
        self.fields["protocol"].label_from_instance = _protocol_label
        first = self.initial.get("first_date")
        if first:
            examples = [first + datetime.timedelta(weeks=weeks) for weeks in (4, 6)]
            self.fields["skip_dates"].widget.attrs["placeholder"] = "\n".join(day.isoformat() for day in examples)

    def clean_skip_dates(self):
        dates, problems = parse_skip_dates(self.cleaned_data.get("skip_dates", ""))
        if problems:
            raise forms.ValidationError(problems)
        return dates

    def clean(self):
        cleaned = super().clean()
        first_start = self.starts_at("first_date", "first_time")
        cleaned["first_start"] = first_start
        until = cleaned.get("until")
        if first_start is not None and until is not None and until < first_start.date():
            self.add_error("until", _("The schedule must end on or after the day of its first session."))
        if first_start is not None and first_start <= timezone.now():
            self.add_error("first_date", _("The first session must be in the future."))
        return cleaned


class SessionForm(_WhenForm):
    date = _date_field(_("Date"))
    time = _time_field(_("Time"))
    minutes = whole_number_field(_("Minutes"), 10, 180, required=True)
    protocol = forms.ModelChoiceField(
        label=_("Meeting protocol"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the protocols listed.")},
    )
    location = forms.CharField(
        label=_("Where"),
        max_length=CoachingSession._meta.get_field("location").max_length,
        required=False,
        help_text=_("Left empty, the place in your agreement."),
    )

    def __init__(self, *args, protocols, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = protocols
        self.fields["protocol"].label_from_instance = _protocol_label


class RescheduleForm(_WhenForm):
    date = _date_field(_("New date"))
    time = _time_field(_("New time"))
    minutes = whole_number_field(_("Minutes"), 10, 180, required=True)
    location = forms.CharField(
        label=_("Where"),
        max_length=CoachingSession._meta.get_field("location").max_length,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        starts_at = self.starts_at()
        if starts_at is not None and starts_at <= timezone.now():
            self.add_error("date", _("Move the session to a time in the future."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=CoachingSession._meta.get_field("cancel_reason").max_length,
        required=False,
        help_text=_("Everyone in the relationship sees it, for example “state testing”."),
    )


# The district's policy --------------------------------------------------------------------------------------------------


class PolicyForm(forms.Form):
    meetings_per_month = whole_number_field(_("Meetings a month"), 1, 8, required=True,
                                 help_text=_("How often a coach and teacher meet, unless their agreement says "
                                             "otherwise. Two a month is a common start."))  # fmt: skip
    meeting_minutes = whole_number_field(_("Minutes a meeting"), 10, 120, required=True,
                              help_text=_("The usual length of a coaching meeting."))  # fmt: skip
    max_open_steps = whole_number_field(_("Action steps a teacher works on at once"), 1, 2, required=True,
                             help_text=_("One keeps the focus sharp; two allows a second step while one settles."))  # fmt: skip
    follow_up_days = whole_number_field(_("Days until the follow-up"), 1, 30, required=True,
                             help_text=_("A follow-up look at an action step is due this many days after it is "
                                         "agreed. A week is usual."))  # fmt: skip
