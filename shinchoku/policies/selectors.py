"""Reads of 施策評価: a sheet with its figures judged, the sheets of a request or a member, the report."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from shinchoku.core.eras import format_fiscal_year
from shinchoku.documents.policy_evaluation import (
    ParsedPolicyEvaluation,
    PolicyIndicatorLine,
    PolicyMeetingLine,
    PolicyProjectLine,
    PolicySheetLine,
)
from shinchoku.evaluation.selectors import IndicatorResult, decimal_text, grade_scales_of, indicators_judged
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Indicator, Measurement, Plan
from shinchoku.policies.models import (
    DIRECTION_WORDS,
    CommitteeMeeting,
    ExternalReview,
    PolicySheet,
    ProjectResult,
)
from shinchoku.workflow.models import CollectionRound, RequestStatus, RoundRequest


@dataclass
class IndicatorView:
    indicator: Indicator
    result: IndicatorResult
    measurement: Measurement | None  # the year's actual as typed


@dataclass
class SheetView:
    sheet: PolicySheet
    indicators: list[IndicatorView]
    projects: list[ProjectResult]
    grades: list[str]  # the labels of the scale that applies, best first


def _sheets() -> QuerySet[PolicySheet]:
    return PolicySheet.objects.select_related(
        "policy__parent", "policy__plan", "department", "section", "round", "municipality"
    )


def sheet_views(sheets: list[PolicySheet]) -> list[SheetView]:
    """Sheets of one plan and year with their indicators judged by the engine for that year and
    their projects: a fixed number of queries, however many sheets."""
    if not sheets:
        return []
    first = sheets[0]
    plan_id, year = first.policy.plan_id, first.fiscal_year
    indicators = list(
        Indicator.objects.filter(plan_node__in=[s.policy_id for s in sheets]).order_by("position", "id")
    )
    results = dict(
        zip(
            (i.pk for i in indicators),
            indicators_judged(first.municipality, indicators, year, plan_id=plan_id),
            strict=True,
        )
    )
    measurements = {
        m.indicator_id: m for m in Measurement.objects.filter(indicator__in=indicators, fiscal_year=year)
    }
    projects: dict[int, list[ProjectResult]] = {}
    for row in (
        ProjectResult.objects.filter(sheet__in=sheets).select_related("project").order_by("project__path")
    ):
        projects.setdefault(row.sheet_id, []).append(row)
    grades = grade_scales_of(first.municipality).applicable(plan_id=plan_id, fiscal_year=year)[0].labels()
    return [
        SheetView(
            sheet=sheet,
            indicators=[
                IndicatorView(i, results[i.pk], measurements.get(i.pk))
                for i in indicators
                if i.plan_node_id == sheet.policy_id
            ],
            projects=projects.get(sheet.pk, []),
            grades=grades,
        )
        for sheet in sheets
    ]


def sheet_view(sheet: PolicySheet) -> SheetView:
    return sheet_views([sheet])[0]


def request_sheets(request: RoundRequest) -> list[PolicySheet]:
    """The sheets a 施策評価 request asks its section for."""
    return list(
        _sheets().filter(round_id=request.round_id, section_id=request.section_id).order_by("policy__path")
    )


def sheet_of_request(request: RoundRequest, pk: int) -> PolicySheet | None:
    return _sheets().filter(round_id=request.round_id, section_id=request.section_id, pk=pk).first()


def round_sheets(collection_round: CollectionRound) -> list[PolicySheet]:
    """Every sheet of a round with its reviews (the committee's board): three queries."""
    return list(
        _sheets()
        .filter(round=collection_round)
        .prefetch_related(
            Prefetch("reviews", queryset=ExternalReview.objects.select_related("evaluator").order_by("id"))
        )
        .order_by("policy__path")
    )


def round_meetings(collection_round: CollectionRound) -> list[CommitteeMeeting]:
    assert collection_round.plan_id is not None
    return list(
        CommitteeMeeting.objects.filter(
            plan_id=collection_round.plan_id, fiscal_year=collection_round.fiscal_year
        ).order_by("held_on", "id")
    )


def evaluator_reviews(user: User, municipality: Municipality) -> list[ExternalReview]:
    """The sheets assigned to a committee member, newest year first."""
    return list(
        ExternalReview.objects.filter(municipality=municipality, evaluator=user)
        .select_related("sheet__policy__parent", "sheet__department", "sheet__round")
        .order_by("-sheet__fiscal_year", "sheet__policy__path")
    )


# --- the report -----------------------------------------------------------------------------


def _rate(result: IndicatorResult) -> str | None:
    rate = result.outcome.rounded_rate
    return str(rate) if rate is not None else None


def _sheet_line(view: SheetView) -> PolicySheetLine:
    sheet = view.sheet
    area = sheet.policy.parent
    return PolicySheetLine(
        area_label=area.label if area else "",
        area_title=area.title if area else "",
        label=sheet.policy.label,
        title=sheet.policy.title,
        purpose=sheet.policy.body,
        department=sheet.department.name,
        sections=[sheet.section.name],
        indicators=[
            PolicyIndicatorLine(
                name=v.indicator.name,
                unit=v.indicator.unit,
                baseline=decimal_text(v.indicator.baseline_value),
                baseline_year=v.indicator.baseline_year,
                target=decimal_text(v.result.target),
                actual=decimal_text(v.result.actual),
                actual_provisional=bool(v.measurement and v.measurement.provisional),
                rate=_rate(v.result),
                grade=v.result.grade.label if v.result.grade else "",
            )
            for v in view.indicators
        ],
        projects=[
            PolicyProjectLine(
                title=p.project.title,
                budget=decimal_text(p.budget),
                settlement=decimal_text(p.settlement),
                result=p.result,
            )
            for p in view.projects
        ],
        internal_grade=sheet.internal_grade,
        reasons=sheet.reasons,
        issues=sheet.issues,
        direction=DIRECTION_WORDS.get(sheet.direction, "") if sheet.direction else "",  # type: ignore[call-overload]
        committee_grade=sheet.committee_grade,
        committee_opinion=sheet.committee_opinion,
        response=sheet.response,
    )


REPORT_TITLE = "施策評価報告書"


def policy_evaluation_document(
    plan: Plan, fiscal_year: int, collection_round: CollectionRound | None = None
) -> ParsedPolicyEvaluation:
    """The 施策評価報告書 of ``plan`` for ``fiscal_year`` from the live sheets, in plan order.

    Published from ``collection_round``: only its sheets whose section's answer the planning
    section accepted. A withdrawn section's draft is never published, nor is a sheet a newer
    round has taken over (that round publishes it).
    """
    found = _sheets().filter(policy__plan=plan, fiscal_year=fiscal_year)
    if collection_round is not None:
        accepted = RoundRequest.objects.filter(round=collection_round, status=RequestStatus.ACCEPTED)
        found = found.filter(round=collection_round, section_id__in=accepted.values("section_id"))
    sheets = list(found.order_by("policy__path"))
    scale = grade_scales_of(plan.municipality).applicable(plan_id=plan.pk, fiscal_year=fiscal_year)[0]
    meetings = CommitteeMeeting.objects.filter(plan=plan, fiscal_year=fiscal_year).order_by("held_on", "id")
    return ParsedPolicyEvaluation(
        plan=plan.name,
        fiscal_year=fiscal_year,
        title=f"{format_fiscal_year(fiscal_year)} {REPORT_TITLE}",
        grades=scale.labels(),
        sheets=[_sheet_line(view) for view in sheet_views(sheets)],
        meetings=[
            PolicyMeetingLine(
                held_on=m.held_on.isoformat(), title=m.title, attendees=m.attendees, minutes=m.minutes
            )
            for m in meetings
        ],
    )


def amount_text(value: Decimal | None) -> str:
    """An amount in 円 as a form shows it: 12,345,678 (no decimals when whole)."""
    if value is None:
        return ""
    normal = value.normalize()
    return f"{normal:,f}" if normal != normal.to_integral_value() else f"{int(normal):,}"


def evaluated_plans(municipality: Municipality) -> list[Plan]:
    """The municipality's comprehensive and basic plans, with how many 施策 each has."""
    from django.db.models import Count, Q

    from shinchoku.plans.models import PlanNode

    return list(
        Plan.objects.filter(municipality=municipality, kind__in=[Plan.Kind.COMPREHENSIVE, Plan.Kind.BASIC])
        .annotate(policy_count=Count("nodes", filter=Q(nodes__kind=PlanNode.Kind.POLICY)))
        .order_by("name")
    )


@dataclass(frozen=True)
class TrendPoint:
    fiscal_year: int
    internal_grade: str
    committee_grade: str
    direction: str


def sheet_trend(sheet: PolicySheet) -> list[TrendPoint]:
    """The 施策's evaluations over the years of its plan, oldest first (this year's included)."""
    return [
        TrendPoint(s.fiscal_year, s.internal_grade, s.committee_grade, DIRECTION_WORDS.get(s.direction, ""))  # type: ignore[call-overload]
        for s in PolicySheet.objects.filter(policy_id=sheet.policy_id).order_by("fiscal_year")
    ]
