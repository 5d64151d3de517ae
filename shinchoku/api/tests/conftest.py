"""The API's test world: personas with tokens, a guideline round and a year-end round, published reports.

Personas (the project's, conftest.py at the root, plus the ones the API needs):

- ``planner``: planning administrator of みどり市 (sees and writes everything there);
- ``staff``: section staff of 企画政策課 (``section``);
- ``sibling_staff``: section staff of 財政課, another section of the same department;
- ``department_head``: 部長 of 企画部 (sees both sections' requests, writes none);
- ``viewer``: read-only viewer (no declarations, no rounds);
- ``outsider``: planning administrator of another municipality.

Each gets a read-and-write token (``tokens``); ``read_only``, ``revoked`` and ``expired`` are
tokens of ``staff`` that are read-only, revoked, and past their expiry.

``policy`` adds a 施策評価 round of a small 総合計画: 施策 1-1 answered by ``section`` (with a main
project and an indicator), 2-1 by the sibling section; ``published_policies`` publishes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from shinchoku.api.models import AccessToken
from shinchoku.api.services import access_token_create, access_token_revoke
from shinchoku.core.audit import Actor
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.organizations.services import section_create
from shinchoku.plans.models import Classification, Indicator, Plan, PlanNode, Target
from shinchoku.policies.models import PolicySheet, ProjectResult
from shinchoku.policies.services import structure_import
from shinchoku.policies.structure import read_structure
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import (
    goal_declaration_publish,
    guideline_progress_publish,
    policy_evaluation_snapshot,
    snapshot_publish,
)
from shinchoku.testing import SEED_000, SEED_004
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest
from shinchoku.workflow.services import round_open

RESULT_YEAR = 2025  # the rounds ask for FY2025 results (and FY2026 plans)
TODAY = date(2026, 5, 1)
DEADLINE = date(2099, 5, 20)  # open and on time whatever day the tests run


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> Iterator[None]:
    """Rate limits count in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


def member(username: str, municipality: Municipality, role: str, **scope: Any) -> User:
    user = User.objects.create_user(username, password="persona-password-1")
    Membership.objects.create(user=user, municipality=municipality, role=role, **scope)
    return user


def make_token(user: User, scope: str = AccessToken.Scope.READ_WRITE, name: str = "test") -> str:
    return access_token_create(
        user=user, name=name, scope=scope, lifetime_days=30, actor=Actor(user=user)
    ).secret


