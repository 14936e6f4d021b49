from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosteringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.rostering"
    verbose_name = _("Rostering")

    def ready(self):
        # Registers this app's access rules.
        from trellis.rostering import access  # noqa: F401
