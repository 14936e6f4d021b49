"""The personal calendar feed: every session of a person's, read by their calendar app by secret address."""

from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_GET

from trellis.accounts.models import CalendarFeed
from trellis.accounts.services import feed_token_hash
from trellis.lib.ical import calendar_bytes, feed_events, ics_response


@require_GET
def calendar_feed(request, token: str):
    """No sign-in: calendar apps cannot log in. The unguessable token is the credential."""
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=feed_token_hash(token), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    # Calendar apps poll often: record use at most once an hour.
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 3600:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    data = calendar_bytes(feed_events(feed.person), name="Trellis")
    return ics_response(data, "trellis.ics", attachment=False)
