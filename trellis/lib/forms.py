"""One form look for the whole project: label, help and errors tied together for screen readers."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.functional import lazy
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class FormRenderer(TemplatesSetting):
    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def _interpolate(text, values: dict) -> str:
    return str(text) % values


# A translated message with numbers in it, translated when it is shown (in the reader's language), not at import.
interpolate_lazy = lazy(_interpolate, str)


def whole_number_field(label, low, high=None, *, required=False, help_text="", initial=None) -> forms.IntegerField:
    """An integer field with one plain message for every way the number can be wrong, and a numeric keypad."""
    if high is None:
        message = interpolate_lazy(_("Enter a whole number of at least %(low)s."), {"low": low})
    else:
        message = interpolate_lazy(_("Enter a whole number from %(low)s to %(high)s."), {"low": low, "high": high})
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        initial=initial,
        help_text=help_text,
        error_messages={"min_value": message, "max_value": message, "invalid": message, "required": message},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class QuickSelect(forms.Select):
    """A select whose options are written out in Python. Django draws each option through a template,
    about a tenth of a millisecond apiece: a list of a campus's teachers cost 10 ms a page.
    The markup is the same as Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            parts += [
                format_html(
                    '<option value="{}"{}>{}</option>',
                    str(o["value"]),
                    flatatt(o["attrs"]),
                    conditional_escape(o["label"]),
                )
                for o in options
            ]
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part comes escaped from format_html)
