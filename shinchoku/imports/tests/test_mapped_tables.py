"""A city's own table (CSV or XLSX in its own columns), read through a column mapping kept for next year."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from shinchoku.documents.schema import ImportFormatError, ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.goals.models import Goal
from shinchoku.imports.mapped_tables import build_document, guess_columns, raw_table
from shinchoku.imports.models import ColumnMapping, ImportRecord, PendingImport
from shinchoku.organizations.models import Municipality
from shinchoku.progress.models import ProgressEntry

GOALS_CSV = """令和7年度 福祉部 目標一覧,,,,,,
番号,取組名,担当課,達成目標,目標値,取組結果,実績値
1,高齢者の見守り体制の強化,高齢福祉課,見守り協定の締結事業者を増やす。,協定締結数：40件,協定を新たに8事業者と締結した。,協定締結数：42件
2,子ども食堂への支援,子育て支援課,市内の子ども食堂を支援する。,12か所,補助金により10か所を支援した。,たくさん
"""

NEXT_YEAR_CSV = """取組名,番号,実績値,担当課,取組結果,達成目標,目標値
地域包括支援センターの機能強化,1,相談件数：2,400件,高齢福祉課,相談体制を拡充した。,相談体制を拡充する。,相談件数：2,000件
"""

PROGRESS_CSV = """章,基本的な取組,区分,取組実績,取組予定
1 情報の共有,市政情報の発信,A,"・広報紙を毎月発行した。（広報課）
・SNSで発信した。（広報課）",・広報紙を毎月発行する。（広報課）
,審議会の公開,B,―,・会議録を公開する。（総務課）
"""


def test_a_table_is_read_from_its_header_row_whatever_row_it_is_on() -> None:
    table = raw_table(GOALS_CSV.encode("cp932"), source="goals.csv")
    assert table.header_line == 2 and table.headers[1] == "取組名"
    assert [line for line, _values in table.rows] == [3, 4]
    guessed = guess_columns(table, "goal_declaration")
    # 目標値 ends like 達成目標's hint but its own column comes first: each column is taken once.
    assert {k: guessed.get(k) for k in ("number", "title", "sections", "target_text", "result_text")} == {
        "number": 0,
        "title": 1,
        "sections": 2,
        "target_text": 3,
        "result_text": 5,
    }


def test_goals_are_built_through_the_mapping_and_a_bad_figure_is_a_warning() -> None:
    table = raw_table(GOALS_CSV.encode(), source="goals.csv")
    columns = {
        "number": 0,
        "title": 1,
        "sections": 2,
        "target_text": 3,
        "target_figures": 4,
        "result_text": 5,
        "actual_figures": 6,
    }
    meta = {
        "fiscal_year": 2025,
        "title": "令和7年度 福祉部長の目標",
        "declarer_position": "福祉部長",
        "declarer_name": "青木 一郎",
    }
    document = build_document(table, kind="goal_declaration", columns=columns, meta=meta, source="goals.csv")
    assert isinstance(document, ParsedGoalDeclaration)
    first, _second = document.goals
    assert (first.number, first.title, first.sections) == (1, "高齢者の見守り体制の強化", ["高齢福祉課"])
    assert [(f.label, f.value, f.unit) for f in first.targets] == [("協定締結数", 40, "件")]
    assert [(f.label, f.value, f.unit) for f in first.actuals] == [("協定締結数", 42, "件")]
    assert [(w.line, w.code) for w in document.warnings] == [(4, "uncertain_figure")]
    with pytest.raises(ImportFormatError, match="no column chosen for 「Title」"):
        build_document(table, kind="goal_declaration", columns={"number": 0}, meta=meta, source="goals.csv")


def test_guideline_progress_from_a_table_splits_bullets_and_keeps_the_codes_written() -> None:
    table = raw_table(PROGRESS_CSV.encode(), source="progress.csv")
    columns = guess_columns(table, "guideline_progress")
    assert columns == {"chapter": 0, "title": 1, "classification": 2, "results": 3, "plans": 4}
    meta = {"guideline": "かえで市市民参加指針", "result_year": 2024, "plan_year": 2025}
    document = build_document(table, kind="guideline_progress", columns=columns, meta=meta, source="p.csv")
    assert isinstance(document, ParsedGuidelineProgress)
    assert [c.code for c in document.classifications] == ["A", "B"]
    first, second = document.initiatives
    assert first.chapter == "1 情報の共有" and second.chapter == "1 情報の共有"
    assert [(e.text, e.sections) for e in first.rows[0].results] == [
        ("広報紙を毎月発行した。", ["広報課"]),
        ("SNSで発信した。", ["広報課"]),
    ]
    assert second.rows[0].results == []  # a lone ― is an empty cell


def upload(client: Client, name: str, data: bytes) -> str:
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return response["Location"]


def selected(page: str, field: str) -> str:
    select = re.search(rf'<select name="column_{field}".*?</select>', page, re.S)
    assert select is not None, field
    chosen = re.search(r'<option value="(\d*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


def test_the_planner_maps_a_table_imports_it_and_next_year_the_mapping_is_offered_again(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    preview_url = upload(client, "goals.csv", GOALS_CSV.encode("cp932"))
    page = client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A table in your own columns" in page
    pending = PendingImport.objects.get()
    mapping_url = f"/m/midori/imports/{pending.pk}/mapping/?kind=goal_declaration"
    form_page = client.get(mapping_url).content.decode()
    assert selected(form_page, "title") == "1" and selected(form_page, "target_figures") == "4"
    posted = {
        "column_number": "0",
        "column_title": "1",
        "column_sections": "2",
        "column_target_text": "3",
        "column_target_figures": "4",
        "column_result_text": "5",
        "column_actual_figures": "6",
        "fiscal_year": "令和7年度",
        "title": "令和7年度 福祉部長の目標宣言",
        "declarer_position": "福祉部長",
        "declarer_name": "青木 一郎",
    }
    # The same column chosen twice is refused.
    twice = client.post(mapping_url, {**posted, "column_content": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert twice.status_code == 200 and "A column is chosen for two fields" in twice.content.decode()
    response = client.post(mapping_url, posted)
    assert response.status_code == 302
    preview = client.get(preview_url).content.decode()
    assert "高齢者の見守り体制の強化" in preview and 'name="confirm_warnings"' in preview  # the bad figure
    client.post(
        f"/m/midori/imports/{pending.pk}/commit/",
        {"confirm_new_sections": "on", "confirm_warnings": "on"},
    )
    assert set(Goal.objects.values_list("title", flat=True)) == {
        "高齢者の見守り体制の強化",
        "子ども食堂への支援",
    }
    assert ImportRecord.objects.get().kind == "goal_declaration"
    kept = ColumnMapping.objects.get()
    assert kept.columns["title"] == "取組名" and kept.updated_by == planner

    # Next year: the columns are in another order; the kept mapping follows the headings.
    upload(client, "next.csv", NEXT_YEAR_CSV.encode())
    later = PendingImport.objects.exclude(pk=pending.pk).get()
    page = client.get(f"/m/midori/imports/{later.pk}/mapping/?kind=goal_declaration").content.decode()
    assert (selected(page, "title"), selected(page, "number"), selected(page, "actual_figures")) == (
        "0",
        "1",
        "2",
    )


def test_a_workbook_in_own_columns_is_a_table_too(
    client: Client, planner, municipality: Municipality
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for row in PROGRESS_CSV.encode().decode().splitlines()[:1]:
        sheet.append(row.split(","))
    sheet.append(
        ["1 情報の共有", "市政情報の発信", "A", "・広報紙を毎月発行した。", "・広報紙を毎月発行する。"]
    )
    out = io.BytesIO()
    workbook.save(out)
    client.force_login(planner)
    preview_url = upload(client, "own.xlsx", out.getvalue())
    pending = PendingImport.objects.get()
    assert pending.table is not None and pending.document is None
    response = client.post(
        f"/m/midori/imports/{pending.pk}/mapping/?kind=guideline_progress",
        {
            "column_chapter": "0",
            "column_title": "1",
            "column_classification": "2",
            "column_results": "3",
            "column_plans": "4",
            "guideline": "みどり市市民参加指針",
            "result_year": "令和6年度",
            "plan_year": "令和7年度",
        },
    )
    assert response.status_code == 302
    client.post(f"/m/midori/imports/{pending.pk}/commit/", {"confirm_new_sections": "on"})
    assert ProgressEntry.objects.count() == 2
    assert (
        "This file has already been imported."
        in client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
