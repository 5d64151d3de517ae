"""Fixtures of the evaluation tests: the seeds imported through the real import service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.services import department_create, section_create
from shinchoku.plans.models import Plan
from shinchoku.testing import SEED_000, SEED_004


@pytest.fixture
def isehara_master(municipality: Municipality, actor: Actor) -> Department:
    """企画部 and the three sections seed 000 names, as the planning section would set them up."""
    department = department_create(municipality=municipality, name="企画部", actor=actor)
    for name in ("経営企画課", "財政課", "広報広聴課"):
        section_create(municipality=municipality, department=department, name=name, actor=actor)
    return department


@pytest.fixture
def seed_000(
    municipality: Municipality, isehara_master: Department, actor: Actor, seeds_dir: Path
) -> GoalDeclaration:
    data = (seeds_dir / SEED_000).read_bytes()
    report_import(municipality=municipality, data=data, source=SEED_000, actor=actor)
    return GoalDeclaration.objects.get(municipality=municipality, fiscal_year=2016)


@pytest.fixture
def seed_004(municipality: Municipality, actor: Actor, seeds_dir: Path) -> Plan:
    data = (seeds_dir / SEED_004).read_bytes()
    report_import(municipality=municipality, data=data, source=SEED_004, actor=actor, create_missing=True)
    return Plan.objects.get(municipality=municipality, kind=Plan.Kind.GUIDELINE)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in their English source form, whatever the .po file holds."""
    with translation.override("en"):
        yield
