from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Registers this app's access rules.
        from trellis.accounts import access  # noqa: F401
