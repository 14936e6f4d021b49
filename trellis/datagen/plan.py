"""How much data each scale holds, and when things happen in a school year."""

import bisect
import datetime
import random
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    """Counts per district; a region is several districts sharing one service center."""

    districts: int
    campuses: int = 40
    teachers: int = 3000
    coaches: int = 60
    leaders_per_campus: int = 2
    admins: int = 3
    observations: int = 100_000
    notes_per_observation: int = 15
    coaching_sessions: int = 40_000
    action_steps: int = 80_000
    cohort_sessions: int = 500
    facilitators: int = 8
    years: int = 4

    def shrunk(self, fraction: float) -> "Scale":
        """The same shape with fewer rows (for tests): every count times ``fraction``, at least a few."""

        def f(n: int, least: int) -> int:
            return max(least, round(n * fraction))

        return replace(
            self,
            campuses=f(self.campuses, 2),
            teachers=f(self.teachers, 24),
            coaches=f(self.coaches, 2),
            observations=f(self.observations, 60),
            coaching_sessions=f(self.coaching_sessions, 40),
            action_steps=f(self.action_steps, 60),
            cohort_sessions=f(self.cohort_sessions, 8),
            facilitators=f(self.facilitators, 2),
        )


SCALES = {"district": Scale(districts=1), "region": Scale(districts=10)}

# Observation and PD activity bunches up in the first weeks of each semester.
BURST_WEIGHT = 2.5
BURST_DAYS = 42


def school_year_start(day: datetime.date) -> datetime.date:
    """Mid-August of the school year ``day`` falls in."""
    year = day.year if (day.month, day.day) >= (8, 15) else day.year - 1
    return datetime.date(year, 8, 15)


def is_school_day(day: datetime.date) -> bool:
    if day.weekday() >= 5:
        return False
    # Summer, winter and spring breaks.
    if (day.month, day.day) > (5, 31) and (day.month, day.day) < (8, 15):
        return False
    if (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day < 6):
        return False
    return not (day.month == 3 and 10 <= day.day <= 16)


def _semester_starts(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    starts = []
    for year in range(first.year - 1, last.year + 1):
        starts += [datetime.date(year, 8, 15), datetime.date(year + 1, 1, 6)]
    return starts


class SchoolDays:
    """School days between two dates, drawn with semester-start bursts."""

    def __init__(self, first: datetime.date, last: datetime.date):
        starts = _semester_starts(first, last)
        self.days, weights = [], []
        day = first
        while day <= last:
            if is_school_day(day):
                bursting = any(0 <= (day - s).days < BURST_DAYS for s in starts)
                self.days.append(day)
                weights.append(BURST_WEIGHT if bursting else 1.0)
            day += datetime.timedelta(days=1)
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def draw(self, rng: random.Random, k: int) -> list[datetime.date]:
        return rng.choices(self.days, cum_weights=self.cum, k=k) if self.days else []

    def between(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        lo = bisect.bisect_left(self.days, first)
        hi = bisect.bisect_right(self.days, last)
        return self.days[lo:hi]
