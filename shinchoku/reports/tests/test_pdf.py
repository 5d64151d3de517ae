"""The PDF writer: the seeds rendered, checked with pdfplumber (not with our own reader).

Today's page counts: seed 000 → 3 pages, seed 004 → 7 pages (A4 landscape, 8.5 pt).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import literal_name

from shinchoku.core.figures import find_figures
from shinchoku.documents import layouts as L
from shinchoku.documents.schema import ParsedGoal, ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.reports.pdf import (
    FONT_PACKAGE,
    FontMissingError,
    goal_declaration_pdf,
    register_fonts,
    wrap_line,
)


def compact(text: str) -> str:
    return "".join(text.split())


@cache
def tables(data: bytes) -> list[list[list[list[str]]]]:
    """Per page, the tables pdfplumber finds, as rows of cell texts (read once per PDF)."""
    with pdfplumber.open(BytesIO(data)) as pdf:
        return [
            [[[cell or "" for cell in row] for row in table] for table in page.extract_tables()]
            for page in pdf.pages
        ]


@cache
def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(BytesIO(data)) as pdf:
        return [page.extract_text() for page in pdf.pages]


def body_cells(data: bytes, column: int, header: list[str]) -> list[str]:
    """The cells of ``column`` in the rows of the tables with ``header``, in page order."""
    return [
        row[column]
        for page in tables(data)
        for table in page
        if [compact(cell) for cell in table[0]] == header
        for row in table[1:]
    ]


def goal_header() -> list[str]:
    return [compact(label) for label in L.PDF_GOAL_COLUMNS]


def progress_header(document: ParsedGuidelineProgress) -> list[str]:
    labels = [label for _key, label in L.PROGRESS_FIXED_COLUMNS[3:]]
    labels += [L.results_header(document.result_year), L.plans_header(document.plan_year)]
    return [compact(label) for label in labels]


# --- the seeds as PDF -------------------------------------------------------------------


def test_goal_declaration_pdf_holds_every_goal(goal_pdf: bytes, goal_document: ParsedGoalDeclaration) -> None:
    header = goal_header()
    rows = [
        [compact(cell) for cell in row] for page in tables(goal_pdf) for table in page for row in table[1:]
    ]
    assert all([compact(cell) for cell in table[0]] == header for page in tables(goal_pdf) for table in page)
    assert [row[0] for row in rows] == [str(goal.number) for goal in goal_document.goals]
    for row, goal in zip(rows, goal_document.goals, strict=True):
        assert row[1] == compact(goal.title + "（" + "、".join(goal.sections) + "）")
        assert row[2] == compact(goal.content)
        assert row[3] == compact(goal.target_text)
        assert row[4] == compact(goal.result_text + L.PDF_DIRECTION_MARKER + goal.direction_text)
        assert row[5] == compact(goal.status_text)
        for figure_text in written_figures(goal):
            assert compact(figure_text) in row[3] + row[5]


def written_figures(goal: ParsedGoal) -> Iterator[str]:
    """Each target and actual as written in its column (``約12億7,700万円``)."""
    for text, figures in ((goal.target_text, goal.targets), (goal.status_text, goal.actuals)):
        values = {figure.value for figure in figures}
        found = [text[start:end] for start, end, figure in find_figures(text) if figure.value in values]
        assert len(found) >= len(figures), (goal.number, found, figures)
        yield from found


def test_goal_declaration_pdf_title_and_declarer(goal_pdf: bytes) -> None:
    with pdfplumber.open(BytesIO(goal_pdf)) as pdf:
        assert pdf.metadata["Title"] == "平成28年度 企画部長の目標宣言 達成状況報告"
    lines = page_texts(goal_pdf)[0].splitlines()
    assert lines[0] == "平成28年度 企画部長の目標宣言 達成状況報告"
    assert lines[1] == "企画部長 山口 清治"
    text = "\n".join(page_texts(goal_pdf))
    for written in ("450万件", "4,238,714件", "10億円", "約12億7,700万円", "269億1千万円", "81.2% → 89.9%"):
        assert written in text


def test_guideline_pdf_holds_every_initiative(
    guideline_pdf: bytes, guideline_document: ParsedGuidelineProgress
) -> None:
    page_text = "\n".join(page_texts(guideline_pdf))
    titles = [compact(cell) for cell in body_cells(guideline_pdf, 0, progress_header(guideline_document))]
    results = "".join(body_cells(guideline_pdf, 4, progress_header(guideline_document)))
    plans = "".join(body_cells(guideline_pdf, 5, progress_header(guideline_document)))
    initiatives = guideline_document.initiatives
    assert [t for t in titles if t] == [compact(L.INITIATIVE_MARK + i.title) for i in initiatives]
    for initiative in initiatives:
        for heading in (initiative.chapter, initiative.subsection, initiative.group):
            assert heading is None or heading in page_text
        for row in initiative.rows:
            for entry in row.results:
                assert compact(L.bullet_text(entry.text, entry.sections)) in compact(results)
            for entry in row.plans:
                assert compact(L.bullet_text(entry.text, entry.sections)) in compact(plans)
    assert "『伊勢原市市民参加推進指針』における「基本的な取り組み」への進捗状況等" in page_text
    assert "平成30年度の取り組み実績" in page_text


def test_guideline_pdf_ends_with_the_legend(
    guideline_pdf: bytes, guideline_document: ParsedGuidelineProgress
) -> None:
    last_table = tables(guideline_pdf)[-1][-1]
    assert [compact(cell) for cell in last_table[0]] == ["区分", "説明"]
    assert [(row[0], row[1]) for row in last_table[1:]] == [
        (c.code, c.label) for c in guideline_document.classifications
    ]


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """Every font of every page, by name: True when its descriptor holds a font file."""

    def descriptors(font: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if "DescendantFonts" in font:
            for descendant in resolve1(font["DescendantFonts"]):
                yield from descriptors(resolve1(descendant))
        else:
            yield resolve1(font.get("FontDescriptor")) or {}

    fonts: dict[str, bool] = {}
    with pdfplumber.open(BytesIO(data)) as pdf:
        for page in pdf.pages:
            resources = resolve1(page.page_obj.resources)
            for reference in resolve1(resources.get("Font", {})).values():
                font = resolve1(reference)
                name = literal_name(font["BaseFont"])
                fonts[name] = all(
                    any(key in d for key in ("FontFile", "FontFile2", "FontFile3")) for d in descriptors(font)
                )
    return fonts


@pytest.mark.parametrize("which", ["goal", "guideline"])
def test_every_font_is_embedded(which: str, goal_pdf: bytes, guideline_pdf: bytes) -> None:
    fonts = embedded_fonts(goal_pdf if which == "goal" else guideline_pdf)
    assert fonts, "no font found"
    assert all(fonts.values()), fonts
    # Subsets of BIZ UD Gothic only (``AAAAAA+BIZUDGothic-Regular``): no Helvetica.
    assert all(re.fullmatch(r"[A-Z]{6}\+BIZUDGothic-(Regular|Bold)", name) for name in fonts), fonts


def test_page_counts_header_rows_and_page_numbers(
    goal_pdf: bytes, guideline_pdf: bytes, guideline_document: ParsedGuidelineProgress
) -> None:
    for data, headers, pages in (
        (goal_pdf, [goal_header()], range(2, 6)),  # 3 today
        (guideline_pdf, [progress_header(guideline_document), ["区分", "説明"]], range(5, 11)),  # 7 today
    ):
        count = len(tables(data))
        assert count in pages
        for number, (page_tables, text) in enumerate(
            zip(tables(data), page_texts(data), strict=True), start=1
        ):
            assert [compact(cell) for cell in page_tables[0][0]] in headers, number
            assert text.splitlines()[-1] == f"{number} / {count}"


# --- long cells, markup ---------------------------------------------------------------------


def long_document() -> ParsedGoalDeclaration:
    """A goal whose result text is three pages long, and markup characters in a title."""
    result = "\n".join(
        f"・{index:02d} 取組結果の長い文章 CMS と Web アンケート 1,234件。"
        + "市民の声を施策に反映しました。" * 6
        for index in range(40)
    )
    goal = ParsedGoal(
        number=1,
        title="A&B <i>市民</i> 参加の推進",
        sections=["経営企画課", "人権・広聴相談課"],
        content="・短い取組内容です。",
        target_text="・公式ホームページの総ページビュー数 450万件",
        result_text=result,
        direction_text="・引き続き取り組みます。",
        status_text="・総ページビュー数 4,238,714件",
    )
    short = ParsedGoal(
        2, "短い取組", ["財政課"], "・内容", "・目標", "・結果", "・方向性", "・達成しました。"
    )
    return ParsedGoalDeclaration(
        fiscal_year=2016,
        title="平成28年度 企画部長の目標宣言 達成状況報告",
        declarer_position="企画部長",
        declarer_name="山口 清治",
        goals=[goal, short],
    )


def test_a_row_taller_than_a_page_splits_without_losing_text() -> None:
    document = long_document()
    data = goal_declaration_pdf(document)
    pages = tables(data)
    assert len(pages) >= 3
    goal = document.goals[0]
    result_cells = body_cells(data, 4, goal_header())
    # The long row shows on every page but the last; each page closes its cells.
    assert compact("".join(result_cells[:-1])) == compact(
        goal.result_text + L.PDF_DIRECTION_MARKER + goal.direction_text
    )
    assert len(result_cells) == len(pages) + 1
    title_cells = body_cells(data, 1, goal_header())
    assert compact(title_cells[0]) == compact("A&B <i>市民</i> 参加の推進（経営企画課、人権・広聴相談課）")


def test_wrap_line_keeps_every_character_and_the_rules() -> None:
    register_fonts()
    text = "・新聞社等への情報提供数 557件、「伊勢原ならでは」の話題。Webアンケート4,238,714件を実施。" * 3
    lines = wrap_line(text, 60, 51)
    assert "".join(lines) == text
    assert len(lines) > 5
    for line in lines[1:]:
        assert line[0] not in "、。」 "  # may not start a line (they hang at the end instead)
    for line in lines[:-1]:
        assert line[-1] != "「"  # an opening bracket goes down with what it opens
    assert any(line.startswith("4,238,714") or "4,238,714" in line for line in lines)  # not cut


def test_a_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FontMissingError) as excinfo:
        register_fonts(tmp_path)
    assert str(tmp_path / "BIZUDGothic-Regular.ttf") in str(excinfo.value)
    assert FONT_PACKAGE in str(excinfo.value)


# --- rasterising ----------------------------------------------------------------------------


def test_first_pages_rasterise(tmp_path: Path, goal_pdf: bytes, guideline_pdf: bytes) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed")
    for name, data in (("seed000", goal_pdf), ("seed004", guideline_pdf)):
        source = tmp_path / f"{name}.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source), str(tmp_path / name)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        (image,) = tmp_path.glob(f"{name}-*.png")
        png = image.read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", png[16:24])
        assert (width, height) == (702, 497)  # A4 landscape (842 × 595 pt) at 60 dpi, rounded up


def test_the_summary_of_a_large_city_lays_out_every_bar() -> None:
    """40 departments over ten years: 400 bars. One chart that tall fits no page (reportlab
    refused it, and a large city could not publish); the bars are drawn a page's worth at a time."""
    from decimal import Decimal

    from shinchoku.reports.pdf import CHART_BARS, summary_pdf
    from shinchoku.reports.summary import SummaryRow

    rows = [
        SummaryRow(
            fiscal_year=2016 + year,
            department=f"第{department}部",
            publication_id=year * 40 + department,
            threshold="概ね達成",
            indicators=10,
            graded=10,
            at_or_above=department % 11,
            awaiting_person=0,
            not_evaluable=0,
            share=Decimal(department % 11 * 10),
            grades={},
        )
        for year in range(10)
        for department in range(1, 41)
    ]
    data = summary_pdf(rows, "大都市")
    with pdfplumber.open(BytesIO(data)) as pdf:
        text = compact("".join(page.extract_text() or "" for page in pdf.pages))
        assert len(pdf.pages) >= 400 // CHART_BARS
    # Each department's bar of each year and its table row: nothing dropped.
    assert text.count("第40部") == 2 * 10
