"""Background work for observations: tasks take ids, load rows, and send."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_observation_shared_email(observation_id: int) -> None:
    from trellis.observations.models import Observation

    obs = Observation.objects.select_related("teacher", "observer").filter(pk=observation_id).first()
    if obs is None or not obs.teacher.is_active:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("observations:detail", args=[obs.pk])
    # The email says that feedback is waiting, never what it says: coaching content stays in Trellis.
    body = render_to_string("observations/email/shared.txt", {"obs": obs, "url": url})
    send_mail(
        _("%(observer)s shared feedback from your classroom visit") % {"observer": obs.observer.display_name},
        body,
        settings.DEFAULT_FROM_EMAIL,
        [obs.teacher.email],
    )
