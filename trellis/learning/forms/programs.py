"""Forms of the program managers' pages: programs, cohorts, invitations, sessions, certificates, the question bank.

They check the shape of the input and say what is wrong in plain words; the services in
``trellis.learning.services`` hold the rules and check again (their errors are shown on
the field they name).
"""

import datetime
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trellis.learning import models as m
from trellis.lib.forms import whole_number_field

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p"]
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

# Time zones offered first; the owner's and the session's own zone are always offered too.
COMMON_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
]

# What each Guskey level's intended outcome asks for (planned backwards from level 5).
GUSKEY_HINTS = {
    "outcome_reactions": _("How participants should find the experience: worth their time, relevant, well run."),
    "outcome_learning": _("What participants should know or be able to do by the end of the sessions."),
    "outcome_support": _("What campuses and the district provide: time, resources, leaders' backing."),
    "outcome_practice": _("What you expect to see in classrooms afterwards, in observations and coaching."),
    "outcome_students": _("What should change for students, and the evidence that will show it."),
}


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages={"required": _("Enter a date."), "invalid": _("Enter a date, for example 2026-09-16.")},
    )


def time_field(label, *, required=True, help_text=""):
    return forms.TimeField(
        label=label,
        required=required,
        widget=TIME_WIDGET,
        input_formats=TIME_FORMATS,
        help_text=help_text,
        error_messages={"required": _("Enter a time."), "invalid": _("Enter a time, for example 08:30.")},
    )


class LocalDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone: the service reads it in the session's zone
    (Django's own field would read it in the server's zone)."""

    widget = DATETIME_WIDGET

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None)
        value = str(value).strip()
        for fmt in self.input_formats:
            try:
                # Naive on purpose: the session service reads it in the session's own time zone.
                return datetime.datetime.strptime(value, fmt)  # noqa: DTZ007
            except (ValueError, TypeError):
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def local_datetime_field(label, *, help_text=""):
    return LocalDateTimeField(
        label=label,
        required=False,
        input_formats=DATETIME_FORMATS,
        help_text=help_text,
        error_messages={"invalid": _("Enter a date and time, for example 2026-09-16 17:00.")},
    )


def text_field(model, name, *, rows=4, label=None, help_text=None, required=False):
    model_field = model._meta.get_field(name)
    return forms.CharField(
        label=label or str(model_field.verbose_name).capitalize(),
        max_length=model_field.max_length,
        required=required,
        help_text=model_field.help_text if help_text is None else help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(),
    )


def person_label(person) -> str:
    return person.display_name


def zone_choices(*extra) -> list[tuple[str, str]]:
    now = timezone.now()
    names = list(dict.fromkeys([*(z for z in extra if z), *COMMON_ZONES]))
    choices = []
    for name in names:
        try:
            offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        choices.append((name, f"{name} (UTC{offset[:3]}:{offset[3:]})"))
    return choices


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


# Programs ---------------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    owner = OwnerChoiceField(
        label=_("Run by"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the organizations you manage.")},
    )
    title = text_field(m.Program, "title", rows=0, required=True)
    summary = text_field(
        m.Program, "summary", rows=3, help_text=_("Two or three sentences people read in the catalogue.")
    )
    goals = text_field(m.Program, "goals", rows=4, help_text=_("What the program sets out to change."))
    frameworks = forms.ModelMultipleChoiceField(
        label=_("Frameworks it targets"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Follow-up observations count when they look at these frameworks."),
        error_messages={
            "invalid_choice": _("Choose frameworks from the list."),
            "invalid_pk_value": _("Choose frameworks from the list."),
        },
    )
    outcome_reactions = text_field(m.Program, "outcome_reactions", rows=2, help_text=GUSKEY_HINTS["outcome_reactions"])
    outcome_learning = text_field(m.Program, "outcome_learning", rows=2, help_text=GUSKEY_HINTS["outcome_learning"])
    outcome_support = text_field(m.Program, "outcome_support", rows=2, help_text=GUSKEY_HINTS["outcome_support"])
    outcome_practice = text_field(m.Program, "outcome_practice", rows=2, help_text=GUSKEY_HINTS["outcome_practice"])
    outcome_students = text_field(m.Program, "outcome_students", rows=2, help_text=GUSKEY_HINTS["outcome_students"])
    completion_percent = whole_number_field(
        _("Attendance needed for a certificate (%)"),
        1,
        100,
        required=True,
        help_text=m.Program._meta.get_field("completion_percent").help_text,
    )

    OUTCOME_FIELDS = m.Program.OUTCOME_FIELDS

    def __init__(self, *args, owners=None, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        if owners and len(owners) > 1:
            self.fields["owner"].queryset = (
                owners[0].__class__.objects.filter(pk__in=[o.pk for o in owners]).order_by("name")
            )
        else:
            del self.fields["owner"]
        self.fields["frameworks"].queryset = frameworks
        self.fields["frameworks"].label_from_instance = lambda f: f.title

    def outcome_fields(self):
        return [self[name] for name in self.OUTCOME_FIELDS]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = ["title", "summary", "goals", *self.OUTCOME_FIELDS, "completion_percent"]
        return {name: data[name] for name in names}


class ConfirmForm(forms.Form):
    """A confirmation with nothing to fill in (the POST itself is the answer)."""


# Cohorts ----------------------------------------------------------------------------------------


class CohortForm(forms.Form):
    name = text_field(m.Cohort, "name", rows=0, required=True, help_text=_("For example “2026-27 regional cohort”."))
    description = text_field(m.Cohort, "description", rows=3)
    registration_mode = forms.ChoiceField(
        label=_("Who may register"),
        choices=m.RegistrationMode.choices,
        widget=forms.RadioSelect,
        initial=m.RegistrationMode.OPEN,
        error_messages={"invalid_choice": _("Choose who may register.")},
    )
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They run every session of the cohort: roster, check-in, survey, review."),
        error_messages={
            "invalid_choice": _("Choose facilitators from the list."),
            "invalid_pk_value": _("Choose facilitators from the list."),
        },
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is None:
            del self.fields["facilitators"]
        else:
            self.fields["facilitators"].queryset = candidates
            self.fields["facilitators"].label_from_instance = person_label


class FacilitatorsForm(forms.Form):
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose facilitators from the list."),
            "invalid_pk_value": _("Choose facilitators from the list."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = candidates
        self.fields["facilitators"].label_from_instance = person_label


class InviteSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts"))] + [(d.pk, d.name) for d in districts]
        self.fields["q"].widget.attrs["type"] = "search"
        if len(districts) < 2:
            del self.fields["district"]


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("People to invite"),
        queryset=None,
        error_messages={
            "required": _("Tick at least one person to invite."),
            "invalid_choice": _("Choose people of the districts this program serves."),
            "invalid_pk_value": _("Choose people of the districts this program serves."),
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people

    def clean_people(self):
        people = self.cleaned_data["people"]
        if len(people) > 200:
            raise forms.ValidationError(_("Invite at most 200 people at a time."))
        return people


# Sessions ---------------------------------------------------------------------------------------

PLAN_FIELDS = [
    "date",
    "start_time",
    "end_time",
    "timezone",
    "location",
    "online_url",
    "capacity",
    "contact_minutes",
    "registration_closes_at",
    "cancel_deadline",
    "facilitators",
]
# Service field name -> the form field its errors belong on.
SERVICE_TO_FORM = {"starts_at": "start_time", "ends_at": "end_time"}


class SessionForm(forms.Form):
    """A session's content and (for its managers) its plan: when, where, seats, credit, deadlines, facilitators."""

    title = text_field(m.Session, "title", rows=0, required=True)
    date = date_field(_("Date"))
    start_time = time_field(_("Starts at"))
    end_time = time_field(_("Ends at"))
    timezone = forms.ChoiceField(
        label=_("Time zone"), error_messages={"invalid_choice": _("Choose a time zone from the list.")}
    )
    location = text_field(
        m.Session, "location", rows=0, label=_("Place"), help_text=_("Building and room, with the street address.")
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("For an online or hybrid session: the video-call link registered people receive."),
        error_messages={"invalid": _("Enter a full link, starting with https://.")},
    )
    capacity = whole_number_field(
        _("Seats"), 1, 10000, help_text=_("Leave empty for no limit. Beyond it, people join the waiting list.")
    )
    contact_minutes = whole_number_field(
        _("Contact minutes"),
        1,
        16 * 60,
        help_text=_("Length without breaks and meals: what full attendance earns. Leave empty for the full length."),
    )
    agenda = text_field(m.Session, "agenda", rows=6, help_text=_("One item a line, for example “9:00 Model lesson”."))
    objectives = text_field(m.Session, "objectives", rows=4)
    registration_closes_at = local_datetime_field(
        _("Registration closes"), help_text=_("Leave empty to keep registration open until the session starts.")
    )
    cancel_deadline = local_datetime_field(
        _("Participants may cancel until"),
        help_text=_("After this, the facilitator or the participant's district cancels for them. Empty: the start."),
    )
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators of this session"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Besides the cohort's facilitators, who run every session."),
        error_messages={
            "invalid_choice": _("Choose facilitators from the list."),
            "invalid_pk_value": _("Choose facilitators from the list."),
        },
    )

    def __init__(self, *args, plan=True, candidates=None, zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        if not plan:
            for name in PLAN_FIELDS:
                del self.fields[name]
            return
        self.fields["timezone"].choices = zone_choices(*zones)
        if candidates is None:
            del self.fields["facilitators"]
        else:
            self.fields["facilitators"].queryset = candidates
            self.fields["facilitators"].label_from_instance = person_label

    def clean(self):
        cleaned = super().clean()
        if not self.plan:
            return cleaned
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", _("The session ends after it starts (on the same day)."))
        if not cleaned.get("location") and not cleaned.get("online_url") and "online_url" not in self.errors:
            self.add_error("location", _("Give a place, an online link, or both."))
        return cleaned

    def content_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "agenda", "objectives")}

    def plan_fields(self) -> dict:
        """The plan as the session services take it (times naive, read in the chosen zone)."""
        data = self.cleaned_data
        return {
            "starts_at": datetime.datetime.combine(data["date"], data["start_time"]),
            "ends_at": datetime.datetime.combine(data["date"], data["end_time"]),
            "timezone": data["timezone"],
            "location": data["location"],
            "online_url": data["online_url"],
            "capacity": data["capacity"],
            "contact_minutes": data["contact_minutes"],
            "registration_closes_at": data["registration_closes_at"],
            "cancel_deadline": data["cancel_deadline"],
        }


