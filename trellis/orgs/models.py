"""Organizations, memberships, caseloads and service-center access grants.

The tree is service center -> district -> campus; a district may stand alone.
Every tenant-owned row carries ``district`` (the district it belongs to), so every
query can be scoped by district. Service-center rows carry no district.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    SERVICE_CENTER = "service_center", _("Service center")
    DISTRICT = "district", _("District")
    CAMPUS = "campus", _("Campus")


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    district = models.ForeignKey(
        "self",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a campus its district; for a district itself; empty for a service center."),
    )
    code = models.CharField(_("code"), max_length=40, blank=True, help_text=_("A state or local identifier."))
    sourced_id = models.CharField(_("roster id"), max_length=255, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Chicago")
    require_admin_mfa = models.BooleanField(
        _("require two-factor authentication for administrators"),
        default=False,
        help_text=_("District admins must set up an authenticator app before they can use Trellis."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["district", "kind", "name"], name="org_district_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], condition=Q(parent=None), name="org_unique_root_slug"),
            models.UniqueConstraint(fields=["parent", "slug"], name="org_unique_slug_in_parent"),
            # A campus sits under a district; a service center is a root.
            models.CheckConstraint(condition=~Q(kind="campus") | Q(parent__isnull=False), name="org_campus_has_parent"),
            models.CheckConstraint(
                condition=~Q(kind="service_center") | Q(parent=None), name="org_service_center_is_root"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_campus(self) -> bool:
        return self.kind == OrgKind.CAMPUS

    @property
    def is_district(self) -> bool:
        return self.kind == OrgKind.DISTRICT

    @property
    def is_service_center(self) -> bool:
        return self.kind == OrgKind.SERVICE_CENTER


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    COACH = "coach", _("Coach")
    CAMPUS_LEADER = "campus_leader", _("Campus leader")
    DISTRICT_ADMIN = "district_admin", _("District admin")
    FACILITATOR = "facilitator", _("Facilitator")
    SERVICE_CENTER_ADMIN = "service_center_admin", _("Service-center admin")


# Which kind of organization each role is granted on.
ROLE_ORG_KINDS = {
    Role.TEACHER: {OrgKind.CAMPUS},
    Role.COACH: {OrgKind.CAMPUS, OrgKind.DISTRICT},
    Role.CAMPUS_LEADER: {OrgKind.CAMPUS},
    Role.DISTRICT_ADMIN: {OrgKind.DISTRICT},
    Role.FACILITATOR: {OrgKind.SERVICE_CENTER},
    Role.SERVICE_CENTER_ADMIN: {OrgKind.SERVICE_CENTER},
}


def active_on(day: datetime.date, prefix: str = "") -> Q:
    """Rows whose valid_from/valid_to window contains ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class Membership(models.Model):
    """A role held by a person on an organization node, between two dates."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    district = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "role", "id"]
        indexes = [
            models.Index(fields=["person", "role"], name="membership_person_role_idx"),
            models.Index(fields=["organization", "role"], name="membership_org_role_idx"),
            models.Index(fields=["district", "role"], name="membership_district_role_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization", "role", "valid_from"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.organization}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class CaseloadAssignment(models.Model):
    """A coach (or a service-center facilitator) assigned to support a teacher.

    ``district`` is the teacher's district. A facilitator's assignment gives access
    only while the district's grant to the facilitator's service center is active.
    """

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coach"), on_delete=models.CASCADE, related_name="caseload"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="coaches"
    )
    district = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", editable=False)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("caseload assignment")
        verbose_name_plural = _("caseload assignments")
        ordering = ["teacher__full_name", "id"]
        indexes = [
            models.Index(fields=["coach", "valid_to"], name="caseload_coach_idx"),
            models.Index(fields=["teacher", "valid_to"], name="caseload_teacher_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(coach=models.F("teacher")), name="caseload_not_self"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="caseload_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.coach} → {self.teacher}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class GrantScope(models.TextChoices):
    DISTRICT = "district", _("Every campus in the district")
    CAMPUSES = "campuses", _("Selected campuses")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SCHEDULED = "scheduled", _("Starts later")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AccessGrant(models.Model):
    """A district's permission for a service center's facilitators to work with its people."""

    district = models.ForeignKey(
        Organization, verbose_name=_("district"), on_delete=models.PROTECT, related_name="grants_given"
    )
    service_center = models.ForeignKey(
        Organization, verbose_name=_("service center"), on_delete=models.PROTECT, related_name="grants_received"
    )
    scope = models.CharField(_("scope"), max_length=20, choices=GrantScope.choices, default=GrantScope.DISTRICT)
    campuses = models.ManyToManyField(Organization, verbose_name=_("campuses"), blank=True, related_name="+")
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        ordering = ["-valid_from", "-id"]
        indexes = [
            models.Index(fields=["district", "service_center"], name="grant_district_sc_idx"),
            models.Index(fields=["service_center", "revoked_at"], name="grant_sc_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="grant_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.district} → {self.service_center}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.revoked_at:
            return GrantStatus.REVOKED
        if self.valid_from > today:
            return GrantStatus.SCHEDULED
        if self.valid_to and self.valid_to < today:
            return GrantStatus.EXPIRED
        return GrantStatus.ACTIVE

    def get_status_display(self) -> str:
        return GrantStatus(self.status).label
