"""Fixtures of the import tests: 伊勢原市, whose documents the seeds are, beside the fixture みどり市."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Membership, Municipality
from shinchoku.organizations.services import municipality_create


@pytest.fixture
def isehara(db: None, actor: Actor) -> Municipality:
    """The municipality of the seed documents (code 142140, as in the demo)."""
    return municipality_create(
        code="142140", name="伊勢原市", prefecture="神奈川県", slug="isehara", actor=actor
    )


@pytest.fixture
def isehara_planner(isehara: Municipality) -> User:
    user = get_user_model().objects.create_user("isehara-planner", password="persona-password-1")
    Membership.objects.create(user=user, municipality=isehara, role="planning_admin")
    return user
