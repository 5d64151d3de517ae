"""Never silently wrong: what the reader was not sure of is a warning that a commit must accept."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.documents.schema import ParsedGoalDeclaration, ParseWarning
from shinchoku.imports.models import ImportRecord, PendingImport
from shinchoku.imports.services import DocumentWarningsError, report_import
from shinchoku.imports.warnings import document_warnings
from shinchoku.organizations.models import Municipality
from shinchoku.progress.models import ProgressEntry

DEMO = Path(__file__).resolve().parents[2] / "demo" / "documents" / "midori_guideline_progress_2024.txt"
# Three lines after the legend that belong nowhere the reader knows.
STRAY = "\n●参考\n当初における区分\n区分の見直しは来年度に行う予定です。\n"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def doubtful(tmp_path: Path) -> Path:
    path = tmp_path / "doubtful.txt"
    path.write_text(DEMO.read_text(encoding="utf-8") + STRAY, encoding="utf-8")
    return path


def test_unplaced_lines_and_parser_warnings_are_listed_in_line_order() -> None:
    from shinchoku.documents.schema import Unplaced

    document = ParsedGoalDeclaration(
        fiscal_year=2024,
        title="t",
        declarer_position="企画部長",
        declarer_name="n",
        unplaced=[Unplaced(line=30, text="迷子の行")],
        warnings=[ParseWarning(line=12, code="number_inferred", params={"number": 3})],
    )
    warnings = document_warnings(document)
    assert [(w.line, w.code) for w in warnings] == [(12, "number_inferred"), (30, "unplaced")]
    assert "迷子の行" in warnings[1].message


def test_the_service_refuses_a_document_with_warnings_unless_they_are_accepted(
    municipality: Municipality, actor: Actor, doubtful: Path
) -> None:
    data = doubtful.read_bytes()
    with pytest.raises(DocumentWarningsError) as refused:
        report_import(municipality=municipality, data=data, source="d.txt", actor=actor, create_missing=True)
    assert [w.line for w in refused.value.warnings] == [54, 55, 56]  # after the 52 lines of the demo
    assert ProgressEntry.objects.count() == 0 and ImportRecord.objects.count() == 0
    # A dry run (the preview) goes through and carries the warnings.
    preview = report_import(
        municipality=municipality, data=data, source="d.txt", actor=actor, create_missing=True, dry_run=True
    )
    assert len(preview.warnings) == 3
    done = report_import(
        municipality=municipality,
        data=data,
        source="d.txt",
        actor=actor,
        create_missing=True,
        accept_warnings=True,
    )
    assert ProgressEntry.objects.count() > 0
    assert [w["code"] for w in done.record.warnings_accepted] == ["unplaced"] * 3


def test_import_report_lists_the_warnings_and_refuses_without_accept_warnings(
    municipality: Municipality, doubtful: Path
) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("import_report", str(doubtful), "--create-missing", stdout=StringIO(), stderr=StringIO())
    message = str(refused.value)
    assert "--accept-warnings" in message and "区分の見直しは来年度に行う予定です。" in message
    assert ProgressEntry.objects.count() == 0
    out = StringIO()
    call_command(
        "import_report",
        str(doubtful),
        "--json",
        "--dry-run",
        "--create-missing",
        stdout=out,
        stderr=StringIO(),
    )
    document = json.loads(out.getvalue())
    assert [(w["code"], bool(w["line"]), bool(w["reason"])) for w in document["warnings"]] == [
        ("unplaced", True, True)
    ] * 3
    call_command(
        "import_report",
        str(doubtful),
        "--create-missing",
        "--accept-warnings",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert ImportRecord.objects.get().warnings_accepted


def test_the_preview_shows_the_warnings_and_the_commit_needs_the_box_ticked(
    client: Client, planner, municipality: Municipality, doubtful: Path
) -> None:
    client.force_login(planner)
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile("d.txt", doubtful.read_bytes())})
    preview_url = response["Location"]
    page = client.get(preview_url, **ENGLISH).content.decode()
    assert "3 lines to check" in page and "区分の見直しは来年度に行う予定です。" in page
    assert 'name="confirm_warnings"' in page
    pending = PendingImport.objects.get()
    commit = f"/m/midori/imports/{pending.pk}/commit/"
    client.post(commit, {"confirm_new_sections": "on"}, **ENGLISH)
    assert ImportRecord.objects.count() == 0
    assert "check the lines listed" in client.get(preview_url, **ENGLISH).content.decode()
    client.post(commit, {"confirm_new_sections": "on", "confirm_warnings": "on"})
    assert ImportRecord.objects.get().warnings_accepted


def test_a_clean_document_needs_no_box(client: Client, planner, municipality: Municipality) -> None:
    client.force_login(planner)
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile("d.txt", DEMO.read_bytes())})
    page = client.get(response["Location"]).content.decode()
    assert 'name="confirm_warnings"' not in page
