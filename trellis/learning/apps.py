from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.learning"
    verbose_name = _("Professional learning")

    def ready(self):
        # Registers this app's access rules.
        from trellis.learning import access  # noqa: F401
        from trellis.learning.calendar import feed_events
        from trellis.lib.ical import register_feed_source

        # Sessions a person is confirmed for or facilitates appear in their personal calendar feed.
        register_feed_source(feed_events)
        post_migrate.connect(_install_starter, sender=self)


def _install_starter(sender, using="default", **kwargs):
    """A fresh install has the starter question bank; later runs add only what is missing."""
    from trellis.learning.starter import install_starter_questions

    install_starter_questions(using=using)
