"""The 施策評価報告書 as a document: what one fiscal year's policy evaluation publishes.

Built from the live rows when the planning section publishes a 施策評価 round
(``shinchoku.policies.selectors.policy_evaluation_document``), frozen as JSON in the
revision, and rendered from that JSON (PDF, XLSX, CSV, JSON, the portal page) like
the other two reports. Figures are decimal strings (exact), amounts in 円; the
renderers print budgets in 千円 as the city's reports do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Directions of a 施策 after its evaluation (今後の方向性), in the order reports list them.
DIRECTIONS = ("拡充", "継続", "改善", "縮小", "廃止")


@dataclass
class PolicyIndicatorLine:
    """One indicator of a 施策 judged for the year by the engine (rate and grade as published)."""

    name: str
    unit: str = ""
    baseline: str | None = None
    baseline_year: int | None = None
    target: str | None = None
    actual: str | None = None
    actual_provisional: bool = False
    rate: str | None = None  # achievement in %, e.g. "95.2"; None when not computable
    grade: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "baseline": self.baseline,
            "baseline_year": self.baseline_year,
            "target": self.target,
            "actual": self.actual,
            "actual_provisional": self.actual_provisional,
            "rate": self.rate,
            "grade": self.grade,
        }


@dataclass
class PolicyProjectLine:
    """One 主な事業 under the 施策: its cost (予算額/決算額, 円) and result of the year."""

    title: str
    budget: str | None = None
    settlement: str | None = None
    result: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "budget": self.budget,
            "settlement": self.settlement,
            "result": self.result,
        }


@dataclass
class PolicySheetLine:
    """One 施策評価シート: the 施策, its figures, the internal and the external evaluation."""

    area_label: str  # 政策 number, e.g. "1"
    area_title: str  # 政策 title, e.g. "安心して子どもを産み育てられるまち"
    label: str  # 施策 number, e.g. "1-2"
    title: str
    purpose: str = ""
    department: str = ""
    sections: list[str] = field(default_factory=list)
    indicators: list[PolicyIndicatorLine] = field(default_factory=list)
    projects: list[PolicyProjectLine] = field(default_factory=list)
    # 内部評価 (the department's)
    internal_grade: str = ""
    reasons: str = ""
    issues: str = ""
    direction: str = ""  # one of DIRECTIONS, or "" when not given
    # 外部評価 (the committee's consolidated opinion) and the department's response to it
    committee_grade: str = ""
    committee_opinion: str = ""
    response: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "area_label": self.area_label,
            "area_title": self.area_title,
            "label": self.label,
            "title": self.title,
            "purpose": self.purpose,
            "department": self.department,
            "sections": list(self.sections),
            "indicators": [i.to_json() for i in self.indicators],
            "projects": [p.to_json() for p in self.projects],
            "internal_grade": self.internal_grade,
            "reasons": self.reasons,
            "issues": self.issues,
            "direction": self.direction,
            "committee_grade": self.committee_grade,
            "committee_opinion": self.committee_opinion,
            "response": self.response,
        }


@dataclass
class PolicyMeetingLine:
    """A meeting of the external evaluation committee (外部評価委員会)."""

    held_on: str  # ISO date
    title: str
    attendees: str = ""
    minutes: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "held_on": self.held_on,
            "title": self.title,
            "attendees": self.attendees,
            "minutes": self.minutes,
        }


@dataclass
class ParsedPolicyEvaluation:
    plan: str  # e.g. "みどり市第5次総合計画"
    fiscal_year: int  # the year evaluated
    title: str  # e.g. "令和7年度 施策評価報告書"
    grades: list[str] = field(default_factory=list)  # the scale's labels, best first
    sheets: list[PolicySheetLine] = field(default_factory=list)
    meetings: list[PolicyMeetingLine] = field(default_factory=list)
    # Kept for the shape every document shares (a policy evaluation is never parsed from text).
    unplaced: list[Any] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)
    ignored: list[Any] = field(default_factory=list)
    kind: Literal["policy_evaluation"] = "policy_evaluation"

    def to_json(self, *, positions: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "plan": self.plan,
            "fiscal_year": self.fiscal_year,
            "title": self.title,
            "grades": list(self.grades),
            "sheets": [s.to_json() for s in self.sheets],
            "meetings": [m.to_json() for m in self.meetings],
            "unplaced": [],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedPolicyEvaluation:
        return cls(
            plan=data["plan"],
            fiscal_year=data["fiscal_year"],
            title=data["title"],
            grades=list(data.get("grades", [])),
            sheets=[
                PolicySheetLine(
                    **{
                        **{k: v for k, v in s.items() if k not in ("indicators", "projects", "sections")},
                        "sections": list(s.get("sections", [])),
                        "indicators": [PolicyIndicatorLine(**i) for i in s.get("indicators", [])],
                        "projects": [PolicyProjectLine(**p) for p in s.get("projects", [])],
                    }
                )
                for s in data.get("sheets", [])
            ],
            meetings=[PolicyMeetingLine(**m) for m in data.get("meetings", [])],
        )

    def areas(self) -> list[tuple[str, str, list[PolicySheetLine]]]:
        """The sheets grouped by 政策 area, in document order: (label, title, sheets)."""
        groups: dict[tuple[str, str], list[PolicySheetLine]] = {}
        for sheet in self.sheets:
            groups.setdefault((sheet.area_label, sheet.area_title), []).append(sheet)
        return [(label, title, sheets) for (label, title), sheets in groups.items()]
