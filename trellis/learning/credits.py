"""From minutes to credit: clock hours and CEUs by a district's rule.

Minutes attended are the source of truth. Hours are derived from a total of minutes
(never summed from rounded hours), by the participant's district's rule: minutes per
clock hour (60 unless the district says otherwise), counted in steps (a quarter hour by
default) rounded down or to the nearest step. A CEU is ten contact hours, shown to one
decimal, rounded half up (1.78 gives 1.8), and only when the district turns CEUs on.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from trellis.learning.models import HourRounding, LearningPolicy


def policy_for(organization_id) -> LearningPolicy:
    """The organization's policy, or an unsaved one with the defaults when it has none."""
    if organization_id is None:
        return LearningPolicy()
    policy = LearningPolicy.objects.filter(organization_id=organization_id).first()
    return policy or LearningPolicy(organization_id=organization_id)


def policies_for(organization_ids) -> dict:
    """Policies of several organizations in one query (defaults for the missing ones)."""
    ids = {pk for pk in organization_ids if pk is not None}
    found = {p.organization_id: p for p in LearningPolicy.objects.filter(organization_id__in=ids)}
    return {pk: found.get(pk) or LearningPolicy(organization_id=pk) for pk in ids}


@dataclass(frozen=True)
class Credit:
    minutes: int
    hours: Decimal
    ceus: Decimal | None
    label: str


def clock_hours(minutes: int, policy: LearningPolicy) -> Decimal:
    step = Decimal(policy.hour_step)
    exact = Decimal(int(minutes or 0)) / Decimal(policy.minutes_per_hour)
    mode = ROUND_HALF_UP if policy.rounding == HourRounding.NEAREST else ROUND_DOWN
    steps = (exact / step).quantize(Decimal(1), rounding=mode)
    return (steps * step).quantize(Decimal("0.01"))


def ceus(minutes: int, policy: LearningPolicy) -> Decimal | None:
    if not policy.ceu_enabled:
        return None
    contact_hours = Decimal(int(minutes or 0)) / Decimal(policy.minutes_per_hour)
    return (contact_hours / Decimal(10)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def credit_for(minutes: int, policy: LearningPolicy) -> Credit:
    minutes = int(minutes or 0)
    return Credit(minutes, clock_hours(minutes, policy), ceus(minutes, policy), policy.credit_name)
