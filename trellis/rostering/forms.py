"""Forms of the rostering pages. They validate input only; the views call the services."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from trellis.rostering.models import SSOKind, SyncMode


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("OneRoster zip file"),
        widget=forms.FileInput(attrs={"accept": ".zip,application/zip"}),
        help_text=_("The OneRoster 1.1 or 1.2 CSV export of your student information system, as one zip file."),
    )
    classes = forms.BooleanField(
        label=_("Also import academic sessions and teachers' classes"),
        required=False,
        help_text=_("Class names, courses and terms of each teacher. Never students or class lists."),
    )
    mode = forms.ChoiceField(
        label=_("Read the files as"),
        choices=SyncMode.choices,
        required=False,
        help_text=_("A bulk file holds everyone: people missing from it are deactivated. A delta file holds changes."),
    )
    strict = forms.BooleanField(
        label=_("Strict: refuse any deviation from OneRoster"),
        required=False,
        help_text=_("For checking an exporter. Normally Trellis reads around small deviations and lists them."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked on the size the upload reports, before anything reads the file.
        if upload.size > settings.ROSTER_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": _megabytes(upload.size), "limit": _megabytes(settings.ROSTER_MAX_UPLOAD_BYTES)}
            )
        if not upload.name.lower().endswith(".zip"):
            raise forms.ValidationError(
                _("Choose the zip file of the export (all the CSV files together), not a single CSV file.")
            )
        return upload


class ConfirmForm(forms.Form):
    confirm_deactivation = forms.BooleanField(
        label=_("Yes, deactivate them: they have left the district."),
        required=False,
    )


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Import new files from the folder automatically"), required=False)
    folder = forms.CharField(
        label=_("Folder"),
        max_length=200,
        help_text=_("A folder name inside the server's roster drop directory, for example your district's short name."),
    )
    mode = forms.ChoiceField(label=_("Read the files as"), choices=SyncMode.choices, required=False)
    classes = forms.BooleanField(label=_("Also import academic sessions and teachers' classes"), required=False)

    def clean_folder(self):
        folder = self.cleaned_data["folder"].strip().strip("/")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*", folder) or ".." in folder:
            raise forms.ValidationError(
                _("Use letters, digits, dots, dashes and underscores, with / between folders (no “..”).")
            )
        return folder


class SSOForm(forms.Form):
    enabled = forms.BooleanField(label=_("Single sign-on is on"), required=False)
    kind = forms.ChoiceField(label=_("Provider"), choices=SSOKind.choices)
    domains = forms.CharField(
        label=_("Email domains"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, for example cedarvalley.k12.tx.us. People with these addresses sign in here."),
    )
    allow_local_passwords = forms.BooleanField(
        label=_("Also allow Trellis passwords"),
        required=False,
        help_text=_("Turn off to make your people sign in only through the provider (platform operators excepted)."),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=191, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the secret already saved."),
    )
    tenant = forms.CharField(
        label=_("Tenant"),
        max_length=100,
        required=False,
        help_text=_(
            "Microsoft: your directory (tenant) ID (required). Clever: your Clever district ID. ClassLink: tenant ID."
        ),
    )
    server_url = forms.URLField(
        label=_("Provider address"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty for the provider's usual address."),
    )
    roster_id_claim = forms.CharField(
        label=_("Roster id claim"),
        max_length=60,
        required=False,
        help_text=_("The claim that holds the person's OneRoster sourcedId. Leave empty for the provider's default."),
    )
    saml_metadata = forms.CharField(
        label=_("IdP metadata (XML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("SAML: paste your identity provider's metadata, or fill in the three fields below."),
    )
    saml_entity_id = forms.CharField(label=_("IdP entity ID"), max_length=300, required=False)
    saml_sso_url = forms.URLField(label=_("IdP sign-in address"), max_length=300, required=False, assume_scheme="https")
    saml_certificate = forms.CharField(
        label=_("IdP signing certificate"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_domains(self):
        raw = re.split(r"[\s,;]+", self.cleaned_data["domains"].lower())
        domains = []
        for item in raw:
            item = item.strip().lstrip("@").rstrip(".")
            if not item:
                continue
            if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", item):
                raise forms.ValidationError(_("“%(domain)s” is not an email domain.") % {"domain": item})
            if item not in domains:
                domains.append(item)
        if not domains:
            raise forms.ValidationError(_("Enter at least one email domain."))
        return domains

    def clean_saml_metadata(self):
        xml = self.cleaned_data["saml_metadata"].strip()
        if not xml:
            return {}
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

        try:
            parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml).get("idp") or {}
        except Exception as exc:  # noqa: BLE001 (any parse failure is the admin's input)
            raise forms.ValidationError(
                _("This is not SAML metadata Trellis can read: %(reason)s") % {"reason": exc}
            ) from exc
        result = {
            "saml_entity_id": parsed.get("entityId", ""),
            "saml_sso_url": (parsed.get("singleSignOnService") or {}).get("url", ""),
            "saml_certificate": parsed.get("x509cert", "")
            or "".join((parsed.get("x509certMulti") or {}).get("signing", [])[:1]),
        }
        if not all(result.values()):
            raise forms.ValidationError(
                _("The metadata lacks the entity ID, the sign-in address or the signing certificate.")
            )
        return result

    def settings_values(self) -> dict:
        """The values for the service: metadata, when given, fills in the three SAML fields."""
        data = dict(self.cleaned_data)
        metadata = data.pop("saml_metadata") or {}
        data.update(metadata)
        return data
