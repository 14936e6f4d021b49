"""Competency frameworks, their continua, crosswalks and action-step libraries, as data.

A ``Framework`` is the thing people name ("Open Instructional Practice"); its
content lives in ``FrameworkVersion`` rows so an observation or a goal can pin
the version it used. Re-importing a CASE package with the same document
identifier and version updates that version in place; a new version string adds
a version. ``district`` is empty for frameworks shipped with Trellis (readable by
everyone) and set for a district's own frameworks and copies.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FrameworkKind(models.TextChoices):
    TEACHING_PRACTICE = "teaching_practice", _("Teaching practice")
    COACH_COMPETENCY = "coach_competency", _("Coach competency")
    DIGITAL_COMPETENCY = "digital_competency", _("Digital competency")
    PL_STANDARDS = "pl_standards", _("Professional-learning standards")
    OTHER = "other", _("Other")


class Framework(models.Model):
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="frameworks"
    )
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FrameworkKind.choices, default=FrameworkKind.OTHER)
    language = models.CharField(_("language"), max_length=20, blank=True)
    description = models.TextField(_("description"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True, help_text=_("An SPDX id or a name."))
    licence_url = models.URLField(_("licence link"), max_length=500, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    case_identifier = models.CharField(_("CASE document identifier"), max_length=100, blank=True)
    case_uri = models.CharField(_("CASE document URI"), max_length=500, blank=True)
    adoption_status = models.CharField(_("adoption status"), max_length=60, blank=True)
    current_version = models.ForeignKey(
        "FrameworkVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["district", "title"], name="framework_district_idx")]
        constraints = [
            # One copy of a CASE document per owner: re-imports update it instead of duplicating.
            models.UniqueConstraint(
                fields=["district", "case_identifier"],
                condition=~Q(case_identifier=""),
                name="framework_unique_case_doc_per_district",
            ),
            models.UniqueConstraint(
                fields=["case_identifier"],
                condition=~Q(case_identifier="") & Q(district=None),
                name="framework_unique_shared_case_doc",
            ),
        ]

    def __str__(self):
        return self.title


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    label = models.CharField(_("version"), max_length=100, blank=True)
    case_last_change = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("framework version")
        ordering = ["framework", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "label"], name="framework_version_unique_label"),
        ]

    def __str__(self):
        return f"{self.framework.title} {self.label}".strip()


class ScaleDirection(models.TextChoices):
    ASCENDING = "ascending", _("Higher levels are further along")
    DESCENDING = "descending", _("Level 1 is the ideal")


class PerformanceScale(models.Model):
    """The continuum of one framework version: ordered levels of any number and direction."""

    version = models.OneToOneField(FrameworkVersion, on_delete=models.CASCADE, related_name="scale")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    direction = models.CharField(max_length=12, choices=ScaleDirection.choices, default=ScaleDirection.ASCENDING)
    case_identifier = models.CharField(max_length=100, blank=True, help_text="The CFRubric identifier.")

    def __str__(self):
        return self.title or str(self.version)


class ScaleLevel(models.Model):
    scale = models.ForeignKey(PerformanceScale, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveIntegerField(_("position"), help_text=_("Order of the column, from 1."))
    label = models.CharField(_("label"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    short_descriptor = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [models.UniqueConstraint(fields=["scale", "position"], name="scale_level_unique_position")]

    def __str__(self):
        return self.label


class FrameworkNode(models.Model):
    """One item of the tree: a domain, component, indicator... of any depth."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="nodes")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    node_type = models.CharField(_("type"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    statement = models.TextField(_("statement"))
    sort_order = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    # The node's position in a depth-first walk of the tree, so one ORDER BY gives the outline.
    outline = models.PositiveIntegerField(default=0)
    case_identifier = models.CharField(max_length=200, blank=True)
    case_uri = models.CharField(max_length=500, blank=True)
    item_type_uri = models.CharField(max_length=500, blank=True)
    list_enumeration = models.CharField(max_length=100, blank=True)
    education_levels = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="CASE properties kept for a faithful export.")

    class Meta:
        verbose_name = _("framework node")
        ordering = ["version", "outline"]
        indexes = [
            models.Index(fields=["version", "outline"], name="node_version_outline_idx"),
            models.Index(fields=["version", "case_identifier"], name="node_version_case_idx"),
            models.Index(fields=["parent", "sort_order"], name="node_parent_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_title}".strip()

    @property
    def display_title(self) -> str:
        return self.title or self.statement


class LevelDescriptor(models.Model):
    """What practice looks like for one node at one level of the continuum."""

    node = models.ForeignKey(FrameworkNode, on_delete=models.CASCADE, related_name="descriptors")
    level = models.ForeignKey(ScaleLevel, on_delete=models.CASCADE, related_name="descriptors")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(_("descriptor"))
    feedback = models.TextField(_("next-step suggestion"), blank=True)
    case_criterion_identifier = models.CharField(max_length=100, blank=True)
    case_level_identifier = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "level"], name="descriptor_unique_node_level")]


