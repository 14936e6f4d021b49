"""Forms for a district's own cycle models and protocols: a main form plus rows for phases or steps."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from trellis.coaching.models import ProtocolPurpose
from trellis.coaching.services.library import MAX_PHASES, MAX_STEPS


class CycleModelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    meetings_per_month = forms.IntegerField(label=_("Meetings a month"), min_value=1, max_value=8, initial=2)
    meeting_minutes = forms.IntegerField(label=_("Minutes a meeting"), min_value=10, max_value=120, initial=30)


class PhaseForm(forms.Form):
    label = forms.CharField(label=_("Phase"), max_length=80, required=False)
    description = forms.CharField(label=_("What happens in it"), max_length=500, required=False)


class ProtocolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.ChoiceField(label=_("Used for"), choices=ProtocolPurpose.choices)
    description = forms.CharField(
        label=_("Description"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StepForm(forms.Form):
    label = forms.CharField(label=_("Step"), max_length=80, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=60, required=False)
    prompts = forms.CharField(
        label=_("Prompts, one per line"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pulls = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("label") and not data.get("minutes"):
            self.add_error("minutes", _("Give this step a time box."))
        return data


PhaseFormSet = formset_factory(PhaseForm, extra=0, max_num=MAX_PHASES, absolute_max=MAX_PHASES)
StepFormSet = formset_factory(StepForm, extra=0, max_num=MAX_STEPS, absolute_max=MAX_STEPS)


def phase_rows(phases: list[dict]) -> list[dict]:
    rows = [{"label": p.get("label", ""), "description": p.get("description", "")} for p in phases]
    return rows + [{}] * (MAX_PHASES - len(rows))


def step_rows(steps: list[dict]) -> list[dict]:
    rows = [
        {
            "label": s.get("label", ""),
            "minutes": s.get("minutes"),
            "prompts": "\n".join(s.get("prompts") or []),
            "pulls": ",".join(s.get("pulls") or []),
        }
        for s in steps
    ]
    return rows + [{}] * (MAX_STEPS - len(rows))
