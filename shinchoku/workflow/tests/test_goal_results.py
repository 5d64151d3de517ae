"""The year-end results form: texts and actual figures typed as staff write them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement
from shinchoku.workflow.models import CollectionRound, DocumentKind
from shinchoku.workflow.services import round_open

from .conftest import DEADLINE, TODAY


@pytest.fixture
def goal(municipality: Municipality, department: Department, section: Section) -> Goal:
    declaration = GoalDeclaration.objects.create(
        municipality=municipality, fiscal_year=2025, department=department, declarer_position="企画部長"
    )
    goal = Goal.objects.create(
        declaration=declaration, number=1, title="ふるさと納税の推進", target_text="10億円"
    )
    GoalSection.objects.create(goal=goal, section=section)
    goal.indicators.add(Indicator.objects.create(municipality=municipality, name="寄附額", unit="円"))
    return goal


@pytest.fixture
def goal_round(municipality: Municipality, section: Section, goal: Goal, actor: Actor) -> CollectionRound:
    return round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="達成状況の照会",
        deadline=DEADLINE,
        sections=[section],
        actor=actor,
        departments=[goal.declaration.department],
        today=TODAY,
    )


def test_actuals_are_parsed_shown_back_and_saved_as_audited_measurements(
    client: Client, goal_round: CollectionRound, goal: Goal, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    url = f"/m/midori/rounds/{goal_round.pk}/sections/{section.pk}/goals/{goal.pk}/"
    indicator = goal.indicators.get()
    field = f"actual_{indicator.pk}"
    assert client.get(url).status_code == 200
    check = client.post(f"{url}check/", {field: "約１２億７，７００万円（見込）"}, HTTP_ACCEPT_LANGUAGE="en")
    body = check.content.decode()
    assert "1,277,000,000円" in body and "approximate" in body and "provisional" in body
    wrong = client.post(f"{url}check/", {field: "12億億円"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Error" in wrong
    form = {
        "result_text": "寄附額が増えた。",
        "direction_text": "",
        "status_text": "",
        "version": goal.version,
    }
    # Without JavaScript, "check" shows the parsed value and saves nothing.
    checked = client.post(
        url, {**form, field: "約１２億７，７００万円", "check": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "1,277,000,000円" in checked.content.decode() and not Measurement.objects.exists()
    saved = client.post(url, {**form, field: "約１２億７，７００万円"})
    assert saved.status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.approximate, measurement.fiscal_year) == (
        Decimal("1277000000"),
        True,
        2025,
    )
    assert AuditEvent.objects.filter(object_id=str(measurement.pk), field="value").exists()
    goal.refresh_from_db()
    assert goal.result_text == "寄附額が増えた。" and goal.version == 2
    # A stale form (version 1) is refused and shows the other change.
    stale = client.post(
        url, {**form, "result_text": "古い画面から", field: "10億円"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert stale.status_code == 409 and "寄附額が増えた。" in stale.content.decode()
    # A unit that does not fit the indicator is refused.
    bad = client.post(url, {**form, "version": 2, field: "450万件"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "does not match" in bad.content.decode()
