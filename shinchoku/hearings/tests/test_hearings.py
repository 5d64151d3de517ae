"""The mid-year hearing: statuses and 見込 graded provisionally, notes, the year-end recall, the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from shinchoku.core.audit import Actor
from shinchoku.core.figures import Figure
from shinchoku.core.models import AuditEvent
from shinchoku.goals.services import goal_results_update
from shinchoku.hearings.models import MidYearReport
from shinchoku.hearings.selectors import (
    department_dashboard,
    goals_at_mid_year,
    mid_year_recall,
    round_hearing,
)
from shinchoku.hearings.services import hearing_note_save, mid_year_report_save
from shinchoku.hearings.tests.conftest import DEADLINE, YEAR, World
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.models import CollectionRound, DocumentKind
from shinchoku.workflow.services import TransitionError, round_open, round_publish, round_snapshots
from shinchoku.workflow.tasks import ready_to_publish


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def report(
    world: World, status: str = "slightly_behind", forecast: int = 4_000_000, version: int | None = None
) -> MidYearReport:
    indicator = world.web.indicators.get()
    return mid_year_report_save(
        collection_round=world.round,
        goal=world.web,
        status=status,
        issues="閲覧数が伸び悩んでいる。",
        forecasts={indicator: ("約400万件", Figure(Decimal(forecast), "件", approximate=True))},
        expected_version=version,
        actor=Actor(user=world.staff),
    )


def test_a_mid_year_round_asks_the_goals_sections_and_publishes_nothing(world: World) -> None:
    assert sorted(r.section.name for r in world.round.requests.all()) == ["企画政策課", "財政課"]
    assert round_snapshots(world.round) == []
    assert not ready_to_publish(CollectionRound.objects.filter(pk=world.round.pk)).exists()
    with pytest.raises(TransitionError):
        round_publish(collection_round=world.round, actor=Actor(user=world.planner))


def test_the_forecast_is_graded_provisionally_by_the_engine(world: World) -> None:
    saved = report(world)
    assert (saved.status, saved.version) == ("slightly_behind", 2)
    [state] = goals_at_mid_year(world.round, [world.web])
    [result] = state.provisional
    assert result.actual == Decimal(4_000_000) and result.outcome.provisional
    assert result.outcome.rounded_rate == Decimal("88.9")
    assert result.grade is not None and result.grade.label == "概ね達成"
    assert state.behind
    assert AuditEvent.objects.filter(content_type__model="forecast", field="value").exists()


def test_a_stale_mid_year_form_is_refused(world: World) -> None:
    first = report(world)
    report(world, status="behind", version=first.version)
    with pytest.raises(ConflictError):
        report(world, status="on_track", version=first.version)
    with pytest.raises(ConflictError):
        report(world, status="on_track", version=None)  # the form was opened before any report existed
    assert MidYearReport.objects.get().status == "behind"


def test_the_year_end_form_recalls_what_was_said_at_mid_year(world: World) -> None:
    report(world)
    hearing_note_save(
        collection_round=world.round,
        department=world.department,
        notes="若年層への発信が課題。",
        instructions="SNSでの発信を検討すること。",
        expected_version=None,
        actor=Actor(user=world.planner),
    )
    recall = mid_year_recall(world.web)
    assert recall is not None and recall.note is not None
    assert recall.note.instructions == "SNSでの発信を検討すること。"
    year_end = round_open(
        municipality=world.municipality,
        fiscal_year=YEAR,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="令和8年度 達成状況",
        deadline=DEADLINE,
        departments=[world.department],
        actor=Actor(label="tests"),
    )
    url = reverse(
        "workflow:goal_edit",
        kwargs={"slug": "midori", "pk": year_end.pk, "section_pk": world.section.pk, "goal_pk": world.web.pk},
    )
    page = client_of(world.staff).get(url).content.decode()
    assert (
        "中間ヒアリング" in page
        and "SNSでの発信を検討すること。" in page
        and "約400万件" in page
        and "やや遅れ" in page
    )


def test_the_dashboard_shows_what_changed_since_mid_year_and_what_is_late(world: World) -> None:
    report(world)  # 見込 88.9 %: 概ね達成
    # No actual yet: 評価不能 now is no change.
    assert not any(row.changed for row in department_dashboard(world.department, YEAR, date.today()).rows)
    indicator = world.web.indicators.get()
    goal_results_update(
        goal=world.web,
        values={},
        actuals={indicator: ("460万件", Figure(Decimal(4_600_000), "件"))},
        fiscal_year=YEAR,
        expected_version=None,
        actor=Actor(user=world.staff),
    )
    dashboard = department_dashboard(world.department, YEAR, date.today())
    web, fund = dashboard.rows
    assert web.changed and not fund.changed
    assert [r.grade.label for r in web.current if r.grade] == ["達成"]
    assert dashboard.provisional_rollup is not None and dashboard.provisional_rollup.rollup.graded == 1
    assert dashboard.late == []
    late = department_dashboard(world.department, YEAR, DEADLINE + timedelta(days=1)).late
    assert sorted(r.section.name for r in late) == ["企画政策課", "財政課"]


def test_the_hearing_page_keeps_notes_per_department(world: World) -> None:
    url = reverse("hearings:hearing", kwargs={"slug": "midori", "pk": world.round.pk})
    client = client_of(world.planner)
    response = client.post(
        url, {"department": world.department.pk, "notes": "聞き取った。", "instructions": "急ぐこと。"}
    )
    assert response.status_code == 302
    [hearing] = round_hearing(world.round)
    assert hearing.note is not None and hearing.note.instructions == "急ぐこと。"
    stale = client.post(
        url, {"department": world.department.pk, "notes": "古い", "instructions": "", "version": 1}
    )
    assert stale.status_code == 409


def test_the_section_writes_its_mid_year_report_in_the_browser_form(world: World) -> None:
    indicator = world.web.indicators.get()
    url = reverse(
        "hearings:goal",
        kwargs={
            "slug": "midori",
            "pk": world.round.pk,
            "section_pk": world.section.pk,
            "goal_pk": world.web.pk,
        },
    )
    response = client_of(world.staff).post(
        url, {"status": "on_track", "issues": "", f"forecast_{indicator.pk}": "４６０万件"}
    )
    assert response.status_code == 302
    assert MidYearReport.objects.get().forecasts.get().value == 4_600_000
    bad = client_of(world.staff).post(
        url, {"status": "on_track", f"forecast_{indicator.pk}": "たくさん", "version": 2}
    )
    assert bad.status_code == 200 and f"forecast_{indicator.pk}" in bad.context["form"].errors
    # The department head reads it; does not write it.
    assert client_of(world.department_head).get(url).status_code == 200
    assert client_of(world.department_head).post(url, {"status": "behind"}).status_code == 403


PAGES = ("goal", "hearing", "dashboard")
ALLOWED = {
    "goal": {"planner", "staff", "head", "department_head"},
    "hearing": {"planner"},
    "dashboard": {"planner", "staff", "head", "department_head"},
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_admits_its_personas_and_refuses_the_others(world: World, page: str) -> None:
    urls = {
        "goal": reverse(
            "hearings:goal",
            kwargs={
                "slug": "midori",
                "pk": world.round.pk,
                "section_pk": world.section.pk,
                "goal_pk": world.web.pk,
            },
        ),
        "hearing": reverse("hearings:hearing", kwargs={"slug": "midori", "pk": world.round.pk}),
        "dashboard": reverse(
            "hearings:dashboard", kwargs={"slug": "midori", "fiscal_year": YEAR, "pk": world.department.pk}
        ),
    }
    for name in (
        "planner",
        "staff",
        "head",
        "department_head",
        "other_head",
        "evaluator",
        "viewer",
        "outsider",
    ):
        status = client_of(getattr(world, name)).get(urls[page]).status_code
        assert status == (200 if name in ALLOWED[page] else status) and (
            name in ALLOWED[page] or status in (403, 404)
        ), (
            page,
            name,
            status,
        )
    assert client_of(None).get(urls[page]).status_code == 302


@pytest.mark.parametrize("goals", [2, 14])
def test_the_dashboard_and_the_hearing_run_bounded_queries(
    world: World, goals: int, django_assert_max_num_queries: Callable[..., object]
) -> None:
    from shinchoku.hearings.tests.conftest import _goal

    for number in range(3, goals + 1):
        _goal(world.declaration, number, f"取組{number}", world.section, f"指標{number}", "件", 100)
    report(world)
    for user, url in (
        (
            world.department_head,
            reverse(
                "hearings:dashboard",
                kwargs={"slug": "midori", "fiscal_year": YEAR, "pk": world.department.pk},
            ),
        ),
        (world.planner, reverse("hearings:hearing", kwargs={"slug": "midori", "pk": world.round.pk})),
    ):
        client = client_of(user)
        client.get(url)  # the first request of a process reads content types and scales once
        # 21 (hearing) and 29 (dashboard) today, with 2 goals or 14.
        with django_assert_max_num_queries(32):
            assert client.get(url).status_code == 200


def test_an_odd_year_in_the_dashboards_address_is_not_found(world: World) -> None:
    url = reverse(
        "hearings:dashboard", kwargs={"slug": "midori", "fiscal_year": 2300, "pk": world.department.pk}
    )
    assert client_of(world.planner).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_year_end_results_are_saved_in_one_transaction(world: World) -> None:
    """Outside a test's own transaction, as a request runs (PostgreSQL refuses FOR UPDATE outside one)."""
    indicator = world.web.indicators.get()
    goal = goal_results_update(
        goal=world.web,
        values={"result_text": "配信を始めた。"},
        actuals={indicator: ("460万件", Figure(Decimal(4_600_000), "件"))},
        fiscal_year=YEAR,
        expected_version=world.web.version,
        actor=Actor(user=world.staff),
    )
    assert goal.result_text == "配信を始めた。"
