"""Ranking the growth areas: a pure function (no database).

``rank_growth_areas`` turns the evidence of one visit into ranked suggestions for
the one highest-leverage growth area.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trellis.observations import models as m

GROWTH_NOTE_WEIGHT = 3
FOCUS_BONUS = 2
# The action-step sequence in thirds: a component whose first aligned step is early gets the larger bonus,
# because later steps build on the earlier ones (fix routines before rigour).
SEQUENCE_BONUS = {"early": 2, "middle": 1, "late": 0}


@dataclass(frozen=True)
class GrowthSuggestion:
    node_id: int
    score: int
    growth_notes: int
    sequence_tier: str | None  # "early", "middle", "late", or None when no library step is aligned to it
    first_sequence: int | None
    matches_focus: bool

    @property
    def reasons(self) -> list[str]:
        reasons = [ngettext("%(n)d growth note", "%(n)d growth notes", self.growth_notes) % {"n": self.growth_notes}]
        if self.sequence_tier == "early":
            reasons.append(_("early in the sequence"))
        elif self.sequence_tier == "middle":
            reasons.append(_("mid-sequence"))
        elif self.sequence_tier == "late":
            reasons.append(_("late in the sequence"))
        if self.matches_focus:
            reasons.append(_("matches the focus"))
        return reasons

    @property
    def reason_text(self) -> str:
        return " · ".join(self.reasons)


def sequence_tier(first_sequence: int | None, max_sequence: int | None) -> str | None:
    """Which third of the action-step sequence a component's first aligned step falls in."""
    if first_sequence is None or not max_sequence:
        return None
    position = first_sequence / max_sequence
    if position <= 1 / 3:
        return "early"
    if position <= 2 / 3:
        return "middle"
    return "late"


def rank_growth_areas(
    notes,
    *,
    first_sequence: dict,
    focus_ids=(),
    max_sequence: int | None = None,
    outline: dict | None = None,
) -> list[GrowthSuggestion]:
    """Suggest growth areas from a visit's evidence, best first.

    ``notes``: (valence, node ids) pairs, one per evidence note. ``first_sequence``:
    node id -> the lowest ``sequence`` of the library steps aligned to it.
    ``focus_ids``: the observation's focus components (the teacher's current goal,
    until goals exist). ``outline``: node id -> position, to break ties in the
    framework's own order.

    Score = 3 per growth note tagged to the component + 2 / 1 / 0 when its first
    aligned step is early / mid / late in the sequence + 2 when it matches the focus.
    Only components with at least one growth note are suggested: the ranking comes
    from the evidence, and the bonuses order the evidence, never replace it.
    """
    growth: dict = defaultdict(int)
    for valence, node_ids in notes:
        if valence != m.Valence.GROWTH:
            continue
        for node_id in set(node_ids):
            growth[node_id] += 1
    if max_sequence is None:
        max_sequence = max(first_sequence.values(), default=None)
    focus = set(focus_ids)
    outline = outline or {}
    suggestions = []
    for node_id, count in growth.items():
        first = first_sequence.get(node_id)
        tier = sequence_tier(first, max_sequence)
        matches = node_id in focus
        score = GROWTH_NOTE_WEIGHT * count + SEQUENCE_BONUS.get(tier, 0) + (FOCUS_BONUS if matches else 0)
        suggestions.append(GrowthSuggestion(node_id, score, count, tier, first, matches))
    suggestions.sort(
        key=lambda s: (
            -s.score,
            -s.growth_notes,
            s.first_sequence if s.first_sequence is not None else float("inf"),
            outline.get(s.node_id, float("inf")),
            s.node_id,
        )
    )
    return suggestions
