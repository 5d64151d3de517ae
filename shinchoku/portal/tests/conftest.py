from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Plan
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import goal_declaration_publish, guideline_progress_publish
from shinchoku.testing import SEED_000, SEED_004


@pytest.fixture
def published(municipality: Municipality, actor: Actor, seeds_dir: Path) -> dict[str, Publication]:
    """Both seeds imported and published for the municipality under test."""
    for name in (SEED_000, SEED_004):
        report_import(
            municipality=municipality,
            data=(seeds_dir / name).read_bytes(),
            source=name,
            actor=actor,
            create_missing=True,
        )
    return {
        "goals": goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor),
        "guideline": guideline_progress_publish(plan=Plan.objects.get(), fiscal_year=2018, actor=actor),
    }
