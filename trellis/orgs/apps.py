from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.orgs"
    verbose_name = _("Orgs")

    def ready(self):
        # Registers this app's access rules.
        from trellis.orgs import access  # noqa: F401
