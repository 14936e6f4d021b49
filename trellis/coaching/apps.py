from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.coaching"
    verbose_name = _("Coaching")

    def ready(self):
        # Registers this app's access rules.
        from trellis.coaching import access  # noqa: F401
