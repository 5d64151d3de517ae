"""Format (d): PDFs as ``reports.pdf`` writes them read back (seed text → document → PDF → document).

What comes back exactly: everything the text parsers stored — years, title, declarer,
numbers, titles, sections, every text character for character (line breaks and
blanks included), every figure's value, unit, 約 and 見込, the headings, 区分 codes and
legend. One figure label differs, because the stored text lost a blank the text
parser saw (see ``test_goal_declaration_round_trip``).
"""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from shinchoku.documents import layouts as L
from shinchoku.documents.schema import (
    ImportFormatError,
    ParsedGoal,
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
)
from shinchoku.imports.parsers import goal_declaration_text
from shinchoku.imports.parsers import pdf as reader
from shinchoku.reports.pdf import FONT, goal_declaration_pdf, register_fonts

SOURCE = "report.pdf"


def squeeze(text: str) -> str:
    return "".join(text.split())


# --- round trips ---------------------------------------------------------------------------


def test_goal_declaration_round_trip(goal_pdf: bytes, goal_document: ParsedGoalDeclaration) -> None:
    back = reader.parse(goal_pdf, source=SOURCE)
    assert isinstance(back, ParsedGoalDeclaration)
    original = goal_document
    assert (back.fiscal_year, back.title) == (2016, original.title)
    assert (back.declarer_position, back.declarer_name) == ("企画部長", "山口 清治")
    assert [g.number for g in back.goals] == list(range(1, 11))
    assert back.unplaced == []
    for mine, theirs in zip(back.goals, original.goals, strict=True):
        assert (mine.number, mine.title, mine.sections) == (theirs.number, theirs.title, theirs.sections)
        for field in ("content", "target_text", "result_text", "direction_text", "status_text"):
            assert squeeze(getattr(mine, field)) == squeeze(getattr(theirs, field)), (mine.number, field)
            assert getattr(mine, field) == getattr(theirs, field), (mine.number, field)  # and exactly
        for figures, expected in ((mine.targets, theirs.targets), (mine.actuals, theirs.actuals)):
            assert [(f.value, f.unit, f.approximate, f.provisional) for f in figures] == [
                (f.value, f.unit, f.approximate, f.provisional) for f in expected
            ], mine.number
    # Labels too, but for one: the text parser read 認定登録数 個人 10名 with its blanks and
    # took 個人; the stored target text is 認定登録数個人10名・15団体 (blanks squashed),
    # and that is all a PDF of the document can show.
    labels = [[f.label for f in g.targets + g.actuals] for g in back.goals]
    expected = [[f.label for f in g.targets + g.actuals] for g in original.goals]
    assert expected[9][0] == "個人"
    expected[9][0] = "認定登録数個人"
    assert labels == expected
    # Goals 8 and 9 lost their numbers in the text; the PDF prints them.
    assert [g.number_inferred for g in original.goals].count(True) == 2
    assert not any(g.number_inferred for g in back.goals)


def test_guideline_round_trip(guideline_pdf: bytes, guideline_document: ParsedGuidelineProgress) -> None:
    back = reader.parse(guideline_pdf, source=SOURCE)
    assert isinstance(back, ParsedGuidelineProgress)
    rows = [row for initiative in back.initiatives for row in initiative.rows]
    assert (len(back.initiatives), len(rows)) == (33, 34)
    assert sum(len(row.results) for row in rows) == 66
    assert sum(len(row.plans) for row in rows) == 54
    assert (back.guideline, back.result_year, back.plan_year) == ("伊勢原市市民参加推進指針", 2018, 2019)
    assert [c.code for c in back.classifications] == ["I", "II", "III", "IV", "V"]
    assert back.unplaced == []  # the seed's trailing ●参考 lines are not part of the document
    # Everything else, texts included, is exactly what the text parser read.
    assert back.to_json() == {**guideline_document.to_json(), "unplaced": []}


def long_document() -> ParsedGoalDeclaration:
    """A result text three pages long, blanks and markup characters included."""
    result = "\n".join(
        f"・{index:02d} 取組結果の長い文章 CMS と Web アンケート 1,234件。"
        + "市民の声を施策に反映しました。" * 6
        for index in range(40)
    )
    goals = [
        ParsedGoal(
            number=1,
            title="A&B <i>市民</i> 参加の推進",
            sections=["経営企画課", "人権・広聴相談課"],
            content="・短い取組内容です。",
            target_text="・公式ホームページの総ページビュー数 450万件",
            result_text=result,
            direction_text="・引き続き取り組みます。\n①一つ目\n②二つ目",
            status_text="・総ページビュー数 約4,238,714件(見込)",
        ),
        ParsedGoal(2, "短い取組", ["財政課"], "・内容", "・目標", "", "", "・達成しました。"),
    ]
    return ParsedGoalDeclaration(
        2016, "平成28年度 企画部長の目標宣言 達成状況報告", "企画部長", "山口 清治", goals
    )


