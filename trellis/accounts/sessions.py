"""The session engine: Django's database sessions, with the lookup every request makes compiled once."""

import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from trellis.lib.compiled import CompiledQuery

_SESSION_DATA = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list("session_data"),
    key=str,
    now=datetime.datetime,
)


class SessionStore(db.SessionStore):
    def load(self):
        # As the database engine: an unknown or expired key loads empty and drops the key.
        rows = _SESSION_DATA.rows(key=self.session_key, now=timezone.now()) if self.session_key else []
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])
