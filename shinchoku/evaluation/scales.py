"""Grade scales as data: ordered bands with explicit bounds, read without Django.

A scale is a list of bands from the best down. Each band but the last has a lower
bound that is inclusive (≥) or exclusive (>); the last has none and takes every
rate below. A rate falls in the first band whose lower bound admits it, so the
bands never overlap and leave no gap; a band's upper bound is the lower bound of
the band above it, with the opposite inclusiveness. The baseline S/A/B/C preset
shows why both kinds are needed: S ≥ 100, A > 0, B ≥ 0 (exactly 0: 横ばい), C.

Outcomes become grades (:meth:`Scale.grade`):

- a rate: the band of the rate as printed (one decimal);
- met / not met without a rate: met is the band of 100%, not met the last band;
- 評価不能: the scale's not-evaluable label (a state, never a rank);
- waiting for a person: no grade (``None``) until a person grades it.

Stored scales (``evaluation.GradeScale``) are turned into these by the selectors;
the presets below seed them, and the first one applies when a municipality has
stored none.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from shinchoku.evaluation.formulas import HUNDRED, Outcome, Status, round_rate

NOT_EVALUABLE_LABEL = "評価不能"


@dataclass(frozen=True)
class Band:
    label: str
    lower: Decimal | None = None  # None: no lower bound (the last band)
    lower_inclusive: bool = True
    description: str = ""

    def admits(self, rate: Decimal) -> bool:
        if self.lower is None:
            return True
        return rate >= self.lower if self.lower_inclusive else rate > self.lower


@dataclass(frozen=True)
class Grade:
    label: str
    rank: int | None  # 0 is the best band; None for 評価不能
    not_evaluable: bool = False


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


@dataclass(frozen=True)
class Scale:
    name: str
    bands: tuple[Band, ...]
    not_evaluable_label: str = NOT_EVALUABLE_LABEL

    def errors(self) -> list[str]:
        """What makes the scale unusable (empty when it is fine); English, for forms and the CLI."""
        errors: list[str] = []
        if not self.bands:
            return ["A scale needs at least one band."]
        labels = [band.label.strip() for band in self.bands]
        if any(not label for label in labels):
            errors.append("Every band needs a label.")
        if len(set(labels)) != len(labels):
            errors.append("Band labels must differ.")
        if self.not_evaluable_label.strip() in labels:
            errors.append("The not-evaluable label cannot be a band's label.")
        *upper, last = self.bands
        if last.lower is not None:
            errors.append("The last band must have no lower bound (it takes every rate below).")
        if any(band.lower is None for band in upper):
            errors.append("Only the last band may have no lower bound.")
        bounded = [band for band in upper if band.lower is not None]
        if any(not band.lower.is_finite() for band in bounded if band.lower is not None):
            errors.append("Bounds must be numbers.")
            return errors
        for above, below in itertools.pairwise(bounded):
            assert above.lower is not None and below.lower is not None
            descending = above.lower > below.lower or (
                above.lower == below.lower and not above.lower_inclusive and below.lower_inclusive
            )
            if not descending:
                errors.append(f"The bounds must go down from band to band ({above.label}, {below.label}).")
        return errors

    def band_index(self, rate: Decimal) -> int:
        for index, band in enumerate(self.bands):
            if band.admits(rate):
                return index
        return len(self.bands) - 1

    def rank_of(self, label: str) -> int | None:
        for index, band in enumerate(self.bands):
            if band.label == label:
                return index
        return None

    def labels(self) -> list[str]:
        return [band.label for band in self.bands]

    def grade(self, outcome: Outcome) -> Grade | None:
        if outcome.status is Status.NOT_EVALUABLE:
            return Grade(self.not_evaluable_label, None, not_evaluable=True)
        if outcome.status is Status.AWAITING_PERSON:
            return None
        if outcome.rounded_rate is not None:
            index = self.band_index(outcome.rounded_rate)
        elif outcome.met:
            index = self.band_index(HUNDRED)
        else:
            index = len(self.bands) - 1
        return Grade(self.bands[index].label, index)

    def grade_of_label(self, label: str) -> Grade:
        """A grade a person gave: one of the bands, or the not-evaluable label.

        A label the scale no longer has (the scale was edited since) keeps its text
        and has no rank.
        """
        if label == self.not_evaluable_label:
            return Grade(label, None, not_evaluable=True)
        return Grade(label, self.rank_of(label))

    def range_text(self, index: int) -> str:
        """``≥ 100``, ``70 ≤ r < 100``, ``< 70``, ``0 < r < 100``, ``= 0``."""
        band = self.bands[index]
        above = self.bands[index - 1] if index > 0 else None
        upper = above.lower if above is not None else None
        upper_op = "<" if above is not None and above.lower_inclusive else "≤"
        if band.lower is None:
            return "—" if upper is None else f"{upper_op} {_number(upper)}"
        lower_op = "≤" if band.lower_inclusive else "<"
        if upper is None:
            return f"{'≥' if band.lower_inclusive else '>'} {_number(band.lower)}"
        if upper == band.lower:
            return f"= {_number(band.lower)}"
        return f"{_number(band.lower)} {lower_op} r {upper_op} {_number(upper)}"


class Preset(StrEnum):
    ACHIEVEMENT = "achievement"
    ABCD = "abcd"
    BASELINE_SABC = "baseline_sabc"


# The presets are data a city keeps and edits (its labels and descriptions are in Japanese, as
# its own reports write them), not words of the interface.
PRESETS: dict[Preset, Scale] = {
    # Seed 000: "概ね達成" is 達成率 70% or more (record 2).
    Preset.ACHIEVEMENT: Scale(
        "達成・概ね達成・未達成",
        (
            Band("達成", Decimal(100), True, "100%以上"),
            Band("概ね達成", Decimal(70), True, "70%以上100%未満"),
            Band("未達成", None, True, "70%未満"),
        ),
    ),
    Preset.ABCD: Scale(
        "A・B・C・D",
        (
            Band("A", Decimal(110), True, "110%以上"),
            Band("B", Decimal(80), True, "80%以上110%未満"),
            Band("C", Decimal(50), True, "50%以上80%未満"),
            Band("D", None, True, "50%未満"),
        ),
    ),
    # Against the baseline: the rate is progress from the baseline to the target.
    Preset.BASELINE_SABC: Scale(
        "S・A・B・C（基準値比）",
        (
            Band("S", Decimal(100), True, "目標値に到達"),
            Band("A", Decimal(0), False, "基準値より改善"),
            Band("B", Decimal(0), True, "基準値から横ばい"),
            Band("C", None, True, "基準値より悪化"),
        ),
    ),
}
DEFAULT_PRESET = Preset.ACHIEVEMENT


def default_threshold(scale: Scale) -> str:
    """The grade roll-ups count "at or above" by default: every band but the last (概ね達成)."""
    return scale.bands[-2].label if len(scale.bands) > 1 else scale.bands[0].label


# --- roll-ups ---------------------------------------------------------------------------------


class RollupState(StrEnum):
    GRADED = "graded"
    NOT_EVALUABLE = "not_evaluable"
    AWAITING = "awaiting"
    OTHER_SCALE = "other_scale"  # graded on a scale that does not have the threshold's grade


@dataclass(frozen=True)
class RollupEntry:
    state: RollupState
    at_or_above: bool = False
    weight: Decimal = Decimal(1)


def rollup_entry(grade: Grade | None, scale: Scale, threshold: str, weight: Decimal) -> RollupEntry:
    if grade is None:
        return RollupEntry(RollupState.AWAITING, weight=weight)
    if grade.not_evaluable:
        return RollupEntry(RollupState.NOT_EVALUABLE, weight=weight)
    threshold_rank = scale.rank_of(threshold)
    if threshold_rank is None or grade.rank is None:
        return RollupEntry(RollupState.OTHER_SCALE, weight=weight)
    return RollupEntry(RollupState.GRADED, at_or_above=grade.rank <= threshold_rank, weight=weight)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return round_rate(part * HUNDRED / whole)


@dataclass(frozen=True)
class Rollup:
    """The share of graded indicators at or above a grade, plain and weighted.

    評価不能, ungraded qualitative targets and grades on another scale are counted
    beside the share, not in it: a state is not a zero.
    """

    total: int
    graded: int
    at_or_above: int
    not_evaluable: int
    awaiting: int
    other_scale: int
    weight_graded: Decimal
    weight_at_or_above: Decimal

    @property
    def share(self) -> Decimal | None:
        if not self.graded:
            return None
        return _share(Decimal(self.at_or_above), Decimal(self.graded))

    @property
    def weighted_share(self) -> Decimal | None:
        if self.weight_graded <= 0:
            return None
        return _share(self.weight_at_or_above, self.weight_graded)

    @property
    def weighted(self) -> bool:
        """Whether weights change anything (some weight is not 1)."""
        return self.weight_graded != self.graded or self.weight_at_or_above != self.at_or_above


def rollup(entries: Iterable[RollupEntry]) -> Rollup:
    items = list(entries)
    graded = [e for e in items if e.state is RollupState.GRADED]
    above = [e for e in graded if e.at_or_above]
    return Rollup(
        total=len(items),
        graded=len(graded),
        at_or_above=len(above),
        not_evaluable=sum(1 for e in items if e.state is RollupState.NOT_EVALUABLE),
        awaiting=sum(1 for e in items if e.state is RollupState.AWAITING),
        other_scale=sum(1 for e in items if e.state is RollupState.OTHER_SCALE),
        weight_graded=sum((e.weight for e in graded), Decimal(0)),
        weight_at_or_above=sum((e.weight for e in above), Decimal(0)),
    )
