"""Forms for the district admin's pages.

Forms only read and check input; the services in ``trellis.orgs.services`` do the
writing and hold the business rules. Choice fields are built from the current
district, so an id from another district is "not one of the choices" and never
reaches a service.
"""

import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from trellis.accounts.models import EmployeeGroup
from trellis.orgs import selectors
from trellis.orgs.models import GrantScope, Organization, OrgKind, Role

# Roles a district admin hands out; service-center roles belong to service centers.
User = get_user_model()

DISTRICT_ROLES = [Role.TEACHER, Role.COACH, Role.CAMPUS_LEADER, Role.DISTRICT_ADMIN]
DISTRICT_EMPLOYEE_GROUPS = [(v, label) for v, label in EmployeeGroup.choices if v != EmployeeGroup.SERVICE_CENTER_STAFF]


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker sends and expects ISO dates whatever the language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateInput(),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


def check_date_order(form, start="valid_from", end="valid_to"):
    data = form.cleaned_data
    if data.get(start) and data.get(end) and data[end] < data[start]:
        form.add_error(end, _("The end date must be on or after the start date."))


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.kind == OrgKind.DISTRICT:
            return _("%(name)s (whole district)") % {"name": obj.name}
        return obj.name


class PersonChoiceField(forms.ModelChoiceField):
    """People shown with their email, so two people with one name can be told apart."""

    def label_from_instance(self, obj):
        label = f"{obj.display_name} ({obj.email})"
        if obj.service_center_id:
            return _("%(person)s — %(center)s") % {"person": label, "center": obj.service_center.name}
        return label


def _choice_errors(message):
    return {"invalid_choice": message}


# District settings -----------------------------------------------------------------


class TimezoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("Choose a time zone from the list, for example America/Chicago.")}
        )
        super().__init__(choices=timezone_choices, **kwargs)


class DistrictSettingsForm(forms.Form):
    name = forms.CharField(label=_("District name"), max_length=200)
    timezone = TimezoneField(help_text=_("Dates and times in Trellis are shown in this time zone."))
    require_admin_mfa = forms.BooleanField(
        label=_("Require two-factor authentication for administrators"),
        required=False,
        help_text=_(
            "District admins must set up an authenticator app before they can use Trellis. "
            "If you have not set one up yet, you will be asked to right after saving."
        ),
    )


# Campuses ------------------------------------------------------------------------------


class CampusForm(forms.Form):
    name = forms.CharField(label=_("Campus name"), max_length=200)
    code = forms.CharField(
        label=_("Campus code"),
        max_length=40,
        required=False,
        help_text=_("A state or local identifier, if you use one."),
    )
    timezone = TimezoneField(help_text=_("Usually the district's time zone."))


class CampusFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Open campuses")), ("closed", _("Closed campuses")), ("all", _("All campuses"))]

    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)


# People ------------------------------------------------------------------------------------


class PersonFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active people")), ("inactive", _("Deactivated people")), ("all", _("Everyone"))]

    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=200)
    campus = forms.ModelChoiceField(
        label=_("Campus"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All campuses"),
        error_messages=_choice_errors(_("Choose a campus from the list.")),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, error_messages=_choice_errors(_("Choose a role from the list."))
    )
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campus"].queryset = Organization.objects.filter(district=district, kind=OrgKind.CAMPUS)
        self.fields["role"].choices = [("", _("Any role"))] + [(r.value, r.label) for r in DISTRICT_ROLES]


class PersonEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_name = forms.CharField(
        label=_("Preferred name"), max_length=80, required=False, help_text=_("How Trellis greets them, if different.")
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("They sign in with this address."),
        error_messages={"invalid": _("Enter an email address like name@district.org.")},
    )
    employee_group = forms.ChoiceField(
        label=_("Employee group"),
        choices=DISTRICT_EMPLOYEE_GROUPS,
        error_messages=_choice_errors(_("Choose an employee group from the list.")),
    )


class PersonCreateForm(PersonEditForm):
    role = forms.ChoiceField(
        label=_("First role (optional)"),
        required=False,
        help_text=_("Give a role now, for example Teacher at a campus, or add roles later from their page."),
        error_messages=_choice_errors(_("Choose a role from the list.")),
    )
    organization = OrganizationChoiceField(
        label=_("Where"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Choose a campus or the district"),
        help_text=_("Teachers and campus leaders belong to a campus; district admins to the district."),
        error_messages=_choice_errors(_("Choose a campus or the district from the list.")),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("No role yet"))] + [(r.value, r.label) for r in DISTRICT_ROLES]
        self.fields["organization"].queryset = selectors.role_organizations(district)

    def clean(self):
        data = super().clean()
        if data.get("role") and not data.get("organization"):
            self.add_error("organization", _("Choose where this role applies."))
        if data.get("organization") and not data.get("role"):
            self.add_error("role", _("Choose a role, or leave both role and place empty."))
        return data


class SetActiveForm(forms.Form):
    """The state asked for, so submitting the same confirmation twice does not flip it back."""

    active = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )


# Memberships ---------------------------------------------------------------------------------


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), error_messages=_choice_errors(_("Choose a role from the list.")))
    organization = OrganizationChoiceField(
        label=_("Where"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose a campus or the district"),
        help_text=_("Teachers and campus leaders belong to a campus; district admins to the district."),
        error_messages=_choice_errors(_("Choose a campus or the district from the list.")),
    )
    valid_from = date_field(_("From"))
    valid_to = date_field(_("Until"), required=False, help_text=_("Leave empty if the role has no planned end."))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Choose a role"))] + [(r.value, r.label) for r in DISTRICT_ROLES]
        self.fields["organization"].queryset = selectors.role_organizations(district)

    def clean(self):
        data = super().clean()
        check_date_order(self)
        return data


# Caseloads ------------------------------------------------------------------------------------


class CaseloadFilterForm(forms.Form):
    STATUS_CHOICES = [("current", _("Current and upcoming")), ("ended", _("Ended")), ("all", _("All"))]

    q = forms.CharField(label=_("Search by coach or teacher"), required=False, max_length=200)
    coach = PersonChoiceField(
        label=_("Coach"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All coaches"),
        error_messages=_choice_errors(_("Choose a coach from the list.")),
    )
    campus = forms.ModelChoiceField(
        label=_("Teacher's campus"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("All campuses"),
        error_messages=_choice_errors(_("Choose a campus from the list.")),
    )
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = selectors.caseload_coaches_in_use(district)
        self.fields["campus"].queryset = Organization.objects.filter(district=district, kind=OrgKind.CAMPUS)


class CaseloadForm(forms.Form):
    coach = PersonChoiceField(
        label=_("Coach"),
        queryset=User.objects.none(),
        empty_label=_("Choose a coach"),
        help_text=_(
            "The district's coaches and campus leaders, and facilitators of service centers "
            "your district currently grants access to."
        ),
        error_messages=_choice_errors(_("Choose a coach from the list.")),
    )
    teacher = PersonChoiceField(
        label=_("Teacher"),
        queryset=User.objects.none(),
        empty_label=_("Choose a teacher"),
        error_messages=_choice_errors(_("Choose a teacher from the list.")),
    )
    valid_from = date_field(_("From"))
    valid_to = date_field(_("Until"), required=False, help_text=_("Leave empty if the support has no planned end."))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = selectors.caseload_coach_options(district)
        self.fields["teacher"].queryset = selectors.caseload_teacher_options(district)

    def clean(self):
        data = super().clean()
        check_date_order(self)
        return data


# Service-center access grants -----------------------------------------------------------------


class GrantForm(forms.Form):
    service_center = forms.ModelChoiceField(
        label=_("Service center"),
        queryset=Organization.objects.none(),
        empty_label=_("Choose a service center"),
        error_messages=_choice_errors(_("Choose a service center from the list.")),
    )
    scope = forms.ChoiceField(
        label=_("What they may see"),
        choices=GrantScope.choices,
        initial=GrantScope.DISTRICT,
        widget=forms.RadioSelect,
        error_messages=_choice_errors(_("Choose what the service center may see.")),
    )
    campuses = forms.ModelMultipleChoiceField(
        label=_("Campuses"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when you chose selected campuses."),
        error_messages={"invalid_choice": _("Choose campuses of this district only.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        required=False,
        help_text=_("What the service center supports, for example a literacy cohort."),
    )
    valid_from = date_field(_("From"))
    valid_to = date_field(_("Until"), required=False, help_text=_("Leave empty for no planned end."))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        # Any service center may be chosen: the grant is the district's own decision to let one in.
        self.fields["service_center"].queryset = Organization.objects.filter(
            kind=OrgKind.SERVICE_CENTER, is_active=True
        )
        self.fields["campuses"].queryset = Organization.objects.filter(
            district=district, kind=OrgKind.CAMPUS, is_active=True
        )

    def clean(self):
        data = super().clean()
        if data.get("scope") == GrantScope.CAMPUSES and not data.get("campuses") and "campuses" not in self.errors:
            self.add_error("campuses", _("Choose at least one campus, or grant the whole district."))
        check_date_order(self)
        return data
