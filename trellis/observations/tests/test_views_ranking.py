"""The growth-area ranking: a pure function of the evidence, the action-step sequence and the focus."""

from trellis.observations.ranking import (
    FOCUS_BONUS,
    GROWTH_NOTE_WEIGHT,
    SEQUENCE_BONUS,
    rank_growth_areas,
    sequence_tier,
)
from trellis.observations.selectors import Component, group_evidence

# Three components: 10 is early in the sequence, 20 mid, 30 late; 40 has no aligned step.
FIRST = {10: 1, 20: 20, 30: 35}
MAX = 40


def ids(suggestions):
    return [s.node_id for s in suggestions]


def test_only_components_with_growth_evidence_are_suggested():
    notes = [("strength", [10]), ("neutral", [20]), ("growth", [30])]
    ranked = rank_growth_areas(notes, first_sequence=FIRST, max_sequence=MAX)
    assert ids(ranked) == [30]


def test_more_growth_notes_rank_higher():
    notes = [("growth", [30]), ("growth", [30]), ("growth", [40])]
    ranked = rank_growth_areas(notes, first_sequence=FIRST, max_sequence=MAX)
    assert ids(ranked) == [30, 40]
    assert ranked[0].score == 2 * GROWTH_NOTE_WEIGHT + SEQUENCE_BONUS["late"]
    assert ranked[0].growth_notes == 2


def test_earlier_in_the_sequence_breaks_even_evidence():
    notes = [("growth", [30]), ("growth", [20]), ("growth", [10])]
    ranked = rank_growth_areas(notes, first_sequence=FIRST, max_sequence=MAX)
    assert ids(ranked) == [10, 20, 30]
    assert [s.sequence_tier for s in ranked] == ["early", "middle", "late"]
    assert ranked[0].score - ranked[2].score == SEQUENCE_BONUS["early"] - SEQUENCE_BONUS["late"]


def test_matching_the_focus_adds_a_bonus():
    notes = [("growth", [10]), ("growth", [30])]
    ranked = rank_growth_areas(notes, first_sequence=FIRST, max_sequence=MAX, focus_ids=[30])
    # 30: 3 + 0 (late) + 2 (focus) = 5; 10: 3 + 2 (early) = 5; tie broken by the earlier sequence.
    assert ranked[0].score == ranked[1].score == GROWTH_NOTE_WEIGHT + FOCUS_BONUS
    assert ids(ranked) == [10, 30]
    assert ranked[1].matches_focus and not ranked[0].matches_focus


def test_evidence_outweighs_the_bonuses_only_by_enough_notes():
    # Two growth notes on a late, unfocused component (6) lose to one early focus note (3 + 2 + 2 = 7);
    # three growth notes (9) win.
    two = [("growth", [30]), ("growth", [30]), ("growth", [10])]
    assert ids(rank_growth_areas(two, first_sequence=FIRST, max_sequence=MAX, focus_ids=[10]))[0] == 10
    three = [*two, ("growth", [30])]
    assert ids(rank_growth_areas(three, first_sequence=FIRST, max_sequence=MAX, focus_ids=[10]))[0] == 30


def test_a_note_tagged_twice_to_one_component_counts_once_and_multi_tags_count_for_each():
    ranked = rank_growth_areas([("growth", [10, 10, 20])], first_sequence=FIRST, max_sequence=MAX)
    assert {s.node_id: s.growth_notes for s in ranked} == {10: 1, 20: 1}


def test_reasons_say_why():
    notes = [("growth", [10])] * 4
    (top,) = rank_growth_areas(notes, first_sequence=FIRST, max_sequence=MAX, focus_ids={10})
    assert top.reason_text == "4 growth notes · early in the sequence · matches the focus"
    (single,) = rank_growth_areas([("growth", [40])], first_sequence=FIRST, max_sequence=MAX)
    assert single.reason_text == "1 growth note"


def test_ties_follow_the_framework_outline_then_the_id():
    notes = [("growth", [41]), ("growth", [40])]
    assert ids(rank_growth_areas(notes, first_sequence={}, outline={41: 1, 40: 2})) == [41, 40]
    assert ids(rank_growth_areas(notes, first_sequence={})) == [40, 41]


def test_no_notes_no_suggestions_and_max_sequence_defaults_to_the_steps_seen():
    assert rank_growth_areas([], first_sequence=FIRST) == []
    (only,) = rank_growth_areas([("growth", [30])], first_sequence=FIRST)
    assert only.sequence_tier == "late"  # 35 of 35


def test_sequence_tiers():
    assert sequence_tier(None, 40) is None
    assert sequence_tier(5, None) is None
    assert [sequence_tier(n, 30) for n in (1, 10, 11, 20, 21, 30)] == [
        "early",
        "early",
        "middle",
        "middle",
        "late",
        "late",
    ]


class _Note:
    def __init__(self, pk, valence):
        self.pk, self.valence = pk, valence


def test_group_evidence_sorts_strengths_and_struggles_by_component():
    components = [Component(2, "2.1", "B", outline=5), Component(1, "1.1", "A", outline=2)]
    notes = [_Note(1, "growth"), _Note(2, "strength"), _Note(3, "neutral"), _Note(4, "growth")]
    groups = group_evidence(notes, {1: [2], 2: [2, 1], 4: [99]}, components)
    assert [g.component.code if g.component else None for g in groups] == ["1.1", "2.1", None]
    assert [n.pk for n in groups[1].struggles] == [1] and [n.pk for n in groups[1].strengths] == [2]
    assert [n.pk for n in groups[0].strengths] == [2]
    # Untagged notes, and notes tagged only outside the components, have their own group.
    assert [n.pk for n in groups[2].neutral] == [3] and [n.pk for n in groups[2].struggles] == [4]
