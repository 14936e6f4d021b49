from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.observations"
    verbose_name = _("Observations")

    def ready(self):
        # Registers this app's access rules.
        from trellis.observations import access  # noqa: F401
