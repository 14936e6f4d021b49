from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # Registers this app's access rules.
        from trellis.accounts import access  # noqa: F401
        from trellis.accounts.middleware import mark_session_fresh

        user_logged_in.connect(mark_session_fresh, dispatch_uid="trellis-session-fresh")
