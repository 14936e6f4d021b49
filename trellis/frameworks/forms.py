"""Forms of the frameworks pages. They validate input only; the views call the services."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from trellis.frameworks.models import FrameworkKind, FrameworkNode

CHOOSE_ACTIONS = [
    ("use", _("Use in my district")),
    ("stop", _("Stop using")),
    ("default", _("Make the default")),
]


class ChooseForm(forms.Form):
    """Use, stop using or make default one framework or library for the admin's district."""

    action = forms.ChoiceField(choices=CHOOSE_ACTIONS)
    next = forms.CharField(required=False, max_length=500)

    def choice(self) -> tuple[bool, bool]:
        """(enabled, is_default) for the services."""
        action = self.cleaned_data["action"]
        return action != "stop", action == "default"


class CopyForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the copy"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to name it after the original and your district."),
    )


class ImportForm(forms.Form):
    """A CASE package to check: an uploaded file or the address of a CASE server's package."""

    file = forms.FileField(
        label=_("CASE package file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
        help_text=_("A CFPackage in JSON (CASE 1.0 or 1.1)."),
    )
    url = forms.URLField(
        label=_("Or its address on a CASE server"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("For example https://case.example.org/ims/case/v1p1/CFPackages/…"),
    )
    kind = forms.ChoiceField(
        label=_("Kind of framework"), choices=FrameworkKind.choices, initial=FrameworkKind.TEACHING_PRACTICE
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        # Checked on the size the upload reports, before anything reads the file.
        if upload and upload.size > settings.CASE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Ask the publisher for a smaller package.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.CASE_MAX_BYTES)}
            )
        return upload

    def clean(self):
        data = super().clean()
        has_file, has_url = bool(data.get("file")), bool(data.get("url"))
        if "file" in self.errors or "url" in self.errors:
            return data
        if has_file and has_url:
            raise forms.ValidationError(_("Choose a file or enter an address, not both."))
        if not has_file and not has_url:
            raise forms.ValidationError(_("Choose a CASE package file or enter its address."))
        return data


class LibraryFilterForm(forms.Form):
    """Search and filters of a library's scope and sequence. Choices come from the library (no query here)."""

    q = forms.CharField(
        label=_("Search steps"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    domain = forms.TypedChoiceField(label=_("Domain"), required=False, coerce=int, empty_value=None)
    component = forms.TypedChoiceField(label=_("Component"), required=False, coerce=int, empty_value=None)
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["domain"].choices = everything + [(n.pk, _node_label(n)) for n in options.domains]
        self.fields["component"].choices = everything + [(n.pk, _node_label(n)) for n in options.components]
        self.fields["phase"].choices = everything + [(p.pk, p.label) for p in options.phases]
        if not options.domains:
            del self.fields["domain"]
        if not options.components:
            del self.fields["component"]


def _node_label(node) -> str:
    title = node.title or node.statement
    if len(title) > 80:
        title = title[:79] + "…"
    return f"{node.code} {title}".strip()


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class NodeCheckboxes(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return _node_label(obj)


class StepForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    sub_moves = LinesField(label=_("Parts of the move"), required=False, help_text=_("One per line."))
    look_fors = LinesField(
        label=_("Look-fors"), required=False, help_text=_("What a follow-up visit should see; one per line.")
    )
    practice_prompt = forms.CharField(
        label=_("Practice prompt"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    typical_duration_days = forms.IntegerField(label=_("Typical days to master"), min_value=1, max_value=365)
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=None, empty_label=None)
    aligned_nodes = NodeCheckboxes(label=_("Aligned components"), queryset=None, required=False)

    def __init__(self, *args, phases, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = phases
        self.fields["aligned_nodes"].queryset = components if components is not None else FrameworkNode.objects.none()


class ExemplarForm(forms.Form):
    title = forms.CharField(label=_("Title of the resource"), max_length=300)
    url = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")
