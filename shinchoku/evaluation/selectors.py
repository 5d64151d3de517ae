"""Reads of achievement: indicators judged for fiscal years, and their roll-ups.

Nothing computed is stored: each call reads the figures, the scales and the
grades people gave, in a fixed number of queries whatever the number of goals
and indicators, and derives rates and grades with the pure ``formulas`` and
``scales``. Roll-ups are explicit calls on those results, never side effects of
saving.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, prefetch_related_objects

from shinchoku.evaluation.formulas import (
    REASON_TEXT,
    FigureValue,
    Formula,
    IndicatorSpec,
    Inputs,
    Outcome,
    Reason,
    Status,
    evaluate,
    year_inputs,
)
from shinchoku.evaluation.models import GradeScale, ManualGrade
from shinchoku.evaluation.scales import (
    DEFAULT_PRESET,
    PRESETS,
    Grade,
    Rollup,
    Scale,
    default_threshold,
    rollup,
    rollup_entry,
)
from shinchoku.evaluation.summaries import Judged
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement, Target

BUILT_IN_SCALE = PRESETS[DEFAULT_PRESET]


def decimal_text(value: Decimal | None) -> str | None:
    """A stored decimal as plain text without trailing zeros or exponent: 4500000.000000 → "4500000"."""
    if value is None:
        return None
    return format(value.normalize(), "f")


# --- scales -----------------------------------------------------------------------------------


@dataclass
class ScaleBook:
    """A municipality's stored scales, read once; picks the one that applies to a plan and year."""

    scales: list[GradeScale]

    def applicable(self, *, plan_id: int | None, fiscal_year: int) -> tuple[Scale, GradeScale | None]:
        def first(predicate: Callable[[GradeScale], bool]) -> GradeScale | None:
            return next((s for s in self.scales if predicate(s)), None)

        candidates: list[Callable[[GradeScale], bool]] = []
        if plan_id is not None:
            candidates += [
                lambda s: s.plan_id == plan_id and s.fiscal_year == fiscal_year,
                lambda s: s.plan_id == plan_id and s.fiscal_year is None,
            ]
        candidates += [
            lambda s: s.plan_id is None and s.fiscal_year == fiscal_year,
            lambda s: s.is_default,
        ]
        for predicate in candidates:
            found = first(predicate)
            if found is not None:
                return found.to_scale(), found
        return BUILT_IN_SCALE, None

    def named(self, name: str) -> GradeScale | None:
        return next((s for s in self.scales if s.name == name), None)


def grade_scales_of(municipality: Municipality) -> ScaleBook:
    """The municipality's scales with their bands: two queries."""
    scales = (
        GradeScale.objects.filter(municipality=municipality)
        .select_related("plan")
        .prefetch_related("bands")
        .order_by("id")
    )
    return ScaleBook(list(scales))


# --- judging indicators -------------------------------------------------------------------------


