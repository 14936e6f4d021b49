"""Rostering: OneRoster imports and their reports, the scheduled sync, what a roster manages,
teachers' classes, and each district's single sign-on provider.

People and campuses themselves live in ``accounts.User`` and ``orgs.Organization``
(``sourced_id`` holds their OneRoster id). The rows here record what the roster brought:
``RosterRole`` marks the memberships an import created (only those are ever ended by a
later import; roles given by hand are never touched) and ``RosterStamp`` keeps each
record's ``dateLastModified`` so a delta row older than what was applied is skipped.
Every row carries its district.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Imports ------------------------------------------------------------------------------


class ImportSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    COMMAND = "command", _("Command line")
    SCHEDULE = "schedule", _("Scheduled sync")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKED = "checked", _("Checked, waiting for you to import")
    REFUSED = "refused", _("Not imported: the files have errors")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    DRY_RUN = "dry_run", _("Checked only (dry run)")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired before it was imported")
    FAILED = "failed", _("Failed")


class RosterImport(models.Model):
    """One run of the importer and its report: checked, imported or refused."""

    district = models.ForeignKey(
        "orgs.Organization", verbose_name=_("district"), on_delete=models.PROTECT, related_name="roster_imports"
    )
    source = models.CharField(_("source"), max_length=16, choices=ImportSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    # An uploaded package waiting to be imported, in the default storage; emptied once done.
    stored_file = models.CharField(max_length=255, blank=True, editable=False)
    fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the package, so a sync never imports it twice."
    )
    size = models.BigIntegerField(_("size in bytes"), default=0)
    options = models.JSONField(default=dict, blank=True, help_text="strict, classes, mode, confirm_deactivation")
    version = models.CharField(_("OneRoster version"), max_length=8, blank=True)
    mode = models.CharField(_("mode"), max_length=8, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    # The whole report: the counts (the --json output) and every problem with its file, row and column.
    report = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["district", "-created_at"], name="rosterimport_district_idx"),
            models.Index(fields=["district", "fingerprint"], name="rosterimport_fingerprint_idx"),
        ]

    def __str__(self):
        return f"{self.filename or _('roster import')} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.IMPORTING)

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.CHECKED and bool(self.stored_file)


# What a roster manages ----------------------------------------------------------------------


class RosterRole(models.Model):
    """A membership created by a roster import (the only ones a later import may end)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    membership = models.OneToOneField("orgs.Membership", on_delete=models.CASCADE, related_name="roster_role")
    sourced_id = models.CharField(max_length=255, blank=True, help_text="The roles.csv sourcedId (OneRoster 1.2).")

    class Meta:
        verbose_name = _("rostered role")
        indexes = [models.Index(fields=["district", "sourced_id"], name="rosterrole_district_sid_idx")]

    def __str__(self):
        return str(self.membership_id)


class StampKind(models.TextChoices):
    ORG = "org", _("Organization")
    USER = "user", _("Person")
    ROLE = "role", _("Role")
    SESSION = "session", _("Academic session")
    CLASS = "class", _("Class")
    ENROLLMENT = "enrollment", _("Teacher enrollment")


