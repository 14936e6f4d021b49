from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoachingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trellis.coaching"
    verbose_name = _("Coaching")

    def ready(self):
        # Registers this app's access rules and its events in personal calendar feeds.
        from trellis.coaching import access  # noqa: F401
        from trellis.coaching.calendar import feed_events
        from trellis.lib.ical import register_feed_source

        register_feed_source(feed_events)
        post_migrate.connect(_install_starter, sender=self)


def _install_starter(sender, using="default", **kwargs):
    from trellis.coaching.starter import install_starter_protocols

    install_starter_protocols(using=using)
