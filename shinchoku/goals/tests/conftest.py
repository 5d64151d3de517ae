import pytest

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.goals.services import goal_declaration_create
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, section_create

YEAR = 2025


@pytest.fixture
def sibling_section(municipality: Municipality, department: Department, actor: Actor) -> Section:
    """Another section of ``department``."""
    return section_create(
        municipality=municipality, department=department, name="財政課", position=2, actor=actor
    )


@pytest.fixture
def other_department(municipality: Municipality, actor: Actor) -> Department:
    return department_create(municipality=municipality, name="総務部", position=2, actor=actor)


@pytest.fixture
def foreign_section(municipality: Municipality, other_department: Department, actor: Actor) -> Section:
    return section_create(
        municipality=municipality, department=other_department, name="総務課", position=3, actor=actor
    )


@pytest.fixture
def declaration(municipality: Municipality, department: Department, actor: Actor) -> GoalDeclaration:
    return goal_declaration_create(
        municipality=municipality, department=department, fiscal_year=YEAR, actor=actor
    )
