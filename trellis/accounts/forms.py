from django import forms
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, error_messages={"required": _("Enter your full name.")}
    )
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=80,
        required=False,
        help_text=_("How Trellis greets you and shows your name to colleagues."),
    )
