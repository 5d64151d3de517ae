"""Open data: CSV (one table per file) and JSON (versioned schema) of a published report.

CSV follows the Japanese open-data conventions (DOMAIN.md): no merged cells, one
header row, Gregorian fiscal year with the era year beside it, units in their own
column, UTF-8 with BOM so that Excel opens it correctly. Columns are documented
in docs/open-data.md. Like the other writers, these take a document, never the ORM.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.documents.schema import (
    ParsedDocument,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    PublishedDocument,
)

LICENSE = "公共データ利用規約（第1.0版）（PDL1.0）/ クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Publisher:
    """Who publishes: goes into every row so that files from several cities can be concatenated."""

    code: str
    name: str


# Characters that make a spreadsheet read a cell as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
# C0 controls other than tab, line feed and carriage return: no document text holds them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def csv_cell(value: Any) -> Any:
    """A cell as open data writes it: text that a spreadsheet would run as a formula gets a
    leading apostrophe (「'=SUM(…)」 shows as written); numbers, even negative, stay numbers;
    control characters are dropped (docs/open-data.md)."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _year(year: int) -> list[Any]:
    return [year, format_fiscal_year(year)]


def _flag(value: bool) -> int:
    return 1 if value else 0


CSV_TABLES = {
    "goal_declaration": ("goals", "figures"),
    "guideline_progress": ("entries", "classifications"),
    "policy_evaluation": ("policies", "indicators", "projects"),
}
# What a download link says for each table (the table name stays in the URL and the file name).
CSV_TABLE_LABELS = {
    "goals": _("goals"),
    "figures": _("targets and actual figures"),
    "entries": _("results and plans"),
    "classifications": _("classifications"),
    "policies": _("policy measures and their evaluation"),
    "indicators": _("indicators"),
    "projects": _("main projects"),
}


def csv_links(kind: str) -> list[tuple[str, str]]:
    """(table, label) of each CSV table of a kind of document, for download links."""
    return [(table, str(CSV_TABLE_LABELS[table])) for table in CSV_TABLES[kind]]


def document_csv(document: ParsedDocument, table: str, publisher: Publisher) -> bytes:
    """One table of the document as CSV; ``table`` is one of ``CSV_TABLES[document.kind]``."""
    if table not in CSV_TABLES[document.kind]:
        raise ValueError(
            f"{document.kind} has no table {table!r}; tables: {', '.join(CSV_TABLES[document.kind])}"
        )
    head = ["地方公共団体コード", "地方公共団体名", "年度", "年度（和暦）"]
    if isinstance(document, ParsedGoalDeclaration):
        lead = [publisher.code, publisher.name, *_year(document.fiscal_year)]
        if table == "goals":
            header = [*head, "宣言者職名", "宣言者氏名", "番号", "取組名", "担当課", "取組内容", "達成目標", "取組結果", "今後の取組の方向性", "目標達成状況"]  # fmt: skip
            rows = [
                [
                    *lead,
                    document.declarer_position,
                    document.declarer_name,
                    g.number,
                    g.title,
                    "、".join(g.sections),
                    g.content,
                    g.target_text,
                    g.result_text,
                    g.direction_text,
                    g.status_text,
                ]
                for g in document.goals
            ]
            return _csv(header, rows)
        header = [*head, "番号", "区分", "項目", "値", "単位", "概数", "見込"]
        rows = [
            [
                *lead,
                g.number,
                kind,
                f.label or "",
                format(f.value, "f"),
                f.unit,
                _flag(f.approximate),
                _flag(f.provisional),
            ]
            for g in document.goals
            for kind, figures in (("目標", g.targets), ("実績", g.actuals))
            for f in figures
        ]
        return _csv(header, rows)
    assert isinstance(document, ParsedGuidelineProgress)
    if table == "classifications":
        return _csv(
            ["指針", "区分", "説明"],
            [[document.guideline, c.code, c.label] for c in document.classifications],
        )
    header = [*head, "指針", "章", "節", "項目", "基本的な取り組み", "指針の記載内容", "区分", "対応方針", "種別", "対象年度", "対象年度（和暦）", "内容", "担当"]  # fmt: skip
    rows = []
    for initiative in document.initiatives:
        for row in initiative.rows:
            base = [
                publisher.code,
                publisher.name,
                *_year(document.result_year),
                document.guideline,
                initiative.chapter,
                initiative.subsection or "",
                initiative.group or "",
                initiative.title,
                initiative.guideline_text,
                row.classification,
                row.policy,
            ]
            bullets = [("実績", document.result_year, e) for e in row.results]
            bullets += [("予定", document.plan_year, e) for e in row.plans]
            if not bullets:
                rows.append([*base, "", "", "", "", ""])
            for kind, year, entry in bullets:
                rows.append([*base, kind, *_year(year), entry.text, "、".join(entry.sections)])
    return _csv(header, rows)


def document_json(
    document: PublishedDocument, publisher: Publisher, *, revision: int, published_at: str
) -> bytes:
    """The published document in a versioned envelope (docs/open-data.md)."""
    content = document.to_json()
    content.pop("unplaced", None)  # parser diagnostics are not part of what was published
    body = {
        "schema": f"shinchoku/{document.kind}",
        "schema_version": JSON_SCHEMA_VERSION,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "publisher": {"code": publisher.code, "name": publisher.name},
        "revision": revision,
        "published_at": published_at,
        "document": content,
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def summary_csv(rows: Iterable[Any], publisher: Publisher) -> bytes:
    """The achievement summary: one row per published goal declaration (publishing.selectors.SummaryRow)."""
    header = ["地方公共団体コード", "地方公共団体名", "年度", "年度（和暦）", "部", "基準となる評価", "指標数", "評価済み", "基準以上", "基準以上の割合（%）", "評価待ち", "評価不能"]  # fmt: skip
    return _csv(
        header,
        (
            [
                publisher.code,
                publisher.name,
                *_year(r.fiscal_year),
                r.department,
                r.threshold,
                r.indicators,
                r.graded,
                r.at_or_above,
                "" if r.share is None else format(r.share, "f"),
                r.awaiting_person,
                r.not_evaluable,
            ]
            for r in rows
        ),
    )


def summary_json(rows: Iterable[Any], publisher: Publisher) -> bytes:
    body = {
        "schema": "shinchoku/achievement_summary",
        "schema_version": JSON_SCHEMA_VERSION,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "publisher": {"code": publisher.code, "name": publisher.name},
        "rows": [
            {
                "fiscal_year": r.fiscal_year,
                "department": r.department,
                "threshold": r.threshold,
                "indicators": r.indicators,
                "graded": r.graded,
                "at_or_above": r.at_or_above,
                "share": None if r.share is None else format(r.share, "f"),
                "grades": r.grades,
                "awaiting_person": r.awaiting_person,
                "not_evaluable": r.not_evaluable,
            }
            for r in rows
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


COMPARISON_HEADER = ["地方公共団体コード", "都道府県", "地方公共団体名", "年度", "年度（和暦）", "評価の尺度", "報告書数", "指標数", "評価済み", "基準以上", "基準以上の割合（%）"]  # fmt: skip


def comparison_csv(rows: Iterable[Any], fiscal_year: int, scale: str) -> bytes:
    """Published achievement of every municipality for a year (publishing.selectors.ComparedTotal)."""
    return _csv(
        COMPARISON_HEADER,
        (
            [
                r.code,
                r.prefecture,
                r.name,
                *_year(fiscal_year),
                scale,
                r.reports,
                r.indicators,
                r.graded,
                r.at_or_above,
                "" if r.share is None else format(r.share, "f"),
            ]
            for r in rows
        ),
    )


def comparison_json(rows: Iterable[Any], fiscal_year: int, scale: str) -> bytes:
    body = {
        "schema": "shinchoku/achievement_comparison",
        "schema_version": JSON_SCHEMA_VERSION,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "fiscal_year": fiscal_year,
        "scale": scale,
        "rows": [
            {
                "code": r.code,
                "prefecture": r.prefecture,
                "name": r.name,
                "reports": r.reports,
                "indicators": r.indicators,
                "graded": r.graded,
                "at_or_above": r.at_or_above,
                "share": None if r.share is None else format(r.share, "f"),
            }
            for r in rows
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