class NodeAlignment(models.Model):
    """A crosswalk link from a node to another node, in this or another framework, or outside Trellis."""

    from_node = models.ForeignKey(FrameworkNode, on_delete=models.CASCADE, related_name="alignments")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    relation = models.CharField(_("relation"), max_length=100)
    to_node = models.ForeignKey(FrameworkNode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_identifier = models.CharField(max_length=300, blank=True)
    to_uri = models.CharField(max_length=1000, blank=True)
    to_title = models.CharField(max_length=500, blank=True)
    case_identifier = models.CharField(max_length=100, blank=True)
    sequence = models.IntegerField(null=True, blank=True)
    # True when the origin of the CASE association was the other end (we store it from our node's side).
    reversed = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["from_node"], name="alignment_from_idx")]

    @property
    def is_external(self) -> bool:
        return self.to_node_id is None


class ActionStepLibrary(models.Model):
    district = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="action_libraries"
    )
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    licence_url = models.URLField(_("licence link"), max_length=500, blank=True)
    framework = models.ForeignKey(Framework, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    key = models.SlugField(max_length=100, blank=True, help_text="Stable key of a library shipped with Trellis.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action-step library")
        verbose_name_plural = _("action-step libraries")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~Q(key="") & Q(district=None), name="library_unique_key")
        ]

    def __str__(self):
        return self.title


class LibraryPhase(models.Model):
    library = models.ForeignKey(ActionStepLibrary, on_delete=models.CASCADE, related_name="phases")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    key = models.SlugField(max_length=60)
    label = models.CharField(_("phase"), max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["library", "position"]
        constraints = [models.UniqueConstraint(fields=["library", "key"], name="phase_unique_key")]

    def __str__(self):
        return self.label


class ActionStep(models.Model):
    """A small, concrete teacher move in a library's scope and sequence."""

    library = models.ForeignKey(ActionStepLibrary, on_delete=models.CASCADE, related_name="steps")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    phase = models.ForeignKey(LibraryPhase, on_delete=models.PROTECT, related_name="steps")
    code = models.CharField(_("code"), max_length=40)
    sequence = models.PositiveIntegerField(_("sequence"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    sub_moves = models.JSONField(_("parts of the move"), default=list, blank=True)
    look_fors = models.JSONField(_("look-fors"), default=list, blank=True)
    practice_prompt = models.TextField(_("practice prompt"), blank=True)
    typical_duration_days = models.PositiveSmallIntegerField(_("typical days to master"), default=7)
    aligned_nodes = models.ManyToManyField(FrameworkNode, blank=True, related_name="action_steps")

    class Meta:
        verbose_name = _("action step")
        ordering = ["library", "sequence"]
        indexes = [models.Index(fields=["library", "phase", "sequence"], name="step_library_phase_idx")]
        constraints = [
            models.UniqueConstraint(fields=["library", "code"], name="step_unique_code"),
            models.UniqueConstraint(fields=["library", "sequence"], name="step_unique_sequence"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ExemplarResource(models.Model):
    step = models.ForeignKey(ActionStep, on_delete=models.CASCADE, related_name="exemplars")
    district = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="exemplars/%Y/%m/", blank=True)

    def __str__(self):
        return self.title


class DistrictFrameworkChoice(models.Model):
    """A framework a district uses; at most one is the default for observations and goals."""

    district = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="framework_choices")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="district_choices")
    is_default = models.BooleanField(_("default for observations and goals"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "framework"], name="framework_choice_unique"),
            models.UniqueConstraint(fields=["district"], condition=Q(is_default=True), name="framework_one_default"),
        ]


class DistrictLibraryChoice(models.Model):
    district = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="library_choices")
    library = models.ForeignKey(ActionStepLibrary, on_delete=models.CASCADE, related_name="district_choices")
    is_default = models.BooleanField(_("default library"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "library"], name="library_choice_unique"),
            models.UniqueConstraint(fields=["district"], condition=Q(is_default=True), name="library_one_default"),
        ]


# The CASE import wizard ---------------------------------------------------------------------


class CaseImportSource(models.TextChoices):
    FILE = "file", _("Uploaded file")
    URL = "url", _("Address on a CASE server")


class CaseImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    CHECKING = "checking", _("Checking")
    READY = "ready", _("Ready to import")
    FAILED = "failed", _("Cannot be imported")
    IMPORTED = "imported", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")


class CaseImportJob(models.Model):
    """One run of the CASE import wizard: a package fetched and checked in the background, then imported."""

    district = models.ForeignKey(
        "orgs.Organization", verbose_name=_("district"), on_delete=models.CASCADE, related_name="case_import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=1000, help_text=_("The file name or the address."))
    source_kind = models.CharField(_("source kind"), max_length=8, choices=CaseImportSource.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=FrameworkKind.choices, default=FrameworkKind.OTHER)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseImportStatus.choices, default=CaseImportStatus.PENDING
    )
    # The package in the default storage (case-imports/...) while it waits; emptied once done.
    stored_file = models.CharField(max_length=255, blank=True, editable=False)
    # The dry run's report (CaseReport.as_dict()).
    report = models.JSONField(default=dict, blank=True)
    existed = models.BooleanField(default=False, help_text="The district has this CASE document already.")
    framework = models.ForeignKey(Framework, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("CASE import")
        verbose_name_plural = _("CASE imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["district", "-created_at"], name="caseimport_district_idx"),
            models.Index(fields=["status", "updated_at"], name="caseimport_status_idx"),
        ]

    def __str__(self):
        return f"{self.source} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (CaseImportStatus.PENDING, CaseImportStatus.CHECKING)

    @property
    def is_open(self) -> bool:
        """Not imported or cancelled: the wizard can still go on."""
        return self.status not in (CaseImportStatus.IMPORTED, CaseImportStatus.CANCELLED)
