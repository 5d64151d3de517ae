"""Shapes a document for a template: headings only where they change, as the printed report does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shinchoku.core.figures import Figure, format_amount
from shinchoku.documents.schema import (
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
)


@dataclass
class GoalRow:
    goal: ParsedGoal
    # The published judgement of each of the goal's indicators (evaluation.selectors to_json rows).
    judgements: list[dict[str, Any]]


def _figure_text(value: str | None, unit: str) -> str:
    """An evaluation's exact decimal in the report's style: 4238714 件 → 4,238,714件, 1000000000 円 → 10億円."""
    if not value:
        return ""
    return format_amount(Figure(Decimal(value), unit or ""))


def goal_rows(document: ParsedGoalDeclaration, evaluation: dict[str, Any]) -> list[GoalRow]:
    by_goal: dict[int | None, list[dict[str, Any]]] = {}
    for judged in evaluation.get("indicators", []):
        # The figures judged, as citizens read them beside the grade (実績 and 目標).
        row: dict[str, Any] = {
            **judged,
            "actual_text": _figure_text(judged.get("actual"), judged.get("unit", "")),
            "target_text": _figure_text(judged.get("target"), judged.get("unit", "")),
        }
        by_goal.setdefault(row.get("goal_number"), []).append(row)
    return [GoalRow(goal=goal, judgements=by_goal.get(goal.number, [])) for goal in document.goals]


@dataclass
class Block:
    """A run of initiatives under one heading path; ``*_heading`` is set where that level starts."""

    chapter_heading: str | None
    subsection_heading: str | None
    group_heading: str | None
    initiatives: list[tuple[int, ParsedInitiative]] = field(default_factory=list)


def guideline_blocks(document: ParsedGuidelineProgress) -> list[Block]:
    blocks: list[Block] = []
    previous: tuple[str, str | None, str | None] | None = None
    for index, initiative in enumerate(document.initiatives, start=1):
        path = (initiative.chapter, initiative.subsection, initiative.group)
        if path != previous:
            blocks.append(
                Block(
                    chapter_heading=initiative.chapter if not previous or previous[0] != path[0] else None,
                    subsection_heading=initiative.subsection
                    if initiative.subsection and (not previous or previous[:2] != path[:2])
                    else None,
                    group_heading=initiative.group if initiative.group else None,
                )
            )
            previous = path
        blocks[-1].initiatives.append((index, initiative))
    return blocks


@dataclass(frozen=True)
class DownloadLink:
    label: str
    url: str
    # Bytes of the stored file; None where nothing is stored yet (a publish preview).
    size: int | None = None


def download_links(
    kind: str, url_for: Callable[[str, str | None], str], sizes: Mapping[str, int] | None = None
) -> list[DownloadLink]:
    """The downloads of a report of ``kind``: PDF, Excel, each CSV table, JSON, with their sizes."""
    from shinchoku.publishing.artefacts import download_keys
    from shinchoku.reports.opendata import CSV_TABLE_LABELS

    sizes = sizes or {}
    links = []
    for key, fmt, table in download_keys(kind):
        if table:
            label = f"CSV（{CSV_TABLE_LABELS[table]}）"
        else:
            label = {"pdf": "PDF", "xlsx": "Excel（XLSX）", "json": "JSON"}[fmt]
        links.append(DownloadLink(label, url_for(fmt, table), sizes.get(key)))
    return links


# --- the 施策評価報告書 ---------------------------------------------------------------------------

# (fiscal year, internal grade, committee's grade) of a 施策 in the current revision of each year.
TrendPoints = list[tuple[int, str, str]]


@dataclass
class PolicyArea:
    label: str
    title: str
    sheets: list[tuple[Any, TrendPoints]]


def policy_evaluation_context(document: Any, trend: Mapping[str, TrendPoints]) -> dict[str, Any]:
    """The roll-up by 政策 area (with its total) and the areas' sheets, each with its trend."""
    from shinchoku.documents.policy_evaluation import DIRECTIONS
    from shinchoku.reports.policy_reports import area_rollup, rollup_grades

    rows = area_rollup(document, total=True)
    return {
        **_area_years(document, trend),
        "rollup_grades": rollup_grades(document),
        "rollup_directions": list(DIRECTIONS),
        "rollup": [
            {
                "area_label": r.area_label,
                "area_title": r.area_title,
                "policies": r.policies,
                "grade_counts": list(r.grades.values()),
                "direction_counts": list(r.directions.values()),
                "is_total": r.total,
            }
            for r in rows
        ],
        "areas": [
            PolicyArea(label, title, [(sheet, trend.get(sheet.label, [])) for sheet in sheets])
            for label, title, sheets in document.areas()
        ],
    }


def _area_years(document: Any, trend: Mapping[str, TrendPoints]) -> dict[str, Any]:
    """Each 政策 area year by year: how many of its graded 施策 are at the scale's second-best
    grade or better (the 概ね達成以上 of the city's reports), from the current revision of each year.

    The 施策 keep their numbers through a plan, so this report's areas place every year's grades.
    """
    grades = list(document.grades)
    if len(grades) < 2:
        return {"area_years": None}
    good = set(grades[:-1])
    years = sorted({year for points in trend.values() for year, _internal, _committee in points})
    rows = []
    for label, title, sheets in document.areas():
        cells = []
        for year in years:
            graded = [
                internal
                for sheet in sheets
                for y, internal, _committee in trend.get(sheet.label, [])
                if y == year and internal
            ]
            cells.append((sum(1 for g in graded if g in good), len(graded)) if graded else None)
        rows.append((f"{label} {title}", cells))
    return (
        {"area_years": {"threshold": grades[-2], "years": years, "rows": rows}}
        if len(years) > 1
        else {"area_years": None}
    )
