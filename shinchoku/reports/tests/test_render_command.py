"""render_report writes each kind in each format, from live data or from the published revision."""

import csv
import io
import json
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.publishing.services import goal_declaration_publish
from shinchoku.testing import SEED_000, SEED_004


@pytest.fixture
def imported(municipality: Municipality, actor: Actor, seeds_dir: Path) -> None:
    for name in (SEED_000, SEED_004):
        report_import(
            municipality=municipality,
            data=(seeds_dir / name).read_bytes(),
            source=name,
            actor=actor,
            create_missing=True,
        )


def render(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / f"out.{args[args.index('--format') + 1]}"
    call_command("render_report", *args, "-o", str(out), stdout=io.StringIO())
    return out


def test_goal_declaration_in_every_format(imported: None, tmp_path: Path) -> None:
    base = ["--kind", "goal_declaration", "--fiscal-year", "2016"]
    with pdfplumber.open(render(tmp_path, *base, "--format", "pdf")) as pdf:
        assert "市債残高の縮減" in "".join(p.extract_text() or "" for p in pdf.pages)
    sheet = load_workbook(render(tmp_path, *base, "--format", "xlsx", "--department", "企画部"))["目標宣言"]
    assert sheet["B4"].value == "企画部長"
    rows = list(
        csv.reader(io.StringIO(render(tmp_path, *base, "--format", "csv").read_text(encoding="utf-8-sig")))
    )
    assert rows[0][:4] == ["地方公共団体コード", "地方公共団体名", "年度", "年度（和暦）"] and len(rows) == 11
    data = json.loads(render(tmp_path, *base, "--format", "json").read_text(encoding="utf-8"))
    assert data["document"]["fiscal_year"] == 2016


def test_guideline_csv_table(imported: None, tmp_path: Path) -> None:
    out = render(
        tmp_path,
        "--kind",
        "guideline_progress",
        "--fiscal-year",
        "2018",
        "--format",
        "csv",
        "--table",
        "classifications",
    )
    assert (
        out.read_text(encoding="utf-8-sig").splitlines()[1]
        == "伊勢原市市民参加推進指針,I,担当課で検討を進める。"
    )


def test_published_revision_and_errors(imported: None, tmp_path: Path, actor: Actor) -> None:
    base = ["--kind", "goal_declaration", "--fiscal-year", "2016", "--format", "json"]
    with pytest.raises(CommandError, match="Nothing of kind goal_declaration published"):
        render(tmp_path, *base, "--published")
    goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor)
    assert json.loads(render(tmp_path, *base, "--published").read_text())["revision"] == 1
    with pytest.raises(CommandError, match="No department"):
        render(tmp_path, *base, "--department", "存在しない部")
    with pytest.raises(CommandError, match="No guideline progress for fiscal year 2030"):
        render(tmp_path, "--kind", "guideline_progress", "--fiscal-year", "2030", "--format", "pdf")
    with pytest.raises(CommandError, match="no table"):
        render(
            tmp_path, "--kind", "goal_declaration", "--fiscal-year", "2016", "--format", "csv", "--table", "x"
        )


def test_summary(imported: None, tmp_path: Path, actor: Actor) -> None:
    base = ["--kind", "summary", "--fiscal-year", "2016"]
    with pytest.raises(CommandError, match="No goal declaration published"):
        render(tmp_path, *base, "--format", "csv")
    goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor)
    rows = json.loads(render(tmp_path, *base, "--format", "json").read_text())["rows"]
    assert rows[0]["graded"] == 11 and rows[0]["share"] == "100.0"
    with pdfplumber.open(render(tmp_path, *base, "--format", "pdf")) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "目標達成状況の集計" in text and "100.0%" in text
    sheet = load_workbook(render(tmp_path, *base, "--format", "xlsx"))["集計"]
    assert [c.value for c in sheet[4]][:3] == [2016, "平成28年度", "企画部"]
