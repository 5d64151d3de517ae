"""The evaluation pages read as Japanese pages do (issue 10): ranges in words, goal titles,
fiscal years in 和暦, figures with separators on one line, one breadcrumb trail."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from shinchoku.evaluation.labels import range_words
from shinchoku.evaluation.scales import PRESETS, Band, Preset, Scale
from shinchoku.evaluation.templatetags.evaluation import percent
from shinchoku.evaluation.tests.test_pages import declare, login, read_urls
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Classification, Plan, PlanNode
from shinchoku.progress.models import InitiativeRow, ProgressEntry

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.fixture
def declaration(municipality: Municipality, department: Department, section: Section) -> GoalDeclaration:
    return declare(municipality, department, section, goals=2)


@pytest.fixture
def guideline(municipality: Municipality, section: Section) -> Plan:
    """A guideline with a row of 2024, so that its quality page exists."""
    plan = Plan.objects.create(municipality=municipality, kind=Plan.Kind.GUIDELINE, name="市民参加推進指針")
    node = PlanNode.objects.create(plan=plan, kind="initiative", title="審議会等", position=1, path="0001")
    classification = Classification.objects.create(plan=plan, code="III", label="各課で実施")
    row = InitiativeRow.objects.create(initiative=node, fiscal_year=2024, classification=classification)
    ProgressEntry.objects.create(row=row, kind="plan", fiscal_year=2025, position=1, text="開催する予定。")
    return plan


def test_band_ranges_are_words_in_japanese_and_in_english() -> None:
    achievement = PRESETS[Preset.ACHIEVEMENT]
    baseline = PRESETS[Preset.BASELINE_SABC]
    odd = Scale("x", (Band("A", Decimal("1000"), False), Band("B", Decimal("0.5"), True), Band("C")))
    with translation.override("ja"):
        assert [range_words(achievement, i) for i in range(3)] == ["100%以上", "70%以上100%未満", "70%未満"]
        assert [range_words(baseline, i) for i in range(4)] == [
            "100%以上",
            "0%超100%未満",
            "0%ちょうど",
            "0%未満",
        ]
        assert [range_words(odd, i) for i in range(3)] == ["1,000%超", "0.5%以上1,000%以下", "0.5%未満"]
    with translation.override("en"):
        assert [range_words(achievement, i) for i in range(3)] == [
            "100% or more",
            "70% or more and less than 100%",
            "less than 70%",
        ]


def test_grade_scale_table_writes_the_ranges_in_words(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    page = client.get("/m/midori/evaluation/", **JA).content.decode()
    assert '<td class="nowrap">70%以上100%未満</td>' in page and '<td class="nowrap">70%未満</td>' in page
    assert "≥" not in page and "≤" not in page and "&lt; 70" not in page


def test_percentages_have_thousands_separators() -> None:
    assert percent(Decimal("1286.0")) == "1,286.0%"
    assert percent(Decimal("94.2")) == "94.2%"
    assert percent(None) == "—"


def test_year_page_names_goals_writes_years_in_wareki_and_keeps_figures_on_one_line(
    client: Client,
    staff,
    declaration: GoalDeclaration,  # type: ignore[no-untyped-def]
) -> None:
    declare(declaration.municipality, declaration.department, Section.objects.get(), goals=2, year=2023)
    login(client, staff)
    page = client.get("/m/midori/evaluation/2024/", **JA).content.decode()
    # Each row names its goal, not only its number.
    assert re.search(
        r'<th scope="row"><a href="[^"]+">1</a><br><span class="goal-title">取組1</span></th>', page
    )
    # 年度別の推移: the fiscal years in 和暦, never a bare 2023.
    assert '<th scope="row" class="nowrap">令和5年度</th>' in page
    assert '<th scope="row" class="nowrap">令和6年度</th>' in page
    assert not re.search(r"<th[^>]*>\s*202[34]\s*</th>", page)
    # Figures on one line, numeric columns marked, the text columns given room.
    assert '<td class="figure"><data value="100">100件</data>' in page
    assert '<td class="number nowrap">91.0%</td>' in page
    assert '<col class="col-goal">' in page and 'class="report report--results"' in page


def test_evaluation_pages_have_one_breadcrumb_trail(
    client: Client,
    staff,
    declaration: GoalDeclaration,
    guideline: Plan,  # type: ignore[no-untyped-def]
) -> None:
    login(client, staff)
    for url in read_urls(declaration, guideline):
        page = client.get(url, **JA).content.decode()
        assert page.count('<nav class="breadcrumbs') == 1, url
        assert "›" not in page, url
        trail = page.split('<nav class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
        assert "達成状況と点検" in trail, url
        assert 'aria-current="page"' in trail, url
        main = page.split('<main id="main">', 1)[1]
        assert "達成状況と点検</a>" not in main, url  # no second trail inside the page
