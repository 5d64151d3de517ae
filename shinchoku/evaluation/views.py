"""Achievement and quality pages for staff. Thin: access helpers fetch, selectors read, services write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.http import request_user
from shinchoku.evaluation import access, services
from shinchoku.evaluation.forms import (
    DismissFindingForm,
    IndicatorFormulaForm,
    ManualGradeForm,
    RestoreFindingForm,
)
from shinchoku.evaluation.labels import range_words
from shinchoku.evaluation.models import FindingKind, GradeScale
from shinchoku.evaluation.quality import Finding, ReportRef, finding_counts, report_findings, reports_of
from shinchoku.evaluation.scales import default_threshold
from shinchoku.evaluation.selectors import (
    BUILT_IN_SCALE,
    IndicatorResult,
    achievement_results,
    achievement_rollups,
    evaluation_years,
    grade_scales_of,
)
from shinchoku.evaluation.summaries import Judged, judged_years
from shinchoku.organizations.models import Department, Municipality


def _back(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    """Back to the page the form was on (only pages of this app), else the index."""
    target = request.POST.get("next", "")
    prefix = reverse("evaluation:index", args=[slug])
    if not target.startswith(prefix) or "//" in target or "\\" in target:
        target = prefix
    return HttpResponseRedirect(target)


def _report_url(slug: str, report: ReportRef) -> str:
    if report.kind == "goal_declaration":
        return reverse("evaluation:declaration", args=[slug, report.pk])
    return reverse("evaluation:guideline", args=[slug, report.pk, report.fiscal_year])


def _thresholds(results: Sequence[IndicatorResult | Judged]) -> list[str]:
    labels: dict[str, None] = {}
    for result in results:
        for label in result.scale.labels():
            labels.setdefault(label, None)
    return list(labels) or BUILT_IN_SCALE.labels()


def _threshold(request: HttpRequest, results: Sequence[IndicatorResult | Judged]) -> str:
    wanted = request.GET.get("at_least", "")
    choices = _thresholds(results)
    if wanted in choices:
        return wanted
    return default_threshold(results[0].scale if results else BUILT_IN_SCALE)


def _grouped(results: Sequence[IndicatorResult]) -> list[tuple[str, list[IndicatorResult]]]:
    groups: dict[tuple[int, int | None], tuple[str, list[IndicatorResult]]] = {}
    for result in results:
        key = (result.department_position, result.department_id)
        groups.setdefault(key, (result.department_name or _("No department"), []))[1].append(result)
    return list(groups.values())


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = access.municipality_for_reader(request.user, slug)
    book = grade_scales_of(municipality)
    scales = [(stored, stored.to_scale()) for stored in book.scales]
    has_default = any(stored.is_default for stored in book.scales)
    return render(
        request,
        "evaluation/index.html",
        {
            "municipality": municipality,
            "years": evaluation_years(municipality),
            "reports": reports_of(municipality),
            "scales": [(stored, scale, _bands(scale), _scope(stored)) for stored, scale in scales],
            "built_in": None if has_default else (BUILT_IN_SCALE, _bands(BUILT_IN_SCALE)),
            "can_plan": access.can_plan(request.user, municipality),
        },
    )


def _scope(stored: GradeScale) -> str:
    if stored.is_default:
        return _("default")
    if stored.plan is None and stored.fiscal_year is None:
        return _("chosen explicitly")
    plan = str(stored.plan) if stored.plan else _("every plan")
    year = format_fiscal_year(stored.fiscal_year) if stored.fiscal_year else _("every year")
    return f"{plan}, {year}"


def _bands(scale: Any) -> list[tuple[Any, str]]:
    return [(band, range_words(scale, i)) for i, band in enumerate(scale.bands)]


# Beyond this many indicators in a year, the year page gives the shares and sends the reader to
# each department's page for the indicators themselves: a table of 600 rows is read by nobody
# and took half a second to render (bench/national.py).
ROW_LIMIT = 100


def _achievement_page(
    request: HttpRequest,
    municipality: Municipality,
    fiscal_year: int,
    department: Department | None,
    scope: access.DeclarationScope,
) -> HttpResponse:
    kept = judged_years(municipality)
    years = sorted({*kept.years, fiscal_year})
    judged = [
        j
        for j in kept.judged
        if (department is None or department.pk in j.departments)
        # Work in progress of the user's departments only, as on the declaration pages.
        and (j.department_id is None or scope.sees(j.department_id))
    ]
    current = [j for j in judged if j.fiscal_year == fiscal_year]
    threshold = _threshold(request, current)
    listed = department is not None or len(current) <= ROW_LIMIT
    groups = []
    if not listed and any(j.department_id is None for j in current):
        # Indicators of plans that no section answers for are on no department's page: here.
        plan_results = achievement_results(
            municipality, fiscal_years=[fiscal_year], include_declarations=False, book=kept.book
        )
        groups = _grouped([r for r in plan_results if r.department_id is None])
    if listed:
        results = achievement_results(
            municipality,
            fiscal_years=[fiscal_year],
            department=department,
            # Plan indicators cost five queries: read only when the year has one to list.
            include_plan_indicators=any(j.goal_id is None for j in current),
            book=kept.book,
        )
        groups = _grouped([r for r in results if r.department_id is None or scope.sees(r.department_id)])
    return render(
        request,
        "evaluation/achievement.html",
        {
            "municipality": municipality,
            "fiscal_year": fiscal_year,
            "department": department,
            "groups": groups,
            "unlisted": 0 if listed else len(current),
            "threshold": threshold,
            "thresholds": _thresholds(current),
            "by_department": achievement_rollups(current, by="department", threshold=threshold),
            "by_goal": achievement_rollups(current, by="goal", threshold=threshold) if listed else [],
            "by_plan_node": achievement_rollups(current, by="plan_node", threshold=threshold),
            "trend": achievement_rollups(judged, by="year", threshold=threshold),
            "years": sorted(years, reverse=True),
        },
    )


@login_required
@require_GET
def achievement_year(request: HttpRequest, slug: str, fiscal_year: int) -> HttpResponse:
    scope = access.reader_scope(request.user, slug)
    return _achievement_page(request, scope.municipality, fiscal_year, None, scope)


@login_required
@require_GET
def achievement_department(request: HttpRequest, slug: str, fiscal_year: int, pk: int) -> HttpResponse:
    department, scope = access.department_for_reader(request.user, slug, pk)
    return _achievement_page(request, department.municipality, fiscal_year, department, scope)


def _findings_context(request: HttpRequest, municipality: Municipality, report: ReportRef) -> dict[str, Any]:
    findings: list[Finding] = report_findings(municipality, report)
    return {
        "report": report,
        "findings": [f for f in findings if f.dismissal is None],
        "dismissed": [f for f in findings if f.dismissal is not None],
        "counts": [(FindingKind(kind).label, count) for kind, count in finding_counts(findings).items()],
        "can_plan": access.can_plan(request.user, municipality),
    }


@login_required
@require_GET
def declaration_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    declaration = access.declaration_for_reader(request.user, slug, pk)
    municipality = declaration.municipality
    results = achievement_results(
        municipality, fiscal_years=[declaration.fiscal_year], declaration=declaration
    )
    threshold = _threshold(request, results)
    may_grade = access.can_grade(request.user, municipality, declaration.department_id)
    report = ReportRef("goal_declaration", declaration.pk, declaration.fiscal_year, str(declaration))
    context = _findings_context(request, municipality, report)
    rows = []
    for result in results:
        grade_form = None
        if may_grade and result.qualitative:
            grade_form = ManualGradeForm(
                grades=[*result.scale.labels(), result.scale.not_evaluable_label],
                initial={
                    "fiscal_year": result.fiscal_year,
                    "grade": result.manual.grade if result.manual else "",
                    "milestone_status": result.manual.milestone_status if result.manual else "",
                },
                prefix=f"g{result.indicator_id or 0}-{result.goal_id}",
            )
        formula_form = None
        if context["can_plan"] and result.indicator_id is not None:
            formula_form = IndicatorFormulaForm(
                initial={
                    "formula": result.formula,
                    "reported_as_change": result.reported_as_change,
                    "weight": result.weight,
                },
                prefix=f"f{result.indicator_id}",
            )
        rows.append((result, grade_form, formula_form))
    context.update(
        {
            "municipality": municipality,
            "declaration": declaration,
            "rows": rows,
            "threshold": threshold,
            "thresholds": _thresholds(results),
            "by_goal": achievement_rollups(results, by="goal", threshold=threshold),
            "overall": achievement_rollups(results, by="department", threshold=threshold),
        }
    )
    return render(request, "evaluation/declaration.html", context)


@login_required
@require_GET
def guideline_detail(request: HttpRequest, slug: str, plan_pk: int, fiscal_year: int) -> HttpResponse:
    municipality, report = access.guideline_report_for_reader(request.user, slug, plan_pk, fiscal_year)
    context = _findings_context(request, municipality, report)
    context["municipality"] = municipality
    return render(request, "evaluation/guideline.html", context)


@login_required
@require_POST
def finding_dismiss(request: HttpRequest, slug: str) -> HttpResponse:
    access.municipality_for_planner(request.user, slug)
    form = DismissFindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the reason for dismissing the finding."))
        return _back(request, slug)
    data = form.cleaned_data
    municipality, report = access.report_for_planner(
        request.user, slug, data["report_kind"], data["report_id"], data["fiscal_year"]
    )
    try:
        services.finding_dismiss(
            municipality=municipality,
            report=report,
            fingerprint=data["fingerprint"],
            reason=data["reason"],
            actor=Actor(user=request_user(request), label="web"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The finding was dismissed."))
    return redirect(_report_url(slug, report))


@login_required
@require_POST
def finding_restore(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    dismissal = access.dismissal_for_planner(request.user, slug, pk)
    form = RestoreFindingForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.finding_dismissal_revoke(
        dismissal=dismissal, actor=Actor(user=request_user(request), label="web"), reason=reason
    )
    messages.success(request, _("The finding is shown again."))
    return _back(request, slug)


def _record_grade(request: HttpRequest, slug: str, grades: list[str], **target: Any) -> HttpResponse:
    prefix = request.POST.get("prefix") or None
    form = ManualGradeForm(request.POST, grades=grades, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Choose a grade and write the reason."))
        return _back(request, slug)
    try:
        services.manual_grade_record(
            fiscal_year=form.cleaned_data["fiscal_year"],
            grade=form.cleaned_data["grade"],
            milestone_status=form.cleaned_data["milestone_status"],
            reason=form.cleaned_data["reason"],
            actor=Actor(user=request_user(request), label="web"),
            **target,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The grade was recorded."))
    return _back(request, slug)


def _grades_for(municipality: Municipality, plan_id: int | None, fiscal_year: int) -> list[str]:
    scale, _stored = grade_scales_of(municipality).applicable(plan_id=plan_id, fiscal_year=fiscal_year)
    return [*scale.labels(), scale.not_evaluable_label]


def _posted_year(request: HttpRequest) -> int:
    prefix = request.POST.get("prefix")
    raw = request.POST.get(f"{prefix}-fiscal_year" if prefix else "fiscal_year", "")
    return int(raw) if raw.isdigit() else 0


@login_required
@require_POST
def indicator_grade(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    indicator = access.indicator_for_grader(request.user, slug, pk)
    plan_id = indicator.plan_node.plan_id if indicator.plan_node else None
    grades = _grades_for(indicator.municipality, plan_id, _posted_year(request))
    return _record_grade(request, slug, grades, indicator=indicator)


@login_required
@require_POST
def goal_grade(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    goal = access.goal_for_grader(request.user, slug, pk)
    grades = _grades_for(goal.declaration.municipality, None, goal.declaration.fiscal_year)
    return _record_grade(request, slug, grades, goal=goal)


@login_required
@require_POST
def indicator_formula(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    indicator = access.indicator_for_planner(request.user, slug, pk)
    form = IndicatorFormulaForm(request.POST, prefix=request.POST.get("prefix") or None)
    if not form.is_valid():
        messages.error(request, _("The formula could not be changed: check the values."))
        return _back(request, slug)
    data = form.cleaned_data
    try:
        changes = services.indicator_evaluation_change(
            indicator=indicator,
            actor=Actor(user=request_user(request), label="web"),
            reason=data["reason"],
            formula=data["formula"],
            reported_as_change=data["reported_as_change"],
            weight=data["weight"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changes:
            messages.success(request, _("The indicator was changed."))
    return _back(request, slug)
