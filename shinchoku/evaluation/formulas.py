"""Achievement formulas: pure functions of an indicator's figures. Decimal only, no Django.

Each indicator names its formula (chosen when it is defined; the importer proposes
one, a person can change it). :func:`evaluate` turns the figures of one fiscal year
into an :class:`Outcome`, never raising and never making up a 0%:

================================  ==========================================  ==================================
formula                           rate (%)                                    states other than a rate
================================  ==========================================  ==================================
``ratio``                         actual ÷ target × 100                       target ≤ 0 → 評価不能
``baseline_relative``             (actual − baseline) ÷ (target − baseline)   target = baseline → 評価不能
                                  × 100, in either direction
``decrease``                      (baseline − actual) ÷ (baseline − target)   target ≥ baseline → 評価不能;
                                  × 100                                       no baseline → met / not met
``maintain_at_least``             actual ÷ level × 100 when the level > 0     level ≤ 0 → met / not met
``maintain_at_most``              —                                           met / not met (actual ≤ level)
``previous_year_increase``        —                                           met / not met: actual above last
                                                                              year's (or the change, when the
                                                                              figure reported *is* the change)
``previous_year_decrease``        —                                           the same, below
``milestone``                     —                                           waits for a person (no grade)
================================  ==========================================  ==================================

A missing target, actual, baseline or previous-year figure is 評価不能 with its
reason; a provisional figure (見込) still gives a result, marked provisional.
Non-finite inputs (NaN, ∞) and results too large to print are 評価不能 too.

Rates are exact; :attr:`Outcome.rounded_rate` rounds half up to one decimal
(4,238,714 ÷ 4,500,000 = 94.19…% → 94.2%), and grades are read on that printed
rate, so a reader can check a grade against the number beside it.

For the previous-year formulas the level to improve on is last year's actual when
it is recorded, otherwise the target: a declaration such as seed 000 goal 4 states
"前年度末に対して縮減" with the previous year-end (269億1千万円) as its target figure.

Year figures (:func:`year_inputs`) add cumulative series and prorated targets:
year k of an n-year period is judged against ``origin + (final − origin) × k ÷ n``,
where the origin is the baseline (0 for a cumulative series, whose yearly actuals
add up from the first year of the period).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# All arithmetic runs in this context. Without traps an overflow or an invalid
# operation gives a non-finite result, which becomes 評価不能 instead of an exception.
_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, traps=[])
HUNDRED = Decimal(100)
RATE_QUANTUM = Decimal("0.1")


class Formula(StrEnum):
    """The same values as ``plans.Indicator.Formula`` (a test keeps the two in step)."""

    RATIO = "ratio"
    BASELINE_RELATIVE = "baseline_relative"
    DECREASE = "decrease"
    MAINTAIN_AT_LEAST = "maintain_at_least"
    MAINTAIN_AT_MOST = "maintain_at_most"
    PREVIOUS_YEAR_INCREASE = "previous_year_increase"
    PREVIOUS_YEAR_DECREASE = "previous_year_decrease"
    MILESTONE = "milestone"


PREVIOUS_YEAR_FORMULAS = frozenset({Formula.PREVIOUS_YEAR_INCREASE, Formula.PREVIOUS_YEAR_DECREASE})


class Status(StrEnum):
    EVALUATED = "evaluated"  # a rate, or met / not met
    NOT_EVALUABLE = "not_evaluable"  # 評価不能: see the reason
    AWAITING_PERSON = "awaiting_person"  # qualitative or milestone: a person grades it


class Reason(StrEnum):
    # Why an indicator is 評価不能 (or waits for a person) …
    NO_TARGET = "no_target"
    NO_ACTUAL = "no_actual"
    NO_BASELINE = "no_baseline"
    NO_PREVIOUS = "no_previous"
    TARGET_NOT_POSITIVE = "target_not_positive"
    TARGET_EQUALS_BASELINE = "target_equals_baseline"
    TARGET_NOT_BELOW_BASELINE = "target_not_below_baseline"
    INVALID_FIGURE = "invalid_figure"
    OUT_OF_RANGE = "out_of_range"
    MISSING_YEARS = "missing_years"
    OUTSIDE_PERIOD = "outside_period"
    UNKNOWN_FORMULA = "unknown_formula"
    QUALITATIVE = "qualitative"
    # … and how an evaluated one was judged when there is no rate.
    MET_OR_NOT = "met_or_not"
    NO_BASELINE_MET_OR_NOT = "no_baseline_met_or_not"


REASON_TEXT: dict[Reason, str] = {
    Reason.NO_TARGET: "No target for the year.",
    Reason.NO_ACTUAL: "No actual for the year.",
    Reason.NO_BASELINE: "No baseline.",
    Reason.NO_PREVIOUS: "No actual for the previous year to compare with.",
    Reason.TARGET_NOT_POSITIVE: "The target is zero or negative: actual ÷ target means nothing.",
    Reason.TARGET_EQUALS_BASELINE: "The target equals the baseline: use a maintain formula.",
    Reason.TARGET_NOT_BELOW_BASELINE: "Decrease is better, but the target is not below the baseline.",
    Reason.INVALID_FIGURE: "A figure is not a number.",
    Reason.OUT_OF_RANGE: "The figures are too large or too small to compute a rate.",
    Reason.MISSING_YEARS: "The actual of an earlier year of the period is missing.",
    Reason.OUTSIDE_PERIOD: "The year is outside the indicator's period.",
    Reason.UNKNOWN_FORMULA: "The indicator's formula is unknown.",
    Reason.QUALITATIVE: "Qualitative or milestone target: graded by a person.",
    Reason.MET_OR_NOT: "Judged met or not met; no rate.",
    Reason.NO_BASELINE_MET_OR_NOT: "No baseline: judged met or not met against the target; no rate.",
}


@dataclass(frozen=True)
class Inputs:
    """The figures one formula reads for one fiscal year."""

    formula: Formula
    target: Decimal | None = None
    actual: Decimal | None = None
    baseline: Decimal | None = None
    previous: Decimal | None = None  # last year's actual
    actual_is_change: bool = False  # the actual is the change itself, in the desired direction
    provisional: bool = False  # a figure used is 見込
    missing: Reason | None = None  # set by year_inputs when the year's figures cannot be assembled


@dataclass(frozen=True)
class Outcome:
    status: Status
    reason: Reason | None = None
    rate: Decimal | None = None  # exact percentage
    rounded_rate: Decimal | None = None  # one decimal, half up: what is printed and graded
    met: bool | None = None
    provisional: bool = False
    change: Decimal | None = None  # previous-year formulas: the change in the desired direction
    level: Decimal | None = None  # previous-year formulas: the level reached
    reference: Decimal | None = None  # previous-year formulas: the level compared with

    @property
    def state(self) -> str:
        """``final``, ``provisional`` (見込), ``not_evaluable`` (評価不能) or ``awaiting_person``."""
        if self.status is not Status.EVALUATED:
            return self.status.value
        return "provisional" if self.provisional else "final"


def round_rate(rate: Decimal) -> Decimal | None:
    """One decimal, half up (94.19… → 94.2); None when the rate cannot be printed."""
    if not rate.is_finite():
        return None
    rounded = rate.quantize(RATE_QUANTUM, rounding=decimal.ROUND_HALF_UP, context=_CONTEXT)
    if not rounded.is_finite():
        return None
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _not_evaluable(reason: Reason, inputs: Inputs) -> Outcome:
    return Outcome(Status.NOT_EVALUABLE, reason=reason, provisional=inputs.provisional)


def _percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return _CONTEXT.multiply(_CONTEXT.divide(numerator, denominator), HUNDRED)


def _rated(rate: Decimal, *, met: bool, inputs: Inputs) -> Outcome:
    rounded = round_rate(rate)
    if rounded is None:
        return _not_evaluable(Reason.OUT_OF_RANGE, inputs)
    return Outcome(Status.EVALUATED, rate=rate, rounded_rate=rounded, met=met, provisional=inputs.provisional)


def _met_or_not(met: bool, inputs: Inputs, reason: Reason = Reason.MET_OR_NOT) -> Outcome:
    return Outcome(Status.EVALUATED, reason=reason, met=met, provisional=inputs.provisional)


def _ratio(i: Inputs) -> Outcome:
    if i.target is None:
        return _not_evaluable(Reason.NO_TARGET, i)
    if i.actual is None:
        return _not_evaluable(Reason.NO_ACTUAL, i)
    if i.target <= 0:
        return _not_evaluable(Reason.TARGET_NOT_POSITIVE, i)
    return _rated(_percent(i.actual, i.target), met=i.actual >= i.target, inputs=i)


def _baseline_relative(i: Inputs) -> Outcome:
    if i.target is None:
        return _not_evaluable(Reason.NO_TARGET, i)
    if i.baseline is None:
        return _not_evaluable(Reason.NO_BASELINE, i)
    if i.actual is None:
        return _not_evaluable(Reason.NO_ACTUAL, i)
    if i.target == i.baseline:
        return _not_evaluable(Reason.TARGET_EQUALS_BASELINE, i)
    rate = _percent(_CONTEXT.subtract(i.actual, i.baseline), _CONTEXT.subtract(i.target, i.baseline))
    met = i.actual >= i.target if i.target > i.baseline else i.actual <= i.target
    return _rated(rate, met=met, inputs=i)


def _decrease(i: Inputs) -> Outcome:
    if i.target is None:
        return _not_evaluable(Reason.NO_TARGET, i)
    if i.actual is None:
        return _not_evaluable(Reason.NO_ACTUAL, i)
    if i.baseline is None:
        # target ÷ actual would break down at 0: without a baseline only met / not met is honest.
        return _met_or_not(i.actual <= i.target, i, Reason.NO_BASELINE_MET_OR_NOT)
    if i.target >= i.baseline:
        return _not_evaluable(Reason.TARGET_NOT_BELOW_BASELINE, i)
    rate = _percent(_CONTEXT.subtract(i.baseline, i.actual), _CONTEXT.subtract(i.baseline, i.target))
    return _rated(rate, met=i.actual <= i.target, inputs=i)


def _maintain(i: Inputs, *, at_least: bool) -> Outcome:
    level = i.target if i.target is not None else i.baseline
    if level is None:
        return _not_evaluable(Reason.NO_TARGET, i)
    if i.actual is None:
        return _not_evaluable(Reason.NO_ACTUAL, i)
    if not at_least:
        return _met_or_not(i.actual <= level, i)
    if level > 0:
        return _rated(_percent(i.actual, level), met=i.actual >= level, inputs=i)
    return _met_or_not(i.actual >= level, i)


def _previous_year(i: Inputs, *, increase: bool) -> Outcome:
    if i.actual is None:
        return _not_evaluable(Reason.NO_ACTUAL, i)
    reference = i.previous if i.previous is not None else i.target
    sign = Decimal(1) if increase else Decimal(-1)
    if i.actual_is_change:
        change = i.actual
        level = None if reference is None else _CONTEXT.add(reference, _CONTEXT.multiply(sign, change))
    else:
        if reference is None:
            return _not_evaluable(Reason.NO_PREVIOUS, i)
        change = _CONTEXT.multiply(sign, _CONTEXT.subtract(i.actual, reference))
        level = i.actual
    if not change.is_finite() or (level is not None and not level.is_finite()):
        return _not_evaluable(Reason.OUT_OF_RANGE, i)
    return Outcome(
        Status.EVALUATED,
        reason=Reason.MET_OR_NOT,
        met=change > 0,
        provisional=i.provisional,
        change=change,
        level=level,
        reference=reference,
    )


def evaluate(inputs: Inputs) -> Outcome:
    """The outcome of one indicator for one year. Never raises for any Decimal input."""
    try:
        formula = Formula(inputs.formula)
    except ValueError:
        return _not_evaluable(Reason.UNKNOWN_FORMULA, inputs)
    if formula is Formula.MILESTONE:
        return Outcome(Status.AWAITING_PERSON, reason=Reason.QUALITATIVE, provisional=inputs.provisional)
    figures = (inputs.target, inputs.actual, inputs.baseline, inputs.previous)
    if any(value is not None and not value.is_finite() for value in figures):
        return _not_evaluable(Reason.INVALID_FIGURE, inputs)
    if inputs.missing is not None:
        return _not_evaluable(inputs.missing, inputs)
    if formula is Formula.RATIO:
        return _ratio(inputs)
    if formula is Formula.BASELINE_RELATIVE:
        return _baseline_relative(inputs)
    if formula is Formula.DECREASE:
        return _decrease(inputs)
    if formula in (Formula.MAINTAIN_AT_LEAST, Formula.MAINTAIN_AT_MOST):
        return _maintain(inputs, at_least=formula is Formula.MAINTAIN_AT_LEAST)
    return _previous_year(inputs, increase=formula is Formula.PREVIOUS_YEAR_INCREASE)


# --- one fiscal year's figures of an indicator ---------------------------------------------


@dataclass(frozen=True)
class FigureValue:
    value: Decimal
    provisional: bool = False


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator says about how to read its figures (``plans.Indicator`` without Django)."""

    formula: str
    baseline: Decimal | None = None
    baseline_year: int | None = None
    cumulative: bool = False
    reported_as_change: bool = False
    prorate_target: bool = False
    period_start_year: int | None = None
    period_end_year: int | None = None


