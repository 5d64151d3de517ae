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
from shinchoku.plans.models import LARGEST_FIGURE

HEADERS = {
    "政策番号": "政策番号",
    "政策": "政策",
    "政策名": "政策",
    "施策番号": "施策番号",
    "施策": "施策",
    "施策名": "施策",
    "施策の目的": "施策の目的",
    "目的": "施策の目的",
    "担当部": "担当部",
    "担当課": "担当課",
    "区分": "区分",
    "名称": "名称",
    "単位": "単位",
    "方向": "方向",
    "基準値": "基準値",
    "基準年度": "基準年度",
    "目標年度": "目標年度",
    "目標値": "目標値",
}
# Column keys are the headers as the layout writes them (they name a missing column in errors).
REQUIRED = ("施策番号", "施策")
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
        value = parse_figure(text).value
    except FigureParseError:
        problems.append(row.problem(key, _("Not a number: %(text)s") % {"text": text}))
        return None
    if abs(value) >= LARGEST_FIGURE:
        problems.append(
            row.problem(key, _("This figure is too large: at most 23 digits before the decimal point."))
        )
        return None
    return value


# The longest text each column may hold (the columns of PlanNode and Indicator it goes to).
LENGTHS = {"政策番号": 20, "施策番号": 20, "政策": 500, "施策": 500, "名称": 300, "単位": 30}


def _lengths(row: Row, problems: list[Problem]) -> None:
    for key, most in LENGTHS.items():
        if len(row[key]) > most:
            problems.append(row.problem(key, _("At most %(count)d characters.") % {"count": most}))


def _policy(row: Row, problems: list[Problem]) -> StructurePolicy:
    for key in ("政策番号", "政策", "施策", "担当部", "担当課"):
        if not row[key]:
            problems.append(row.problem(key, _("A policy measure row needs this column.")))
    return StructurePolicy(
        area_label=row["政策番号"],
        area_title=row["政策"],
        label=row["施策番号"],
        title=row["施策"],
        purpose=row["施策の目的"],
        department=row["担当部"],
        section=row["担当課"],
        line=row.line,
    )


def _indicator(row: Row, policy: StructurePolicy, problems: list[Problem]) -> None:
    direction = DIRECTIONS.get(row["方向"])
    if direction is None:
        problems.append(row.problem("方向", _("Write 増加, 減少 or 維持.")))
        direction = "increase"
    found = next((i for i in policy.indicators if i.name == row["名称"]), None)
    if found is None:
        found = StructureIndicator(
            name=row["名称"],
            unit=row["単位"],
            direction=direction,
            baseline=_number(row, "基準値", problems),
            baseline_year=_year(row, "基準年度", problems),
            line=row.line,
        )
        policy.indicators.append(found)
    year, target = _year(row, "目標年度", problems), _number(row, "目標値", problems)
    if (year is None) != (target is None):
        problems.append(row.problem("目標値", _("Give the target year and the target together.")))
    elif year is not None and target is not None:
        if year in found.targets and found.targets[year] != target:
            problems.append(row.problem("目標値", _("Two targets for the same year.")))
        found.targets[year] = target


def read_structure(data: bytes, *, source: str) -> PolicyStructure:
    """The 施策体系 in ``data`` (CSV or XLSX); raises ``TableError`` listing every problem."""
    table = read_table(data, source=source, headers=HEADERS, required=REQUIRED)
    problems: list[Problem] = []
    policies: dict[str, StructurePolicy] = {}
    items: list[Row] = []
    for row in table.rows:
        _lengths(row, problems)
        if not row["施策番号"]:
            problems.append(row.problem("施策番号", _("Every row names its policy measure number.")))
        elif row["区分"] in ("", KIND_POLICY):
            if row["施策番号"] in policies:
                problems.append(
                    row.problem(
                        "施策番号",
                        _("The policy measure %(label)s is declared twice (line %(line)d).")
                        % {"label": row["施策番号"], "line": policies[row["施策番号"]].line},
                    )
                )
            else:
                policies[row["施策番号"]] = _policy(row, problems)
        elif row["区分"] in (KIND_PROJECT, KIND_INDICATOR):
            items.append(row)
        else:
            problems.append(row.problem("区分", _("Write 施策, 主な事業 or 指標.")))
    # Projects and indicators may come before or after their 施策: attached once all are read.
    for row in items:
        policy = policies.get(row["施策番号"])
        if policy is None:
            problems.append(
                row.problem(
                    "施策番号", _("No policy measure %(label)s in the file.") % {"label": row["施策番号"]}
                )
            )
        elif not row["名称"]:
            problems.append(row.problem("名称", _("Give the name.")))
        elif row["区分"] == KIND_PROJECT:
            if row["名称"] in policy.projects:
                problems.append(row.problem("名称", _("The same project twice.")))
            else:
                policy.projects.append(row["名称"])
        else:
            _indicator(row, policy, problems)
    if not policies and not problems:
        problems.append(Problem(source=source, message=_("The file declares no policy measure.")))
    if problems:
        raise TableError(sorted(problems, key=lambda p: p.line or 0))
    return PolicyStructure(policies=list(policies.values()), warnings=table.warnings)