def client_for(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def sibling_section(municipality: Municipality, department: Department, actor: Actor) -> Section:
    return section_create(
        municipality=municipality, department=department, name="財政課", position=2, actor=actor
    )


@pytest.fixture
def sibling_staff(municipality: Municipality, sibling_section: Section) -> User:
    return member("sibling_staff", municipality, Role.SECTION_STAFF, section=sibling_section)


@dataclass
class Work:
    """The staff side of the world: a guideline round and a year-end round, with their objects."""

    guideline_round: CollectionRound
    goal_round: CollectionRound
    declaration: GoalDeclaration
    goal: Goal
    indicator: Indicator
    request: RoundRequest  # the guideline round's request to ``section``
    sibling_request: RoundRequest
    goal_request: RoundRequest  # the year-end round's request to ``section``
    row: InitiativeRow  # a FY2025 row with ``section``'s prefilled result
    entry: ProgressEntry  # ``section``'s prefilled result in ``row``
    sibling_entry: ProgressEntry  # a result of the sibling section only


def _guideline(municipality: Municipality, section: Section, sibling: Section) -> Plan:
    """Last year's report: FY2025 plans of ``section`` and of ``sibling``, prefilled as results."""
    plan = Plan.objects.create(
        municipality=municipality, name="みどり市市民協働推進指針", kind=Plan.Kind.GUIDELINE
    )
    classification = Classification.objects.create(plan=plan, code="II", label="継続・充実", position=1)
    chapter = PlanNode.objects.create(
        plan=plan, kind=PlanNode.Kind.CHAPTER, title="市民参画", position=1, path="0001"
    )
    for number, who in ((1, section), (2, sibling)):
        node = PlanNode.objects.create(
            plan=plan,
            parent=chapter,
            kind=PlanNode.Kind.INITIATIVE,
            title=f"取り組み{number}",
            position=number,
            path=f"0001.{number:04d}",
        )
        row = InitiativeRow.objects.create(
            initiative=node,
            fiscal_year=RESULT_YEAR - 1,
            position=1,
            classification=classification,
            policy="継続",
        )
        entry = ProgressEntry.objects.create(
            row=row,
            kind=ProgressEntry.Kind.PLAN,
            fiscal_year=RESULT_YEAR,
            position=1,
            text=f"{who.name}の予定",
        )
        EntryResponsible.objects.create(entry=entry, position=0, section=who)
    return plan


@pytest.fixture
def work(
    municipality: Municipality,
    department: Department,
    section: Section,
    sibling_section: Section,
    actor: Actor,
) -> Work:
    plan = _guideline(municipality, section, sibling_section)
    guideline_round = round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind=DocumentKind.GUIDELINE_PROGRESS,
        title="令和7年度 市民協働推進指針の進捗照会",
        deadline=DEADLINE,
        sections=[section, sibling_section],
        actor=actor,
        plan=plan,
        today=TODAY,
    )
    declaration = GoalDeclaration.objects.create(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        department=department,
        declarer_position="企画部長",
    )
    goal = Goal.objects.create(
        declaration=declaration, number=1, title="ふるさと納税の推進", target_text="10億円"
    )
    GoalSection.objects.create(goal=goal, section=section)
    indicator = Indicator.objects.create(municipality=municipality, name="寄附額", unit="円")
    Target.objects.create(indicator=indicator, fiscal_year=RESULT_YEAR, value=1_000_000_000)
    goal.indicators.add(indicator)
    goal_round = round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="令和7年度 目標達成状況の照会",
        deadline=DEADLINE,
        sections=[section],
        departments=[department],
        actor=actor,
        today=TODAY,
    )
    results = ProgressEntry.objects.filter(kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR)
    entry = results.get(responsibles__section=section)
    return Work(
        guideline_round=guideline_round,
        goal_round=goal_round,
        declaration=declaration,
        goal=goal,
        indicator=indicator,
        request=RoundRequest.objects.get(round=guideline_round, section=section),
        sibling_request=RoundRequest.objects.get(round=guideline_round, section=sibling_section),
        goal_request=RoundRequest.objects.get(round=goal_round, section=section),
        row=entry.row,
        entry=entry,
        sibling_entry=results.get(responsibles__section=sibling_section),
    )


@pytest.fixture
def tokens(
    planner: User,
    staff: User,
    sibling_staff: User,
    department_head: User,
    viewer: User,
    outsider: User,
) -> dict[str, str | None]:
    """A secret per persona; ``anonymous`` is None (no Authorization header)."""
    read_only = make_token(staff, AccessToken.Scope.READ, name="read only")
    revoked = make_token(staff, name="revoked")
    access_token_revoke(token=AccessToken.objects.get(name="revoked"), actor=Actor(user=staff))
    expired = make_token(staff, name="expired")
    AccessToken.objects.filter(name="expired").update(expires_at=timezone.now() - timedelta(minutes=1))
    return {
        "anonymous": None,
        "planner": make_token(planner),
        "staff": make_token(staff),
        "sibling_staff": make_token(sibling_staff),
        "department_head": make_token(department_head),
        "viewer": make_token(viewer),
        "outsider": make_token(outsider),
        "read_only": read_only,
        "revoked": revoked,
        "expired": expired,
    }