@dataclass
class IndicatorResult:
    """One indicator (or one goal without figures) judged for one fiscal year."""

    fiscal_year: int
    label: str
    unit: str
    formula: str
    outcome: Outcome
    scale: Scale
    grade: Grade | None
    weight: Decimal = Decimal(1)
    reported_as_change: bool = False
    target: Decimal | None = None
    actual: Decimal | None = None
    baseline: Decimal | None = None
    proration: tuple[int, int] | None = None
    indicator_id: int | None = None
    goal_id: int | None = None
    goal_number: int | None = None
    goal_title: str = ""
    declaration_id: int | None = None
    department_id: int | None = None
    department_name: str = ""
    department_position: int = 0
    plan_node_id: int | None = None
    plan_node_label: str = ""
    stated_grade: str | None = None
    manual: ManualGrade | None = None
    sections: list[str] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return self.outcome.rounded_rate

    @property
    def formula_label(self) -> str:
        try:
            return str(Indicator.Formula(self.formula).label)
        except ValueError:
            return self.formula

    @property
    def grade_source(self) -> str | None:
        if self.grade is None:
            return None
        return "person" if self.manual is not None else "computed"

    @property
    def state(self) -> str:
        """``final``, ``provisional`` (見込), ``not_evaluable`` (評価不能), ``awaiting_person`` or ``graded_by_person``."""
        if self.manual is not None:
            return "graded_by_person"
        return self.outcome.state

    @property
    def reason(self) -> Reason | None:
        return self.outcome.reason

    @property
    def reason_text(self) -> str:
        return REASON_TEXT[self.outcome.reason] if self.outcome.reason else ""

    @property
    def grade_differs(self) -> bool:
        """The grade stated in the document and the one judged here disagree (both are shown)."""
        return bool(self.stated_grade and self.grade and self.stated_grade != self.grade.label)

    @property
    def qualitative(self) -> bool:
        return self.outcome.status is Status.AWAITING_PERSON

    def to_json(self) -> dict[str, Any]:
        outcome = self.outcome
        data: dict[str, Any] = {
            "goal_number": self.goal_number,
            "goal_title": self.goal_title or None,
            "department": self.department_name or None,
            "label": self.label,
            "unit": self.unit,
            "target": decimal_text(self.target),
            "actual": decimal_text(self.actual),
            "formula": self.formula,
            "rate": str(self.rate) if self.rate is not None else None,
            "grade": self.grade.label if self.grade else None,
            "stated_grade": self.stated_grade,
            "state": self.state,
            "provisional": outcome.provisional,
            "reason": outcome.reason.value if outcome.reason else None,
            "grade_source": self.grade_source,
            "weight": decimal_text(self.weight),
            "scale": self.scale.name,
        }
        if outcome.change is not None:
            data["change"] = decimal_text(outcome.change)
            data["reference"] = decimal_text(outcome.reference)
            data["level"] = decimal_text(outcome.level)
        if self.proration is not None:
            data["proration"] = {"year": self.proration[0], "of": self.proration[1]}
        if self.manual is not None:
            data["manual"] = {
                "grade": self.manual.grade,
                "progress": self.manual.milestone_status or None,
                "reason": self.manual.reason,
            }
        return data


def _spec(indicator: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        formula=indicator.formula,
        baseline=indicator.baseline_value,
        baseline_year=indicator.baseline_year,
        cumulative=indicator.cumulative,
        reported_as_change=indicator.reported_as_change,
        prorate_target=indicator.prorate_target,
        period_start_year=indicator.period_start_year,
        period_end_year=indicator.period_end_year,
    )


def _manual_for(grades: Iterable[ManualGrade], year: int) -> ManualGrade | None:
    return next((g for g in grades if g.fiscal_year == year), None)


def _judge(indicator: Indicator, year: int, scale: Scale, **context: Any) -> IndicatorResult:
    """Judge one indicator; reads only what its prefetches hold."""
    # The same indicator is judged for each goal that names it, year after year: its figures
    # are gathered once (kept on the instance, which lives as long as the read).
    figures = getattr(indicator, "judged_figures", None)
    if figures is None:
        figures = (
            {t.fiscal_year: FigureValue(t.value, t.provisional) for t in indicator.targets.all()},
            {m.fiscal_year: FigureValue(m.value, m.provisional) for m in indicator.measurements.all()},
        )
        indicator.judged_figures = figures  # type: ignore[attr-defined]
    targets, actuals = figures
    assembled = year_inputs(_spec(indicator), year=year, targets=targets, actuals=actuals)
    outcome = evaluate(assembled.inputs)
    grade = scale.grade(outcome)
    manual = None
    if outcome.status is Status.AWAITING_PERSON:
        # Read with the goals' grades when judged for a declaration, else prefetched.
        grades = getattr(indicator, "kept_manual_grades", None)
        manual = _manual_for(indicator.manual_grades.all() if grades is None else grades, year)
        if manual is not None:
            grade = scale.grade_of_label(manual.grade)
    return IndicatorResult(
        fiscal_year=year,
        label=indicator.name,
        unit=indicator.unit,
        formula=indicator.formula,
        outcome=outcome,
        scale=scale,
        grade=grade,
        weight=indicator.weight,
        reported_as_change=indicator.reported_as_change,
        target=assembled.target,
        actual=assembled.actual,
        baseline=indicator.baseline_value,
        proration=assembled.proration,
        indicator_id=indicator.pk,
        manual=manual,
        sections=[s.name for s in indicator.sections.all()],
        **context,
    )


