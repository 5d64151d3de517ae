"""Scale presets, inclusive and exclusive bounds, grades of every kind of outcome, roll-ups."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.evaluation.formulas import Formula, Inputs, Outcome, Status, evaluate
from shinchoku.evaluation.scales import (
    PRESETS,
    Band,
    Grade,
    Preset,
    RollupEntry,
    RollupState,
    Scale,
    default_threshold,
    rollup,
    rollup_entry,
)

ACHIEVEMENT = PRESETS[Preset.ACHIEVEMENT]
ABCD = PRESETS[Preset.ABCD]
SABC = PRESETS[Preset.BASELINE_SABC]


def rated(rate: str) -> Outcome:
    return Outcome(Status.EVALUATED, rate=D(rate), rounded_rate=D(rate))


def label(scale: Scale, rate: str) -> str:
    grade = scale.grade(rated(rate))
    assert grade is not None
    return grade.label


def test_presets_are_valid() -> None:
    for scale in PRESETS.values():
        assert scale.errors() == []


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100.0", "達成"),
        ("1286.0", "達成"),
        ("99.9", "概ね達成"),
        ("70.0", "概ね達成"),
        ("69.9", "未達成"),
        ("-5", "未達成"),
    ],
)
def test_achievement_preset_of_seed_000(rate: str, expected: str) -> None:
    assert label(ACHIEVEMENT, rate) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("110", "A"), ("109.9", "B"), ("80", "B"), ("79.9", "C"), ("50", "C"), ("49.9", "D"), ("0", "D")],
)
def test_abcd_preset(rate: str, expected: str) -> None:
    assert label(ABCD, rate) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [("100", "S"), ("99.9", "A"), ("0.1", "A"), ("0.0", "B"), ("-0.1", "C")],
)
def test_baseline_preset_uses_an_exclusive_bound(rate: str, expected: str) -> None:
    assert label(SABC, rate) == expected


def test_range_texts_say_which_side_is_inclusive() -> None:
    assert [ACHIEVEMENT.range_text(i) for i in range(3)] == ["≥ 100", "70 ≤ r < 100", "< 70"]
    assert [SABC.range_text(i) for i in range(4)] == ["≥ 100", "0 < r < 100", "= 0", "< 0"]


def test_not_evaluable_and_waiting_outcomes() -> None:
    not_evaluable = ACHIEVEMENT.grade(Outcome(Status.NOT_EVALUABLE))
    assert not_evaluable == Grade("評価不能", None, not_evaluable=True)
    assert ACHIEVEMENT.grade(Outcome(Status.AWAITING_PERSON)) is None


def test_met_is_the_band_of_100_and_not_met_the_last_band() -> None:
    met = evaluate(Inputs(Formula.PREVIOUS_YEAR_DECREASE, previous=D(10), actual=D(9)))
    not_met = evaluate(Inputs(Formula.PREVIOUS_YEAR_DECREASE, previous=D(10), actual=D(11)))
    assert [ACHIEVEMENT.grade(o).label for o in (met, not_met)] == ["達成", "未達成"]  # type: ignore[union-attr]
    assert [ABCD.grade(o).label for o in (met, not_met)] == ["B", "D"]  # type: ignore[union-attr]


def test_grades_given_by_a_person() -> None:
    assert ACHIEVEMENT.grade_of_label("概ね達成") == Grade("概ね達成", 1)
    assert ACHIEVEMENT.grade_of_label("評価不能").not_evaluable
    assert ACHIEVEMENT.grade_of_label("S") == Grade("S", None)  # from a scale edited since


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ((), "at least one band"),
        ((Band("A", D(10)),), "last band must have no lower bound"),
        ((Band("A", D(10)), Band("B", D(20)), Band("C")), "go down"),
        ((Band("A", D(10)), Band("B", D(10)), Band("C")), "go down"),
        ((Band("A", D(0), True), Band("B", D(0), False), Band("C")), "go down"),
        ((Band("A"), Band("B")), "Only the last band"),
        ((Band("A", D(10)), Band("A")), "differ"),
        ((Band("評価不能", D(10)), Band("B")), "not-evaluable label"),
        ((Band(" ", D(10)), Band("B")), "needs a label"),
        ((Band("A", D("NaN")), Band("B")), "numbers"),
    ],
)
def test_invalid_scales_are_explained(bands: tuple[Band, ...], message: str) -> None:
    assert any(message in error for error in Scale("x", bands).errors())


@settings(max_examples=200, deadline=None)
@given(a=st.decimals(-1000, 1000, places=1), b=st.decimals(-1000, 1000, places=1))
def test_grades_never_get_worse_as_the_rate_rises(a: D, b: D) -> None:
    low, high = sorted((a, b))
    for scale in PRESETS.values():
        assert scale.band_index(low) >= scale.band_index(high)


def test_rollup_counts_states_beside_the_share_and_weights() -> None:
    entries = [
        rollup_entry(Grade("達成", 0), ACHIEVEMENT, "概ね達成", D(2)),
        rollup_entry(Grade("概ね達成", 1), ACHIEVEMENT, "概ね達成", D(1)),
        rollup_entry(Grade("未達成", 2), ACHIEVEMENT, "概ね達成", D(1)),
        rollup_entry(Grade("評価不能", None, True), ACHIEVEMENT, "概ね達成", D(1)),
        rollup_entry(None, ACHIEVEMENT, "概ね達成", D(1)),
        rollup_entry(Grade("A", 0), ABCD, "概ね達成", D(1)),
    ]
    result = rollup(entries)
    assert (result.total, result.graded, result.at_or_above) == (6, 3, 2)
    assert (result.not_evaluable, result.awaiting, result.other_scale) == (1, 1, 1)
    assert result.share == D("66.7") and result.weighted_share == D("75.0") and result.weighted


def test_empty_rollup_has_no_share() -> None:
    empty = rollup([RollupEntry(RollupState.AWAITING)])
    assert empty.share is None and empty.weighted_share is None


def test_default_threshold_is_every_band_but_the_last() -> None:
    assert default_threshold(ACHIEVEMENT) == "概ね達成"
    assert default_threshold(ABCD) == "C"
    assert default_threshold(Scale("one", (Band("only"),))) == "only"
