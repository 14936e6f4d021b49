from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.frameworks"
    verbose_name = _("Frameworks")

    def ready(self):
        # Registers this app's access rules.
        from trellis.frameworks import access  # noqa: F401

        post_migrate.connect(_install_starter, sender=self)


def _install_starter(sender, using="default", **kwargs):
    """A fresh install has the starter framework and library; this is a no-op once they exist."""
    from trellis.frameworks.starter import install_starter_content

    install_starter_content(using=using)
