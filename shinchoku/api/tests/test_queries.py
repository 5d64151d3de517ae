"""List endpoints cost a bounded number of queries, whatever the size of the data (ADR 1).

The world is large enough that one query per row would show: 120 municipalities, 60 revisions
of a report, 45 sections asked by a round, 12 entries of each, 30 departments' declarations.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, PlanNode, Target
from shinchoku.policies.models import ProjectResult
from shinchoku.progress.models import EntryResponsible, ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import policy_evaluation_snapshot, snapshot_publish
from shinchoku.workflow.models import DocumentKind
from shinchoku.workflow.services import round_open

from .conftest import DEADLINE, RESULT_YEAR, TODAY, PolicyWork, Work, client_for

BASE = "/api/v1/municipalities/midori"
SECTIONS = 45
ENTRIES = 12


@pytest.fixture
def many_municipalities(municipality: Municipality) -> None:
    Municipality.objects.bulk_create(
        [
            Municipality(code=f"{900000 + i:06d}", name=f"市{i}", prefecture="架空県", slug=f"city-{i}")
            for i in range(120)
        ]
    )


@pytest.fixture
def many_revisions(published: dict[str, Publication]) -> None:
    goals = published["goals"]
    Publication.objects.bulk_create(
        [
            Publication(
                municipality=goals.municipality,
                kind=goals.kind,
                fiscal_year=goals.fiscal_year,
                department=goals.department,
                title=goals.title,
                revision=100 + i,
                is_current=False,
                document=goals.document,
                evaluation=goals.evaluation,
            )
            for i in range(60)
        ]
    )


def test_public_lists_are_bounded(
    many_municipalities: None,
    many_revisions: None,
    published: dict[str, Publication],
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(None)
    goals, guideline = published["goals"].pk, published["guideline"].pk
    # municipality (1) + count and page (2) or the revision (1); nothing per row
    bounds = {
        "/api/v1/municipalities/?page_size=200": 2,
        f"{BASE}/": 3,
        f"{BASE}/achievement/": 2,
        f"{BASE}/publications/?all_revisions=true&page_size=200": 3,
        f"{BASE}/publications/{goals}/": 3,
        f"{BASE}/publications/{goals}/goals/": 2,
        f"{BASE}/publications/{goals}/indicators/": 2,
        f"{BASE}/publications/{goals}/achievement/": 2,
        f"{BASE}/publications/{guideline}/initiatives/?page_size=200": 2,
        f"{BASE}/publications/{guideline}/entries/?page_size=200": 2,
    }
    for url, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/api/v1/municipalities/?page_size=200").json()["count"] == 121
    assert len(client.get(f"{BASE}/publications/?all_revisions=true&page_size=200").json()["results"]) == 62


@pytest.fixture
def big_round(
    work: Work, municipality: Municipality, department: Department, section: Section, actor: Actor
) -> int:
    """A guideline round asking 45 sections, ``section`` answering for 12 entries."""
    others = Section.objects.bulk_create(
        [
            Section(municipality=municipality, department=department, name=f"第{i}課", position=10 + i)
            for i in range(SECTIONS)
        ]
    )
    entries = ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(
                row=work.row,
                kind=ProgressEntry.Kind.PLAN,
                fiscal_year=RESULT_YEAR + 1,
                position=10 + k,
                text=f"予定{k}",
            )
            for k in range(ENTRIES)
        ]
    )
    EntryResponsible.objects.bulk_create(
        [EntryResponsible(entry=e, position=0, section=section) for e in entries]
    )
    departments = Department.objects.bulk_create(
        [Department(municipality=municipality, name=f"第{i}部", position=10 + i) for i in range(30)]
    )
    GoalDeclaration.objects.bulk_create(
        [
            GoalDeclaration(
                municipality=municipality, fiscal_year=RESULT_YEAR, department=d, declarer_position="部長"
            )
            for d in departments
        ]
    )
    rounds = [
        round_open(
            municipality=municipality,
            fiscal_year=RESULT_YEAR,
            kind=DocumentKind.GUIDELINE_PROGRESS,
            title=f"照会{i}",
            deadline=DEADLINE,
            sections=[section, *others],
            actor=actor,
            plan=work.guideline_round.plan,
            today=TODAY,
        )
        for i in range(5)
    ]
    return rounds[-1].pk


def test_staff_lists_are_bounded(
    work: Work, big_round: int, planner: User, tokens: dict[str, str | None], django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    planner_client = client_for(tokens["planner"])
    staff_client = client_for(tokens["staff"])
    req = work.request
    # token (1) + its last use (at most 1) + memberships (1) + the municipality (1), then the page's own
    bounds = [
        (planner_client, "/api/v1/me/", 4),
        (planner_client, f"{BASE}/declarations/?page_size=200", 6),
        (planner_client, f"{BASE}/rounds/?page_size=200", 6),
        (planner_client, f"{BASE}/rounds/{big_round}/", 6),
        # … plus the steps the user may take now (2) and the ladder's history (1)
        (staff_client, f"{BASE}/rounds/{req.round_id}/sections/{req.section_id}/", 10),
    ]
    for client, url, bound in bounds:
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200, url
    assert planner_client.get(f"{BASE}/declarations/?page_size=200").json()["count"] == 31
    assert len(planner_client.get(f"{BASE}/rounds/{big_round}/").json()["requests"]) == SECTIONS + 1
    page = staff_client.get(f"{BASE}/rounds/{req.round_id}/sections/{req.section_id}/").json()
    assert sum(len(row["plans"]) for row in page["rows"]) == ENTRIES


def test_policy_evaluation_reads_are_bounded(
    policy: PolicyWork,
    municipality: Municipality,
    actor: Actor,
    tokens: dict[str, str | None],
    django_assert_max_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    """A sheet with 30 indicators and 30 projects, and its published report, read in a fixed number of queries."""
    node = policy.sheet.policy
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(municipality=municipality, plan_node=node, name=f"指標{i}", unit="件", position=10 + i)
            for i in range(30)
        ]
    )
    Target.objects.bulk_create([Target(indicator=i, fiscal_year=RESULT_YEAR, value=100) for i in indicators])
    projects = PlanNode.objects.bulk_create(
        [
            PlanNode(
                plan=node.plan,
                parent=node,
                kind=PlanNode.Kind.PROJECT,
                title=f"事業{i}",
                position=10 + i,
                path=f"{node.path}.{10 + i:04d}",
            )
            for i in range(30)
        ]
    )
    ProjectResult.objects.bulk_create([ProjectResult(sheet=policy.sheet, project=p) for p in projects])
    revision = snapshot_publish(snapshot=policy_evaluation_snapshot(policy.plan, RESULT_YEAR), actor=actor)
    req = policy.request
    sheet = f"{BASE}/rounds/{req.round_id}/sections/{req.section_id}/sheets/{policy.sheet.pk}/"
    public = client_for(None)
    # The sheet: the token, memberships and request as for every staff read, the sheet, then
    # ``sheet_view`` judging its indicators in a fixed number of queries however many there are;
    # the public lists: the municipality, then one read (the revision, or the search).
    bounds = [
        (client_for(tokens["staff"]), sheet, 15),
        (public, f"{BASE}/publications/{revision.pk}/policies/", 2),
        (public, f"{BASE}/search/?q=事業&page_size=100", 2),
    ]
    for client, url, bound in bounds:
        with django_assert_max_num_queries(bound):
            response = client.get(url)
        assert response.status_code == 200, url
    assert len(client_for(tokens["staff"]).get(sheet).json()["indicators"]) == 31
    assert (
        len(public.get(f"{BASE}/publications/{revision.pk}/policies/").json()["results"][0]["projects"]) == 31
    )