_FIGURE_FIELDS = ("id", "indicator_id", "fiscal_year", "value", "provisional")


def _indicator_prefetches(
    indicators: Iterable[Indicator], years: Sequence[int], *, manual: bool = True
) -> list[Prefetch[Any]]:
    """What judging ``indicators`` for ``years`` reads: their figures of those years and of the
    years they are judged from, not thirty years of them (a large city's year page read 12,000
    figures to judge two years: bench/national.py). The conditions name the indicators' own
    columns only: joining the indicator table for them made PostgreSQL scan it."""
    low, high = min(years), max(years)
    ends = {i.period_end_year for i in indicators if i.prorate_target and i.period_end_year}
    cumulative = [i.pk for i in indicators if i.cumulative]
    # A year's own target, or the plan's last-year target it is prorated from.
    targets = Q(fiscal_year__in=sorted({*years, *ends}))
    # A year's actual and the year before it, or every year up to it for a cumulative total.
    actuals = Q(fiscal_year__gte=low - 1, fiscal_year__lte=high)
    if cumulative:
        actuals |= Q(indicator_id__in=cumulative, fiscal_year__lte=high)
    prefetches = [
        # Only what judging reads.
        Prefetch(
            "targets",
            queryset=Target.objects.filter(targets, kind=Target.Kind.FINAL)
            .only(*_FIGURE_FIELDS)
            .order_by("fiscal_year"),
        ),
        Prefetch(
            "measurements",
            queryset=Measurement.objects.filter(actuals).only(*_FIGURE_FIELDS).order_by("fiscal_year"),
        ),
        Prefetch(
            "sections", queryset=Section.objects.select_related("department").order_by("position", "name")
        ),
    ]
    if manual:
        prefetches.append(Prefetch("manual_grades", queryset=ManualGrade.objects.order_by("fiscal_year")))
    return prefetches


def _goal_results(
    goal: Goal, declaration: GoalDeclaration, scale: Scale, loaded: _Loaded
) -> list[IndicatorResult]:
    context: dict[str, Any] = {
        "goal_id": goal.pk,
        "goal_number": goal.number,
        "goal_title": goal.title,
        "declaration_id": declaration.pk,
        "department_id": declaration.department_id,
        "department_name": declaration.department.name,
        "department_position": declaration.department.position,
        "stated_grade": goal.stated_grade or None,
    }
    year = declaration.fiscal_year
    indicators = loaded.indicators.get(goal.pk, [])
    if indicators:
        return [_judge(indicator, year, scale, **context) for indicator in indicators]
    # A goal that states no figure at all (seed 000 goal 1) is a qualitative target of its own.
    outcome = evaluate(Inputs(formula=Formula.MILESTONE))
    manual = _manual_for(loaded.manual_grades.get(goal.pk, []), year)
    return [
        IndicatorResult(
            fiscal_year=year,
            label=goal.title,
            unit="",
            formula=Formula.MILESTONE.value,
            outcome=outcome,
            scale=scale,
            grade=scale.grade_of_label(manual.grade) if manual else None,
            manual=manual,
            sections=loaded.sections.get(goal.pk, []),
            **context,
        )
    ]


@dataclass
class _Loaded:
    """The declarations of the years with everything their goals are judged from."""

    declarations: list[GoalDeclaration]
    goals: dict[int, list[Goal]]  # by declaration id, in number order
    indicators: dict[int, list[Indicator]]  # by goal id, in display order
    sections: dict[int, list[str]]  # the goal's responsible sections' names, by goal id
    manual_grades: dict[int, list[ManualGrade]]  # by goal id, by year


