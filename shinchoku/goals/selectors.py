"""Reads of goal declarations, with the joins their pages and exports need."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from shinchoku.core.figures import Figure
from shinchoku.documents.schema import ParsedGoal, ParsedGoalDeclaration
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.plans.models import FigureFields, Indicator, Measurement, Target


def declarations_with_goals(queryset: QuerySet[GoalDeclaration]) -> QuerySet[GoalDeclaration]:
    """Declarations with goals, their sections and their indicators' figures: six queries in all."""
    indicators = Indicator.objects.order_by("position", "id").prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(kind=Target.Kind.FINAL).order_by("fiscal_year")),
        Prefetch("measurements", queryset=Measurement.objects.order_by("fiscal_year")),
    )
    goals = Goal.objects.order_by("number").prefetch_related(
        Prefetch(
            "goalsection_set", queryset=GoalSection.objects.select_related("section").order_by("position")
        ),
        Prefetch("indicators", queryset=indicators),
    )
    return queryset.select_related("department", "municipality").prefetch_related(
        Prefetch("goals", queryset=goals)
    )


def _figure(row: FigureFields, unit: str) -> Figure:
    return Figure(
        # Drop the column's trailing zeros without an exponent: 1000000000.000000 → 1000000000.
        value=Decimal(format(row.value.normalize(), "f")),
        unit=unit,
        approximate=row.approximate,
        provisional=row.provisional,
        label=row.text or None,
    )


def goal_declaration_document(declaration: GoalDeclaration) -> ParsedGoalDeclaration:
    """The declaration as a document: what exports write and what imports read back.

    Expects a declaration from :func:`declarations_with_goals` (no further queries).
    """
    goals = []
    for goal in declaration.goals.all():
        targets: list[Figure] = []
        actuals: list[Figure] = []
        for indicator in goal.indicators.all():
            targets += [
                _figure(t, indicator.unit)
                for t in indicator.targets.all()
                if t.fiscal_year == declaration.fiscal_year
            ]
            actuals += [_figure(m, indicator.unit) for m in indicator.measurements.all()]
        goals.append(
            ParsedGoal(
                number=goal.number,
                title=goal.title,
                sections=[gs.section.name for gs in goal.goalsection_set.all()],
                content=goal.content,
                target_text=goal.target_text,
                result_text=goal.result_text,
                direction_text=goal.direction_text,
                status_text=goal.status_text,
                targets=targets,
                actuals=actuals,
                number_inferred=goal.number_inferred,
            )
        )
    return ParsedGoalDeclaration(
        fiscal_year=declaration.fiscal_year,
        title=declaration.title,
        declarer_position=declaration.declarer_position,
        declarer_name=declaration.declarer_name,
        goals=goals,
    )
