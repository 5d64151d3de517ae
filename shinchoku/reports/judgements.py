"""The published achievement as short Japanese lines for printed reports (PDF)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shinchoku.core.figures import Figure, format_amount


def judgement_line(row: dict[str, Any], *, with_label: bool) -> str:
    """ "総ページビュー数：概ね達成（94.2%）" from one indicator of a publication's evaluation."""
    if row.get("grade"):
        text = row["grade"] + (f"（{row['rate']}%）" if row.get("rate") else "")
    elif row.get("state") == "awaiting_person":
        text = "評価待ち"
    else:
        text = "評価不能"
    if row.get("provisional"):
        text += "（見込）"
    if row.get("actual"):
        # The figure judged, as printed reports write it: 実績4,238,714件.
        text += "　実績" + format_amount(Figure(Decimal(row["actual"]), row.get("unit") or ""))
    if row.get("stated_grade") and row["stated_grade"] != row.get("grade"):
        text += f"（記載：{row['stated_grade']}）"
    return f"{row['label']}：{text}" if with_label and row.get("label") else text


def judgement_lines(evaluation: dict[str, Any]) -> dict[int, list[str]]:
    """Goal number → one line per indicator, in the order the evaluation lists them."""
    by_goal: dict[int, list[dict[str, Any]]] = {}
    for row in evaluation.get("indicators", []):
        if row.get("goal_number") is not None:
            by_goal.setdefault(row["goal_number"], []).append(row)
    return {
        number: [judgement_line(row, with_label=len(rows) > 1) for row in rows]
        for number, rows in by_goal.items()
    }
