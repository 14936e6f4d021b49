"""The audit log's filters."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from trellis.orgs.forms import PersonChoiceField, date_field

User = get_user_model()


class AuditFilterForm(forms.Form):
    KIND_CHOICES = [
        ("", _("Changes and views")),
        ("changes", _("Changes only")),
        ("views", _("Views of coaching records only")),
    ]

    person = PersonChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )
    date_from = date_field(_("From"), required=False)
    date_to = date_field(_("To"), required=False)
    kind = forms.ChoiceField(
        label=_("Show"),
        choices=KIND_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Choose what to show from the list.")},
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people who appear in this log: the district's staff and the facilitators who worked here.
        self.fields["person"].queryset = (
            User.objects.filter(pk__in=entries.values("actor_id"))
            .select_related("service_center")
            .order_by("full_name", "pk")
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The “To” date must be on or after the “From” date."))
        return data
