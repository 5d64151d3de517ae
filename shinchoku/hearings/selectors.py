"""Reads of the mid-year hearing: a goal at mid-year with its provisional grades, a round's
departments for the hearing, what the year-end form recalls, and a department's year so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from shinchoku.evaluation.selectors import (
    IndicatorResult,
    RollupRow,
    achievement_results,
    achievement_rollups,
    indicators_forecast,
)
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.hearings.models import Forecast, HearingNote, MidYearReport, MidYearStatus
from shinchoku.organizations.models import Department
from shinchoku.plans.models import Indicator
from shinchoku.workflow.models import EDITABLE_STATUSES, CollectionRound, DocumentKind, RoundRequest


@dataclass
class GoalAtMidYear:
    goal: Goal
    report: MidYearReport | None
    forecasts: dict[int, Forecast]  # by indicator id
    provisional: list[IndicatorResult]  # each indicator judged with its 見込

    @property
    def behind(self) -> bool:
        return self.report is not None and self.report.status in (
            MidYearStatus.SLIGHTLY_BEHIND,
            MidYearStatus.BEHIND,
        )


def _reports(collection_round: CollectionRound, goals: list[Goal]) -> dict[int, MidYearReport]:
    return {
        r.goal_id: r
        for r in MidYearReport.objects.filter(round=collection_round, goal__in=goals).prefetch_related(
            Prefetch("forecasts", queryset=Forecast.objects.select_related("indicator"))
        )
    }


def goals_at_mid_year(collection_round: CollectionRound, goals: list[Goal]) -> list[GoalAtMidYear]:
    """``goals`` with their mid-year reports and the engine's provisional grades: fixed queries."""
    reports = _reports(collection_round, goals)
    indicators: list[Indicator] = []
    forecasts: dict[int, object] = {}
    owners: dict[int, int] = {}
    for goal in goals:
        for indicator in goal.indicators.all():
            indicators.append(indicator)
            owners[indicator.pk] = goal.pk
        report = reports.get(goal.pk)
        for forecast in report.forecasts.all() if report else []:
            forecasts[forecast.indicator_id] = forecast.value
    judged = indicators_forecast(
        collection_round.municipality,
        indicators,
        collection_round.fiscal_year,
        forecasts,  # type: ignore[arg-type]
    )
    by_goal: dict[int, list[IndicatorResult]] = {}
    for result in judged:
        assert result.indicator_id is not None
        by_goal.setdefault(owners[result.indicator_id], []).append(result)
    return [
        GoalAtMidYear(
            goal=goal,
            report=reports.get(goal.pk),
            forecasts={f.indicator_id: f for f in reports[goal.pk].forecasts.all()}
            if goal.pk in reports
            else {},
            provisional=by_goal.get(goal.pk, []),
        )
        for goal in goals
    ]


def _goals(declarations: list[GoalDeclaration]) -> list[Goal]:
    return list(
        Goal.objects.filter(declaration__in=declarations)
        .select_related("declaration__department")
        .prefetch_related("indicators", "sections")
        .order_by("declaration__department__position", "number")
    )


@dataclass
class DepartmentHearing:
    department: Department
    goals: list[GoalAtMidYear]
    note: HearingNote | None


def round_hearing(collection_round: CollectionRound) -> list[DepartmentHearing]:
    """The departments of a mid-year round, each with its goals at mid-year and the hearing's notes."""
    declarations = list(
        collection_round.declarations.select_related("department").order_by("department__position")
    )
    at_mid_year = goals_at_mid_year(collection_round, _goals(declarations))
    notes = {n.department_id: n for n in HearingNote.objects.filter(round=collection_round)}
    return [
        DepartmentHearing(
            department=d.department,
            goals=[g for g in at_mid_year if g.goal.declaration_id == d.pk],
            note=notes.get(d.department_id),
        )
        for d in declarations
    ]


@dataclass
class MidYearRecall:
    """What was said at mid-year about a goal, shown on its year-end form."""

    round: CollectionRound
    at_mid_year: GoalAtMidYear
    note: HearingNote | None