def publish_seeds(municipality: Municipality, actor: Actor, seeds_dir: Path) -> dict[str, Publication]:
    """Both seeds imported and published, as the portal's tests do."""
    for name in (SEED_000, SEED_004):
        report_import(
            municipality=municipality,
            data=(seeds_dir / name).read_bytes(),
            source=name,
            actor=actor,
            create_missing=True,
        )
    return {
        "goals": goal_declaration_publish(
            declaration=GoalDeclaration.objects.get(municipality=municipality, fiscal_year=2016), actor=actor
        ),
        "guideline": guideline_progress_publish(
            plan=Plan.objects.get(municipality=municipality, name__contains="市民参加"),
            fiscal_year=2018,
            actor=actor,
        ),
    }


@pytest.fixture
def published(municipality: Municipality, actor: Actor, seeds_dir: Path) -> dict[str, Publication]:
    return publish_seeds(municipality, actor, seeds_dir)


# A small 施策体系 (the upload's columns): one 施策 for each section of 企画部.
POLICY_STRUCTURE = """政策番号,政策,施策番号,施策,施策の目的,担当部,担当課,区分,名称,単位,方向,基準値,基準年度,目標年度,目標値
1,開かれたまち,1-1,情報発信の充実,市の情報を分かりやすく届ける。,企画部,企画政策課,施策,,,,,,,
1,開かれたまち,1-1,,,,,主な事業,ホームページ運営事業,,,,,,
1,開かれたまち,1-1,,,,,指標,ホームページの年間閲覧数,件,増加,3500000,令和2年度,令和7年度,4500000
2,健全な財政,2-1,健全な財政運営,将来世代に負担を残さない。,企画部,財政課,施策,,,,,,,
2,健全な財政,2-1,,,,,主な事業,公共施設管理事業,,,,,,
2,健全な財政,2-1,,,,,指標,市債残高,円,減少,32000000000,令和2年度,令和7年度,29000000000
"""


@dataclass
class PolicyWork:
    """A 施策評価 round of FY``RESULT_YEAR``: ``sheet`` (施策 1-1) is ``section``'s."""

    plan: Plan
    round: CollectionRound
    request: RoundRequest  # to ``section``
    sibling_request: RoundRequest
    sheet: PolicySheet
    sibling_sheet: PolicySheet
    indicator: Indicator  # of 施策 1-1
    project: ProjectResult  # of ``sheet``


@pytest.fixture
def policy(
    municipality: Municipality,
    department: Department,
    section: Section,
    sibling_section: Section,
    actor: Actor,
) -> PolicyWork:
    summary = structure_import(
        municipality=municipality,
        plan_name="みどり市第5次総合計画",
        start_year=2021,
        end_year=2030,
        structure=read_structure(POLICY_STRUCTURE.encode(), source="施策体系.csv"),
        source="施策体系.csv",
        actor=actor,
    )
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind=DocumentKind.POLICY_EVALUATION,
        title="令和7年度 施策評価",
        deadline=DEADLINE,
        plan=summary.plan,
        actor=actor,
        today=TODAY,
    )
    sheet = PolicySheet.objects.get(round=collection_round, policy__label="1-1")
    return PolicyWork(
        plan=summary.plan,
        round=collection_round,
        request=RoundRequest.objects.get(round=collection_round, section=section),
        sibling_request=RoundRequest.objects.get(round=collection_round, section=sibling_section),
        sheet=sheet,
        sibling_sheet=PolicySheet.objects.get(round=collection_round, policy__label="2-1"),
        indicator=Indicator.objects.get(plan_node=sheet.policy),
        project=ProjectResult.objects.get(sheet=sheet),
    )


@pytest.fixture
def published_policies(policy: PolicyWork, actor: Actor) -> Publication:
    """The round's 施策評価報告書, published with what the sheets hold now."""
    return snapshot_publish(snapshot=policy_evaluation_snapshot(policy.plan, RESULT_YEAR), actor=actor)
