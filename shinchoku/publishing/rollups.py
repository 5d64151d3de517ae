"""A published goal declaration's roll-up as narrow figures (publishing.PublishedRollup).

Read from the evaluation frozen with the revision, so the comparison shows what each city
published, even if a scale or a formula changed since.
"""

from __future__ import annotations

from typing import Any


def rollup_fields(evaluation: dict[str, Any]) -> dict[str, Any] | None:
    """The PublishedRollup fields of a revision's evaluation; None when it has no roll-up."""
    rollup = evaluation.get("rollup")
    if not rollup:
        return None
    grades: dict[str, int] = {}
    for indicator in evaluation.get("indicators", []):
        if indicator.get("grade"):
            grades[indicator["grade"]] = grades.get(indicator["grade"], 0) + 1
    return {
        "scale": (evaluation.get("scale") or {}).get("name", ""),
        "threshold": rollup.get("threshold") or "",
        "indicators": int(rollup.get("indicators") or 0),
        "graded": int(rollup.get("graded") or 0),
        "at_or_above": int(rollup.get("at_or_above") or 0),
        "grades": grades,
    }
