from datetime import date

import pytest

from shinchoku.core.audit import Actor
from shinchoku.goals.services import goal_declaration_create
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, section_create
from shinchoku.workflow.models import CollectionRound, DocumentKind
from shinchoku.workflow.services import round_open

TODAY = date(2026, 5, 1)
DEADLINE = date(2026, 5, 20)


@pytest.fixture
def sibling_section(municipality: Municipality, department: Department, actor: Actor) -> Section:
    """Another section of ``department``: its head sees it, ``section``'s head and staff do not."""
    return section_create(
        municipality=municipality, department=department, name="財政課", position=2, actor=actor
    )


@pytest.fixture
def other_department(municipality: Municipality, actor: Actor) -> Department:
    return department_create(municipality=municipality, name="総務部", position=2, actor=actor)


@pytest.fixture
def foreign_section(municipality: Municipality, other_department: Department, actor: Actor) -> Section:
    """A section of another department of the same municipality."""
    return section_create(
        municipality=municipality, department=other_department, name="総務課", position=3, actor=actor
    )


@pytest.fixture
def collection_round(
    municipality: Municipality,
    section: Section,
    sibling_section: Section,
    foreign_section: Section,
    actor: Actor,
) -> CollectionRound:
    # A year-end round asks for declarations that exist: both departments declared in 2025.
    departments = [section.department, foreign_section.department]
    for department in departments:
        goal_declaration_create(
            municipality=municipality, department=department, fiscal_year=2025, actor=actor
        )
    return round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="令和7年度 目標達成状況の照会",
        deadline=DEADLINE,
        sections=[section, sibling_section, foreign_section],
        departments=departments,
        actor=actor,
        today=TODAY,
    )


# --- a guideline with last year's plans, for the entry workspace ---------------------------

from shinchoku.plans.models import Classification, Plan, PlanNode  # noqa: E402
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry  # noqa: E402

RESULT_YEAR = 2025  # the round asks for FY2025 results and FY2026 plans


def make_guideline(municipality: Municipality, initiatives: int = 1) -> tuple[Plan, list[InitiativeRow]]:
    """A guideline with ``initiatives`` initiatives and one FY2024 row each (plans for FY2025 go in it)."""
    plan = Plan.objects.create(
        municipality=municipality, name="みどり市市民協働推進指針", kind=Plan.Kind.GUIDELINE
    )
    classification = Classification.objects.create(plan=plan, code="II", label="継続・充実", position=1)
    chapter = PlanNode.objects.create(
        plan=plan, kind=PlanNode.Kind.CHAPTER, title="市民参画", position=1, path="0001"
    )
    rows = []
    for i in range(1, initiatives + 1):
        node = PlanNode.objects.create(
            plan=plan,
            parent=chapter,
            kind=PlanNode.Kind.INITIATIVE,
            title=f"取り組み{i}",
            position=i,
            path=f"0001.{i:04d}",
        )
        rows.append(
            InitiativeRow.objects.create(
                initiative=node,
                fiscal_year=RESULT_YEAR - 1,
                position=1,
                classification=classification,
                policy="継続",
            )
        )
    return plan, rows


def add_entry(
    row: InitiativeRow, kind: str, text: str, *sections: Section, position: int | None = None
) -> ProgressEntry:
    if position is None:
        position = row.entries.filter(kind=kind).count() + 1
    year = row.fiscal_year if kind == ProgressEntry.Kind.RESULT else row.fiscal_year + 1
    entry = ProgressEntry.objects.create(row=row, kind=kind, fiscal_year=year, position=position, text=text)
    for i, section in enumerate(sections):
        EntryResponsible.objects.create(entry=entry, position=i, section=section)
    return entry


@pytest.fixture
def guideline(
    municipality: Municipality, section: Section, sibling_section: Section
) -> tuple[Plan, list[InitiativeRow]]:
    """Last year's report: plans for FY2025 of ``section`` (one shared with ``sibling_section``)."""
    plan, rows = make_guideline(municipality, 2)
    add_entry(rows[0], ProgressEntry.Kind.RESULT, "市民意識調査を実施した。", section)
    add_entry(rows[0], ProgressEntry.Kind.PLAN, "市民意識調査を実施し、施策評価に活用する。", section)
    add_entry(rows[1], ProgressEntry.Kind.PLAN, "外部評価委員会で施策を評価する。", section, sibling_section)
    add_entry(rows[1], ProgressEntry.Kind.PLAN, "予算編成の資料を公表する。", sibling_section)
    return plan, rows


@pytest.fixture
def guideline_round(
    municipality: Municipality, section: Section, sibling_section: Section, guideline, actor: Actor
) -> CollectionRound:
    return round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind=DocumentKind.GUIDELINE_PROGRESS,
        title="令和7年度 市民協働推進指針の進捗照会",
        deadline=DEADLINE,
        sections=[section, sibling_section],
        actor=actor,
        plan=guideline[0],
        today=TODAY,
    )
