"""Another municipality's document is never imported silently: refused, warned about, or confirmed.

The seeds are 伊勢原市's, the demo documents みどり市's (the ``municipality`` fixture):
each is imported into its own municipality and into the other one.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.demo.loader import DOCUMENTS_DIR
from shinchoku.imports.models import ImportRecord, PendingImport
from shinchoku.imports.municipality_names import Scan, find_names
from shinchoku.imports.ownership import Place
from shinchoku.imports.services import (
    ImportResult,
    MunicipalityCheck,
    OtherMunicipalityError,
    report_import,
)
from shinchoku.organizations.models import Municipality, Section
from shinchoku.plans.models import Plan
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.selectors import guideline_progress_document
from shinchoku.reports.xlsx import guideline_progress_xlsx
from shinchoku.testing import SEED_000, SEED_004, guideline_pdf

TESTS = Actor(label="tests")
DEMO_GOALS = "midori_goal_declaration_2024.txt"
DEMO_GUIDELINE = "midori_guideline_progress_2024.txt"

ISEHARA_TITLE = "『伊勢原市市民参加推進指針』"
# A bullet of seed 004 and of seed 000, to which a neighbouring city is added in passing.
SEED_004_BULLET = "●市民通信員制度を継続実施した。(広報戦略課)"
SEED_000_BULLET = "・より市民に親しまれる"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Reasons in their English source form (the Japanese is in the .po file)."""
    with translation.override("en"):
        yield


def seed_text(seeds_dir: Path, name: str) -> str:
    return (seeds_dir / name).read_text(encoding="utf-8")


def replaced(text: str, old: str, new: str) -> bytes:
    assert old in text, old
    return text.replace(old, new).encode()


def check(
    municipality: Municipality,
    data: bytes,
    *,
    source: str = "doc.txt",
    municipality_check: MunicipalityCheck = MunicipalityCheck.REFUSE,
    actor: Actor = TESTS,
    dry_run: bool = True,
) -> ImportResult:
    return report_import(
        municipality=municipality,
        data=data,
        source=source,
        actor=actor,
        dry_run=dry_run,
        create_missing=True,
        municipality_check=municipality_check,
    )


# --- names in text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("伊勢原市市民参加推進指針", ["伊勢原市"]),
        ("令和6年度 厚木市企画部長の目標宣言 達成状況報告", ["厚木市"]),
        ("令和6年度厚木市企画部長の目標宣言", ["厚木市"]),
        ("「みどり市DX推進計画」", ["みどり市"]),
        ("第2次四日市市総合計画", ["四日市市"]),
        ("神奈川県伊勢原市", ["伊勢原市"]),
        ("愛甲郡愛川町", ["愛川町"]),
        ("茅ヶ崎市", ["茅ケ崎市"]),
        ("津市", ["津市"]),
        ("京都市", ["京都市"]),
        ("港区基本計画", ["港区"]),
        ("高山村", ["高山村"]),
        # Words that end in 市/町/村/区 without being a municipality.
        ("平成28年度 企画部長の目標宣言 達成状況報告", []),
        ("市民参加推進指針", []),
        ("都市計画マスタープラン", []),
        ("中心市街地活性化基本計画", []),
        ("近隣市町村との連携", []),
        ("地区まちづくり計画", []),
        ("政令指定都市", []),
        ("国家戦略特区", []),
        ("農村振興", []),
        ("における市民参加", []),
    ],
)
def test_names_in_a_title(text: str, names: list[str]) -> None:
    assert [found.name for found in find_names(text, [], Scan.HEAD)] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("●厚木市との連携を図った。(企画課)", ["厚木市"]),
        ("本市と秦野市、厚木市との広域連携", ["秦野市", "厚木市"]),
        ("第2次伊勢原市総合計画に基づき", ["伊勢原市"]),
        # 市民, 市役所, 市内, 市長 … and the common nouns that merely contain 市 or 区.
        ("学識経験者と公募市民からなる委員会", []),
        ("一般会計市債残高の縮減", []),
        ("本市及び本市の特産品", []),
        ("都市政策課", []),
        ("市内5小学校区で放課後子ども教室を実施", []),
        ("大山地区の景観重点地区指定", []),
        ("年度内に市ホームページで公表", []),
        ("いせはら市民大学", []),
        ("テーマ別市民会議", []),
        ("市役所の窓口で市長が説明", []),
    ],
)
def test_names_in_running_text(text: str, names: list[str]) -> None:
    assert [found.name for found in find_names(text, [], Scan.BODY)] == names


