"""Export → edit in Excel → import: the XLSX our export writes reads back to the same records."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.documents.schema import ImportFormatError
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.selectors import declarations_with_goals, goal_declaration_document
from shinchoku.imports.parsers import xlsx as xlsx_parser
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Plan
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.selectors import guideline_progress_document
from shinchoku.reports.xlsx import cell_number, goal_declaration_xlsx, guideline_progress_xlsx
from shinchoku.testing import SEED_000, SEED_004


def edit(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    workbook = load_workbook(BytesIO(data))
    change(workbook)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def goal_xlsx(municipality: Municipality, actor: Actor, seeds_dir: Path) -> bytes:
    result = report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_000).read_bytes(),
        source=SEED_000,
        actor=actor,
        create_missing=True,
    )
    declaration = declarations_with_goals(GoalDeclaration.objects.all()).get()
    document = goal_declaration_document(declaration)
    # What the database gives back is what the text parser read.
    assert document.to_json() == result.document.to_json()
    return goal_declaration_xlsx(document)


@pytest.fixture
def progress_xlsx(municipality: Municipality, actor: Actor, seeds_dir: Path) -> bytes:
    result = report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_004).read_bytes(),
        source=SEED_004,
        actor=actor,
        create_missing=True,
    )
    document = guideline_progress_document(Plan.objects.get(), 2018)
    assert document.to_json() == {**result.document.to_json(), "unplaced": []}
    return guideline_progress_xlsx(document)


def test_goal_declaration_round_trip_changes_nothing(
    municipality: Municipality, actor: Actor, goal_xlsx: bytes
) -> None:
    parsed = xlsx_parser.parse(goal_xlsx, source="export.xlsx")
    assert parsed.kind == "goal_declaration"
    audit_before = AuditEvent.objects.count()
    again = report_import(municipality=municipality, data=goal_xlsx, source="export.xlsx", actor=actor)
    assert not again.summary.changed, again.summary.details
    assert AuditEvent.objects.count() == audit_before


def test_guideline_round_trip_changes_nothing(
    municipality: Municipality, actor: Actor, progress_xlsx: bytes
) -> None:
    again = report_import(municipality=municipality, data=progress_xlsx, source="export.xlsx", actor=actor)
    assert not again.summary.changed, again.summary.details
    assert ProgressEntry.objects.count() == 120


def test_an_edit_in_excel_updates_that_record_only(municipality: Municipality, goal_xlsx: bytes) -> None:
    def change(workbook) -> None:  # type: ignore[no-untyped-def]
        sheet = workbook["目標宣言"]
        for row in sheet.iter_rows(min_row=8):
            if row[0].value == 5:
                row[5].value = "・補助金の見直しを完了しました。"
        figures = workbook["数値"]
        for row in figures.iter_rows(min_row=2):
            if row[0].value == 7 and row[1].value == "実績" and row[3].value == 398:
                row[3].value = 401

    result = report_import(
        municipality=municipality,
        data=edit(goal_xlsx, change),
        source="edited.xlsx",
        actor=Actor(label="excel"),
    )
    assert result.summary.updated == {"goal": 1, "measurement": 1}
    assert Goal.objects.get(number=5).result_text == "・補助金の見直しを完了しました。"
    fields = set(AuditEvent.objects.filter(actor_label="excel").values_list("field", flat=True))
    assert fields == {"result_text", "value"}


def test_the_workbook_is_print_ready(goal_xlsx: bytes) -> None:
    sheet = load_workbook(BytesIO(goal_xlsx))["目標宣言"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$7:$7"
    assert [c.value for c in sheet[7]] == [
        "No",
        "取組名",
        "担当課",
        "取組内容",
        "達成目標",
        "取組結果",
        "今後の取組の方向性",
        "目標達成状況",
    ]
    assert sheet["B2"].value == "平成28年度"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda wb: setattr(wb["目標宣言"]["F7"], "value", "結果"), "column 「取組結果」 missing"),
        (lambda wb: setattr(wb["目標宣言"]["A7"], "value", None), "column 「No」 missing"),
        (lambda wb: setattr(wb["数値"]["D2"], "value", "十億"), "数値!D2"),
        # "inf" and 1e400 parse as decimals (the fuzz run's OverflowError): not figures a report holds.
        (lambda wb: setattr(wb["数値"]["A2"], "value", "inf"), "数値!A2"),
        (lambda wb: setattr(wb["数値"]["D2"], "value", "1e400"), "数値!D2"),
        (lambda wb: setattr(wb["目標宣言"]["A9"], "value", 1), "goal number 1 repeats row 8"),
        (lambda wb: setattr(wb["目標宣言"]["B2"], "value", "いつか"), "目標宣言!B2"),
        (lambda wb: setattr(wb["目標宣言"], "title", "Sheet1"), "unknown workbook"),
    ],
)
def test_bad_workbooks_name_the_cell_and_write_nothing(
    municipality: Municipality,
    actor: Actor,
    goal_xlsx: bytes,
    change,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ImportFormatError) as error:
        report_import(municipality=municipality, data=edit(goal_xlsx, change), source="bad.xlsx", actor=actor)
    assert "bad.xlsx" in str(error.value) and message in str(error.value)
    assert AuditEvent.objects.count() == audit_before


def test_guideline_workbook_with_unknown_code_is_refused(
    municipality: Municipality, actor: Actor, progress_xlsx: bytes
) -> None:
    bad = edit(progress_xlsx, lambda wb: setattr(wb["進捗状況"]["F4"], "value", "VI"))
    with pytest.raises(ImportFormatError, match=r"進捗状況!F4.*VI"):
        report_import(municipality=municipality, data=bad, source="bad.xlsx", actor=actor)


def test_corrupt_zip_is_a_clear_error(municipality: Municipality, actor: Actor) -> None:
    with pytest.raises(ImportFormatError, match="not a readable XLSX"):
        report_import(
            municipality=municipality, data=b"PK\x03\x04garbage" * 10, source="broken.xlsx", actor=actor
        )


@pytest.mark.parametrize(
    ("value", "cell"),
    [("12345678901234567", "12345678901234567"), ("81.2", 81.2), ("1000000000", 1000000000), ("0.1", 0.1)],
)
def test_cell_numbers_never_lose_digits(value: str, cell: object) -> None:
    from decimal import Decimal

    assert cell_number(Decimal(value)) == cell
