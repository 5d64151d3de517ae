"""Shared fixtures: a small municipality with personas, and a second one as the outsider."""

from __future__ import annotations

from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, municipality_create, section_create

SEEDS_DIR = Path(__file__).resolve().parent.parent / "shared" / "seeds"
TEST_ACTOR = Actor(label="tests")


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.fail(f"The seed documents are expected in {SEEDS_DIR} (../shared/seeds beside the checkout).")
    return SEEDS_DIR


@pytest.fixture
def actor() -> Actor:
    return TEST_ACTOR


@pytest.fixture
def municipality(db: None) -> Municipality:
    return municipality_create(code="992011", name="みどり市", prefecture="架空県", slug="midori", actor=TEST_ACTOR)


@pytest.fixture
def other_municipality(db: None) -> Municipality:
    # 992020 is another fictional code with a valid check digit.
    return municipality_create(code="992020", name="そら町", prefecture="架空県", slug="sora", actor=TEST_ACTOR)


@pytest.fixture
def department(municipality: Municipality) -> Department:
    return department_create(municipality=municipality, name="企画部", actor=TEST_ACTOR)


@pytest.fixture
def section(municipality: Municipality, department: Department) -> Section:
    return section_create(municipality=municipality, department=department, name="企画政策課", actor=TEST_ACTOR)
