"""The evaluation pages through HTTP: who may read and act, what they show, and what they cost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shinchoku.core.audit import Actor
from shinchoku.core.figures import Figure
from shinchoku.core.models import AuditEvent
from shinchoku.documents.schema import ParsedGoal, ParsedGoalDeclaration
from shinchoku.evaluation.models import FindingDismissal, ManualGrade
from shinchoku.evaluation.quality import ReportRef, report_findings
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.services import goal_declaration_import
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.plans.models import Classification, Indicator, Measurement, Plan, PlanNode, Target
from shinchoku.progress.models import InitiativeRow, ProgressEntry


def declare(
    municipality: Municipality, department: Department, section: Section, *, goals: int, year: int = 2024
) -> GoalDeclaration:
    """A declaration of ``goals`` goals with two indicators each, and one goal without figures."""
    parsed = ParsedGoalDeclaration(
        fiscal_year=year,
        title="目標宣言",
        declarer_position="企画部長",
        declarer_name="試験 太郎",
        goals=[
            ParsedGoal(
                number=n,
                title=f"取組{n}",
                sections=[section.name],
                content="・内容",
                target_text="・件数",
                result_text="・結果",
                direction_text="・方向",
                status_text="・状況",
                targets=[Figure(Decimal(100), "件", label="A"), Figure(Decimal(50), "人", label="B")],
                actuals=[Figure(Decimal(90 + n), "件", label="A"), Figure(Decimal(20), "人", label="B")],
            )
            for n in range(1, goals + 1)
        ]
        + [
            ParsedGoal(
                number=goals + 1,
                title="報告書の公表",
                sections=[section.name],
                content="・内容",
                target_text="・報告書を公表します。",
                result_text="・公表した。",
                direction_text="",
                status_text="・公表しました。",
            )
        ],
    )
    declaration, _ = goal_declaration_import(
        municipality=municipality, department=department, parsed=parsed, actor=Actor(label="tests")
    )
    return declaration


@pytest.fixture
def declaration(municipality: Municipality, department: Department, section: Section) -> GoalDeclaration:
    return declare(municipality, department, section, goals=2)


@pytest.fixture
def guideline(municipality: Municipality, section: Section) -> Plan:
    plan = Plan.objects.create(municipality=municipality, kind=Plan.Kind.GUIDELINE, name="市民参加推進指針")
    node = PlanNode.objects.create(plan=plan, kind="initiative", title="審議会等", position=1, path="0001")
    classification = Classification.objects.create(plan=plan, code="III", label="各課で実施")
    row = InitiativeRow.objects.create(initiative=node, fiscal_year=2024, classification=classification)
    for position in (1, 2):  # the same bullet twice
        ProgressEntry.objects.create(
            row=row, kind="plan", fiscal_year=2025, position=position, text="開催しない予定。"
        )
    return plan


def login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def read_urls(declaration: GoalDeclaration, guideline: Plan) -> list[str]:
    return [
        "/m/midori/evaluation/",
        "/m/midori/evaluation/2024/",
        f"/m/midori/evaluation/2024/departments/{declaration.department_id}/",
        f"/m/midori/evaluation/declarations/{declaration.pk}/",
        f"/m/midori/evaluation/guidelines/{guideline.pk}/2024/",
    ]


def action_posts(
    declaration: GoalDeclaration, guideline: Plan, municipality: Municipality
) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    goal = Goal.objects.get(declaration=declaration, title="報告書の公表")
    indicator = Indicator.objects.filter(goals__declaration=declaration).first()
    assert indicator is not None
    fingerprint = report_findings(municipality, ReportRef("guideline_progress", guideline.pk, 2024))[
        0
    ].fingerprint
    dismissal = FindingDismissal.objects.create(
        municipality=municipality, fingerprint="x", kind="duplicate_entry", object_repr="x", reason="r"
    )
    return [
        (
            "/m/midori/evaluation/findings/dismiss/",
            {
                "report_kind": "guideline_progress",
                "report_id": guideline.pk,
                "fiscal_year": 2024,
                "fingerprint": fingerprint,
                "reason": "r",
            },
        ),
        (f"/m/midori/evaluation/findings/{dismissal.pk}/restore/", {}),
        (
            f"/m/midori/evaluation/grades/goals/{goal.pk}/",
            {"fiscal_year": 2024, "grade": "達成", "reason": "r"},
        ),
        (
            f"/m/midori/evaluation/grades/indicators/{indicator.pk}/",
            {"fiscal_year": 2024, "grade": "達成", "reason": "r"},
        ),
        (f"/m/midori/evaluation/indicators/{indicator.pk}/formula/", {"formula": "decrease", "weight": "2"}),
    ]


def nothing_changed(indicator_formula: str = "ratio") -> bool:
    return (
        not FindingDismissal.objects.exclude(fingerprint="x").exists()
        and FindingDismissal.objects.filter(fingerprint="x").exists()
        and not ManualGrade.objects.exists()
        and not Indicator.objects.exclude(formula__in=["ratio", "milestone"]).exists()
    )


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_every_endpoint_refuses_anonymous_users_and_outsiders(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    municipality: Municipality,
    declaration: GoalDeclaration,
    guideline: Plan,
) -> None:
    if persona != "anonymous":
        login(client, request.getfixturevalue(persona))
    for url in read_urls(declaration, guideline):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url
        else:
            assert response.status_code == 403, url
    for url, data in action_posts(declaration, guideline, municipality):
        response = client.post(url, data)
        if persona == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url
        else:
            assert response.status_code == 403, url
    assert nothing_changed()


def test_outsiders_get_nothing_through_their_own_slug(
    client: Client,
    outsider,
    declaration: GoalDeclaration,
    guideline: Plan,  # type: ignore[no-untyped-def]
) -> None:
    login(client, outsider)
    assert client.get(f"/m/sora/evaluation/declarations/{declaration.pk}/").status_code == 404
    assert client.get(f"/m/sora/evaluation/guidelines/{guideline.pk}/2024/").status_code == 404
    assert client.get(f"/m/sora/evaluation/2024/departments/{declaration.department_id}/").status_code == 404
    goal = declaration.goals.last()
    assert goal is not None
    response = client.post(
        f"/m/sora/evaluation/grades/goals/{goal.pk}/", {"fiscal_year": 2024, "grade": "達成", "reason": "r"}
    )
    assert response.status_code == 404 and not ManualGrade.objects.exists()


def test_staff_read_every_page_but_cannot_act(
    client: Client,
    staff,
    municipality: Municipality,
    declaration: GoalDeclaration,
    guideline: Plan,  # type: ignore[no-untyped-def]
) -> None:
    login(client, staff)
    for url in read_urls(declaration, guideline):
        assert client.get(url).status_code == 200, url
    for url, data in action_posts(declaration, guideline, municipality):
        assert client.post(url, data).status_code == 403, url
    assert nothing_changed()


def test_achievement_page_shows_formula_rate_grade_and_states(
    client: Client,
    staff,
    declaration: GoalDeclaration,  # type: ignore[no-untyped-def]
) -> None:
    login(client, staff)
    page = client.get("/m/midori/evaluation/2024/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "actual ÷ target" in page and "91.0%" in page and "40.0%" in page
    assert "概ね達成" in page and "未達成" in page
    assert "waiting for a person&#x27;s grade" in page
    assert '<th scope="col">' in page and '<th scope="row">' in page
    # 取組1: 91 件 (概ね達成) and 20 人 (未達成); 取組2: 92 件 and 20 人; 報告書: waits.
    assert "At or above 概ね達成" in page and "50.0%" in page


def test_declaration_page_has_the_quality_panel_and_forms_for_the_planner(
    client: Client,
    planner,
    declaration: GoalDeclaration,  # type: ignore[no-untyped-def]
) -> None:
    login(client, planner)
    page = client.get(
        f"/m/midori/evaluation/declarations/{declaration.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Quality checks before publishing" in page and "No open finding." in page
    assert "Record the grade" in page and "Change how" in page


def test_planner_dismisses_and_restores_a_finding(
    client: Client,
    planner,
    municipality: Municipality,
    guideline: Plan,  # type: ignore[no-untyped-def]
) -> None:
    login(client, planner)
    url = f"/m/midori/evaluation/guidelines/{guideline.pk}/2024/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "duplicate entry" in page and "審議会等: plan" in page
    (finding,) = report_findings(municipality, ReportRef("guideline_progress", guideline.pk, 2024))
    data = {
        "report_kind": "guideline_progress",
        "report_id": guideline.pk,
        "fiscal_year": 2024,
        "fingerprint": finding.fingerprint,
        "reason": "",
    }
    client.post("/m/midori/evaluation/findings/dismiss/", data)
    assert not FindingDismissal.objects.exists()  # a reason is required
    response = client.post("/m/midori/evaluation/findings/dismiss/", {**data, "reason": "原文の重複"})
    assert response.status_code == 302 and response["Location"] == url
    dismissal = FindingDismissal.objects.get()
    assert dismissal.dismissed_by == planner and dismissal.reason == "原文の重複"
    assert AuditEvent.objects.filter(actor=planner, reason="原文の重複").exists()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No open finding." in page and "原文の重複" in page
    client.post(f"/m/midori/evaluation/findings/{dismissal.pk}/restore/", {"next": "//evil.example/"})
    assert not FindingDismissal.objects.exists()


def test_department_head_grades_a_qualitative_goal_of_the_department(
    client: Client, municipality: Municipality, department: Department, declaration: GoalDeclaration
) -> None:
    head = get_user_model().objects.create_user("bucho", password="persona-password-1")
    Membership.objects.create(
        user=head, municipality=municipality, role=Role.DEPARTMENT_HEAD, department=department
    )
    login(client, head)
    goal = Goal.objects.get(declaration=declaration, title="報告書の公表")
    url = f"/m/midori/evaluation/declarations/{declaration.pk}/"
    response = client.post(
        f"/m/midori/evaluation/grades/goals/{goal.pk}/",
        {
            "fiscal_year": 2024,
            "grade": "達成",
            "milestone_status": "on_schedule",
            "reason": "公表済み",
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    manual = ManualGrade.objects.get()
    assert (manual.goal, manual.grade, manual.graded_by) == (goal, "達成", head)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "graded by a person" in page and "公表済み" in page
    # A grade that is not on the scale is refused.
    client.post(
        f"/m/midori/evaluation/grades/goals/{goal.pk}/", {"fiscal_year": 2024, "grade": "S", "reason": "x"}
    )
    assert ManualGrade.objects.get().grade == "達成"


def test_planner_changes_a_formula_with_an_audit_row(
    client: Client,
    planner,
    declaration: GoalDeclaration,  # type: ignore[no-untyped-def]
) -> None:
    login(client, planner)
    indicator = Indicator.objects.filter(goals__declaration=declaration).first()
    assert indicator is not None
    client.post(
        f"/m/midori/evaluation/indicators/{indicator.pk}/formula/",
        {"formula": "maintain_at_least", "weight": "2.5", "reason": "確保が目標"},
    )
    indicator.refresh_from_db()
    assert (indicator.formula, indicator.weight) == ("maintain_at_least", Decimal("2.5"))
    event = AuditEvent.objects.get(object_id=str(indicator.pk), field="formula", actor=planner)
    assert (event.old_value, event.new_value, event.reason) == ("ratio", "maintain_at_least", "確保が目標")


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_achievement_pages_cost_the_same_queries_whatever_the_number_of_goals(
    client: Client,
    planner,  # type: ignore[no-untyped-def]
    municipality: Municipality,
    department: Department,
    section: Section,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    declaration = declare(municipality, department, section, goals=2)
    declare(municipality, department, section, goals=2, year=2023)
    login(client, planner)
    urls = [
        "/m/midori/evaluation/2024/",
        f"/m/midori/evaluation/2024/departments/{department.pk}/",
        f"/m/midori/evaluation/declarations/{declaration.pk}/",
    ]
    small = [page_queries(client, url) for url in urls]
    declare(
        municipality, department, section, goals=15
    )  # the same declaration, now 16 goals and 30 indicators
    declare(municipality, department, section, goals=15, year=2023)
    assert Indicator.objects.count() == 60
    for url, count in zip(urls, small, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
    print(f"queries: year page {small[0]}, department page {small[1]}, declaration page {small[2]}")
    assert small[1] <= 15  # the staff pages' budget (bench/national.py, ADR 10)


def test_planner_grades_a_milestone_indicator_through_the_rendered_form(
    client: Client,
    planner,
    declaration: GoalDeclaration,  # type: ignore[no-untyped-def]
) -> None:
    indicator = Indicator.objects.filter(goals__declaration=declaration).first()
    assert indicator is not None
    Indicator.objects.filter(pk=indicator.pk).update(formula="milestone")
    goal = indicator.goals.get()
    login(client, planner)
    url = f"/m/midori/evaluation/declarations/{declaration.pk}/"
    prefix = f"g{indicator.pk}-{goal.pk}"
    page = client.get(url).content.decode()
    assert f'name="{prefix}-grade"' in page and f'value="{prefix}"' in page
    response = client.post(
        f"/m/midori/evaluation/grades/indicators/{indicator.pk}/",
        {
            "prefix": prefix,
            f"{prefix}-fiscal_year": 2024,
            f"{prefix}-grade": "未達成",
            f"{prefix}-reason": "遅延",
            "next": url,
        },
    )
    assert response["Location"] == url
    assert ManualGrade.objects.get(indicator=indicator).grade == "未達成"


@pytest.mark.parametrize("persona", ["viewer", "evaluator"])
def test_work_in_progress_is_not_shown_to_evaluators_and_viewers(
    client: Client, request: pytest.FixtureRequest, declaration: GoalDeclaration, persona: str
) -> None:
    """The declaration is a draft (never published): its figures stay inside the ladder."""
    client.force_login(request.getfixturevalue(persona))
    for path in (
        "/m/midori/evaluation/",
        "/m/midori/evaluation/2024/",
        f"/m/midori/evaluation/2024/departments/{declaration.department_id}/",
        f"/m/midori/evaluation/declarations/{declaration.pk}/",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert "取組1" not in response.content.decode(), path


def test_staff_of_another_department_do_not_see_its_drafts(
    client: Client, municipality: Municipality, declaration: GoalDeclaration
) -> None:
    from shinchoku.organizations.services import department_create, section_create

    actor = Actor(label="tests")
    other = department_create(municipality=municipality, name="総務部", position=2, actor=actor)
    theirs = section_create(municipality=municipality, department=other, name="総務課", actor=actor)
    user = get_user_model().objects.create_user("somu-staff", password="x-password-1")
    Membership.objects.create(user=user, municipality=municipality, role=Role.SECTION_STAFF, section=theirs)
    client.force_login(user)
    year_page = client.get("/m/midori/evaluation/2024/").content.decode()
    assert "取組1" not in year_page
    assert client.get(f"/m/midori/evaluation/declarations/{declaration.pk}/").status_code == 404
    assert (
        client.get(f"/m/midori/evaluation/2024/departments/{declaration.department_id}/").status_code == 404
    )


def test_the_year_page_shows_a_change_of_figures_at_once(
    client: Client,
    planner,
    declaration: GoalDeclaration,
    section: Section,  # type: ignore[no-untyped-def]
) -> None:
    """Each year's judgements are kept between page views, under a fingerprint of what they are
    judged from: a change shows at once, and only the years it touches are judged again."""
    from shinchoku.evaluation.summaries import KEPT
    from shinchoku.goals.services import goal_results_update

    municipality = declaration.municipality
    earlier = declare(municipality, declaration.department, section, goals=2, year=2023)
    login(client, planner)
    url = "/m/midori/evaluation/2024/?at_least=達成"
    before = client.get(url).content.decode()
    kept = {year: judged for year, (_key, judged) in KEPT.town(municipality.pk).judged.items()}
    assert set(kept) == {2023, 2024}
    client.get(url)
    assert all(KEPT.town(municipality.pk).judged[y][1] is kept[y] for y in kept)  # nothing changed

    def set_actual(of: GoalDeclaration, year: int) -> None:
        goal = of.goals.get(number=1)
        first = goal.indicators.order_by("position", "id").first()
        assert first is not None
        goal_results_update(
            goal=goal,
            values={},
            actuals={first: ("100件", Figure(Decimal(100), "件"))},
            fiscal_year=year,
            expected_version=None,
            actor=Actor(label="tests"),
        )

    # 取組1's first indicator of 2024: 91 of 100 (概ね達成), now 100 of 100 (達成)
    set_actual(declaration, 2024)
    after = client.get(url).content.decode()
    assert before != after
    judged = KEPT.town(municipality.pk).judged
    assert judged[2023][1] is kept[2023] and judged[2024][1] is not kept[2024]
    # An actual of 2023 may count in 2024 (a cumulative total, last year's figure): both again.
    kept = {year: found for year, (_key, found) in judged.items()}
    set_actual(earlier, 2023)
    client.get(url)
    judged = KEPT.town(municipality.pk).judged
    assert judged[2023][1] is not kept[2023] and judged[2024][1] is not kept[2024]


def test_a_year_of_many_indicators_sends_the_reader_to_each_department(
    client: Client,
    planner,
    declaration: GoalDeclaration,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from shinchoku.evaluation import views

    monkeypatch.setattr(views, "ROW_LIMIT", 2)
    # A plan's indicator no section answers for: on no department's page, so on this one.
    visits = Indicator.objects.create(municipality=declaration.municipality, name="来館者数", unit="人")
    Target.objects.create(indicator=visits, fiscal_year=2024, value=Decimal(100))
    Measurement.objects.create(indicator=visits, fiscal_year=2024, value=Decimal(120))
    login(client, planner)
    page = client.get("/m/midori/evaluation/2024/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This year has 6 indicators" in page and "来館者数" in page
    assert f"/m/midori/evaluation/2024/departments/{declaration.department_id}/" in page
    assert "取組1" not in page  # no row of indicators, no roll-up by goal
    department_page = client.get(f"/m/midori/evaluation/2024/departments/{declaration.department_id}/")
    assert "取組1" in department_page.content.decode()
