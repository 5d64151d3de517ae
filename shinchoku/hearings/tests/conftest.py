"""The mid-year hearing's test world: 企画部 declared two goals for FY2026; a mid-year round asks
企画政策課 (``section``) and 財政課 (``sibling``) for them.

Personas: ``planner``, ``staff`` and ``head`` of 企画政策課, ``department_head`` of 企画部,
``other_head`` (head of 総務部), an ``evaluator``, a ``viewer`` and ``outsider`` (another city's planner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from shinchoku.core.audit import Actor
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.organizations.services import department_create, section_create
from shinchoku.plans.models import Indicator, Target
from shinchoku.workflow.models import CollectionRound, DocumentKind
from shinchoku.workflow.services import round_open

YEAR = 2026
DEADLINE = date(2099, 10, 31)


def member(username: str, municipality: Municipality, role: str, **scope: object) -> User:
    user = User.objects.create_user(username, password="persona-password-1", last_name=username)
    Membership.objects.create(user=user, municipality=municipality, role=role, **scope)
    return user


@dataclass
class World:
    municipality: Municipality
    department: Department
    section: Section
    sibling: Section
    declaration: GoalDeclaration
    web: Goal  # 企画政策課's goal, indicator 閲覧数 (target 4,500,000件)
    fund: Goal  # 財政課's goal, indicator 基金残高 (target 10億円)
    round: CollectionRound
    planner: User
    staff: User
    head: User
    department_head: User
    other_head: User
    evaluator: User
    viewer: User
    outsider: User


def _goal(
    declaration: GoalDeclaration, number: int, title: str, section: Section, name: str, unit: str, target: int
) -> Goal:
    goal = Goal.objects.create(
        declaration=declaration, number=number, title=title, target_text=f"{target:,}{unit}"
    )
    GoalSection.objects.create(goal=goal, section=section)
    indicator = Indicator.objects.create(municipality=declaration.municipality, name=name, unit=unit)
    Target.objects.create(indicator=indicator, fiscal_year=declaration.fiscal_year, value=target)
    goal.indicators.add(indicator)
    return goal


@pytest.fixture
def world(
    municipality: Municipality,
    other_municipality: Municipality,
    department: Department,
    section: Section,
    actor: Actor,
) -> World:
    sibling = section_create(
        municipality=municipality, department=department, name="財政課", position=2, actor=actor
    )
    general = department_create(municipality=municipality, name="総務部", position=2, actor=actor)
    declaration = GoalDeclaration.objects.create(
        municipality=municipality, fiscal_year=YEAR, department=department, declarer_position="企画部長"
    )
    web = _goal(declaration, 1, "情報発信の充実", section, "閲覧数", "件", 4_500_000)
    fund = _goal(declaration, 2, "基金の確保", sibling, "基金残高", "円", 1_000_000_000)
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=YEAR,
        kind=DocumentKind.MID_YEAR,
        title="令和8年度 中間ヒアリング",
        deadline=DEADLINE,
        departments=[department],
        actor=actor,
    )
    return World(
        municipality=municipality,
        department=department,
        section=section,
        sibling=sibling,
        declaration=declaration,
        web=web,
        fund=fund,
        round=collection_round,
        planner=member("planner", municipality, Role.PLANNING_ADMIN),
        staff=member("staff", municipality, Role.SECTION_STAFF, section=section),
        head=member("head", municipality, Role.SECTION_HEAD, section=section),
        department_head=member("department_head", municipality, Role.DEPARTMENT_HEAD, department=department),
        other_head=member("other_head", municipality, Role.DEPARTMENT_HEAD, department=general),
        evaluator=member("evaluator", municipality, Role.EVALUATOR),
        viewer=member("viewer", municipality, Role.VIEWER),
        outsider=member("outsider", other_municipality, Role.PLANNING_ADMIN),
    )
