"""Reading a 施策体系 (the 政策 → 施策 → 主な事業/指標 tree of a 総合計画) from the planning section's sheet.

A city keeps its 施策体系 in Excel, one row per item. The layout (docs/policy-evaluation.md):

    政策番号, 政策, 施策番号, 施策, 施策の目的, 担当部, 担当課,
    区分, 名称, 単位, 方向, 基準値, 基準年度, 目標年度, 目標値

- a row whose 区分 is empty or 「施策」 declares a 施策 (政策番号, 政策, 施策番号, 施策, 担当部, 担当課);
- a row of 区分 「主な事業」 adds a project (名称) to the 施策 of its 施策番号;
- a row of 区分 「指標」 adds an indicator (名称, 単位, 方向 増加/減少/維持, 基準値, 基準年度) and one
  target (目標年度, 目標値); further rows with the same 名称 add targets of other years.

Pure reading: no database. Every problem names the file, line (or cell) and column, and
nothing is read at all while one remains (``TableError``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from shinchoku.core.eras import parse_fiscal_year
from shinchoku.core.figures import FigureParseError, parse_figure
from shinchoku.core.tables import Problem, Row, TableError, read_table

HEADERS = {
    "政策番号": "area_label",
    "政策": "area_title",
    "政策名": "area_title",
    "施策番号": "label",
    "施策": "title",
    "施策名": "title",
    "施策の目的": "purpose",
    "目的": "purpose",
    "担当部": "department",
    "担当課": "section",
    "区分": "kind",
    "名称": "name",
    "単位": "unit",
    "方向": "direction",
    "基準値": "baseline",
    "基準年度": "baseline_year",
    "目標年度": "target_year",
    "目標値": "target",
}
REQUIRED = ("label", "kind", "name")
KIND_POLICY, KIND_PROJECT, KIND_INDICATOR = "施策", "主な事業", "指標"
DIRECTIONS = {"": "increase", "増加": "increase", "増": "increase", "減少": "decrease", "減": "decrease", "維持": "maintain"}  # fmt: skip


@dataclass
class StructureIndicator:
    name: str
    unit: str
    direction: str  # Indicator.Direction value
    baseline: Decimal | None
    baseline_year: int | None
    targets: dict[int, Decimal] = field(default_factory=dict)
    line: int = 0


@dataclass
class StructurePolicy:
    area_label: str
    area_title: str
    label: str
    title: str
    purpose: str
    department: str
    section: str
    projects: list[str] = field(default_factory=list)
    indicators: list[StructureIndicator] = field(default_factory=list)
    line: int = 0


@dataclass
class PolicyStructure:
    policies: list[StructurePolicy]
    warnings: list[Problem] = field(default_factory=list)

    def areas(self) -> list[tuple[str, str]]:
        """(政策番号, 政策) in file order, once each."""
        return list(dict.fromkeys((p.area_label, p.area_title) for p in self.policies))


def _year(row: Row, key: str, problems: list[Problem]) -> int | None:
    text = row[key]
    if not text:
        return None
    try:
        return parse_fiscal_year(text)
    except ValueError:
        problems.append(row.problem(key, _("Not a fiscal year: %(text)s") % {"text": text}))
        return None


def _number(row: Row, key: str, problems: list[Problem]) -> Decimal | None:
    text = row[key]
    if not text:
        return None
    try:
        return parse_figure(text).value
    except FigureParseError:
        problems.append(row.problem(key, _("Not a number: %(text)s") % {"text": text}))
        return None


def _policy(row: Row, problems: list[Problem]) -> StructurePolicy:
    for key in ("area_label", "area_title", "title", "department", "section"):
        if not row[key]:
            problems.append(row.problem(key, _("A policy measure row needs this column.")))
    return StructurePolicy(
        area_label=row["area_label"],
        area_title=row["area_title"],
        label=row["label"],
        title=row["title"],
        purpose=row["purpose"],
        department=row["department"],
        section=row["section"],
        line=row.line,
    )


def _indicator(row: Row, policy: StructurePolicy, problems: list[Problem]) -> None:
    direction = DIRECTIONS.get(row["direction"])
    if direction is None:
        problems.append(row.problem("direction", _("Write 増加, 減少 or 維持.")))
        direction = "increase"
    found = next((i for i in policy.indicators if i.name == row["name"]), None)
    if found is None:
        found = StructureIndicator(
            name=row["name"],
            unit=row["unit"],
            direction=direction,
            baseline=_number(row, "baseline", problems),
            baseline_year=_year(row, "baseline_year", problems),
            line=row.line,
        )
        policy.indicators.append(found)
    year, target = _year(row, "target_year", problems), _number(row, "target", problems)
    if (year is None) != (target is None):
        problems.append(row.problem("target", _("Give the target year and the target together.")))
    elif year is not None and target is not None:
        if year in found.targets and found.targets[year] != target:
            problems.append(row.problem("target", _("Two targets for the same year.")))
        found.targets[year] = target


def read_structure(data: bytes, *, source: str) -> PolicyStructure:
    """The 施策体系 in ``data`` (CSV or XLSX); raises ``TableError`` listing every problem."""
    table = read_table(data, source=source, headers=HEADERS, required=REQUIRED)
    problems: list[Problem] = []
    policies: dict[str, StructurePolicy] = {}
    items: list[Row] = []
    for row in table.rows:
        if not row["label"]:
            problems.append(row.problem("label", _("Every row names its policy measure number.")))
        elif row["kind"] in ("", KIND_POLICY):
            if row["label"] in policies:
                problems.append(
                    row.problem(
                        "label",
                        _("The policy measure %(label)s is declared twice (line %(line)d).")
                        % {"label": row["label"], "line": policies[row["label"]].line},
                    )
                )
            else:
                policies[row["label"]] = _policy(row, problems)
        elif row["kind"] in (KIND_PROJECT, KIND_INDICATOR):
            items.append(row)
        else:
            problems.append(row.problem("kind", _("Write 施策, 主な事業 or 指標.")))
    # Projects and indicators may come before or after their 施策: attached once all are read.
    for row in items:
        policy = policies.get(row["label"])
        if policy is None:
            problems.append(
                row.problem("label", _("No policy measure %(label)s in the file.") % {"label": row["label"]})
            )
        elif not row["name"]:
            problems.append(row.problem("name", _("Give the name.")))
        elif row["kind"] == KIND_PROJECT:
            if row["name"] in policy.projects:
                problems.append(row.problem("name", _("The same project twice.")))
            else:
                policy.projects.append(row["name"])
        else:
            _indicator(row, policy, problems)
    if not policies and not problems:
        problems.append(Problem(source=source, message=_("The file declares no policy measure.")))
    if problems:
        raise TableError(sorted(problems, key=lambda p: p.line or 0))
    return PolicyStructure(policies=list(policies.values()), warnings=table.warnings)
