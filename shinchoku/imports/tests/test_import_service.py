"""The import service on the real seeds: exact records, idempotence, corrections, all-or-nothing."""

from decimal import Decimal
from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.documents.schema import ImportFormatError
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import UnknownSectionsError, department_create, section_create
from shinchoku.plans.models import Indicator, Measurement, PlanNode, Target
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry
from shinchoku.testing import SEED_000, SEED_004


@pytest.fixture
def isehara_master(municipality: Municipality, actor: Actor) -> Department:
    department = department_create(municipality=municipality, name="企画部", actor=actor)
    for name in ("経営企画課", "財政課", "広報広聴課"):
        section_create(municipality=municipality, department=department, name=name, actor=actor)
    return department


def business_counts() -> dict[str, int]:
    models = [
        GoalDeclaration,
        Goal,
        Indicator,
        Target,
        Measurement,
        PlanNode,
        InitiativeRow,
        ProgressEntry,
        Section,
    ]
    return {m.__name__: m.objects.count() for m in models} | {"audit": AuditEvent.objects.count()}


def test_goal_declaration_seed_is_imported_exactly(
    municipality: Municipality, isehara_master: Department, actor: Actor, seeds_dir: Path
) -> None:
    data = (seeds_dir / SEED_000).read_bytes()
    result = report_import(municipality=municipality, data=data, source=SEED_000, actor=actor)
    declaration = GoalDeclaration.objects.get()
    assert (declaration.fiscal_year, declaration.department, declaration.declarer_name) == (
        2016,
        isehara_master,
        "山口 清治",
    )
    goals = {g.number: g for g in declaration.goals.prefetch_related("sections", "indicators")}
    assert sorted(goals) == list(range(1, 11))
    assert goals[8].number_inferred and goals[9].number_inferred and not goals[7].number_inferred
    assert [s.name for s in goals[3].sections.all()] == ["財政課"]
    assert goals[6].title.endswith("まちづくり市民ファンドの充実")

    def series(number: int) -> list[tuple[str, list[tuple[int, Decimal, bool, bool]]]]:
        out = []
        for indicator in goals[number].indicators.order_by("position"):
            target = indicator.targets.first()
            out.append(
                (
                    str(target.value.normalize()) if target else "-",
                    [
                        (m.fiscal_year, m.value.normalize(), m.approximate, m.provisional)
                        for m in indicator.measurements.order_by("fiscal_year")
                    ],
                )
            )
        return out

    assert series(3) == [("1E+9", [(2016, Decimal("1.277E+9"), True, False)])]
    assert series(7)[0][0] == "4.5E+6" and series(7)[0][1][0][1] == Decimal("4238714")
    assert series(7)[1][0] == "3E+2" and series(7)[1][1][0][1] == Decimal("398")
    assert [s[0] for s in series(10)] == ["1E+1", "15"]
    assert series(1) == []
    assert not result.summary.deleted


def test_reimporting_the_same_document_changes_nothing(
    municipality: Municipality, isehara_master: Department, actor: Actor, seeds_dir: Path
) -> None:
    data = (seeds_dir / SEED_000).read_bytes()
    report_import(municipality=municipality, data=data, source=SEED_000, actor=actor)
    before = business_counts()
    again = report_import(municipality=municipality, data=data, source=SEED_000, actor=actor)
    assert not again.summary.changed
    assert business_counts() == before


def test_a_corrected_document_updates_in_place_and_is_audited(
    municipality: Municipality, isehara_master: Department, actor: Actor, seeds_dir: Path
) -> None:
    text = (seeds_dir / SEED_000).read_text(encoding="utf-8")
    report_import(municipality=municipality, data=text.encode(), source=SEED_000, actor=actor)
    measurement = Measurement.objects.get(value=Decimal("398"))
    corrected = text.replace("398件", "399件")
    assert corrected != text
    result = report_import(
        municipality=municipality, data=corrected.encode(), source=SEED_000, actor=Actor(label="correction")
    )
    assert sum(result.summary.updated.values()) >= 1 and not result.summary.created
    measurement.refresh_from_db()
    assert measurement.value == Decimal("399") and measurement.version == 2
    event = AuditEvent.objects.get(field="value", actor_label="correction", object_id=str(measurement.pk))
    assert (event.old_value, event.new_value) == ("398", "399")


