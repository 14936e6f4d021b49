"""In-app notices and links for professional learning.

The pages (catalogue, session page, approvals, surveys, certificates) are built on top
of this app's services; a notice or email links to a page once its URL name exists and
goes without a link until then, so services never depend on a page being there.
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from trellis.observations.models import Notice

# The URL names notices and emails link to (each takes the arguments listed).
PAGES = {
    "session": "learning:session",  # a session's page: session pk
    "my_learning": "learning:my-learning",  # the participant's registrations and transcript: no arguments
    "approvals": "learning:approvals",  # a district admin's registrations waiting for approval: no arguments
    "survey": "learning:survey",  # a session's survey: survey pk
    "certificate": "learning:certificate",  # a certificate: certificate pk
    "checkin": "learning:checkin",  # the check-in page a QR code opens: the session's check-in code
}


def page_url(page: str, *args) -> str:
    """The path of one of the pages above, or "" while that page does not exist."""
    try:
        return reverse(PAGES[page], args=args)
    except NoReverseMatch:
        return ""


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + (path or "/")


def notify(recipient, text: str, page: str = "", *args) -> Notice:
    """One in-app notice (the bell) for ``recipient``."""
    return Notice.objects.create(
        district_id=recipient.district_id,
        recipient=recipient,
        text=str(text)[:300],
        url=page_url(page, *args) if page else "",
    )


_EMAILS_OFF = contextvars.ContextVar("learning_emails_off", default=False)


@contextmanager
def emails_off():
    """Write without emailing anyone (the demo loader, imports of past records); notices still appear."""
    token = _EMAILS_OFF.set(True)
    try:
        yield
    finally:
        _EMAILS_OFF.reset(token)


def after_commit(callback) -> None:
    """Run ``callback`` (which enqueues an email task) once the transaction commits, unless emails are off."""
    if not _EMAILS_OFF.get():
        transaction.on_commit(callback)
