"""The 施策評価 test world: みどり市 with a small 施策体系, personas, and a round for FY2025.

Personas: ``planner`` (planning administrator), ``staff`` and ``head`` of 企画政策課 (``section``),
``department_head`` of 企画部, ``sibling_staff`` of 財政課, two committee members (``member_a``
is assigned, ``member_b`` is not), a ``viewer``, and ``outsider`` (planning administrator of
another municipality).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.organizations.services import department_create, section_create
from shinchoku.plans.models import Plan
from shinchoku.policies.models import PolicySheet
from shinchoku.policies.services import structure_import
from shinchoku.policies.structure import read_structure
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest
from shinchoku.workflow.services import round_open

YEAR = 2025
DEADLINE = date(2099, 6, 30)
PLAN = "みどり市第5次総合計画"

STRUCTURE = """政策番号,政策,施策番号,施策,施策の目的,担当部,担当課,区分,名称,単位,方向,基準値,基準年度,目標年度,目標値
1,開かれたまち,1-1,情報発信の充実,市の情報を分かりやすく届ける。,企画部,企画政策課,施策,,,,,,,
1,開かれたまち,1-1,,,,,主な事業,ホームページ運営事業,,,,,,
1,開かれたまち,1-1,,,,,指標,ホームページの年間閲覧数,件,増加,3500000,令和2年度,令和7年度,4500000
1,開かれたまち,1-2,行政のデジタル化,手続をオンラインにする。,企画部,企画政策課,施策,,,,,,,
2,健全な財政,2-1,健全な財政運営,将来世代に負担を残さない。,企画部,財政課,施策,,,,,,,
2,健全な財政,2-1,,,,,主な事業,公共施設管理事業,,,,,,
2,健全な財政,2-1,,,,,指標,市債残高,円,減少,32000000000,令和2年度,令和7年度,29000000000
3,安心のまち,3-1,地域防災の推進,災害に強いまちをつくる。,総務部,総務課,施策,,,,,,,
"""


def member(username: str, municipality: Municipality, role: str, **scope: object) -> User:
    user = User.objects.create_user(username, password="persona-password-1", last_name=username)
    Membership.objects.create(user=user, municipality=municipality, role=role, **scope)
    return user


@dataclass
class World:
    municipality: Municipality
    plan: Plan
    round: CollectionRound
    section: Section  # 企画政策課: sheets 1-1 and 1-2
    sibling: Section  # 財政課: sheet 2-1
    planner: User
    staff: User
    head: User
    department_head: User
    sibling_staff: User
    member_a: User
    member_b: User
    viewer: User
    outsider: User

    def sheet(self, label: str) -> PolicySheet:
        return PolicySheet.objects.get(round=self.round, policy__label=label)

    def request(self, section: Section) -> RoundRequest:
        return RoundRequest.objects.get(round=self.round, section=section)


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
    section_create(municipality=municipality, department=general, name="総務課", actor=actor)
    structure = read_structure(STRUCTURE.encode(), source="施策体系.csv")
    summary = structure_import(
        municipality=municipality,
        plan_name=PLAN,
        start_year=2021,
        end_year=2030,
        structure=structure,
        source="施策体系.csv",
        actor=actor,
    )
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=YEAR,
        kind=DocumentKind.POLICY_EVALUATION,
        title="令和7年度 施策評価",
        deadline=DEADLINE,
        plan=summary.plan,
        actor=actor,
    )
    return World(
        municipality=municipality,
        plan=summary.plan,
        round=collection_round,
        section=section,
        sibling=sibling,
        planner=member("planner", municipality, Role.PLANNING_ADMIN),
        staff=member("staff", municipality, Role.SECTION_STAFF, section=section),
        head=member("head", municipality, Role.SECTION_HEAD, section=section),
        department_head=member("department_head", municipality, Role.DEPARTMENT_HEAD, department=department),
        sibling_staff=member("sibling_staff", municipality, Role.SECTION_STAFF, section=sibling),
        member_a=member("member_a", municipality, Role.EVALUATOR),
        member_b=member("member_b", municipality, Role.EVALUATOR),
        viewer=member("viewer", municipality, Role.VIEWER),
        outsider=member("outsider", other_municipality, Role.PLANNING_ADMIN),
    )