def test_known_names_are_found_anywhere_and_win_over_guesses() -> None:
    found = find_names("いせはら市民大学とみどり市民会議", ["みどり市"], Scan.BODY)
    assert [(f.name, f.known) for f in found] == [("みどり市", True)]


# --- own documents pass, both municipalities in the database ---------------------------------


@pytest.mark.parametrize("seed", [SEED_000, SEED_004])
def test_seeds_pass_for_isehara_without_a_warning(
    isehara: Municipality, municipality: Municipality, seeds_dir: Path, seed: str
) -> None:
    result = check(isehara, (seeds_dir / seed).read_bytes(), source=seed)
    assert result.ownership is not None
    assert not result.ownership.refused and result.ownership.warnings() == []


@pytest.mark.parametrize("name", [DEMO_GOALS, DEMO_GUIDELINE])
def test_demo_documents_pass_for_midori_without_a_warning(
    isehara: Municipality, municipality: Municipality, name: str
) -> None:
    result = check(municipality, (DOCUMENTS_DIR / name).read_bytes(), source=name)
    assert result.ownership is not None
    assert not result.ownership.refused and result.ownership.warnings() == []


# --- refused: the title or a header line names another municipality --------------------------


def test_isehara_guideline_is_refused_by_midori_and_nothing_is_written(
    municipality: Municipality, seeds_dir: Path
) -> None:
    sections = Section.objects.count()
    with pytest.raises(OtherMunicipalityError) as error:
        check(municipality, (seeds_dir / SEED_004).read_bytes(), dry_run=False)
    assert str(error.value) == (
        "This document belongs to 伊勢原市 (title: 伊勢原市市民参加推進指針). "
        "It cannot be imported into みどり市."
    )
    assert Plan.objects.count() == 0 and ProgressEntry.objects.count() == 0
    assert Section.objects.count() == sections and ImportRecord.objects.count() == 0


def test_midori_guideline_is_refused_by_isehara(isehara: Municipality) -> None:
    with pytest.raises(OtherMunicipalityError, match=r"belongs to みどり市.*into 伊勢原市"):
        check(isehara, (DOCUMENTS_DIR / DEMO_GUIDELINE).read_bytes())


def test_a_city_not_in_the_database_is_recognised_in_the_title(
    isehara: Municipality, seeds_dir: Path
) -> None:
    text = seed_text(seeds_dir, SEED_000)
    data = replaced(text, "平成２８年度 企画部長の目標宣言", "平成２８年度 厚木市企画部長の目標宣言")
    with pytest.raises(OtherMunicipalityError, match=r"belongs to 厚木市 \(title: 平成28年度 厚木市企画部長"):
        check(isehara, data)


def test_a_header_line_names_the_owner(isehara: Municipality, seeds_dir: Path) -> None:
    data = replaced(seed_text(seeds_dir, SEED_000), "企画部長 山口 清治", "秦野市企画部長 山口 清治")
    with pytest.raises(OtherMunicipalityError) as error:
        check(isehara, data)
    assert error.value.ownership.owner is not None
    assert error.value.ownership.owner.place is Place.HEADER
    assert "belongs to 秦野市 (heading: 秦野市企画部長)" in str(error.value)


def test_a_body_full_of_the_target_does_not_outweigh_the_title(
    isehara: Municipality, seeds_dir: Path
) -> None:
    # Seed 004 names 伊勢原市 a dozen times in its bullets; its title now says 厚木市.
    data = replaced(seed_text(seeds_dir, SEED_004), ISEHARA_TITLE, "『厚木市市民参加推進指針』")
    with pytest.raises(OtherMunicipalityError, match="belongs to 厚木市"):
        check(isehara, data)


def test_a_guideline_already_another_municipalitys_is_refused(
    isehara: Municipality, municipality: Municipality, seeds_dir: Path
) -> None:
    # A title naming no municipality: the guideline by that name is みどり市's already.
    data = replaced(seed_text(seeds_dir, SEED_004), ISEHARA_TITLE, "『市民参加推進指針』")
    check(municipality, data, municipality_check=MunicipalityCheck.UNCHECKED, dry_run=False)
    with pytest.raises(OtherMunicipalityError) as error:
        check(isehara, data)
    assert str(error.value) == (
        "The guideline 『市民参加推進指針』 is already a plan of みどり市. It cannot be imported into 伊勢原市."
    )
    # みどり市 re-importing its own guideline is an update, not a question.
    assert not check(municipality, data).ownership.refused  # type: ignore[union-attr]


