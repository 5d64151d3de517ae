"""The achievement summary as plain data, shared by the portal page and the renderers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class SummaryRow:
    """One published goal declaration's roll-up, as it was published."""

    fiscal_year: int
    department: str
    publication_id: int
    threshold: str
    indicators: int
    graded: int
    at_or_above: int
    awaiting_person: int
    not_evaluable: int
    share: Decimal | None
    grades: dict[str, int]


@dataclass(frozen=True)
class YearTotal:
    fiscal_year: int
    graded: int
    at_or_above: int

    @property
    def share(self) -> Decimal | None:
        if not self.graded:
            return None
        return (Decimal(self.at_or_above) * 100 / self.graded).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


SUMMARY_TITLE = "目標達成状況の集計"
SUMMARY_COLUMNS = (
    "年度", "年度（和暦）", "部", "基準となる評価", "指標数", "評価済み", "基準以上", "基準以上の割合（%）", "評価待ち", "評価不能",
)  # fmt: skip


def summary_cells(row: SummaryRow) -> list[object]:
    from shinchoku.core.eras import format_fiscal_year

    return [
        row.fiscal_year,
        format_fiscal_year(row.fiscal_year),
        row.department,
        row.threshold,
        row.indicators,
        row.graded,
        row.at_or_above,
        None if row.share is None else float(row.share),
        row.awaiting_person,
        row.not_evaluable,
    ]
