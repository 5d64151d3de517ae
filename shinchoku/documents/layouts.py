"""The column layouts of the documents, shared by the writers (reports) and the readers (imports).

One definition, so that an exported workbook always re-imports: Decidim's users
asked for years to re-import what they exported; here both sides read this file.
"""

from __future__ import annotations

from shinchoku.core.eras import format_fiscal_year

# --- goal declaration achievement report (seed 000) ---
GOAL_SHEET = "目標宣言"
GOAL_FIGURE_SHEET = "数値"
GOAL_META_LABELS = ("年度", "表題", "職", "氏名")  # rows 2–5, column A; values in column B
GOAL_HEADER_ROW = 7
GOAL_COLUMNS = (
    ("number", "No"),
    ("title", "取組名"),
    ("sections", "担当課"),
    ("content", "取組内容"),
    ("target_text", "達成目標"),
    ("result_text", "取組結果"),
    ("direction_text", "今後の取組の方向性"),
    ("status_text", "目標達成状況"),
)
GOAL_FIGURE_COLUMNS = (
    ("number", "No"),
    ("kind", "区分"),
    ("label", "項目"),
    ("value", "値"),
    ("unit", "単位"),
    ("approximate", "約"),
    ("provisional", "見込"),
)
FIGURE_KIND_TARGET = "目標"
FIGURE_KIND_ACTUAL = "実績"
CHECK = "○"

# --- guideline progress table (seed 004) ---
PROGRESS_SHEET = "進捗状況"
PROGRESS_LEGEND_SHEET = "区分"
PROGRESS_HEADER_ROW = 3
PROGRESS_FIXED_COLUMNS = (
    ("chapter", "章"),
    ("subsection", "節"),
    ("group", "項目"),
    ("title", "基本的な取り組み"),
    ("guideline_text", "「指針の記載内容」"),
    ("classification", "区分"),
    ("policy", "対応方針"),
)
LEGEND_COLUMNS = (("code", "区分"), ("label", "説明"))
BULLET = "●"
SECTION_JOINER = "、"


def results_header(year: int) -> str:
    return f"{format_fiscal_year(year)}の取り組み実績"


def plans_header(year: int) -> str:
    return f"{format_fiscal_year(year)}の取り組み予定"


def progress_title(guideline: str) -> str:
    return f"『{guideline}』における「基本的な取り組み」への進捗状況等"


def without_sections(text: str, sections: list[str]) -> str:
    """``text`` without the sections written at its end, which the layouts append themselves.

    Staff often type 「…を実施した。（企画政策課）」 as the printed report shows it; appended again,
    it would read 「（企画政策課）（企画政策課）」. Brackets of either width, 、 or ・ between names.
    """
    if not sections:
        return text
    stripped = text.rstrip()
    for joiner in (SECTION_JOINER, "・", ",", "，"):
        for opening, closing in (("（", "）"), ("(", ")")):
            suffix = f"{opening}{joiner.join(sections)}{closing}"
            if stripped.endswith(suffix):
                return stripped[: -len(suffix)].rstrip()
    return text


def bullet_text(text: str, sections: list[str]) -> str:
    """●text(課1、課2) — the way the published table writes a bullet (sections once)."""
    if not sections:
        return f"{BULLET}{text}"
    return f"{BULLET}{without_sections(text, sections)}({SECTION_JOINER.join(sections)})"


# --- PDF (shinchoku.reports.pdf writes, shinchoku.imports.parsers.pdf reads) ---
# The goal table as in the city's PDF: results and direction share one column.
PDF_GOAL_COLUMNS = (
    "No",
    "取組名（担当課名）",
    "取組内容",
    "達成目標",
    "取組結果／今後の取組の方向性",
    "目標達成状況",
)
PDF_DIRECTION_MARKER = "［今後の取組の方向性］"  # its own line between results and direction
INITIATIVE_MARK = "○"
GROUP_MARK = "◎"
# The PDF's /Creator: the reader then knows wrapped lines hang indented (see reports.pdf).
PDF_CREATOR = "Shinchoku"

# A line the published PDF adds under the stated status: the achievement judged by the
# system. Readers drop these lines, so that the status text reads back as written.
PDF_JUDGEMENT_MARKER = "【評価】"