def _declarations(
    municipality: Municipality,
    fiscal_years: Sequence[int],
    department: Department | None,
    declaration: GoalDeclaration | None,
) -> _Loaded:
    """The declarations with their goals, and what each goal is judged from: seven queries at most.

    Read table by table and grouped here rather than prefetched through each goal: Django
    builds a queryset per goal and per relation when it prefetches, and a department keeps
    its indicators year after year, so the goals of ten years name the same indicator ten
    times. Each indicator is read once, with its targets, actuals and grades of every year
    (bench/national.py: the achievement year page of a city of 40 departments over 10 years
    took 4.2 s with the prefetches).
    """
    # The goals with their declaration and department in one query (a declaration without a
    # goal has nothing to judge). Only what judging needs: not the goals' long texts.
    queryset = Goal.objects.filter(
        declaration__municipality=municipality, declaration__fiscal_year__in=list(fiscal_years)
    )
    if department is not None:
        queryset = queryset.filter(declaration__department=department)
    if declaration is not None:
        queryset = queryset.filter(declaration=declaration)
    named_goals = (
        queryset.select_related("declaration__department")
        .defer(
            "content",
            "target_text",
            "result_text",
            "direction_text",
            "status_text",
            "created_at",
            "updated_at",
            "declaration__created_at",
            "declaration__updated_at",
            "declaration__department__created_at",
            "declaration__department__updated_at",
        )
        .order_by(
            "declaration__fiscal_year",
            "declaration__department__position",
            "declaration__department__name",
            "declaration_id",
            "number",
        )
    )
    declarations: dict[int, GoalDeclaration] = {}
    goals: dict[int, list[Goal]] = {}
    for goal in named_goals:
        declarations.setdefault(goal.declaration_id, goal.declaration)
        goals.setdefault(goal.declaration_id, []).append(goal)
    goal_ids = [goal.pk for named in goals.values() for goal in named]
    # The same goals as a subquery: ten years of a city are thousands of ids to send.
    goal_rows = queryset.values("pk")
    # The indicators with the goal that names them, in one query; each indicator's figures
    # are then read once, however many goals name it.
    linked = list(
        Indicator.objects.filter(goals__in=goal_rows)
        .defer("created_at", "updated_at", "definition", "data_source")
        .annotate(linked_goal=F("goals__id"))
    )
    by_id = {indicator.pk: indicator for indicator in linked}
    unique = list(by_id.values())
    prefetch_related_objects(unique, *_indicator_prefetches(unique, fiscal_years, manual=False))
    indicators: dict[int, list[Indicator]] = {}
    for row in linked:
        indicators.setdefault(row.linked_goal, []).append(by_id[row.pk])
    for named in indicators.values():
        named.sort(key=lambda indicator: (indicator.position, indicator.pk))
    # A goal without figures is judged by a person and names its sections itself.
    bare = [pk for pk in goal_ids if pk not in indicators]
    sections: dict[int, list[str]] = {}
    if bare:
        for goal_id, name in (
            GoalSection.objects.filter(goal_id__in=bare if len(bare) < 100 else goal_rows)
            .order_by("goal_id", "position", "id")
            .values_list("goal_id", "section__name")
        ):
            sections.setdefault(goal_id, []).append(name)
    # The grades people gave, to goals and to indicators, in one query.
    manual_grades: dict[int, list[ManualGrade]] = {}
    indicator_grades: dict[int, list[ManualGrade]] = {}
    indicator_rows = Indicator.objects.filter(goals__in=goal_rows).values("pk")
    for grade in ManualGrade.objects.filter(
        Q(goal_id__in=goal_rows) | Q(indicator_id__in=indicator_rows)
    ).order_by("fiscal_year"):
        if grade.goal_id is not None:
            manual_grades.setdefault(grade.goal_id, []).append(grade)
        if grade.indicator_id is not None:
            indicator_grades.setdefault(grade.indicator_id, []).append(grade)
    for indicator in by_id.values():
        indicator.kept_manual_grades = indicator_grades.get(indicator.pk, [])  # type: ignore[attr-defined]
    return _Loaded(list(declarations.values()), goals, indicators, sections, manual_grades)


def _plan_indicators(
    municipality: Municipality, fiscal_years: Sequence[int], department: Department | None
) -> list[Indicator]:
    """Indicators of plans (not of a goal declaration) with a target or an actual in the years."""
    years = list(fiscal_years)
    queryset = (
        Indicator.objects.filter(municipality=municipality, goals__isnull=True)
        .filter(Q(targets__fiscal_year__in=years) | Q(measurements__fiscal_year__in=years))
        .distinct()
    )
    if department is not None:
        queryset = queryset.filter(sections__department=department)
    found = list(queryset.select_related("plan_node__plan").order_by("position", "id"))
    if found:
        prefetch_related_objects(found, *_indicator_prefetches(found, years))
    return found