class RosterStamp(models.Model):
    """The ``dateLastModified`` of the last version of a record that was applied (delta files)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=StampKind.choices)
    sourced_id = models.CharField(max_length=255)
    modified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("roster stamp")
        constraints = [
            models.UniqueConstraint(fields=["district", "kind", "sourced_id"], name="rosterstamp_unique_record")
        ]

    def __str__(self):
        return f"{self.kind} {self.sourced_id}"


# Academic sessions and teachers' classes (imported with --classes) --------------------------


class AcademicSession(models.Model):
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    sourced_id = models.CharField(_("roster id"), max_length=255)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20)  # gradingPeriod, semester, schoolYear, term
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children")
    school_year = models.PositiveIntegerField(_("school year"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("academic session")
        verbose_name_plural = _("academic sessions")
        ordering = ["district", "start_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["district", "sourced_id"], name="academicsession_unique_sid"),
        ]

    def __str__(self):
        return self.title


class SchoolClass(models.Model):
    """A class a rostered teacher teaches: what it is called and where, never who is in it."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    campus = models.ForeignKey(
        "orgs.Organization", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="classes"
    )
    sourced_id = models.CharField(_("roster id"), max_length=255)
    title = models.CharField(_("title"), max_length=200)
    class_code = models.CharField(_("class code"), max_length=100, blank=True)
    course_title = models.CharField(_("course"), max_length=200, blank=True)
    course_code = models.CharField(_("course code"), max_length=100, blank=True)
    grades = models.CharField(_("grades"), max_length=200, blank=True)
    subjects = models.CharField(_("subjects"), max_length=300, blank=True)
    periods = models.CharField(_("periods"), max_length=100, blank=True)
    school_year = models.ForeignKey(
        AcademicSession, verbose_name=_("school year"), on_delete=models.SET_NULL, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["campus", "title", "id"]
        indexes = [models.Index(fields=["district", "campus"], name="schoolclass_district_idx")]
        constraints = [models.UniqueConstraint(fields=["district", "sourced_id"], name="schoolclass_unique_sid")]

    def __str__(self):
        return self.title


class ClassTerm(models.Model):
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="terms")
    session = models.ForeignKey(AcademicSession, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school_class", "session"], name="classterm_unique")]

    def __str__(self):
        return f"{self.school_class_id} · {self.session_id}"


class ClassTeacher(models.Model):
    """A teacher enrollment: who teaches a class, from when to when."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="teachers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classes_taught")
    sourced_id = models.CharField(_("roster id"), max_length=255)
    is_primary = models.BooleanField(_("primary teacher"), null=True, blank=True)
    begin_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("class teacher")
        indexes = [models.Index(fields=["person", "is_active"], name="classteacher_person_idx")]
        constraints = [models.UniqueConstraint(fields=["district", "sourced_id"], name="classteacher_unique_sid")]

    def __str__(self):
        return f"{self.person_id} · {self.school_class_id}"


# Scheduled sync --------------------------------------------------------------------------------


class SyncMode(models.TextChoices):
    MANIFEST = "", _("As each package's manifest says")
    BULK = "bulk", _("Always bulk (the package is everyone)")
    DELTA = "delta", _("Always delta (changes only)")


class SyncSchedule(models.Model):
    """A district's drop folder, checked by ``manage.py sync_oneroster`` (run from cron)."""

    district = models.OneToOneField(
        "orgs.Organization", verbose_name=_("district"), on_delete=models.PROTECT, related_name="roster_schedule"
    )
    folder = models.CharField(
        _("folder"),
        max_length=200,
        help_text=_("A folder inside the server's roster drop directory, where your SIS puts its OneRoster files."),
    )
    mode = models.CharField(_("mode"), max_length=8, choices=SyncMode.choices, blank=True, default=SyncMode.MANIFEST)
    classes = models.BooleanField(_("import academic sessions and teachers' classes"), default=False)
    enabled = models.BooleanField(_("sync is on"), default=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_status = models.CharField(_("last result"), max_length=200, blank=True)
    last_report = models.JSONField(default=dict, blank=True)
    last_import = models.ForeignKey(RosterImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("roster sync schedule")
        constraints = [models.UniqueConstraint(fields=["folder"], name="syncschedule_unique_folder")]

    def __str__(self):
        return f"{self.district} · {self.folder}"


# Single sign-on -----------------------------------------------------------------------------------


class SSOKind(models.TextChoices):
    GOOGLE = "google", _("Google Workspace")
    MICROSOFT = "microsoft", _("Microsoft Entra ID")
    CLEVER = "clever", _("Clever")
    CLASSLINK = "classlink", _("ClassLink")
    SAML = "saml", _("SAML 2.0 (ADFS, Okta, Shibboleth…)")


class DistrictSSO(models.Model):
    """A district's sign-in provider, handed to django-allauth as one app (see trellis.accounts.sso)."""

    district = models.OneToOneField(
        "orgs.Organization", verbose_name=_("district"), on_delete=models.PROTECT, related_name="sso"
    )
    key = models.SlugField(
        max_length=60, unique=True, editable=False, help_text="Stable id in the sign-in addresses (from the district)."
    )
    kind = models.CharField(_("provider"), max_length=12, choices=SSOKind.choices)
    enabled = models.BooleanField(_("single sign-on is on"), default=False)
    client_id = models.CharField(_("client ID"), max_length=191, blank=True)
    client_secret = models.CharField(_("client secret"), max_length=191, blank=True)
    server_url = models.URLField(
        _("provider address"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty for the provider's usual address."),
    )
    tenant = models.CharField(
        _("tenant"),
        max_length=100,
        blank=True,
        help_text=_("Microsoft: your directory (tenant) ID. Clever: your Clever district ID. ClassLink: tenant ID."),
    )
    roster_id_claim = models.CharField(
        _("roster id claim"),
        max_length=60,
        blank=True,
        help_text=_("The token claim that carries the person's OneRoster sourcedId, when the provider sends one."),
    )
    saml_entity_id = models.CharField(_("IdP entity ID"), max_length=300, blank=True)
    saml_sso_url = models.URLField(_("IdP sign-in address"), max_length=300, blank=True)
    saml_certificate = models.TextField(_("IdP signing certificate"), blank=True)
    allow_local_passwords = models.BooleanField(
        _("allow Trellis passwords"),
        default=True,
        help_text=_("When off, your people can sign in only through the provider (platform operators excepted)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("district single sign-on")
        verbose_name_plural = _("district single sign-on")

    def __str__(self):
        return f"{self.district} · {self.get_kind_display()}"

    @property
    def provider_id(self) -> str:
        """allauth's provider id for this district's app (in the sign-in and callback addresses)."""
        return f"{self.key}-{self.kind}"


class SSODomain(models.Model):
    """An email domain whose people sign in with a district's provider (a domain has one district)."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    config = models.ForeignKey(DistrictSSO, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("single sign-on domain")
        ordering = ["domain"]
        constraints = [models.CheckConstraint(condition=~Q(domain=""), name="ssodomain_not_empty")]

    def __str__(self):
        return self.domain
