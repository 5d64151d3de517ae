"""Reads of guideline progress, in document order, with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch

from shinchoku.documents.schema import (
    ParsedClassification,
    ParsedEntry,
    ParsedGuidelineProgress,
    ParsedInitiative,
    ParsedRow,
)
from shinchoku.plans.models import Plan, PlanNode
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry


def _heading(node: PlanNode) -> str:
    # Chapters are written "1 title"; sub-sections "①title"; groups and initiatives carry no mark.
    if node.kind == PlanNode.Kind.CHAPTER and node.label:
        return f"{node.label} {node.title}"
    if node.kind == PlanNode.Kind.SECTION and node.label:
        return f"{node.label}{node.title}"
    return node.title


def guideline_progress_document(plan: Plan, result_year: int) -> ParsedGuidelineProgress:
    """The report of ``result_year`` (its results, and the plans of the following year)."""
    nodes = list(PlanNode.objects.filter(plan=plan).order_by("path"))
    by_id = {n.pk: n for n in nodes}
    entries = ProgressEntry.objects.order_by("position").prefetch_related(
        Prefetch(
            "responsibles", queryset=EntryResponsible.objects.select_related("section").order_by("position")
        )
    )
    rows = (
        InitiativeRow.objects.filter(initiative__plan=plan, fiscal_year=result_year)
        .select_related("classification")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("position")
    )
    rows_by_node: dict[int, list[InitiativeRow]] = {}
    for row in rows:
        rows_by_node.setdefault(row.initiative_id, []).append(row)

    plan_year = result_year + 1
    initiatives = []
    for node in nodes:
        if node.kind != PlanNode.Kind.INITIATIVE or node.pk not in rows_by_node:
            continue
        ancestors: dict[str, PlanNode] = {}
        parent = by_id.get(node.parent_id) if node.parent_id else None
        while parent is not None:
            ancestors.setdefault(parent.kind, parent)
            parent = by_id.get(parent.parent_id) if parent.parent_id else None
        parsed_rows = []
        for row in rows_by_node[node.pk]:
            results: list[ParsedEntry] = []
            plans: list[ParsedEntry] = []
            for entry in row.entries.all():
                parsed = ParsedEntry(text=entry.text, sections=[str(r) for r in entry.responsibles.all()])
                (results if entry.kind == ProgressEntry.Kind.RESULT else plans).append(parsed)
                if entry.kind == ProgressEntry.Kind.PLAN:
                    plan_year = entry.fiscal_year
            parsed_rows.append(
                ParsedRow(
                    classification=row.classification.code, policy=row.policy, results=results, plans=plans
                )
            )
        chapter = ancestors.get(PlanNode.Kind.CHAPTER)
        subsection = ancestors.get(PlanNode.Kind.SECTION)
        group = ancestors.get(PlanNode.Kind.GROUP)
        initiatives.append(
            ParsedInitiative(
                chapter=_heading(chapter) if chapter else "",
                subsection=_heading(subsection) if subsection else None,
                group=_heading(group) if group else None,
                title=node.title,
                guideline_text=node.body,
                rows=parsed_rows,
            )
        )
    return ParsedGuidelineProgress(
        guideline=plan.name,
        result_year=result_year,
        plan_year=plan_year,
        classifications=[
            ParsedClassification(c.code, c.label) for c in plan.classifications.order_by("position")
        ],
        initiatives=initiatives,
    )