def test_a_row_split_over_pages_reads_back_exactly() -> None:
    document = long_document()
    for goal in document.goals:
        goal.targets = goal_declaration_text.figures_of_column_text(goal.target_text)
        goal.actuals = goal_declaration_text.figures_of_column_text(goal.status_text)
    back = reader.parse(goal_declaration_pdf(document), source=SOURCE)
    assert back.to_json() == document.to_json()
    assert back.goals[0].actuals[0].approximate and back.goals[0].actuals[0].provisional


def test_a_document_without_any_wrapped_line_reads_back_exactly() -> None:
    """No line wraps, so no hanging indent shows: the PDF's /Creator says how lines break."""
    goal = ParsedGoal(
        1, "短い取組", ["財政課"], "・内容\n補足の一行", "・目標", "・結果", "・方向性", "・達成"
    )
    document = ParsedGoalDeclaration(
        2019, "令和元年度 企画部長の目標宣言 達成状況報告", "企画部長", "山口 清治", [goal]
    )
    back = reader.parse(goal_declaration_pdf(document), source=SOURCE)
    assert back.to_json() == document.to_json()
    assert back.fiscal_year == 2019


def test_a_title_without_its_year_gets_it_printed() -> None:
    document = replace(long_document(), title="企画部長の目標宣言 達成状況報告")
    back = reader.parse(goal_declaration_pdf(document), source=SOURCE)
    assert (back.fiscal_year, back.title) == (2016, "平成28年度 企画部長の目標宣言 達成状況報告")


def test_a_pdf_without_hanging_indents_breaks_lines_at_markers() -> None:
    """A PDF laid out elsewhere (plain wrapped paragraphs): new lines start at ・ ① ［."""
    register_fonts()
    style = ParagraphStyle("plain", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    long = "市民の声を施策に反映する取り組みを続けました。" * 3
    cells = ["3", "財政健全化の推進（財政課）", f"・{long}<br/>・二つ目", "・目標", "・結果", "・状況"]
    rows = [[Paragraph(label, style) for label in L.PDF_GOAL_COLUMNS], [Paragraph(c, style) for c in cells]]
    table = Table(rows, colWidths=[30, 110, 150, 120, 200, 150])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), FONT)]))
    buffer = BytesIO()
    story = [
        Paragraph("平成28年度 企画部長の目標宣言 達成状況報告", style),
        Paragraph("企画部長 山口 清治", style),
        table,
    ]
    SimpleDocTemplate(buffer, pagesize=(842, 595), initialFontName=FONT).build(story)
    (goal,) = reader.parse(buffer.getvalue(), source=SOURCE).goals
    assert (goal.number, goal.title, goal.sections) == (3, "財政健全化の推進", ["財政課"])
    assert goal.content == f"・{long}\n・二つ目"


# --- what is not a readable report -----------------------------------------------------------


def _error(data: bytes) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as excinfo:
        reader.parse(data, source=SOURCE)
    assert excinfo.value.source == SOURCE
    assert str(excinfo.value).startswith(f"{SOURCE}: ")
    return excinfo.value


def _pdf_of(*flowables: object) -> bytes:
    register_fonts()
    buffer = BytesIO()
    SimpleDocTemplate(buffer, initialFontName=FONT).build(list(flowables))
    return buffer.getvalue()


def test_not_a_pdf() -> None:
    assert not reader.looks_like(b"hello")
    assert "not a PDF" in str(_error(b"hello"))


def test_a_truncated_pdf(goal_pdf: bytes) -> None:
    assert reader.looks_like(goal_pdf)
    assert "truncated" in str(_error(goal_pdf[: len(goal_pdf) // 2]))
    # Cut elsewhere but still ending in %%EOF: pdfminer cannot read it either.
    assert "not a readable PDF" in str(_error(goal_pdf[:1000] + b"\n%%EOF\n"))


def test_an_encrypted_pdf() -> None:
    buffer = BytesIO()
    canvas = Canvas(buffer, encrypt=StandardEncryption("secret"))
    canvas.drawString(100, 100, "secret report")
    canvas.save()
    assert "encrypted" in str(_error(buffer.getvalue()))


def test_a_pdf_without_a_table() -> None:
    style = ParagraphStyle("p", fontName=FONT, fontSize=10)
    error = _error(_pdf_of(Paragraph("平成28年度 企画部長の目標宣言 達成状況報告", style)))
    assert error.line is None
    assert "no table found (page 1 checked)" in str(error)


def test_a_table_with_another_header() -> None:
    style = ParagraphStyle("p", fontName=FONT, fontSize=10)
    table = Table([["番号", "名前"], ["1", "伊勢原"]])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), FONT)]))
    error = _error(_pdf_of(Paragraph("表題", style), table))
    assert "unexpected table header on page 1" in str(error)
    assert "「番号」 / 「名前」" in str(error)