@dataclass(frozen=True)
class YearInputs:
    inputs: Inputs
    target: Decimal | None  # the target the year is judged against (stated or prorated)
    actual: Decimal | None  # the actual as judged (the cumulative total for a cumulative series)
    proration: tuple[int, int] | None = None  # (k, n) when the target is prorated


def _prorated(
    spec: IndicatorSpec, year: int, final: Decimal
) -> tuple[Decimal | None, Reason | None, tuple[int, int] | None]:
    assert spec.period_start_year is not None and spec.period_end_year is not None
    n = spec.period_end_year - spec.period_start_year + 1
    k = year - spec.period_start_year + 1
    if not 1 <= k <= n:
        return None, Reason.OUTSIDE_PERIOD, None
    origin = Decimal(0) if spec.cumulative else spec.baseline
    if origin is None:
        return None, Reason.NO_BASELINE, (k, n)
    if not (origin.is_finite() and final.is_finite()):
        return None, Reason.INVALID_FIGURE, (k, n)
    step = _CONTEXT.divide(_CONTEXT.multiply(_CONTEXT.subtract(final, origin), Decimal(k)), Decimal(n))
    target = _CONTEXT.add(origin, step)
    if not target.is_finite():
        return None, Reason.OUT_OF_RANGE, (k, n)
    return target, None, (k, n)