# --- warnings only: the body mentions another municipality ----------------------------------


def test_a_neighbour_in_a_bullet_only_warns(isehara: Municipality, seeds_dir: Path) -> None:
    data = replaced(
        seed_text(seeds_dir, SEED_004), SEED_004_BULLET, "●厚木市との連携により" + SEED_004_BULLET[1:]
    )
    result = check(isehara, data, dry_run=False)
    assert result.record is not None and not result.record.other_municipality_confirmed
    assert result.ownership is not None and not result.ownership.refused
    [warning] = result.ownership.warnings()
    assert (
        "The text mentions 厚木市" in warning and "厚木市との連携により" in warning and "伊勢原市" in warning
    )


def test_a_neighbour_in_a_document_naming_no_municipality_only_warns(
    isehara: Municipality, seeds_dir: Path
) -> None:
    data = replaced(
        seed_text(seeds_dir, SEED_000), SEED_000_BULLET, "・厚木市との連携により、より市民に親しまれる"
    )
    result = check(isehara, data)
    assert result.ownership is not None and not result.ownership.refused
    assert [m.name for m in result.ownership.mentions] == ["厚木市"]


def test_midori_goal_declaration_into_isehara_only_warns(
    isehara: Municipality, municipality: Municipality
) -> None:
    # Its title names no municipality; its body names みどり市 (第２次みどり市総合計画): weak evidence.
    result = check(isehara, (DOCUMENTS_DIR / DEMO_GOALS).read_bytes())
    assert result.ownership is not None and not result.ownership.refused
    assert [m.name for m in result.ownership.mentions] == ["みどり市"]


def test_a_title_naming_this_municipality_and_another_only_warns(
    isehara: Municipality, seeds_dir: Path
) -> None:
    data = replaced(seed_text(seeds_dir, SEED_004), ISEHARA_TITLE, "『伊勢原市・厚木市市民参加推進指針』")
    result = check(isehara, data)
    assert result.ownership is not None and not result.ownership.refused
    assert [(m.name, m.place) for m in result.ownership.mentions] == [("厚木市", Place.TITLE)]


def test_a_ward_in_the_title_is_taken_for_a_ward_of_this_city(isehara: Municipality, seeds_dir: Path) -> None:
    # 中区 of a designated city is not another municipality: a warning, not a refusal.
    data = replaced(seed_text(seeds_dir, SEED_004), ISEHARA_TITLE, "『中区市民参加推進指針』")
    result = check(isehara, data)
    assert result.ownership is not None and not result.ownership.refused
    assert [m.name for m in result.ownership.mentions] == ["中区"]


# --- our own exports -------------------------------------------------------------------------


def test_exports_are_checked_by_the_title_they_carry(
    isehara: Municipality, municipality: Municipality, seeds_dir: Path
) -> None:
    check(isehara, (seeds_dir / SEED_004).read_bytes(), dry_run=False)
    xlsx = guideline_progress_xlsx(guideline_progress_document(Plan.objects.get(), 2018))
    pdf = guideline_pdf(seeds_dir / SEED_004)
    for name, data in (("export.xlsx", xlsx), ("export.pdf", pdf)):
        again = check(isehara, data, source=name)
        assert again.ownership is not None and not again.ownership.refused and not again.summary.changed
        with pytest.raises(OtherMunicipalityError, match=r"belongs to 伊勢原市.*into みどり市"):
            check(municipality, data, source=name)


# --- confirmed: imported, recorded and audited ------------------------------------------------


def test_a_confirmed_import_says_so_and_who_confirmed_it(
    municipality: Municipality, planner: User, seeds_dir: Path
) -> None:
    actor = Actor(user=planner, label="web import")
    result = check(
        municipality,
        (seeds_dir / SEED_004).read_bytes(),
        municipality_check=MunicipalityCheck.ACCEPT,
        actor=actor,
        dry_run=False,
    )
    record = result.record
    assert record is not None and record.other_municipality_confirmed and record.actor == planner
    assert "伊勢原市" in record.other_municipality_reason and "みどり市" in record.other_municipality_reason
    event = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(ImportRecord), object_id=str(record.pk), field=""
    )
    assert event.actor == planner and event.reason == record.other_municipality_reason
    assert ProgressEntry.objects.count() == 66 + 54


