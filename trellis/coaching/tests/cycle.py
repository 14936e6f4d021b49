"""Builders shared by the coaching-cycle tests: relationships, observations, frameworks, calendars.

Every builder goes through the services (so the rows are what the product makes),
except where a test needs a row the services would refuse to make.
"""

import datetime
import uuid
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from trellis.coaching import services
from trellis.coaching.models import CycleModel, Protocol
from trellis.frameworks.models import Framework, FrameworkNode, ScaleLevel
from trellis.frameworks.starter import starter_framework_identifier
from trellis.observations.models import EvidenceNote, Observation
from trellis.orgs.factories import CaseloadFactory, MembershipFactory, PersonFactory
from trellis.orgs.models import Role

CHICAGO = ZoneInfo("America/Chicago")
UTC = datetime.UTC


def local(year, month, day, hour=0, minute=0, tz=CHICAGO) -> datetime.datetime:
    """An aware datetime on the district's wall clock (America/Chicago by default)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


# Shipped data -----------------------------------------------------------------------


def cycle_model(key: str = "see-name-do") -> CycleModel:
    return CycleModel.objects.get(district=None, key=key)


def protocol(key: str = "see-name-do") -> Protocol:
    return Protocol.objects.get(district=None, key=key)


def starter_version():
    framework = Framework.objects.get(case_identifier=starter_framework_identifier("open-instructional-practice"))
    return framework.current_version


def components(version, n: int = 4) -> list[FrameworkNode]:
    return list(FrameworkNode.objects.filter(version=version, depth=2).order_by("outline")[:n])


def levels(version) -> list[ScaleLevel]:
    return list(ScaleLevel.objects.filter(scale__version=version).order_by("position"))


def other_version():
    """A second framework version (a district's own), to test that nodes and levels must match the version."""
    from trellis.frameworks.models import FrameworkVersion, PerformanceScale

    framework = Framework.objects.create(title="Another rubric")
    version = FrameworkVersion.objects.create(framework=framework, label="1")
    scale = PerformanceScale.objects.create(version=version, title="Other scale")
    level = ScaleLevel.objects.create(scale=scale, position=1, label="Beginning")
    node = FrameworkNode.objects.create(version=version, statement="Another area", depth=2)
    return version, node, level


# People ------------------------------------------------------------------------------


def extra_teachers(world, n: int, *, coach=None, campus=None) -> list:
    """``n`` more teachers in district A, on ``coach``'s caseload (the persona coach by default)."""
    coach = coach or world.coach
    people = []
    for i in range(n):
        person = PersonFactory(
            full_name=f"Extra Teacher {i}",
            email=f"extra{i}-{uuid.uuid4().hex[:6]}@a.example.org",
            district=world.district,
        )
        MembershipFactory(person=person, organization=campus or world.campus, role=Role.TEACHER)
        CaseloadFactory(coach=coach, teacher=person)
        people.append(person)
    return people


# Relationships ----------------------------------------------------------------------


def proposed(world, *, coach=None, teachers=None, **agreement):
    agreement.setdefault("norms", "We meet every other Tuesday and start on time.")
    agreement.setdefault("sharing", "Nothing is shared without the teacher's say-so.")
    return services.relationship_create(
        actor=coach or world.coach,
        teachers=teachers or [world.teacher],
        cycle_model=agreement.pop("cycle_model", None) or cycle_model(),
        **agreement,
    )


def active(world, *, coach=None, teachers=None, **agreement):
    """A relationship every teacher has consented to."""
    rel = proposed(world, coach=coach, teachers=teachers, **agreement)
    for teacher in teachers or [world.teacher]:
        rel = services.relationship_consent(actor=teacher, relationship=rel)
    return rel


# Observations -----------------------------------------------------------------------


def observation(world, *, teacher=None, observer=None, state="draft") -> Observation:
    """An observation row as the observations app leaves it once captured (made directly: any state)."""
    teacher = teacher or world.teacher
    return Observation.objects.create(
        district_id=teacher.district_id,
        observer=observer or world.coach,
        teacher=teacher,
        campus=world.campus,
        state=state,
    )


def evidence_note(obs: Observation, text: str = "Students turned and talked within five seconds.") -> EvidenceNote:
    from django.utils import timezone

    return EvidenceNote.objects.create(
        observation=obs,
        district_id=obs.district_id,
        author=obs.observer,
        client_id=uuid.uuid4(),
        at=timezone.now(),
        text=text,
    )


# iCalendar --------------------------------------------------------------------------


def ics_parts(message) -> tuple[Calendar, Calendar]:
    """The .ics attachment and the text/calendar alternative of an invitation email, parsed."""
    attachments = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(attachments) == 1, message.attachments
    _name, content, _mimetype = attachments[0]
    content = content.encode() if isinstance(content, str) else content
    alternatives = [alt for alt in message.alternatives if alt[1].startswith("text/calendar")]
    assert len(alternatives) == 1, message.alternatives
    body = alternatives[0][0]
    body = body.encode() if isinstance(body, str) else body
    return Calendar.from_ical(content), Calendar.from_ical(body)


def ics_of(message) -> Calendar:
    attachment, alternative = ics_parts(message)
    assert attachment.to_ical() == alternative.to_ical()
    return attachment


def vevents(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def occurrences(cal: Calendar, start: datetime.date, end: datetime.date) -> list:
    """The events a calendar client shows between two dates, in order."""
    found = recurring_ical_events.of(cal).between(start, end)
    return sorted(found, key=lambda e: e.decoded("dtstart"))


def starts(events) -> list[datetime.datetime]:
    return [e.decoded("dtstart") for e in events]


def as_utc(values) -> list[datetime.datetime]:
    return [v.astimezone(UTC) for v in values]
