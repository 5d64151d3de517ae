"""Every formula, its edge cases, and properties that hold for any Decimal input."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shinchoku.evaluation.formulas import (
    FigureValue,
    Formula,
    IndicatorSpec,
    Inputs,
    Outcome,
    Reason,
    Status,
    evaluate,
    round_rate,
    year_inputs,
)
from shinchoku.plans.models import Indicator


def run(formula: Formula, **figures: object) -> Outcome:
    return evaluate(Inputs(formula=formula, **figures))  # type: ignore[arg-type]


def test_formulas_are_the_indicator_choices() -> None:
    assert {f.value for f in Formula} == set(Indicator.Formula.values)


# --- ratio -------------------------------------------------------------------------------------


def test_ratio_is_actual_over_target_rounded_half_up_to_one_decimal() -> None:
    outcome = run(Formula.RATIO, target=D(4500000), actual=D(4238714))
    assert outcome.status is Status.EVALUATED and outcome.state == "final"
    assert outcome.rounded_rate == D("94.2") and outcome.met is False
    assert outcome.rate is not None and D("94.19") < outcome.rate < D("94.2")
    assert run(Formula.RATIO, target=D(300), actual=D(398)).rounded_rate == D("132.7")
    assert run(Formula.RATIO, target=D(10), actual=D(10)).rounded_rate == D("100.0")
    assert run(Formula.RATIO, target=D(8), actual=D("7.996")).rounded_rate == D("100.0")  # 99.95 → 100.0


@pytest.mark.parametrize("target", [D(0), D(-5)])
def test_ratio_with_zero_or_negative_target_is_not_evaluable(target: D) -> None:
    outcome = run(Formula.RATIO, target=target, actual=D(3))
    assert outcome.status is Status.NOT_EVALUABLE and outcome.reason is Reason.TARGET_NOT_POSITIVE
    assert outcome.rate is None and outcome.rounded_rate is None


def test_missing_figures_are_not_evaluable_with_the_reason_never_zero() -> None:
    assert run(Formula.RATIO, target=D(5)).reason is Reason.NO_ACTUAL
    assert run(Formula.RATIO, actual=D(5)).reason is Reason.NO_TARGET
    for outcome in (run(Formula.RATIO, target=D(5)), run(Formula.RATIO, actual=D(5))):
        assert outcome.state == "not_evaluable" and outcome.rate is None


def test_a_provisional_figure_gives_a_result_marked_provisional() -> None:
    outcome = run(Formula.RATIO, target=D(100), actual=D(90), provisional=True)
    assert outcome.rounded_rate == D("90.0") and outcome.state == "provisional"
    missing = run(Formula.RATIO, target=D(100), provisional=True)
    assert missing.state == "not_evaluable" and missing.provisional


def test_negative_actual_gives_a_negative_rate() -> None:
    assert run(Formula.RATIO, target=D(10), actual=D(-1)).rounded_rate == D("-10.0")


def test_rounding_never_prints_minus_zero() -> None:
    assert str(round_rate(D("-0.04"))) == "0.0"


# --- baseline-relative and decrease -----------------------------------------------------------


def test_baseline_relative_in_both_directions() -> None:
    up = run(Formula.BASELINE_RELATIVE, baseline=D(50), target=D(100), actual=D(80))
    assert up.rounded_rate == D("60.0") and up.met is False
    down = run(Formula.BASELINE_RELATIVE, baseline=D(100), target=D(60), actual=D(70))
    assert down.rounded_rate == D("75.0") and down.met is False
    worse = run(Formula.BASELINE_RELATIVE, baseline=D(100), target=D(60), actual=D(110))
    assert worse.rounded_rate == D("-25.0")
    done = run(Formula.BASELINE_RELATIVE, baseline=D(100), target=D(60), actual=D(55))
    assert done.met is True and done.rounded_rate == D("112.5")


def test_baseline_relative_edge_cases() -> None:
    assert run(Formula.BASELINE_RELATIVE, baseline=D(5), target=D(5), actual=D(5)).reason is (
        Reason.TARGET_EQUALS_BASELINE
    )
    assert run(Formula.BASELINE_RELATIVE, target=D(5), actual=D(5)).reason is Reason.NO_BASELINE


def test_decrease_is_better_against_the_baseline_and_survives_zero() -> None:
    outcome = run(Formula.DECREASE, baseline=D(200), target=D(100), actual=D(0))
    assert outcome.rounded_rate == D("200.0") and outcome.met is True  # target ÷ actual would divide by 0
    assert run(Formula.DECREASE, baseline=D(200), target=D(100), actual=D(150)).rounded_rate == D("50.0")
    assert run(Formula.DECREASE, baseline=D(100), target=D(100), actual=D(90)).reason is (
        Reason.TARGET_NOT_BELOW_BASELINE
    )
    assert run(Formula.DECREASE, baseline=D(100), target=D(120), actual=D(90)).status is Status.NOT_EVALUABLE


def test_decrease_without_baseline_is_met_or_not_without_a_rate() -> None:
    met = run(Formula.DECREASE, target=D(100), actual=D(0))
    assert (met.status, met.met, met.rate, met.reason) == (
        Status.EVALUATED,
        True,
        None,
        Reason.NO_BASELINE_MET_OR_NOT,
    )
    assert run(Formula.DECREASE, target=D(100), actual=D(101)).met is False


# --- maintain ---------------------------------------------------------------------------------


def test_maintain_at_least_gives_a_rate_above_a_positive_level() -> None:
    outcome = run(Formula.MAINTAIN_AT_LEAST, target=D(1000000000), actual=D(1277000000))
    assert outcome.rounded_rate == D("127.7") and outcome.met is True


def test_maintain_at_a_zero_or_negative_level_never_divides() -> None:
    zero = run(Formula.MAINTAIN_AT_LEAST, target=D(0), actual=D(0))
    assert (zero.status, zero.met, zero.rate) == (Status.EVALUATED, True, None)
    assert run(Formula.MAINTAIN_AT_LEAST, target=D(-3), actual=D(-4)).met is False


def test_maintain_at_most_is_met_or_not() -> None:
    assert run(Formula.MAINTAIN_AT_MOST, target=D(0), actual=D(0)).met is True
    assert run(Formula.MAINTAIN_AT_MOST, target=D(5), actual=D("5.01")).met is False
    assert run(Formula.MAINTAIN_AT_MOST, target=D(5), actual=D(1)).rate is None


def test_maintain_reads_the_baseline_when_there_is_no_target() -> None:
    assert run(Formula.MAINTAIN_AT_LEAST, baseline=D(50), actual=D(50)).rounded_rate == D("100.0")
    assert run(Formula.MAINTAIN_AT_MOST, actual=D(1)).reason is Reason.NO_TARGET


# --- previous year ----------------------------------------------------------------------------


def test_previous_year_decrease_with_the_change_reported() -> None:
    # Seed 000 goal 4: reduced by 548,000,000 円 from 26,910,000,000 円 (both 見込).
    outcome = run(
        Formula.PREVIOUS_YEAR_DECREASE,
        target=D(26910000000),
        actual=D(548000000),
        actual_is_change=True,
        provisional=True,
    )
    assert outcome.met is True and outcome.rate is None and outcome.state == "provisional"
    assert (outcome.change, outcome.reference, outcome.level) == (
        D(548000000),
        D(26910000000),
        D(26362000000),
    )


def test_previous_year_compares_levels_with_last_years_actual() -> None:
    up = run(Formula.PREVIOUS_YEAR_INCREASE, previous=D("81.2"), actual=D("89.9"))
    assert up.met is True and up.change == D("8.7")
    flat = run(Formula.PREVIOUS_YEAR_INCREASE, previous=D(5), actual=D(5))
    assert flat.met is False  # "increase" means strictly more
    down = run(Formula.PREVIOUS_YEAR_DECREASE, previous=D(100), actual=D(120), target=D(0))
    assert (
        down.met is False and down.change == D(-20) and down.reference == D(100)
    )  # last year wins over target


def test_previous_year_edge_cases() -> None:
    assert run(Formula.PREVIOUS_YEAR_INCREASE, actual=D(3)).reason is Reason.NO_PREVIOUS
    assert run(Formula.PREVIOUS_YEAR_INCREASE, previous=D(3)).reason is Reason.NO_ACTUAL
    # A change reported in the wrong direction (▲) is not met; no reference is needed to judge it.
    wrong = run(Formula.PREVIOUS_YEAR_DECREASE, actual=D(-10), actual_is_change=True)
    assert wrong.met is False and wrong.level is None


# --- milestone, unknown, invalid ----------------------------------------------------------------


def test_milestone_waits_for_a_person() -> None:
    outcome = run(Formula.MILESTONE, actual=D(17546000))
    assert outcome.status is Status.AWAITING_PERSON and outcome.state == "awaiting_person"
    assert outcome.rate is None and outcome.reason is Reason.QUALITATIVE


def test_unknown_formula_and_non_finite_figures_are_not_evaluable() -> None:
    assert evaluate(Inputs(formula="nonsense", target=D(1), actual=D(1))).reason is Reason.UNKNOWN_FORMULA  # type: ignore[arg-type]
    for bad in (D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity")):
        assert run(Formula.RATIO, target=D(10), actual=bad).reason is Reason.INVALID_FIGURE
        assert run(Formula.RATIO, target=bad, actual=D(1)).reason is Reason.INVALID_FIGURE


def test_results_too_large_to_print_are_not_evaluable() -> None:
    assert run(Formula.RATIO, target=D("1E-999999"), actual=D("1E+999999")).reason is Reason.OUT_OF_RANGE
    assert run(Formula.RATIO, target=D(1), actual=D("1E+40")).reason is Reason.OUT_OF_RANGE


# --- a year's figures: cumulative series, prorated targets, previous year ----------------------


def figures(**years: int | str) -> dict[int, FigureValue]:
    return {int(y[1:]): FigureValue(D(str(v))) for y, v in years.items()}


def test_prorated_target_for_year_k_of_n() -> None:
    spec = IndicatorSpec(
        formula="ratio", baseline=D(100), prorate_target=True, period_start_year=2016, period_end_year=2020
    )
    year = year_inputs(spec, year=2017, targets=figures(y2020=200), actuals=figures(y2017=130))
    assert year.target == D(140) and year.proration == (2, 5)
    assert evaluate(year.inputs).rounded_rate == D("92.9")
    # A year that states its own target keeps it.
    stated = year_inputs(spec, year=2017, targets=figures(y2017=150, y2020=200), actuals={})
    assert stated.target == D(150) and stated.proration is None
    outside = year_inputs(spec, year=2021, targets=figures(y2020=200), actuals=figures(y2021=1))
    assert evaluate(outside.inputs).reason is Reason.OUTSIDE_PERIOD
    no_origin = IndicatorSpec(
        formula="ratio", prorate_target=True, period_start_year=2016, period_end_year=2020
    )
    year = year_inputs(no_origin, year=2017, targets=figures(y2020=200), actuals=figures(y2017=1))
    assert evaluate(year.inputs).reason is Reason.NO_BASELINE


def test_cumulative_series_adds_yearly_actuals_against_a_prorated_total() -> None:
    spec = IndicatorSpec(
        formula="ratio", cumulative=True, prorate_target=True, period_start_year=2016, period_end_year=2019
    )
    targets = figures(y2019=400)
    year = year_inputs(spec, year=2017, targets=targets, actuals=figures(y2016=90, y2017=120))
    assert (year.target, year.actual, year.proration) == (D(200), D(210), (2, 4))
    assert evaluate(year.inputs).rounded_rate == D("105.0")
    gap = year_inputs(spec, year=2018, targets=targets, actuals=figures(y2016=90, y2018=120))
    assert evaluate(gap.inputs).reason is Reason.MISSING_YEARS
    before = year_inputs(spec, year=2015, targets=targets, actuals=figures(y2015=1))
    assert evaluate(before.inputs).reason is Reason.OUTSIDE_PERIOD


def test_provisional_flags_follow_the_figures_used() -> None:
    spec = IndicatorSpec(formula="previous_year_increase")
    actuals = {2015: FigureValue(D("81.2")), 2016: FigureValue(D("89.9"), provisional=True)}
    year = year_inputs(spec, year=2016, targets={}, actuals=actuals)
    assert year.inputs.previous == D("81.2") and year.inputs.provisional
    assert not year_inputs(spec, year=2015, targets={}, actuals=actuals).inputs.provisional
    # A provisional target is not used once last year's actual is known.
    targets = {2016: FigureValue(D(80), provisional=True)}
    assert not year_inputs(
        spec, year=2016, targets=targets, actuals={**actuals, 2016: FigureValue(D(90))}
    ).inputs.provisional


def test_previous_year_falls_back_on_a_baseline_of_last_year() -> None:
    spec = IndicatorSpec(formula="previous_year_decrease", baseline=D(50), baseline_year=2015)
    year = year_inputs(spec, year=2016, targets={}, actuals=figures(y2016=40))
    assert year.inputs.previous == D(50) and evaluate(year.inputs).met is True


def test_reported_as_change_is_read_only_by_the_previous_year_formulas() -> None:
    spec = IndicatorSpec(formula="ratio", reported_as_change=True)
    assert not year_inputs(spec, year=2016, targets={}, actuals={}).inputs.actual_is_change


# --- properties -------------------------------------------------------------------------------

any_decimal = st.decimals(allow_nan=True, allow_infinity=True)
optional_decimal = st.none() | any_decimal
reasonable = st.decimals(
    min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False
)
positive = st.decimals(min_value=D("0.0001"), max_value=10**12, places=4)


@settings(max_examples=300, deadline=None)
@given(
    formula=st.sampled_from(list(Formula)),
    target=optional_decimal,
    actual=optional_decimal,
    baseline=optional_decimal,
    previous=optional_decimal,
    change=st.booleans(),
    provisional=st.booleans(),
)
def test_no_exception_for_any_decimal_input(
    formula: Formula,
    target: D | None,
    actual: D | None,
    baseline: D | None,
    previous: D | None,
    change: bool,
    provisional: bool,
) -> None:
    outcome = evaluate(
        Inputs(formula, target, actual, baseline, previous, actual_is_change=change, provisional=provisional)
    )
    if outcome.rate is not None:
        assert outcome.rate.is_finite() and outcome.rounded_rate is not None
    if outcome.status is Status.NOT_EVALUABLE:
        assert outcome.reason is not None and outcome.rate is None


@settings(max_examples=300, deadline=None)
@given(
    formula=st.sampled_from(list(Formula)),
    target=optional_decimal,
    baseline=optional_decimal,
    cumulative=st.booleans(),
    prorate=st.booleans(),
    years=st.dictionaries(st.integers(2014, 2020), any_decimal, max_size=5),
)
def test_year_inputs_never_raise(
    formula: Formula,
    target: D | None,
    baseline: D | None,
    cumulative: bool,
    prorate: bool,
    years: dict[int, D],
) -> None:
    spec = IndicatorSpec(
        formula=formula,
        baseline=baseline,
        baseline_year=2015,
        cumulative=cumulative,
        prorate_target=prorate,
        period_start_year=2015,
        period_end_year=2019,
    )
    targets = {2019: FigureValue(target)} if target is not None else {}
    actuals = {y: FigureValue(v) for y, v in years.items()}
    evaluate(year_inputs(spec, year=2017, targets=targets, actuals=actuals).inputs)


@settings(max_examples=200, deadline=None)
@given(target=positive, a=reasonable, b=reasonable)
def test_ratio_rate_is_non_decreasing_in_the_actual(target: D, a: D, b: D) -> None:
    low, high = sorted((a, b))
    first = run(Formula.RATIO, target=target, actual=low)
    second = run(Formula.RATIO, target=target, actual=high)
    assert first.rate is not None and second.rate is not None
    assert first.rate <= second.rate and first.rounded_rate <= second.rounded_rate  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(baseline=reasonable, span=positive, a=reasonable, b=reasonable)
def test_baseline_relative_is_monotonic_in_the_direction_of_the_target(
    baseline: D, span: D, a: D, b: D
) -> None:
    low, high = sorted((a, b))
    up = [
        run(Formula.BASELINE_RELATIVE, baseline=baseline, target=baseline + span, actual=x)
        for x in (low, high)
    ]
    assert up[0].rate <= up[1].rate  # type: ignore[operator]
    down = [
        run(Formula.BASELINE_RELATIVE, baseline=baseline, target=baseline - span, actual=x)
        for x in (low, high)
    ]
    assert down[0].rate >= down[1].rate  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(target=reasonable, span=positive, a=reasonable, b=reasonable)
def test_decrease_rate_is_non_increasing_in_the_actual(target: D, span: D, a: D, b: D) -> None:
    low, high = sorted((a, b))
    first = run(Formula.DECREASE, baseline=target + span, target=target, actual=low)
    second = run(Formula.DECREASE, baseline=target + span, target=target, actual=high)
    assert first.rate >= second.rate  # type: ignore[operator]
    assert first.rounded_rate >= second.rounded_rate  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(level=reasonable, previous=st.none() | reasonable, a=reasonable, b=reasonable)
def test_met_or_not_formulas_are_monotonic(level: D, previous: D | None, a: D, b: D) -> None:
    low, high = sorted((a, b))
    # Increase is better: meeting the target at a lower actual means meeting it at a higher one.
    for formula in (Formula.MAINTAIN_AT_LEAST, Formula.PREVIOUS_YEAR_INCREASE):
        first = run(formula, target=level, previous=previous, actual=low)
        second = run(formula, target=level, previous=previous, actual=high)
        assert not (first.met and not second.met)
    for formula in (Formula.MAINTAIN_AT_MOST, Formula.PREVIOUS_YEAR_DECREASE):
        first = run(formula, target=level, previous=previous, actual=low)
        second = run(formula, target=level, previous=previous, actual=high)
        assert not (second.met and not first.met)
