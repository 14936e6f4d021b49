"""What every part of the generator shares: the random source, the clock, ids, writers, starter content."""

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import models

from trellis.datagen.copy import TableWriter, next_id
from trellis.datagen.plan import Scale, SchoolDays, school_year_start


class Ids:
    """Explicit ids, handed out in blocks per table, starting after whatever the table holds."""

    def __init__(self):
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], n: int = 1) -> int:
        """The first of ``n`` fresh ids for ``model``."""
        start = self._next.get(model) or next_id(model)
        self._next[model] = start + n
        return start

    def models(self) -> list[type[models.Model]]:
        return list(self._next)


@dataclass
class Starter:
    """The shipped framework, library and protocols every generated district uses."""

    framework_id: int
    version_id: int
    components: list[int]
    levels: list[int]
    steps: list[tuple[int, int | None]]  # (action step id, a node it is aligned to)
    library_id: int
    protocols: dict[str, int]
    cycle_model_id: int


@dataclass
class Context:
    rng: random.Random
    scale: Scale
    now: datetime.datetime
    starter: Starter
    password: str
    ids: Ids = field(default_factory=Ids)
    writers: dict = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Chicago"))

    def __post_init__(self):
        self.today = self.now.astimezone(self.zone).date()
        self.year_start = school_year_start(self.today)
        first = datetime.date(self.year_start.year - (self.scale.years - 1), 8, 15)
        self.past_days = SchoolDays(first, self.today - datetime.timedelta(days=1))
        self.future_days = SchoolDays(self.today + datetime.timedelta(days=1), self.today + datetime.timedelta(days=90))

    def writer(self, model: type[models.Model], columns: tuple[str, ...]) -> TableWriter:
        key = (model, columns)
        if key not in self.writers:
            self.writers[key] = TableWriter(model, columns)
        return self.writers[key]

    def write(self, model: type[models.Model], columns: tuple[str, ...], rows) -> None:
        self.writer(model, columns).write(rows)

    def at(self, day: datetime.date, minutes_after_eight: int) -> datetime.datetime:
        """An aware time on a school day, in the district's zone."""
        hour, minute = divmod(8 * 60 + minutes_after_eight, 60)
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    def rows_written(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for (model, _columns), writer in self.writers.items():
            totals[model._meta.db_table] = totals.get(model._meta.db_table, 0) + writer.count
        return totals


def load_starter() -> Starter:
    from trellis.coaching.models import CycleModel, Protocol
    from trellis.coaching.selectors.dashboards import STARTER_FRAMEWORK
    from trellis.frameworks.models import ActionStep, ActionStepLibrary, Framework, FrameworkNode, ScaleLevel
    from trellis.frameworks.starter import starter_framework_identifier

    identifier = starter_framework_identifier(STARTER_FRAMEWORK)
    framework = Framework.objects.filter(district=None, case_identifier=identifier).first()
    if framework is None:
        raise RuntimeError("The starter framework is missing: run migrate first.")
    version_id = framework.current_version_id
    nodes = FrameworkNode.objects.filter(version_id=version_id)
    components = list(nodes.filter(children__isnull=True).order_by("outline").values_list("id", flat=True))
    library = ActionStepLibrary.objects.filter(district=None).order_by("id").first()
    through = ActionStep.aligned_nodes.through
    aligned = dict(through.objects.filter(actionstep__library=library).values_list("actionstep_id", "frameworknode_id"))
    steps = [(pk, aligned.get(pk)) for pk in ActionStep.objects.filter(library=library).values_list("id", flat=True)]
    return Starter(
        framework_id=framework.pk,
        version_id=version_id,
        components=components,
        levels=list(
            ScaleLevel.objects.filter(scale__version_id=version_id).order_by("position").values_list("id", flat=True)
        ),
        steps=steps,
        library_id=library.pk,
        protocols=dict(Protocol.objects.filter(district=None).values_list("key", "id")),
        cycle_model_id=CycleModel.objects.get(district=None, key="see-name-do").pk,
    )