def year_inputs(
    spec: IndicatorSpec,
    *,
    year: int,
    targets: Mapping[int, FigureValue],
    actuals: Mapping[int, FigureValue],
) -> YearInputs:
    """Assemble the inputs of ``year`` from an indicator's yearly targets and actuals."""
    missing: Reason | None = None
    target: Decimal | None = None
    target_provisional = False
    proration: tuple[int, int] | None = None
    stated = targets.get(year)
    period = spec.period_start_year is not None and spec.period_end_year is not None
    if stated is not None:
        target, target_provisional = stated.value, stated.provisional
    elif spec.prorate_target and period and spec.period_end_year in targets:
        final = targets[spec.period_end_year]  # type: ignore[index]
        target, missing, proration = _prorated(spec, year, final.value)
        target_provisional = final.provisional

    actual: Decimal | None = None
    actual_provisional = False
    if spec.cumulative and spec.period_start_year is not None:
        years = range(spec.period_start_year, year + 1)
        if year < spec.period_start_year:
            missing = missing or Reason.OUTSIDE_PERIOD
        elif year in actuals:
            if any(y not in actuals for y in years):
                missing = missing or Reason.MISSING_YEARS
            else:
                total = Decimal(0)
                for y in years:
                    total = _CONTEXT.add(total, actuals[y].value)
                actual = total
                actual_provisional = any(actuals[y].provisional for y in years)
    elif year in actuals:
        actual, actual_provisional = actuals[year].value, actuals[year].provisional

    previous_figure = actuals.get(year - 1)
    previous: Decimal | None = None
    previous_provisional = False
    if previous_figure is not None:
        previous, previous_provisional = previous_figure.value, previous_figure.provisional
    elif spec.baseline is not None and spec.baseline_year == year - 1:
        previous = spec.baseline

    try:
        formula = Formula(spec.formula)
    except ValueError:
        formula = spec.formula  # type: ignore[assignment]  # evaluate() reports it
    uses_previous = formula in PREVIOUS_YEAR_FORMULAS
    target_used = not uses_previous or previous is None
    provisional = (
        actual_provisional or (target_used and target_provisional) or (uses_previous and previous_provisional)
    )
    inputs = Inputs(
        formula=formula,
        target=target,
        actual=actual,
        baseline=spec.baseline,
        previous=previous,
        actual_is_change=spec.reported_as_change and uses_previous,
        provisional=provisional,
        missing=missing,
    )
    return YearInputs(inputs=inputs, target=target, actual=actual, proration=proration)
