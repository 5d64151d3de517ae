"""A declaration made through the forms is the data the importer makes: the year-end results
form and the achievement engine work on it."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import Department, Section
from shinchoku.workflow.models import DocumentKind
from shinchoku.workflow.services import round_open

from .conftest import YEAR


def test_declared_through_the_forms_then_results_then_graded(
    client: Client,
    department: Department,
    section: Section,
    sibling_section: Section,
    department_head,
    staff,
    actor: Actor,
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    new = client.get(f"/m/midori/declarations/new/?fiscal_year={YEAR}&department={department.pk}")
    assert new.status_code == 200 and "企画部長" in new.content.decode()
    created = client.post(
        "/m/midori/declarations/new/",
        {"fiscal_year": YEAR, "department": department.pk, "title": "", "declarer_position": ""},
    )
    declaration = GoalDeclaration.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/m/midori/declarations/{declaration.pk}/"
    assert declaration.declarer_position == "企画部長"
    url = created["Location"]

    for title, chosen in (
        ("ホームページの充実", [section]),
        ("ふるさと納税の推進", [section, sibling_section]),
    ):
        response = client.post(
            f"{url}goals/",
            {
                "new-title": title,
                "new-sections": [s.pk for s in chosen],
                "new-content": "・取り組む",
                "new-target_text": "目標",
            },
        )
        assert response.status_code == 302, response.content.decode()
    first, second = declaration.goals.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert list(second.sections.order_by("goalsection__position")) == [section, sibling_section]

    indicators = (
        (
            first,
            {
                "name": "ページビュー数",
                "unit": "",
                "direction": "increase",
                "formula": "ratio",
                "baseline": "400万件",
                "target": "450万件",
            },
        ),
        (
            second,
            {
                "name": "寄附額",
                "unit": "円",
                "direction": "increase",
                "formula": "ratio",
                "baseline": "",
                "target": "１０億円",
            },
        ),
    )
    for goal, values in indicators:
        prefix = f"n{goal.pk}"
        response = client.post(
            f"{url}goals/{goal.pk}/indicators/", {f"{prefix}-{k}": v for k, v in values.items()}
        )
        assert response.status_code == 302, response.content.decode()
    page = client.get(url).content.decode()
    assert "450万件" in page and "１０億円" in page and "400万件" in page

    # Year-end: a round for the results; the section's staff enter the actuals in the existing form.
    results_round = round_open(
        municipality=declaration.municipality,
        fiscal_year=YEAR,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="達成状況の照会",
        deadline=date(2026, 5, 20),
        sections=[section],
        actor=actor,
        departments=[declaration.department],
        today=date(2026, 4, 1),
    )
    client.force_login(staff)
    for goal, actual in ((first, "4,238,714件"), (second, "約１２億７，７００万円")):
        indicator = goal.indicators.get()
        goal_url = f"/m/midori/rounds/{results_round.pk}/sections/{section.pk}/goals/{goal.pk}/"
        goal.refresh_from_db()
        response = client.post(
            goal_url,
            {
                "result_text": "実施した。",
                "direction_text": "",
                "status_text": "",
                "version": goal.version,
                f"actual_{indicator.pk}": actual,
            },
        )
        assert response.status_code == 302, response.content.decode()

    out = StringIO()
    call_command("achievement", "--fiscal-year", str(YEAR), "--json", stdout=out)
    data = json.loads(out.getvalue())
    graded = {row["label"]: row for row in data["indicators"]}
    assert set(graded) == {"ページビュー数", "寄附額"}
    assert graded["ページビュー数"]["rate"] == "94.2"
    assert graded["ページビュー数"]["grade"] == "概ね達成"
    assert graded["寄附額"]["rate"] == "127.7"
    assert graded["寄附額"]["grade"] == "達成"
    assert all(row["state"] == "final" and row["department"] == "企画部" for row in graded.values())
