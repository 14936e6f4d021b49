"""The data generator: the counts it promises, a shape the pages can use, the same data for the same seed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from trellis.coaching.models import CoachingSession, CoachingStep, Relationship
from trellis.coaching.models.steps import OPEN_STATES
from trellis.datagen.plan import SCALES, SchoolDays
from trellis.learning.models import Registration, Session
from trellis.observations.models import EvidenceNote, Observation
from trellis.orgs.models import CaseloadAssignment, Organization, OrgKind

pytestmark = pytest.mark.django_db

FRACTION = 0.01


def generate(seed: int = 7) -> str:
    out = io.StringIO()
    call_command("generate_data", scale="district", fraction=FRACTION, seed=seed, stdout=out)
    return out.getvalue()


def test_a_small_district_has_the_promised_shape():
    plan = SCALES["district"].shrunk(FRACTION)
    report = generate()
    assert "district scale generated" in report
    district = Organization.objects.get(kind=OrgKind.DISTRICT, parent__slug="region-sc")
    assert Organization.objects.filter(kind=OrgKind.CAMPUS, district=district).count() == plan.campuses
    assert Observation.objects.filter(district=district).count() == plan.observations
    notes = EvidenceNote.objects.count()
    assert (
        0.8 * plan.observations * plan.notes_per_observation
        <= notes
        <= 1.2 * plan.observations * plan.notes_per_observation
    )
    assert abs(CoachingSession.objects.count() - plan.coaching_sessions) <= 0.15 * plan.coaching_sessions
    assert abs(CoachingStep.objects.count() - plan.action_steps) <= 0.15 * plan.action_steps
    assert Session.objects.count() == plan.cohort_sessions
    assert Registration.objects.filter(checked_in_at__isnull=False).exists()
    # Not every teacher is coached.
    coached = CaseloadAssignment.objects.values("teacher").distinct().count()
    assert 0 < coached < plan.teachers
    # Every row of a tenant table carries its district.
    assert not Observation.objects.exclude(district=district).exists()
    assert not EvidenceNote.objects.exclude(district=district).exists()


def test_a_teacher_has_at_most_two_open_steps_and_one_current_relationship():
    generate()
    open_per_teacher = (
        CoachingStep.objects.filter(state__in=OPEN_STATES).values("teacher").annotate(n=Count("id")).order_by("-n")
    )
    assert open_per_teacher and open_per_teacher[0]["n"] <= 2
    current = Relationship.objects.filter(ended_on=None).values("members__teacher").annotate(n=Count("id"))
    assert max(row["n"] for row in current) == 1


def test_new_rows_after_generation_get_fresh_ids():
    generate()
    highest = Observation.objects.order_by("-pk").values_list("pk", flat=True).first()
    district = Organization.objects.get(kind=OrgKind.DISTRICT, parent__slug="region-sc")
    teacher = district.people.filter(employee_group="teacher").first()
    made = Observation.objects.create(district=district, observer=teacher, teacher=teacher)
    assert made.pk > highest


def test_the_same_seed_gives_the_same_data():
    from django.db import transaction

    def run() -> list:
        with transaction.atomic():
            generate(seed=3)
            rows = list(Observation.objects.order_by("pk").values_list("pk", "teacher_id", "state")[:200])
            transaction.set_rollback(True)
        return rows

    first, again = run(), run()
    assert first and first == again


def test_generating_twice_is_refused():
    generate()
    with pytest.raises(CommandError, match="already holds generated data"):
        generate()


def test_bad_fraction_is_refused():
    with pytest.raises(CommandError, match="fraction"):
        call_command("generate_data", scale="district", fraction=0, stdout=io.StringIO())


def test_observation_days_bunch_up_at_semester_starts():
    import datetime
    import random

    days = SchoolDays(datetime.date(2024, 8, 15), datetime.date(2025, 5, 31))
    drawn = days.draw(random.Random(1), 20000)
    september = sum(1 for d in drawn if d.month == 9)
    november = sum(1 for d in drawn if d.month == 11)
    assert september > 1.5 * november
    assert all(d.weekday() < 5 for d in drawn)
