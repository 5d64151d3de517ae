"""Reading and importing a 施策体系: what a city's sheet says becomes the plan, or nothing does."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.core.tables import TableError
from shinchoku.organizations.models import Municipality, Section
from shinchoku.plans.models import Indicator, Plan, PlanNode, Target
from shinchoku.policies.models import PolicyOwner
from shinchoku.policies.services import structure_import
from shinchoku.policies.structure import PolicyStructure, read_structure
from shinchoku.policies.tests.conftest import STRUCTURE

HEADER = (
    "政策番号,政策,施策番号,施策,施策の目的,担当部,担当課,区分,名称,単位,方向,基準値,基準年度,目標年度,目標値"
)


def test_reads_areas_policies_projects_and_indicators() -> None:
    structure = read_structure(STRUCTURE.encode(), source="施策体系.csv")
    assert [p.label for p in structure.policies] == ["1-1", "1-2", "2-1", "3-1"]
    assert structure.areas() == [("1", "開かれたまち"), ("2", "健全な財政"), ("3", "安心のまち")]
    first = structure.policies[0]
    assert (first.department, first.section, first.projects) == (
        "企画部",
        "企画政策課",
        ["ホームページ運営事業"],
    )
    indicator = first.indicators[0]
    assert (indicator.unit, indicator.direction, indicator.baseline, indicator.baseline_year) == (
        "件",
        "increase",
        Decimal(3500000),
        2020,
    )
    assert indicator.targets == {2025: Decimal(4500000)}
    assert structure.policies[2].indicators[0].direction == "decrease"


def test_every_problem_is_reported_with_its_line_and_column() -> None:
    rows = [
        HEADER,
        "1,開かれたまち,1-1,情報発信,,企画部,企画政策課,施策,,,,,,,",
        "1,開かれたまち,1-1,重複,,企画部,企画政策課,施策,,,,,,,",  # declared twice
        ",,1-9,,,,,主な事業,迷子の事業,,,,,,",  # no such 施策
        ",,1-1,,,,,指標,閲覧数,件,横ばい,abc,令和2年度,令和7年度,",  # direction, baseline, target
        ",,1-1,,,,,区分外,何か,,,,,,",  # unknown kind
        "2,,2-1,財政,,,財政課,,,,,,,,",  # 施策 without 政策 and 担当部
    ]
    with pytest.raises(TableError) as caught:
        read_structure("\n".join(rows).encode(), source="体系.csv")
    found = {(p.line, p.column) for p in caught.value.problems}
    assert {(3, "施策番号"), (4, "施策番号"), (5, "方向"), (5, "基準値"), (5, "目標値"), (6, "区分")} <= found
    assert {(7, "政策"), (7, "担当部")} <= found
    assert all(p.source == "体系.csv" for p in caught.value.problems)


def test_an_excel_book_reads_like_the_csv() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["令和8年度 施策体系"])  # a title above the header, as cities write them
    for line in STRUCTURE.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = read_structure(buffer.getvalue(), source="体系.xlsx")
    from_csv = read_structure(STRUCTURE.encode(), source="体系.csv")

    def content(structure: PolicyStructure) -> list[tuple[object, ...]]:
        return [
            (
                p.label,
                p.title,
                p.purpose,
                p.section,
                p.projects,
                [(i.name, i.baseline, i.targets) for i in p.indicators],
            )
            for p in structure.policies
        ]

    assert content(from_xlsx) == content(from_csv)
    assert from_xlsx.policies[0].line == 3  # the sheet's own row: a title, the header, then it


cell = st.text(
    alphabet=st.sampled_from("施策政策事業市民協働まち子育て安心ー・（）abc123"), min_size=1, max_size=20
)


@settings(max_examples=60, deadline=None)
@given(
    policies=st.lists(
        st.tuples(cell, cell, st.lists(cell, max_size=3, unique=True), st.integers(0, 10**12)),
        min_size=1,
        max_size=6,
    )
)
def test_generated_structures_read_back_exactly(policies: list[tuple[str, str, list[str], int]]) -> None:
    """Any 施策体系 written in the layout reads back as written: titles, projects, targets."""
    lines = [HEADER]
    for number, (title, purpose, projects, target) in enumerate(policies, start=1):
        label = f"1-{number}"
        lines.append(f"1,政策,{label},{title},{purpose},企画部,企画政策課,施策,,,,,,,")
        lines += [f"1,政策,{label},,,,,主な事業,{p},,,,,," for p in projects]
        lines.append(
            f"1,政策,{label},,,,,指標,指標{number},件,増加,0,2020,2025,{target:,}".replace(",", "，", 0)
        )
    # Targets with thousands separators must be quoted in a CSV.
    lines = [line if "指標" not in line else _quote_last(line) for line in lines]
    structure = read_structure("\n".join(lines).encode(), source="g.csv")
    assert [(p.title, p.purpose, p.projects) for p in structure.policies] == [
        (title, purpose, projects) for title, purpose, projects, _ in policies
    ]
    assert [p.indicators[0].targets for p in structure.policies] == [{2025: Decimal(t)} for *_, t in policies]


def _quote_last(line: str) -> str:
    head, _, _ = line.partition(",2020,2025,")
    value = line.split(",2020,2025,", 1)[1]
    return f'{head},2020,2025,"{value}"'


def test_import_builds_the_plan_and_is_idempotent(
    world: object, municipality: Municipality, section: Section, actor: Actor
) -> None:
    plan = Plan.objects.get(municipality=municipality, name="みどり市第5次総合計画")
    assert plan.kind == Plan.Kind.COMPREHENSIVE and (plan.start_year, plan.end_year) == (2021, 2030)
    policies = PlanNode.objects.filter(plan=plan, kind=PlanNode.Kind.POLICY).order_by("path")
    assert [(p.label, p.parent.label) for p in policies] == [
        ("1-1", "1"),
        ("1-2", "1"),
        ("2-1", "2"),
        ("3-1", "3"),
    ]
    assert PolicyOwner.objects.get(policy__label="1-1").section == section
    indicator = Indicator.objects.get(plan_node__label="2-1")
    assert indicator.formula == Indicator.Formula.DECREASE and indicator.prorate_target
    assert list(Target.objects.filter(indicator=indicator).values_list("fiscal_year", "value")) == [
        (2025, Decimal(29000000000))
    ]
    events = AuditEvent.objects.count()
    again = structure_import(
        municipality=municipality,
        plan_name=plan.name,
        start_year=2021,
        end_year=2030,
        structure=read_structure(STRUCTURE.encode(), source="施策体系.csv"),
        source="施策体系.csv",
        actor=actor,
    )
    assert (again.created, again.updated) == (0, 0)
    assert AuditEvent.objects.count() == events


def test_unknown_sections_refuse_the_whole_file(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    text = STRUCTURE.replace(
        "健全な財政運営,将来世代に負担を残さない。,企画部,財政課", "健全な財政運営,,企画部,存在しない課"
    )
    with pytest.raises(TableError) as caught:
        structure_import(
            municipality=municipality,
            plan_name="計画",
            start_year=2021,
            end_year=2030,
            structure=read_structure(text.encode(), source="体系.csv"),
            source="体系.csv",
            actor=actor,
        )
    messages = [str(p) for p in caught.value.problems]
    assert any("存在しない課" in m and "6行目" in m for m in messages), messages
    assert not Plan.objects.filter(name="計画").exists()
    assert not PlanNode.objects.exists()


def test_a_section_name_two_departments_share_is_the_named_departments(
    municipality: Municipality, department: object, section: Section, actor: Actor
) -> None:
    from shinchoku.organizations.services import department_create, section_create

    other = department_create(municipality=municipality, name="教育部", position=2, actor=actor)
    theirs = section_create(municipality=municipality, department=other, name="企画政策課", actor=actor)
    text = "政策番号,政策,施策番号,施策,担当部,担当課\n1,学び,1-1,学校教育,教育部,企画政策課\n2,行政,2-1,行政経営,企画部,企画政策課\n"
    structure_import(
        municipality=municipality,
        plan_name="計画",
        start_year=2021,
        end_year=2030,
        structure=read_structure(text.encode(), source="x.csv"),
        source="x.csv",
        actor=actor,
    )
    assert PolicyOwner.objects.get(policy__label="1-1").section == theirs
    assert PolicyOwner.objects.get(policy__label="2-1").section == section


def test_figures_and_texts_too_long_to_keep_are_problems() -> None:
    long_label = "1-" + "9" * 30
    rows = [
        HEADER,
        f"1,政策,{long_label},施策,,企画部,企画政策課,施策,,,,,,,",
        "1,政策,1-1,施策,,企画部,企画政策課,施策,,,,,,,",
        ",,1-1,,,,,指標,閲覧数,件,増加,1,2020,2025," + "9" * 25,
    ]
    with pytest.raises(TableError) as caught:
        read_structure("\n".join(rows).encode(), source="x.csv")
    found = {(p.line, p.column) for p in caught.value.problems}
    assert {(2, "施策番号"), (4, "目標値")} <= found


def test_a_guideline_is_not_taken_for_the_comprehensive_plan(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    from django.core.exceptions import ValidationError

    Plan.objects.create(municipality=municipality, name="市民協働推進指針", kind=Plan.Kind.GUIDELINE)
    with pytest.raises(ValidationError) as caught:
        structure_import(
            municipality=municipality,
            plan_name="市民協働推進指針",
            start_year=2021,
            end_year=2030,
            structure=read_structure(STRUCTURE.encode(), source="x.csv"),
            source="x.csv",
            actor=actor,
        )
    assert "plan_name" in caught.value.message_dict
    assert not PlanNode.objects.exists()