def mid_year_recall(goal: Goal) -> MidYearRecall | None:
    """The latest mid-year round that asked for ``goal``'s declaration, with what was said there."""
    collection_round = (
        CollectionRound.objects.filter(kind=DocumentKind.MID_YEAR, declarations=goal.declaration_id)
        .order_by("-opened_at", "-id")
        .first()
    )
    if collection_round is None:
        return None
    [at_mid_year] = goals_at_mid_year(collection_round, _goals_of([goal]))
    note = HearingNote.objects.filter(
        round=collection_round, department_id=goal.declaration.department_id
    ).first()
    return MidYearRecall(collection_round, at_mid_year, note)


def _goals_of(goals: list[Goal]) -> list[Goal]:
    return list(Goal.objects.filter(pk__in=[g.pk for g in goals]).prefetch_related("indicators"))


# --- the department's year so far ----------------------------------------------------------------


def _graded(result: IndicatorResult) -> bool:
    """Graded on a figure (not 評価不能 for want of one)."""
    return result.grade is not None and not result.grade.not_evaluable


@dataclass
class DashboardRow:
    goal: Goal
    mid_year: GoalAtMidYear | None
    current: list[IndicatorResult]  # judged on the actual figures entered so far

    @property
    def changed(self) -> bool:
        """A grade now differs from the one its 見込 had at mid-year."""
        if self.mid_year is None:
            return False
        before = {r.indicator_id: r.grade.label for r in self.mid_year.provisional if r.grade and _graded(r)}
        return any(
            r.grade is not None and _graded(r) and before.get(r.indicator_id, r.grade.label) != r.grade.label
            for r in self.current
        )


@dataclass
class Dashboard:
    department: Department
    fiscal_year: int
    declaration: GoalDeclaration | None
    mid_year_round: CollectionRound | None
    rows: list[DashboardRow] = field(default_factory=list)
    late: list[RoundRequest] = field(default_factory=list)
    provisional_rollup: RollupRow | None = None
    current_rollup: RollupRow | None = None

    @property
    def behind(self) -> list[DashboardRow]:
        return [r for r in self.rows if r.mid_year is not None and r.mid_year.behind]


def department_dashboard(department: Department, fiscal_year: int, today: date) -> Dashboard:
    """The department's goals of the year: provisional grades at mid-year, the grades now, what changed,
    and its sections' late answers. A fixed number of queries whatever the number of goals."""
    declaration = GoalDeclaration.objects.filter(department=department, fiscal_year=fiscal_year).first()
    dashboard = Dashboard(
        department=department, fiscal_year=fiscal_year, declaration=declaration, mid_year_round=None
    )
    dashboard.late = list(
        RoundRequest.objects.filter(
            section__department=department,
            status__in=EDITABLE_STATUSES,
            round__status=CollectionRound.Status.OPEN,
            round__deadline__lt=today,
        )
        .select_related("round", "section")
        .order_by("round__deadline", "section__position")
    )
    if declaration is None:
        return dashboard
    goals = _goals([declaration])
    mid_year_round = (
        CollectionRound.objects.filter(kind=DocumentKind.MID_YEAR, declarations=declaration)
        .order_by("-opened_at", "-id")
        .first()
    )
    dashboard.mid_year_round = mid_year_round
    at_mid_year = {g.goal.pk: g for g in goals_at_mid_year(mid_year_round, goals)} if mid_year_round else {}
    current: dict[int | None, list[IndicatorResult]] = {}
    results = achievement_results(
        department.municipality,
        fiscal_years=[fiscal_year],
        declaration=declaration,
        include_plan_indicators=False,
    )
    for result in results:
        current.setdefault(result.goal_id, []).append(result)
    dashboard.rows = [
        DashboardRow(
            goal=g,
            mid_year=at_mid_year.get(g.pk),
            current=[r for r in current.get(g.pk, []) if r.indicator_id],
        )
        for g in goals
    ]
    provisional = [r for row in at_mid_year.values() for r in row.provisional]
    if provisional:
        for r in provisional:
            r.department_id, r.department_name = department.pk, department.name
        dashboard.provisional_rollup = achievement_rollups(provisional, by="department")[0]
    graded = [r for r in results if r.indicator_id]
    if graded:
        dashboard.current_rollup = achievement_rollups(graded, by="department")[0]
    return dashboard
