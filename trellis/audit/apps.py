from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.audit"
    verbose_name = _("Audit")

    def ready(self):
        # Registers this app's access rules.
        from trellis.audit import access  # noqa: F401