def session_initial(session) -> dict:
    """The form's starting values for an existing session, in its own time zone."""
    zone = session.zone

    def local(value):
        return value.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0) if value else None

    start, end = local(session.starts_at), local(session.ends_at)
    return {
        "title": session.title,
        "agenda": session.agenda,
        "objectives": session.objectives,
        "date": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
        "timezone": session.timezone,
        "location": session.location,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "contact_minutes": session.contact_minutes,
        "registration_closes_at": local(session.registration_closes_at),
        "cancel_deadline": local(session.cancel_deadline),
    }


# Certificates -----------------------------------------------------------------------------------


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=m.Certificate._meta.get_field("revoke_reason").max_length,
        help_text=_("Shown on the public verification page, for example “issued in error: attendance corrected”."),
        error_messages={"required": _("Say why the certificate is revoked.")},
    )


# The question bank ------------------------------------------------------------------------------


class QuestionForm(forms.Form):
    owner = OwnerChoiceField(label=_("Bank of"), queryset=None, empty_label=None)
    text = forms.CharField(
        label=_("Question"),
        max_length=300,
        help_text=_(
            "One idea per question, in the participant's words, for example “I can plan two discussion stops”."
        ),
        error_messages={"required": _("Write the question.")},
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=m.QuestionKind.choices, initial=m.QuestionKind.SCALE)
    guskey_level = forms.TypedChoiceField(
        label=_("Guskey level"),
        choices=m.GuskeyLevel.choices,
        coerce=int,
        initial=m.GuskeyLevel.REACTIONS,
        help_text=_("What the answer tells you about: reactions, learning, support, use in practice, students."),
    )
    construct = forms.CharField(
        label=_("What it measures (optional)"),
        max_length=80,
        required=False,
        help_text=_("A word to group results by, for example “relevance”."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        if len(owners) > 1:
            self.fields["owner"].queryset = (
                owners[0].__class__.objects.filter(pk__in=[o.pk for o in owners]).order_by("name")
            )
        else:
            del self.fields["owner"]
