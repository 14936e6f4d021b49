"""Helpers shared by the learning services (no writes of their own)."""

import datetime
import zoneinfo
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trellis.learning import models as m
from trellis.orgs.access import active_memberships
from trellis.orgs.models import OrgKind, Role


def clean_text(value, field: str, *, required: bool = False, max_length: int | None = None) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            {field: _("Use at most %(n)s characters (this has %(len)s).") % {"n": max_length, "len": len(text)}}
        )
    return text


def deny(message: str):
    raise PermissionDenied(message)


@lru_cache(maxsize=1)
def _zones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str, field: str = "timezone") -> str:
    if name not in _zones():
        raise ValidationError({field: _("Choose a time zone from the list, for example America/Chicago.")})
    return name


def aware(value, tz_name: str, field: str) -> datetime.datetime | None:
    """An aware datetime; a naive one is read in the session's time zone."""
    if value is None or value == "":
        return None
    if not isinstance(value, datetime.datetime):
        raise ValidationError({field: _("Enter a date and time.")})
    if timezone.is_naive(value):
        return timezone.make_aware(value, zoneinfo.ZoneInfo(tz_name))
    return value


def district_of(owner) -> int | None:
    """The ``district`` value of program-side rows: the owner when it is a district, else empty."""
    return owner.pk if owner.kind == OrgKind.DISTRICT else None


def facilitator_candidates_q(owner) -> Q:
    """People who may facilitate an owner's sessions, as a filter on people.

    A service center's facilitators and admins; a district's coaches and admins.
    """
    if owner.kind == OrgKind.SERVICE_CENTER:
        rows = active_memberships().filter(
            organization_id=owner.pk, role__in=[Role.FACILITATOR, Role.SERVICE_CENTER_ADMIN]
        )
    else:
        rows = active_memberships().filter(district_id=owner.pk, role__in=[Role.COACH, Role.DISTRICT_ADMIN])
    return Q(pk__in=rows.values("person_id"), is_active=True)


def check_facilitators(owner, people, field: str = "facilitators") -> list:
    from django.contrib.auth import get_user_model

    people = list(people or [])
    if not people:
        return []
    allowed = set(
        get_user_model()
        .objects.filter(facilitator_candidates_q(owner), pk__in=[p.pk for p in people])
        .values_list("pk", flat=True)
    )
    wrong = [p.display_name for p in people if p.pk not in allowed]
    if wrong:
        raise ValidationError(
            {
                field: _("%(names)s cannot facilitate here: choose facilitators or coaches of %(owner)s.")
                % {"names": ", ".join(wrong), "owner": owner.name}
            }
        )
    return people


def lock_session(session: m.Session) -> m.Session:
    """The session row, locked until the transaction ends: registrations for it queue up behind this."""
    # of=("self",): lock the session row only, not the cohort, program and organization rows joined in
    # (those would serialise every registration across an owner's programs).
    qs = m.Session.objects.select_for_update(of=("self",)).select_related("cohort__program", "owner")
    return qs.get(pk=session.pk)


def confirmed_count(session: m.Session) -> int:
    return session.registrations.filter(status=m.RegistrationStatus.CONFIRMED).count()


def session_started(session: m.Session, now=None) -> bool:
    return (now or timezone.now()) >= session.starts_at