def achievement_results(
    municipality: Municipality,
    *,
    fiscal_years: Sequence[int],
    department: Department | None = None,
    declaration: GoalDeclaration | None = None,
    include_plan_indicators: bool = True,
    include_declarations: bool = True,
    scale: GradeScale | None = None,
    book: ScaleBook | None = None,
) -> list[IndicatorResult]:
    """Every indicator of the years judged, in document order; a fixed number of queries.

    Indicators of goal declarations come first (by year, department, goal, position),
    then indicators of plans with figures in the years. ``scale`` forces one scale
    instead of the applicable one; ``book`` gives the municipality's scales already read.
    """
    if not fiscal_years:
        return []
    book = book or grade_scales_of(municipality)
    forced = scale.to_scale() if scale is not None else None

    def scale_for(plan_id: int | None, year: int) -> Scale:
        return forced or book.applicable(plan_id=plan_id, fiscal_year=year)[0]

    results: list[IndicatorResult] = []
    loaded = (
        _declarations(municipality, fiscal_years, department, declaration)
        if include_declarations
        else _Loaded([], {}, {}, {}, {})
    )
    for decl in loaded.declarations:
        applicable = scale_for(None, decl.fiscal_year)
        for goal in loaded.goals.get(decl.pk, []):
            results += _goal_results(goal, decl, applicable, loaded)
    if include_plan_indicators and declaration is None:
        for indicator in _plan_indicators(municipality, fiscal_years, department):
            node = indicator.plan_node
            sections = list(indicator.sections.all())
            owner = next((s.department for s in sections if s.department is not None), None)
            for year in fiscal_years:
                if not any(t.fiscal_year == year for t in indicator.targets.all()) and not any(
                    m.fiscal_year == year for m in indicator.measurements.all()
                ):
                    continue
                results.append(
                    _judge(
                        indicator,
                        year,
                        scale_for(node.plan_id if node else None, year),
                        department_id=owner.pk if owner else None,
                        department_name=owner.name if owner else "",
                        department_position=owner.position if owner else 0,
                        plan_node_id=node.pk if node else None,
                        plan_node_label=str(node) if node else "",
                    )
                )
    return results


# --- roll-ups ----------------------------------------------------------------------------------

GROUPINGS = ("goal", "department", "plan_node", "year")


@dataclass(frozen=True)
class RollupRow:
    key: object
    label: str
    threshold: str
    rollup: Rollup


def _group(result: IndicatorResult | Judged, by: str) -> tuple[object, str] | None:
    if by == "goal":
        if result.goal_id is None:
            return None
        return (result.fiscal_year, result.goal_id), f"{result.goal_number}. {result.goal_title}"
    if by == "department":
        return (result.department_position, result.department_id), result.department_name
    if by == "plan_node":
        if result.plan_node_id is None:
            return None
        return result.plan_node_id, result.plan_node_label
    return result.fiscal_year, str(result.fiscal_year)


def achievement_rollups(
    results: Sequence[IndicatorResult | Judged], *, by: str, threshold: str | None = None
) -> list[RollupRow]:
    """The share of indicators at or above ``threshold`` (default: every band but the last) per group.

    ``by`` is ``goal``, ``department``, ``plan_node`` or ``year``; groups keep the
    order in which they first appear. Plain and weighted shares are both given.
    """
    if by not in GROUPINGS:
        raise ValueError(f"Unknown grouping {by!r}; one of {', '.join(GROUPINGS)}.")
    groups: dict[object, tuple[str, list[IndicatorResult | Judged]]] = {}
    for result in results:
        group = _group(result, by)
        if group is None:
            continue
        key, label = group
        groups.setdefault(key, (label, []))[1].append(result)
    rows = []
    for key, (label, members) in groups.items():
        wanted = threshold or default_threshold(members[0].scale)
        entries = [rollup_entry(r.grade, r.scale, wanted, r.weight) for r in members]
        rows.append(RollupRow(key=key, label=label, threshold=wanted, rollup=rollup(entries)))
    if by == "year":
        rows.sort(key=lambda row: row.key)  # type: ignore[arg-type,return-value]
    return rows