# --- the command line ------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_refuses_another_municipalitys_document(municipality: Municipality, seeds_dir: Path) -> None:
    for extra in ([], ["--dry-run"]):
        with pytest.raises(CommandError) as error:
            run(str(seeds_dir / SEED_004), "--create-missing", *extra)
        message = str(error.value)
        assert "belongs to 伊勢原市" in message and "into みどり市" in message
        assert "--accept-other-municipality" in message
    assert ProgressEntry.objects.count() == 0 and ImportRecord.objects.count() == 0


def test_command_imports_it_when_told_and_records_by_whom(
    municipality: Municipality, planner: User, seeds_dir: Path
) -> None:
    out, _err = run(
        str(seeds_dir / SEED_004),
        "--create-missing",
        "--accept-other-municipality",
        "--user",
        planner.username,
    )
    assert "Imported" in out and "Confirmed: This document belongs to 伊勢原市" in out
    record = ImportRecord.objects.get()
    assert record.other_municipality_confirmed and record.actor == planner
    assert ProgressEntry.objects.count() == 66 + 54


def test_command_prints_a_warning_for_a_neighbour_in_the_body(
    isehara: Municipality, seeds_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "isehara.txt"
    path.write_bytes(
        replaced(
            seed_text(seeds_dir, SEED_004), SEED_004_BULLET, "●厚木市との連携により" + SEED_004_BULLET[1:]
        )
    )
    out, _err = run(str(path), "--create-missing")
    assert "Imported" in out and "Warning: The text mentions 厚木市" in out
    assert not ImportRecord.objects.get().other_municipality_confirmed


# --- the web pages -----------------------------------------------------------------------------


def test_web_refuses_then_imports_once_both_municipalities_are_confirmed(
    client: Client, planner: User, municipality: Municipality, seeds_dir: Path
) -> None:
    client.force_login(planner)
    upload = SimpleUploadedFile(SEED_004, (seeds_dir / SEED_004).read_bytes())
    preview_url = client.post("/m/midori/imports/", {"file": upload})["Location"]
    page = client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This document belongs to 伊勢原市 (title: 伊勢原市市民参加推進指針)" in page
    assert "I have checked: this document of 伊勢原市 is to be imported into みどり市." in page
    assert 'name="confirm_other_municipality"' in page
    assert ProgressEntry.objects.count() == 0  # the preview wrote nothing

    commit_url = f"/m/midori/imports/{PendingImport.objects.get().pk}/commit/"
    client.post(commit_url, {"confirm_new_sections": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ProgressEntry.objects.count() == 0 and ImportRecord.objects.count() == 0
    page = client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing was imported: This document belongs to 伊勢原市" in page

    # The reason is kept as it was shown to the person who confirmed it (here in English).
    client.post(
        commit_url,
        {"confirm_new_sections": "on", "confirm_other_municipality": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    record = ImportRecord.objects.get()
    assert record.other_municipality_confirmed and record.actor == planner
    assert ProgressEntry.objects.count() == 66 + 54
    history = client.get("/m/midori/imports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirmed as another municipality's document: This document belongs to 伊勢原市" in history


def test_web_shows_a_warning_and_no_checkbox_for_a_neighbour_in_the_body(
    client: Client, isehara_planner: User, isehara: Municipality, seeds_dir: Path
) -> None:
    client.force_login(isehara_planner)
    data = replaced(
        seed_text(seeds_dir, SEED_004), SEED_004_BULLET, "●厚木市との連携により" + SEED_004_BULLET[1:]
    )
    preview_url = client.post("/m/isehara/imports/", {"file": SimpleUploadedFile("a.txt", data)})["Location"]
    page = client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The text mentions 厚木市" in page and 'name="confirm_other_municipality"' not in page
    client.post(
        f"/m/isehara/imports/{PendingImport.objects.get().pk}/commit/", {"confirm_new_sections": "on"}
    )
    assert ProgressEntry.objects.count() == 66 + 54
