"""import_report on the command line: --json, --dry-run, --create-missing and its errors."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Municipality
from shinchoku.progress.models import ProgressEntry
from shinchoku.testing import SEED_000, SEED_004


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_dry_run_prints_the_schema_and_writes_nothing(
    municipality: Municipality, seeds_dir: Path
) -> None:
    out, err = run(str(seeds_dir / SEED_000), "--json", "--dry-run", "--create-missing")
    document = json.loads(out)
    assert document["kind"] == "goal_declaration"
    assert document["fiscal_year"] == 2016
    assert document["declarer"] == {"position": "企画部長", "name": "山口 清治"}
    assert [g["number"] for g in document["goals"]] == list(range(1, 11))
    goal3 = document["goals"][2]
    assert goal3["targets"][0]["value"] == "1000000000" and goal3["targets"][0]["unit"] == "円"
    assert goal3["actuals"][0] == {**goal3["actuals"][0], "value": "1277000000", "approximate": True}
    assert set(goal3) == {
        "number", "title", "sections", "content", "target_text", "result_text",
        "direction_text", "status_text", "targets", "actuals",
    }  # fmt: skip
    assert "Would change" in err
    assert Goal.objects.count() == 0


def test_guideline_json(isehara: Municipality, seeds_dir: Path) -> None:
    out, _err = run(str(seeds_dir / SEED_004), "--json", "--dry-run", "--create-missing")
    document = json.loads(out)
    assert (document["kind"], document["result_year"], document["plan_year"]) == (
        "guideline_progress",
        2018,
        2019,
    )
    assert len(document["initiatives"]) == 33
    assert [c["code"] for c in document["classifications"]] == ["I", "II", "III", "IV", "V"]
    assert ProgressEntry.objects.count() == 0


def test_unknown_sections_are_listed(isehara: Municipality, seeds_dir: Path) -> None:
    with pytest.raises(CommandError) as error:
        run(str(seeds_dir / SEED_004))
    assert "市民協働課" in str(error.value) and "--create-missing" in str(error.value)


def test_create_missing_imports(isehara: Municipality, seeds_dir: Path) -> None:
    out, _err = run(str(seeds_dir / SEED_004), "--create-missing")
    assert "Imported" in out
    assert ProgressEntry.objects.count() == 120


def test_missing_file_and_bad_file(municipality: Municipality, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "nope.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    # In the language of the command (Japanese, as the city's staff run it), naming the file and the line.
    with pytest.raises(CommandError, match=r"bad\.txt 1行目：テキストではないファイルです"):
        run(str(bad))
    with translation.override("en"), pytest.raises(CommandError, match=r"bad\.txt, line 1: .*binary"):
        run(str(bad))


def test_municipality_must_be_named_when_there_are_several(
    municipality: Municipality, other_municipality: Municipality, seeds_dir: Path
) -> None:
    with pytest.raises(CommandError, match="--municipality"):
        run(str(seeds_dir / SEED_000))
    out, _ = run(str(seeds_dir / SEED_000), "--municipality", "sora", "--dry-run", "--create-missing")
    assert "Would change" in out
