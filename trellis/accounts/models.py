"""People who use Trellis.

One row is one person. A person belongs to one employing organization: a district
(``district`` set) or a service center (``district`` empty, ``service_center`` set).
What a person may do comes from their memberships (``trellis.orgs.Membership``),
never from fields here; ``is_superuser`` is reserved for platform operators and
only opens the Django admin.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmployeeGroup(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    PARAPROFESSIONAL = "paraprofessional", _("Paraprofessional")
    COUNSELOR = "counselor", _("Counselor")
    SPECIALIST = "specialist", _("Specialist")
    COACH = "coach", _("Coach")
    CAMPUS_LEADER = "campus_leader", _("Campus leader")
    DISTRICT_STAFF = "district_staff", _("District staff")
    SERVICE_CENTER_STAFF = "service_center_staff", _("Service-center staff")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("A person needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["is_superuser"] = True
        fields.setdefault("employee_group", EmployeeGroup.DISTRICT_STAFF)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_name = models.CharField(_("preferred name"), max_length=80, blank=True)
    employee_group = models.CharField(
        _("employee group"), max_length=32, choices=EmployeeGroup.choices, default=EmployeeGroup.TEACHER
    )
    district = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text=_("The employing district. Empty for service-center staff."),
    )
    service_center = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("service center"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("The employing service center, for its own staff."),
    )
    sourced_id = models.CharField(
        _("roster id"), max_length=255, blank=True, help_text=_("The OneRoster sourcedId, when rostered.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["district", "full_name"], name="user_district_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=~models.Q(sourced_id=""),
                name="user_unique_sourced_id_per_district",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name or self.email

    @property
    def is_staff(self) -> bool:
        # Only platform operators reach the Django admin.
        return self.is_superuser

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.display_name


class CalendarFeed(models.Model):
    """A secret address from which a person's calendar app reads their sessions.

    Only a hash of the token is stored: the address is shown once, when it is
    made. Revoking it (or making a new one) stops the old address at once.
    """

    person = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{_('calendar feed')} #{self.pk}"
