"""People correct what was read in the preview; the corrections are kept and applied again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.goals.models import Goal
from shinchoku.imports.corrections import (
    Record,
    apply_corrections,
    editable_values,
    field_edits,
    line_checked,
)
from shinchoku.imports.models import ImportRecord, PendingImport
from shinchoku.imports.reading import parse_bytes
from shinchoku.organizations.models import Municipality

DOCUMENTS = Path(__file__).resolve().parents[2] / "demo" / "documents"
GOALS = DOCUMENTS / "midori_goal_declaration_2024.txt"
PROGRESS = DOCUMENTS / "midori_guideline_progress_2024.txt"
STRAY = "\n●参考\n当初における区分\n区分の見直しは来年度に行う予定です。\n"
AT = "2026-12-02T10:00:00+00:00"


def read(path: Path) -> ParsedGoalDeclaration | ParsedGuidelineProgress:
    return parse_bytes(path.read_bytes(), source=path.name)


def test_a_goal_field_edit_and_figures_are_applied_to_a_copy() -> None:
    document = read(GOALS)
    goal = Record("goal", 1)
    values = editable_values(document, goal)
    edits = field_edits(
        document,
        goal,
        {
            **values,
            "result_text": "・取組結果を直しました。",
            "targets": "評価施策数：32件\n約1,200万円（見込）",
        },
        by="企画 花子",
        at=AT,
    )
    assert [e["field"] for e in edits] == ["result_text", "targets"]
    corrected = apply_corrections(document, edits)
    assert isinstance(corrected, ParsedGoalDeclaration)
    assert corrected.goals[0].result_text == "・取組結果を直しました。"
    assert [(f.label, f.value, f.unit, f.approximate, f.provisional) for f in corrected.goals[0].targets] == [
        ("評価施策数", 32, "件", False, False),
        (None, 12_000_000, "円", True, True),
    ]
    assert document.goals[0].result_text != "・取組結果を直しました。"  # the reading itself is kept


def test_an_unreadable_figure_is_refused_before_it_is_kept() -> None:
    from shinchoku.imports.corrections import CorrectionError

    document = read(GOALS)
    with pytest.raises(CorrectionError, match=r"^2: "):
        field_edits(document, Record("goal", 1), {"actuals": "10人\nたくさん"}, by="x", at=AT)


def test_rows_of_an_initiative_split_entries_per_line_and_set_the_code() -> None:
    document = read(PROGRESS)
    first = Record("initiative", 0)
    edits = field_edits(
        document,
        first,
        {"rows.0.classification": "Ⅲ", "rows.0.results": "一つ目の実績。（企画政策課）\n二つ目の実績。"},
        by="x",
        at=AT,
    )
    corrected = apply_corrections(document, edits)
    assert isinstance(corrected, ParsedGuidelineProgress)
    row = corrected.initiatives[0].rows[0]
    assert row.classification == "Ⅲ"
    assert [(e.text, e.sections) for e in row.results] == [
        ("一つ目の実績。", ["企画政策課"]),
        ("二つ目の実績。", []),
    ]


def test_a_correction_that_no_longer_fits_is_a_warning_not_a_loss() -> None:
    document = read(GOALS)
    stale = {"record": "goal-99", "field": "title", "value": "x", "by": "企画 花子", "at": AT}
    corrected = apply_corrections(document, [stale])
    assert [(w.code, w.params["what"]) for w in corrected.warnings] == [("correction_not_applied", "goal-99")]
    other = {
        "record": "initiative-0",
        "field": "title",
        "value": "x",
        "by": "x",
        "at": AT,
        "title_was": "別の取組",
    }
    assert apply_corrections(read(PROGRESS), [other]).warnings[0].code == "correction_not_applied"


def test_checking_an_unplaced_line_moves_it_to_the_ignored_lines() -> None:
    document = parse_bytes((PROGRESS.read_text(encoding="utf-8") + STRAY).encode(), source="d.txt")
    line = document.unplaced[0].line
    corrected = apply_corrections(document, [line_checked(line, "unplaced", by="x", at=AT)])
    assert line not in [u.line for u in corrected.unplaced]
    # (the demo's repeated titles and header rows are ignored too, as page furniture)
    assert [(i.line, i.why) for i in corrected.ignored if i.why == "checked_by_person"] == [
        (line, "checked_by_person")
    ]


# --- in the browser's way: the preview, the edit page, the commit, the next upload ----------------


def upload(client: Client, path: Path, text: str | None = None):  # type: ignore[no-untyped-def]
    data = text.encode() if text is not None else path.read_bytes()
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile(path.name, data)})
    assert response.status_code == 302
    return response["Location"]


def test_the_planner_corrects_a_goal_imports_it_and_the_next_upload_keeps_the_correction(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    preview_url = upload(client, GOALS)
    page = client.get(preview_url).content.decode()
    # The document's own lines are beside what was read.
    assert 'id="goal-1"' in page and "外部評価委員会を4回開催し" in page
    pending = PendingImport.objects.get()
    edit_url = f"/m/midori/imports/{pending.pk}/records/goal-1/"
    form_page = client.get(edit_url).content.decode()
    assert "第2次みどり市総合計画後期基本計画に基づく施策評価" in form_page
    values = editable_values(parse_bytes(GOALS.read_bytes(), source=GOALS.name), Record("goal", 1))
    response = client.post(edit_url, {**values, "result_text": "・外部評価委員会を4回開催しました。（修正）"})
    assert response.status_code == 302 and response["Location"].endswith("#goal-1")
    assert "外部評価委員会を4回開催しました。（修正）" in client.get(preview_url).content.decode()

    client.post(f"/m/midori/imports/{pending.pk}/commit/", {"confirm_new_sections": "on"})
    goal = Goal.objects.get(number=1)
    assert goal.result_text == "・外部評価委員会を4回開催しました。（修正）"
    record = ImportRecord.objects.get()
    assert [(c["record"], c["field"]) for c in record.corrections] == [("goal-1", "result_text")]
    assert record.corrections[0]["by"] == (planner.get_full_name() or planner.username)

    # The same file uploaded again starts with the correction made to it.
    again = upload(client, GOALS)
    assert "外部評価委員会を4回開催しました。（修正）" in client.get(again).content.decode()


def test_an_unreadable_figure_is_shown_on_the_form_and_nothing_is_kept(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    upload(client, GOALS)
    pending = PendingImport.objects.get()
    response = client.post(
        f"/m/midori/imports/{pending.pk}/records/goal-1/", {"actuals": "たくさん"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and "A figure could not be read, line 1" in response.content.decode()
    pending.refresh_from_db()
    assert pending.corrections == []


def test_checking_every_warned_line_lets_the_commit_through_without_the_box(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    preview_url = upload(client, PROGRESS, PROGRESS.read_text(encoding="utf-8") + STRAY)
    pending = PendingImport.objects.get()
    for line in (54, 55, 56):
        client.post(f"/m/midori/imports/{pending.pk}/checks/", {"line": line, "code": "unplaced"})
    page = client.get(preview_url).content.decode()
    assert 'name="confirm_warnings"' not in page
    client.post(f"/m/midori/imports/{pending.pk}/commit/", {"confirm_new_sections": "on"})
    record = ImportRecord.objects.get()
    assert record.warnings_accepted == [] and len(record.corrections) == 3


def test_a_record_that_is_not_in_the_upload_is_404(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    upload(client, GOALS)
    pending = PendingImport.objects.get()
    assert client.get(f"/m/midori/imports/{pending.pk}/records/goal-99/").status_code == 404
    assert client.get(f"/m/midori/imports/{pending.pk}/records/nonsense/").status_code == 404
