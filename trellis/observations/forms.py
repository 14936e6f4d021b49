"""Forms for the observation pages. They check the shape of the input; the services hold the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trellis.frameworks.models import ActionStep, FrameworkNode
from trellis.lib.forms import QuickSelect
from trellis.observations import models as m

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _person_label(person) -> str:
    return person.display_name


class FocusNodesWidget(forms.CheckboxSelectMultiple):
    """Focus components as checkboxes, one group per framework and domain.

    Each framework's group carries ``data-framework`` so the plan page can show
    only the chosen framework's components (plan.js); without script every group
    shows, and the form checks that the ticked ones belong to the chosen framework.
    """

    template_name = "observations/widgets/focus_nodes.html"

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(groups)  # [(framework id, framework title, [Component, ...]), ...]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in (value or [])}
        base_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        index = 0
        frameworks = []
        for framework_id, title, components in self.groups:
            domains: list = []
            for component in components:
                if not domains or domains[-1]["title"] != component.domain:
                    domains.append({"title": component.domain, "options": []})
                domains[-1]["options"].append(
                    {
                        "value": component.id,
                        "label": component.label,
                        "id": f"{base_id}_{index}",
                        "checked": str(component.id) in chosen,
                    }
                )
                index += 1
            frameworks.append({"id": framework_id, "title": title, "domains": domains})
        context["widget"]["frameworks"] = frameworks
        context["widget"]["several"] = len(frameworks) > 1
        return context


class PlanForm(forms.Form):
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=None,
        help_text=_("Teachers you support or whose campus you lead."),
        error_messages={
            "required": _("Choose the teacher you will observe."),
            "invalid_choice": _("Choose one of the teachers listed: you can observe teachers you coach."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Type of visit"), choices=m.ObservationType.choices, initial=m.ObservationType.INFORMAL
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=m.Purpose.choices,
        initial=m.Purpose.COACHING,
        help_text=_("Coaching feedback stays between you and the teacher unless the teacher shares it."),
    )
    campus = forms.ModelChoiceField(
        label=_("Campus"),
        queryset=None,
        required=False,
        empty_label=_("The teacher's campus"),
        error_messages={"invalid_choice": _("Choose a campus from the list.")},
    )
    class_name = forms.CharField(
        label=_("Class"), max_length=120, required=False, help_text=_("For example “Period 3”.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=120, required=False)
    grade_band = forms.ChoiceField(
        label=_("Grade band"), choices=[("", _("Not set")), *m.GradeBand.choices], required=False
    )
    lesson_objective = forms.CharField(
        label=_("Lesson objective"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    framework = forms.ModelChoiceField(
        label=_("Framework"),
        queryset=None,
        empty_label=None,
        help_text=_("Evidence is tagged to this framework's components; the observation keeps this version."),
        error_messages={"invalid_choice": _("Choose a framework from the list.")},
    )
    focus_nodes = forms.MultipleChoiceField(
        label=_("Focus components"),
        required=False,
        help_text=_("Optional. They come first when you tag notes during the visit."),
        error_messages={"invalid_choice": _("Choose focus components from the list.")},
    )
    focus_step = forms.TypedChoiceField(
        label=_("Current action step"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Optional. The step the teacher is practising; real-time feedback is recorded against it."),
        error_messages={"invalid_choice": _("Choose an action step from the list.")},
    )
    ratings_enabled = forms.BooleanField(
        label=_("Rate on the continuum"),
        required=False,
        help_text=_("Off by default for coaching visits: the feedback is the evidence and one next step."),
    )

    def __init__(
        self,
        *args,
        teachers,
        campuses,
        frameworks,
        components,
        step_choices,
        planned_version=None,
        lock_teacher=False,
        lock_framework=False,
        **kwargs,
    ):
        """``planned_version``, when editing a plan: the observation's framework version, kept for its framework
        (never silently moved to a newer version). ``lock_teacher`` / ``lock_framework`` show those fields but
        ignore what is posted for them."""
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers
        self.fields["teacher"].label_from_instance = _person_label
        self.fields["campus"].queryset = campuses
        self.fields["framework"].queryset = frameworks
        if lock_teacher:
            self.fields["teacher"].disabled = True
            self.fields["teacher"].help_text = _(
                "The teacher of a planned visit does not change. Cancel the visit and plan a new one instead."
            )
        if lock_framework:
            self.fields["framework"].disabled = True
            self.fields["framework"].help_text = _(
                "Evidence is already tagged to this framework's components, so it no longer changes."
            )
        self._planned_version = planned_version
        self._frameworks = {fw.pk: fw for fw in frameworks}
        self._components = components  # version id -> [Component]
        groups = []
        choices = []
        for fw in frameworks:
            nodes = components.get(self.version_id_of(fw), [])
            groups.append((fw.pk, fw.title, nodes))
            choices += [(str(c.id), c.label) for c in nodes]
        self.fields["focus_nodes"].choices = choices
        self.fields["focus_nodes"].widget = FocusNodesWidget(groups=groups)
        self.fields["focus_step"].choices = [("", _("None yet")), *step_choices]

    def clean(self):
        data = super().clean()
        teacher, framework = data.get("teacher"), data.get("framework")
        if framework is not None and teacher is not None and framework.district_id not in (None, teacher.district_id):
            self.add_error("framework", _("Choose a framework of the teacher's district."))
        campus = data.get("campus")
        if campus is not None and teacher is not None and campus.district_id != teacher.district_id:
            self.add_error("campus", _("Choose a campus of the teacher's district."))
        if framework is not None and data.get("focus_nodes"):
            allowed = {str(c.id) for c in self._components.get(self.version_id_of(framework), [])}
            if not set(data["focus_nodes"]) <= allowed:
                self.add_error("focus_nodes", _("Choose focus components from the framework you chose."))
        return data

    def version_id_of(self, framework) -> int:
        """The version a plan uses of ``framework``: the planned one for its own framework, else the current."""
        planned = self._planned_version
        if planned is not None and planned.framework_id == framework.pk:
            return planned.pk
        return framework.current_version_id

    def plan_fields(self) -> dict:
        """The cleaned data as ``observation_plan`` takes it."""
        data = self.cleaned_data
        framework = data["framework"]
        focus = list(FrameworkNode.objects.filter(pk__in=[int(n) for n in data.get("focus_nodes") or []]))
        step = ActionStep.objects.filter(pk=data["focus_step"]).first() if data.get("focus_step") else None
        return {
            "teacher": data["teacher"],
            "focus_nodes": focus,
            "kind": data["kind"],
            "purpose": data["purpose"],
            "campus": data.get("campus"),
            "class_name": data.get("class_name", ""),
            "subject": data.get("subject", ""),
            "grade_band": data.get("grade_band", ""),
            "lesson_objective": data.get("lesson_objective", ""),
            "framework_version": (
                self._planned_version
                if self.version_id_of(framework) == getattr(self._planned_version, "pk", None)
                else framework.current_version
            ),
            "focus_step": step,
            "ratings_enabled": bool(data.get("ratings_enabled")),
        }


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Any state")), *m.State.choices], required=False, widget=QuickSelect
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher"),
        queryset=None,
        required=False,
        widget=QuickSelect,
        empty_label=_("All teachers"),
        error_messages={"invalid_choice": _("Choose a teacher you have observed.")},
    )

    def __init__(self, *args, teachers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teachers is None:
            del self.fields["teacher"]
        else:
            self.fields["teacher"].queryset = teachers
            self.fields["teacher"].label_from_instance = _person_label


class QuickNoteForm(forms.Form):
    """The capture page's note field when script does not run: one note per submit."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Note"), max_length=4000, error_messages={"required": _("Write the note before adding it.")}
    )
    valence = forms.ChoiceField(
        label=_("Kind"), choices=m.Valence.choices, initial=m.Valence.NEUTRAL, widget=forms.RadioSelect
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,.pdf,.docx,.pptx,.xlsx"}),
        error_messages={"required": _("Choose a photo or a document to attach."), "empty": _("The file is empty.")},
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class StepSelect(forms.Select):
    """A step choice whose options say which framework components each step serves (``data-nodes``)."""

    def __init__(self, *args, node_map=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.node_map = node_map or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        nodes = self.node_map.get(str(value))
        if nodes:
            option["attrs"]["data-nodes"] = " ".join(str(n) for n in nodes)
        return option


class ReviewForm(forms.Form):
    growth_node = forms.TypedChoiceField(
        label=_("Highest-leverage growth area"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a growth area from the observation's framework.")},
    )
    growth_rationale = forms.CharField(
        label=_("Why this area"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The evidence that makes it the highest-leverage area. The teacher reads this."),
    )
    proposed_step = forms.TypedChoiceField(
        label=_("Proposed action step from the library"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Steps aligned to the growth area you chose. Or write your own below."),
        error_messages={"invalid_choice": _("Choose an action step from the list.")},
    )
    proposed_step_text = forms.CharField(
        label=_("Or write the action step"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    strengths_summary = forms.CharField(
        label=_("Strengths to keep"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is working and should continue. The teacher reads this."),
    )

    def __init__(self, *args, components, steps, levels=(), rate=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.components = components
        self.steps = {s.id: s for s in steps}
        self.fields["growth_node"].choices = [(c.id, c.label) for c in components]
        groups: dict = {}
        for step in steps:
            groups.setdefault(step.library, []).append((step.id, step.label))
        self.fields["proposed_step"].choices = [("", _("No library step")), *groups.items()]
        self.fields["proposed_step"].widget = StepSelect(
            choices=self.fields["proposed_step"].choices,
            node_map={str(s.id): s.node_ids for s in steps},
            attrs={"data-step-select": ""},
        )
        self.rating_fields = []
        if rate and levels:
            level_choices = [("", _("Not rated")), *((lv.pk, lv.label) for lv in levels)]
            for component in components:
                name = f"rating_{component.id}"
                self.fields[name] = forms.TypedChoiceField(
                    label=component.label, choices=level_choices, coerce=int, required=False, empty_value=None
                )
                self.rating_fields.append(name)

    def clean(self):
        data = super().clean()
        step_id, text = data.get("proposed_step"), (data.get("proposed_step_text") or "").strip()
        if step_id and text:
            self.add_error("proposed_step_text", _("Choose a step from the library or write one, not both."))
        node_id = data.get("growth_node")
        if step_id and node_id and node_id not in self.steps[step_id].node_ids:
            self.add_error(
                "proposed_step",
                _("This step does not serve the growth area you chose. Choose one of its steps, or write your own."),
            )
        return data

    def rating_boundfields(self) -> list:
        return [self[name] for name in self.rating_fields]

    def ratings(self) -> dict:
        """component id -> chosen level id, for the components given a level."""
        return {
            int(name.removeprefix("rating_")): self.cleaned_data[name]
            for name in self.rating_fields
            if self.cleaned_data.get(name)
        }


class AcknowledgeForm(forms.Form):
    reflection = forms.CharField(
        label=_("Your reflection"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. What you take from the feedback, or a question for your coach."),
    )


class CheckInForm(forms.Form):
    held_on = forms.DateField(
        label=_("Date of the check-in"),
        initial=timezone.localdate,
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Enter the date of the check-in."),
            "invalid": _("Enter the date as a date, for example 2025-09-15."),
        },
    )
    priorities = forms.CharField(
        label=_("Priorities"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you agreed matters most until the next check-in."),
        error_messages={"required": _("Write the priorities you agreed on.")},
    )
    progress = forms.CharField(
        label=_("Progress on current action steps and goals"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alignment_notes = forms.CharField(
        label=_("How the action steps serve the priorities"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    blockers = forms.CharField(
        label=_("Blockers"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_check_in = forms.DateField(
        label=_("Next check-in"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to use the cadence you set for this teacher."),
        error_messages={"invalid": _("Enter the date as a date, for example 2025-09-29.")},
    )


class CadenceForm(forms.Form):
    every_days = forms.IntegerField(
        label=_("Check in every (days)"),
        min_value=1,
        max_value=120,
        error_messages={
            "required": _("Enter how many days between check-ins."),
            "min_value": _("Choose between 1 and 120 days."),
            "max_value": _("Choose between 1 and 120 days."),
            "invalid": _("Enter a whole number of days."),
        },
    )


class LeaderShareForm(forms.Form):
    shared_with = forms.ModelChoiceField(
        label=_("Share with"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the campus leader to share this observation with."),
            "invalid_choice": _("Choose one of your campus leaders listed here."),
        },
    )

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the teacher's own campus leaders can be chosen; the service checks it again.
        self.fields["shared_with"].queryset = leaders
        self.fields["shared_with"].label_from_instance = _person_label