def rollup_json(row: RollupRow) -> dict[str, Any]:
    r = row.rollup
    return {
        "label": row.label,
        "threshold": row.threshold,
        "indicators": r.total,
        "graded": r.graded,
        "at_or_above": r.at_or_above,
        "share": str(r.share) if r.share is not None else None,
        "weighted_share": str(r.weighted_share) if r.weighted_share is not None else None,
        "weight_graded": decimal_text(r.weight_graded),
        "weight_at_or_above": decimal_text(r.weight_at_or_above),
        "not_evaluable": r.not_evaluable,
        "awaiting_person": r.awaiting,
    }


def achievement_trend(
    municipality: Municipality,
    *,
    fiscal_years: Sequence[int],
    threshold: str | None = None,
    department: Department | None = None,
) -> list[RollupRow]:
    """The share at or above a grade for each year: one roll-up per year, same fixed query count."""
    results = achievement_results(municipality, fiscal_years=fiscal_years, department=department)
    return achievement_rollups(results, by="year", threshold=threshold)


def evaluation_years(municipality: Municipality) -> list[int]:
    """Years with a goal declaration or a figure of a plan indicator, newest first: three queries."""
    years = set(
        GoalDeclaration.objects.filter(municipality=municipality).values_list("fiscal_year", flat=True)
    )
    plan_indicators = Indicator.objects.filter(municipality=municipality, goals__isnull=True)
    years |= set(Target.objects.filter(indicator__in=plan_indicators).values_list("fiscal_year", flat=True))
    years |= set(
        Measurement.objects.filter(indicator__in=plan_indicators).values_list("fiscal_year", flat=True)
    )
    return sorted(years, reverse=True)


def indicators_judged(
    municipality: Municipality, indicators: Sequence[Indicator], fiscal_year: int, *, plan_id: int | None
) -> list[IndicatorResult]:
    """``indicators`` (of one plan) judged for ``fiscal_year`` on the scale that applies: a 施策's
    indicators on its evaluation sheet. A fixed number of queries, whatever their number."""
    found = list(indicators)
    if not found:
        return []
    prefetch_related_objects(found, *_indicator_prefetches(found, [fiscal_year]))
    scale = grade_scales_of(municipality).applicable(plan_id=plan_id, fiscal_year=fiscal_year)[0]
    return [_judge(indicator, fiscal_year, scale) for indicator in found]


def indicators_forecast(
    municipality: Municipality,
    indicators: Sequence[Indicator],
    fiscal_year: int,
    forecasts: Mapping[int, Decimal],
) -> list[IndicatorResult]:
    """``indicators`` judged provisionally: each one's forecast (見込, by indicator id) taken as the
    year's actual, flagged provisional, so the engine grades it like a 見込 figure (mid-year hearing).

    Indicators without a forecast are judged on what they have. The instances given are not
    touched: their judged figures would otherwise be kept with the forecast in them.
    """
    found = list(Indicator.objects.filter(pk__in=[i.pk for i in indicators]).order_by("position", "id"))
    if not found:
        return []
    prefetch_related_objects(found, *_indicator_prefetches(found, [fiscal_year]))
    book = grade_scales_of(municipality)
    results = []
    for indicator in found:
        targets = {t.fiscal_year: FigureValue(t.value, t.provisional) for t in indicator.targets.all()}
        actuals = {m.fiscal_year: FigureValue(m.value, m.provisional) for m in indicator.measurements.all()}
        if indicator.pk in forecasts:
            actuals[fiscal_year] = FigureValue(forecasts[indicator.pk], provisional=True)
        indicator.judged_figures = (targets, actuals)  # type: ignore[attr-defined]
        scale = book.applicable(plan_id=None, fiscal_year=fiscal_year)[0]
        results.append(_judge(indicator, fiscal_year, scale))
    return results
