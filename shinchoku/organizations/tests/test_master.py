"""The organisation master file: reading, the plan of changes, applying it, exporting it again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.core.tables import TableError
from shinchoku.organizations import master as master_module
from shinchoku.organizations.master import (
    Action,
    MasterChangedError,
    master_apply,
    master_export,
    master_plan,
    master_read,
)
from shinchoku.organizations.models import (
    Department,
    Municipality,
    Section,
    SectionAlias,
    SectionSuccession,
    SuccessionKind,
)
from shinchoku.organizations.services import department_create, section_create, section_succeed

HEADER = "部,課,係,有効開始年度,有効終了年度,旧名称,表示順"
SAMPLE = Path(__file__).resolve().parents[3] / "docs" / "samples" / "organization.csv"
YEAR = 2025


def csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join((HEADER, *lines)).encode(encoding)


def xlsx(*rows: list[object], header: list[str] | None = None, title_row: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title_row:
        sheet.append(["令和7年度 組織表"])
    sheet.append(header or HEADER.split(","))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def plan_of(municipality: Municipality, data: bytes, year: int = YEAR, source: str = "org.csv"):  # type: ignore[no-untyped-def]
    return master_plan(municipality=municipality, master=master_read(data, source=source), fiscal_year=year)


def apply(municipality: Municipality, data: bytes, actor: Actor, year: int = YEAR):  # type: ignore[no-untyped-def]
    plan = plan_of(municipality, data, year)
    master_apply(municipality=municipality, plan=plan, actor=actor)
    return plan


def problems_of(data: bytes, source: str = "org.csv") -> list[tuple[int | None, str, str]]:
    with pytest.raises(TableError) as error:
        master_read(data, source=source)
    return [(p.line, p.column, p.cell) for p in error.value.problems]


# Reading


def test_reading_merges_the_rows_of_a_section_and_notes_the_ignored_subsections(db: None) -> None:
    master = master_read(
        csv(
            "企画部,,,,,,1",
            "企画部,経営企画課,企画係,,,,2",
            "企画部,経営企画課,調整係,,,,2",
            ",議会事務局,,,,,9",
        ),
        source="org.csv",
    )
    assert [d.name for d in master.departments] == ["企画部"]
    assert [(s.name, s.department, s.line) for s in master.sections] == [
        ("経営企画課", "企画部", 3),
        ("議会事務局", "", 5),  # an empty 部: outside any department
    ]
    assert len(master.warnings) == 1 and "3, 4" in master.warnings[0].message


def test_errors_name_the_file_the_line_the_column(db: None) -> None:
    data = csv(
        "企画部,経営企画課,,令和6年,,,",  # a calendar year, not a fiscal year
        "企画部,財政課,,2024,2020,,",  # ends before it starts
        "企画部,広報課,,,,,三",  # not a number
        ",,調整係,,,,",  # a 係 without its 課
        "企画部,経営企画課,,,,,5",  # the same 課 again with another order… fine (first has none)
        "総務部,経営企画課,,,,,",  # …but under another 部: refused
    )
    assert problems_of(data) == [
        (2, "有効開始年度", ""),
        (3, "有効終了年度", ""),
        (4, "表示順", ""),
        (5, "係", ""),
        (7, "部", ""),
    ]
    with translation.override("en"):
        with pytest.raises(TableError) as error:
            master_read(data, source="org.csv")
        first = str(error.value.problems[0])
    assert first.startswith("org.csv: line 2, column 有効開始年度: 令和6年 is not a fiscal year")


def test_errors_in_a_sheet_name_the_cell(db: None) -> None:
    data = xlsx(
        ["企画部", "経営企画課", None, "R6", None, None, None],
        ["企画部", "財政課", None, "X9"],
        title_row=True,
    )
    assert problems_of(data, "org.xlsx") == [(4, "有効開始年度", "D4")]


def test_a_missing_column_or_an_unreadable_file_is_refused(db: None) -> None:
    with translation.override("en"), pytest.raises(TableError) as error:
        master_read("部,係\r\n企画部,x".encode(), source="org.csv")
    assert "課" in str(error.value)
    with pytest.raises(TableError):
        master_read(b"\xd0\xcf\x11\xe0 old excel", source="org.xls")
    with pytest.raises(TableError):
        master_read(HEADER.encode(), source="org.csv")  # no rows


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_utf8_with_or_without_bom_and_in_shift_jis(db: None, encoding: str) -> None:
    master = master_read(csv("企画部,経営企画課,,令和６年度,,企画課、企画調整課,"), source="org.csv")
    master_other = master_read(
        csv("企画部,経営企画課,,令和６年度,,企画課、企画調整課,", encoding=encoding), source="org.csv"
    )
    assert master_other.sections[0].name == master.sections[0].name == "経営企画課"
    assert master_other.sections[0].valid_from == 2024
    assert master_other.sections[0].former_names == ("企画課", "企画調整課")


def test_xlsx_with_a_title_row_and_other_spellings_of_the_headers(db: None) -> None:
    data = xlsx(
        ["企画部", "経営企画課", 2024, None],
        [None, "会計課", "H31", "令和元年度"],
        header=["部名", "課名", "開始年度", "終了年度"],
        title_row=True,
    )
    master = master_read(data, source="org.xlsx")
    assert [(s.name, s.department, s.valid_from, s.valid_to, s.line) for s in master.sections] == [
        ("経営企画課", "企画部", 2024, None, 3),
        ("会計課", "", 2019, 2019, 4),
    ]


# Planning and applying


@pytest.fixture
def midori(municipality: Municipality, actor: Actor) -> Municipality:
    """企画部 (経営企画課, 広報広聴課, 税務課) and 議会事務局 outside any department."""
    kikaku = department_create(municipality=municipality, name="企画部", position=1, actor=actor)
    for position, name in enumerate(("経営企画課", "広報広聴課", "税務課"), start=2):
        section_create(
            municipality=municipality, department=kikaku, name=name, position=position, actor=actor
        )
    section_create(municipality=municipality, name="議会事務局", position=9, actor=actor)
    return municipality


CURRENT = (
    "企画部,,,,,,1",
    "企画部,経営企画課,,,,,2",
    "企画部,広報広聴課,,,,,3",
    "企画部,税務課,,,,,4",
    ",議会事務局,,,,,9",
)


def test_the_first_import_creates_everything_through_the_audited_services(
    municipality: Municipality, actor: Actor
) -> None:
    plan = apply(municipality, SAMPLE.read_bytes(), actor)
    counts = plan.counts()
    assert counts[Action.NEW] == Department.objects.count() + Section.objects.count() == 31
    council = Section.objects.get(name="議会事務局")
    assert council.department is None and council.valid_from is None
    assert Section.objects.get(name="広報戦略課").valid_from == 2024
    assert SectionAlias.objects.filter(section__name="経営企画課", name="企画課").exists()
    audited = set(AuditEvent.objects.filter(action="create", field="").values_list("object_repr", flat=True))
    assert {"企画部", "議会事務局", "企画課 → 経営企画課"} <= audited


def test_unchanged_file_plans_nothing(midori: Municipality) -> None:
    plan = plan_of(midori, csv(*CURRENT))
    assert not plan.changed and plan.counts()[Action.UNCHANGED] == 5


def test_a_former_name_of_a_section_in_place_is_a_rename(midori: Municipality, actor: Actor) -> None:
    lines = [line.replace("広報広聴課,,,,,3", "広報戦略課,,,,広報広聴課,3") for line in CURRENT]
    plan = apply(midori, csv(*lines), actor)
    assert [c.name for c in plan.of(Action.RENAMED)] == ["広報戦略課"]
    assert plan.of(Action.ABOLISHED) == [] and plan.of(Action.NEW) == []
    old, new = Section.objects.get(name="広報広聴課"), Section.objects.get(name="広報戦略課")
    assert (old.valid_to, new.valid_from, new.department) == (YEAR - 1, YEAR, old.department)
    succession = SectionSuccession.objects.get()
    assert (succession.predecessor, succession.successor, succession.kind, succession.fiscal_year) == (
        old,
        new,
        SuccessionKind.RENAMED,
        YEAR,
    )
    assert list(new.aliases.values_list("name", flat=True)) == ["広報広聴課"]
    # The same file again: nothing more to do.
    assert not plan_of(midori, csv(*lines)).changed


def test_two_former_sections_into_one_is_a_merge(midori: Municipality, actor: Actor) -> None:
    lines = [*CURRENT[:2], "企画部,広報税務課,,,,広報広聴課、税務課,3", CURRENT[4]]
    plan = apply(midori, csv(*lines), actor)
    assert [c.name for c in plan.of(Action.RENAMED)] == ["広報税務課"]
    assert set(SectionSuccession.objects.values_list("kind", flat=True)) == {SuccessionKind.MERGED}
    assert Section.objects.get(name="税務課").valid_to == YEAR - 1


def test_a_section_absent_from_the_file_or_with_an_end_year_is_abolished(
    midori: Municipality, actor: Actor
) -> None:
    lines = [CURRENT[0], CURRENT[1], "企画部,広報広聴課,,,令和7年度,,3", CURRENT[4]]  # 税務課 absent
    plan = apply(midori, csv(*lines), actor)
    assert sorted(c.name for c in plan.of(Action.ABOLISHED)) == ["広報広聴課", "税務課"]
    assert Section.objects.get(name="税務課").valid_to == YEAR - 1
    assert Section.objects.get(name="広報広聴課").valid_to == YEAR
    # History stays: an abolished section is not deleted, and a later file need not list it.
    assert Section.objects.count() == 4
    assert not plan_of(midori, csv(*lines)).changed
    assert not plan_of(midori, csv(*lines), year=YEAR + 1).changed  # next year, the row is history


def test_a_row_of_history_ends_the_section_in_place(midori: Municipality, actor: Actor) -> None:
    lines = [*CURRENT[:3], "企画部,税務課,,,2023,,4", CURRENT[4]]
    plan = apply(midori, csv(*lines), actor)
    assert [(c.name, c.action) for c in plan.changes if c.action != Action.UNCHANGED] == [
        ("税務課", Action.ABOLISHED)
    ]
    assert Section.objects.filter(name="税務課").get().valid_to == 2023


def test_a_new_section_starts_in_the_year_of_the_file_and_moves_are_changes(
    midori: Municipality, actor: Actor
) -> None:
    lines = [*CURRENT, "総務部,,,,,,5", "総務部,税務課,,,,,4", "企画部,デジタル推進課,,,,,6"]
    lines.remove(CURRENT[3])
    plan = apply(midori, csv(*lines), actor)
    assert sorted(c.name for c in plan.of(Action.NEW)) == ["デジタル推進課", "総務部"]
    assert [c.name for c in plan.of(Action.CHANGED)] == ["税務課"]
    assert Section.objects.get(name="デジタル推進課").valid_from == YEAR
    assert Section.objects.get(name="税務課").department == Department.objects.get(name="総務部")


def test_a_section_not_yet_started_cannot_be_dropped_silently(midori: Municipality, actor: Actor) -> None:
    section_create(municipality=midori, name="未来課", valid_from=YEAR + 1, actor=actor)
    with pytest.raises(TableError) as error:
        plan_of(midori, csv(*CURRENT))
    assert "未来課" in str(error.value)


def test_a_bad_row_stops_the_whole_file(midori: Municipality, actor: Actor) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(TableError):
        apply(midori, csv(*CURRENT, "総務部,,,,,,7", "総務部,総務課,,R99X,,,8"), actor)
    assert not Department.objects.filter(name="総務部").exists()
    assert AuditEvent.objects.count() == before


def test_a_failure_while_applying_rolls_everything_back(
    midori: Municipality, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_of(midori, csv(*CURRENT, "総務部,総務課,,,,,7", "総務部,職員課,,,,,8"))
    calls = []

    def failing(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return section_create(**kwargs)

    monkeypatch.setattr(master_module, "section_create", failing)
    before = (Department.objects.count(), Section.objects.count(), AuditEvent.objects.count())
    with pytest.raises(RuntimeError):
        master_apply(municipality=midori, plan=plan, actor=actor)
    assert calls == ["総務課", "職員課"]
    assert (Department.objects.count(), Section.objects.count(), AuditEvent.objects.count()) == before


def test_a_plan_is_refused_once_the_master_has_changed(midori: Municipality, actor: Actor) -> None:
    plan = plan_of(midori, csv(*CURRENT, ",会計課,,,,,10"))
    section_create(municipality=midori, name="監査委員事務局", actor=actor)
    with pytest.raises(MasterChangedError):
        master_apply(municipality=midori, plan=plan, actor=actor)
    assert not Section.objects.filter(name="会計課").exists()


# Exporting


@pytest.fixture
def with_history(midori: Municipality, actor: Actor) -> Municipality:
    """A rename, an alias, a department that ended, a section that ended without a start year."""
    kikaku = Department.objects.get(name="企画部")
    old = Section.objects.get(name="広報広聴課")
    old.valid_to = 2023
    old.save()
    new = section_create(
        municipality=midori,
        department=kikaku,
        name="広報課",
        valid_from=2024,
        aliases=["広報広聴課"],
        actor=actor,
    )
    section_succeed(
        predecessor=old, successor=new, kind=SuccessionKind.RENAMED, fiscal_year=2024, actor=actor
    )
    department_create(
        municipality=midori, name="旧建設部", valid_from=2010, valid_to=2019, position=8, actor=actor
    )
    return midori


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(with_history: Municipality, fmt: str) -> None:
    data = master_export(with_history, format=fmt)
    plan = plan_of(with_history, data, source=f"org.{fmt}")
    assert not plan.changed, [c.describe() for c in plan.changes if c.action != Action.UNCHANGED]
    assert plan.counts()[Action.UNCHANGED] == Department.objects.count() + Section.objects.count()


def test_the_export_is_the_layout(with_history: Municipality) -> None:
    lines = master_export(with_history, format="csv").decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert "企画部,広報広聴課,,,2023,,3" in lines
    assert "企画部,広報課,,2024,,広報広聴課,0" in lines
    assert lines[-1] == ",議会事務局,,,,,9"


# The commands


def test_import_command_dry_run_writes_nothing(midori: Municipality, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "org.csv"
    path.write_bytes(csv(*CURRENT[:3], CURRENT[4], ",会計課,,,,,10"))
    before = (Section.objects.count(), AuditEvent.objects.count())
    with translation.override("en"):
        call_command(
            "organization_import", str(path), "--municipality", "midori", "--dry-run", "--fiscal-year", "R7"
        )
    out = capsys.readouterr().out
    assert "New 1, Renamed 0, Abolished 1, Changed 0, Unchanged 4" in out
    assert "会計課 (line 6)" in out and "税務課" in out
    assert (Section.objects.count(), AuditEvent.objects.count()) == before
    with translation.override("en"):
        call_command("organization_import", str(path), "--municipality", "992011", "--fiscal-year", "2025")
    assert Section.objects.get(name="会計課").valid_from == 2025
    assert Section.objects.get(name="税務課").valid_to == 2024


def test_import_command_refuses_a_bad_file_with_its_places(midori: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(csv(*CURRENT, "総務部,総務課,,R99X,,,8"))
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("organization_import", str(path), "--municipality", "midori")
    assert "org.csv: line 7, column 有効開始年度" in str(error.value)
    with pytest.raises(CommandError):
        call_command("organization_import", str(path), "--municipality", "nowhere")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_command_round_trip(with_history: Municipality, tmp_path: Path, suffix: str, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"org.{suffix}"
    call_command("organization_export", "--municipality", "midori", "-o", str(path))
    before = AuditEvent.objects.count()
    with translation.override("en"):
        call_command("organization_import", str(path), "--municipality", "midori")
    assert "New 0, Renamed 0, Abolished 0, Changed 0" in capsys.readouterr().out
    assert AuditEvent.objects.count() == before
