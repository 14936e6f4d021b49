"""Forms for coaching notes. They check the shape of the input; the services hold the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trellis.coaching.models import CoachingNote


class NoteForm(forms.Form):
    met_on = forms.DateField(
        label=_("Date of the conversation"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the conversation."),
            "invalid": _("Enter the date of the conversation as a date, for example 2025-09-15."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=CoachingNote._meta.get_field("title").max_length,
        help_text=_("A few words you and the teacher will recognise later, such as the focus of the conversation."),
        error_messages={"required": _("Give the note a title.")},
    )
    body = forms.CharField(
        label=_("Notes"),
        max_length=CoachingNote._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What you talked about. The teacher reads these notes."),
        error_messages={"required": _("Write what you talked about.")},
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        max_length=CoachingNote._meta.get_field("next_steps").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. What the teacher will try before you meet again."),
    )


class ShareForm(forms.Form):
    shared_with = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the campus leader to share this note with."),
            "invalid_choice": _("Choose one of your campus leaders listed here."),
        },
    )

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the teacher's own campus leaders can be chosen; the service checks it again.
        self.fields["shared_with"].queryset = leaders
        self.fields["shared_with"].label_from_instance = lambda person: person.display_name


class TeacherFilterForm(forms.Form):
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=None,
        required=False,
        empty_label=_("All my teachers"),
        error_messages={"invalid_choice": _("Choose a teacher on your caseload.")},
    )

    def __init__(self, *args, teachers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers
        self.fields["teacher"].label_from_instance = lambda person: person.display_name
