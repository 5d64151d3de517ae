from datetime import date

import pytest

from shinchoku.core.audit import Actor
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
    return round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="令和7年度 目標達成状況の照会",
        deadline=DEADLINE,
        sections=[section, sibling_section, foreign_section],
        actor=actor,
        today=TODAY,
    )