def test_unknown_sections_stop_the_import_and_nothing_is_written(
    municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    department_create(municipality=municipality, name="企画部", actor=actor)
    before = business_counts()
    with pytest.raises(UnknownSectionsError) as error:
        report_import(
            municipality=municipality, data=(seeds_dir / SEED_000).read_bytes(), source=SEED_000, actor=actor
        )
    assert error.value.names == ["広報広聴課", "経営企画課", "財政課"]
    assert business_counts() == before


def test_dry_run_writes_nothing(municipality: Municipality, actor: Actor, seeds_dir: Path) -> None:
    before = business_counts()
    result = report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_004).read_bytes(),
        source=SEED_004,
        actor=actor,
        dry_run=True,
        create_missing=True,
    )
    assert sum(result.summary.created.values()) > 100
    assert business_counts() == before


def test_guideline_seed_is_imported_exactly(
    municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_004).read_bytes(),
        source=SEED_004,
        actor=actor,
        create_missing=True,
    )
    assert PlanNode.objects.filter(kind=PlanNode.Kind.INITIATIVE).count() == 33
    assert PlanNode.objects.filter(kind=PlanNode.Kind.CHAPTER).count() == 5
    assert InitiativeRow.objects.count() == 34
    assert ProgressEntry.objects.filter(kind="result", fiscal_year=2018).count() == 66
    assert ProgressEntry.objects.filter(kind="plan", fiscal_year=2019).count() == 54
    codes = set(InitiativeRow.objects.values_list("classification__code", flat=True))
    assert codes <= {"I", "II", "III", "IV", "V"}
    # A bullet naming an outside body and a section keeps both, in document order.
    body = EntryResponsible.objects.get(body_name="市野球協会学童部")
    parties = [str(r) for r in body.entry.responsibles.all()]
    assert parties == ["市野球協会学童部", "国際交流委員会"]
    joint = ProgressEntry.objects.filter(text__contains="国際交流2019", kind="plan").get()
    assert [str(r) for r in joint.responsibles.all()] == ["市民協働課", "教育指導課"]
    # Re-import is a no-op.
    again = report_import(
        municipality=municipality, data=(seeds_dir / SEED_004).read_bytes(), source=SEED_004, actor=actor
    )
    assert not again.summary.changed


def test_shift_jis_file_imports_like_utf8(municipality: Municipality, actor: Actor, seeds_dir: Path) -> None:
    text = (seeds_dir / SEED_004).read_text(encoding="utf-8")
    result = report_import(
        municipality=municipality,
        data=text.encode("cp932"),
        source="sjis.txt",
        actor=actor,
        create_missing=True,
    )
    assert ProgressEntry.objects.count() == 66 + 54
    assert result.document.to_json()["guideline"] == "伊勢原市市民参加推進指針"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\n \n", "empty"),
        ("junk.bin", bytes(range(256)) * 8, "binary"),
        (
            "latin1.txt",
            "caf\xe9 cr\xe8me br\xfbl\xe9e \xff\xfe".encode("latin-1") * 3,
            "neither UTF-8 nor Shift_JIS",
        ),
        (
            "letter.txt",
            "拝啓 時下ますますご清栄のこととお喜び申し上げます。\n敬具\n".encode(),
            "unknown layout",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    municipality: Municipality, actor: Actor, name: str, data: bytes, reason: str
) -> None:
    before = business_counts()
    with pytest.raises(ImportFormatError) as error:
        report_import(municipality=municipality, data=data, source=name, actor=actor, create_missing=True)
    assert name in str(error.value) and reason in str(error.value)
    assert business_counts() == before


@pytest.mark.parametrize("seed", [SEED_000, SEED_004])
def test_truncated_seed_is_refused_with_a_line(
    municipality: Municipality, isehara_master: Department, actor: Actor, seeds_dir: Path, seed: str
) -> None:
    text = (seeds_dir / seed).read_text(encoding="utf-8")
    truncated = text[: len(text) * 2 // 5]
    before = business_counts()
    with pytest.raises(ImportFormatError) as error:
        report_import(
            municipality=municipality, data=truncated.encode(), source=seed, actor=actor, create_missing=True
        )
    assert seed in str(error.value) and "line" in str(error.value)
    assert business_counts() == before
