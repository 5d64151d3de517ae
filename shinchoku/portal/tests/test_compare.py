"""Municipalities side by side (issue 13): published roll-ups only, one scale at a time, bounded queries."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.organizations.services import municipality_create
from shinchoku.publishing import selectors
from shinchoku.publishing.models import Publication, PublishedRollup
from shinchoku.publishing.services import goal_declaration_publish
from shinchoku.testing import SEED_000

pytestmark = pytest.mark.django_db


def _publish_seed(municipality: Municipality, actor: Actor, seeds_dir: Path) -> Publication:
    report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_000).read_bytes(),
        source=SEED_000,
        actor=actor,
        create_missing=True,
    )
    declaration = GoalDeclaration.objects.get(municipality=municipality)
    return goal_declaration_publish(declaration=declaration, actor=actor)


@pytest.fixture
def cities(
    municipality: Municipality, other_municipality: Municipality, actor: Actor, seeds_dir: Path
) -> dict[str, Publication]:
    third = municipality_create(
        code="012025", name="はるか市", prefecture="北海道", slug="haruka", actor=actor
    )
    return {
        "midori": _publish_seed(municipality, actor, seeds_dir),
        "sora": _publish_seed(other_municipality, actor, seeds_dir),
        "haruka": _publish_seed(third, actor, seeds_dir),
    }


def test_a_published_declaration_has_its_rollup_and_a_new_revision_replaces_it(
    cities: dict[str, Publication], actor: Actor
) -> None:
    first = cities["midori"]
    rollup = PublishedRollup.objects.get(publication=first)
    published = first.evaluation["rollup"]
    assert (rollup.graded, rollup.at_or_above, rollup.indicators) == (
        published["graded"],
        published["at_or_above"],
        published["indicators"],
    )
    assert rollup.scale == first.evaluation["scale"]["name"]
    assert sum(rollup.grades.values()) == rollup.graded
    declaration = GoalDeclaration.objects.get(municipality=first.municipality)
    goal = declaration.goals.order_by("number").first()
    assert goal is not None
    goal.status_text += "（追記）"
    goal.save(update_fields=["status_text"])
    second = goal_declaration_publish(declaration=declaration, actor=actor)
    assert list(PublishedRollup.objects.filter(municipality=first.municipality)) == [
        PublishedRollup.objects.get(publication=second)
    ]


def test_prefecture_totals_then_a_prefectures_municipalities(cities: dict[str, Publication]) -> None:
    rollup = PublishedRollup.objects.get(publication=cities["midori"])
    year = cities["midori"].fiscal_year
    found = selectors.comparison()
    assert found.fiscal_year == year and found.scale == rollup.scale
    # Prefectures in the order of their codes: 北海道 (01) before 架空県 (99).
    assert [r.name for r in found.rows] == ["北海道", "架空県"]
    fictional = found.rows[1]
    assert (fictional.municipalities, fictional.reports) == (2, 2)
    assert (fictional.graded, fictional.at_or_above) == (2 * rollup.graded, 2 * rollup.at_or_above)
    assert fictional.share == selectors.YearTotal(year, rollup.graded, rollup.at_or_above).share

    cities_of = selectors.comparison(year, rollup.scale, "架空県")
    assert [(r.code, r.name, r.slug) for r in cities_of.rows] == [
        ("992011", "みどり市", "midori"),
        ("992020", "そら町", "sora"),
    ]
    # An unknown prefecture shows the totals, not an empty table.
    assert selectors.comparison(year, rollup.scale, "どこか県").prefecture == ""


def test_figures_of_another_scale_are_never_added(cities: dict[str, Publication]) -> None:
    PublishedRollup.objects.filter(publication=cities["sora"]).update(scale="A・B・C・D")
    found = selectors.comparison()
    assert set(found.scales) == {found.scale, "A・B・C・D"}
    assert {r.name: r.municipalities for r in found.rows} == {"北海道": 1, "架空県": 1}
    other = selectors.comparison(found.fiscal_year, "A・B・C・D", "架空県")
    assert [r.name for r in other.rows] == ["そら町"]


def test_what_is_not_published_is_not_compared(
    municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    report_import(
        municipality=municipality,
        data=(seeds_dir / SEED_000).read_bytes(),
        source=SEED_000,
        actor=actor,
        create_missing=True,
    )
    assert selectors.comparison().rows == []
    page = Client().get("/compare/").content.decode()
    assert "みどり市" not in page


def test_the_page_and_its_open_data(
    client: Client, cities: dict[str, Publication], django_assert_max_num_queries: Any
) -> None:
    year = cities["midori"].fiscal_year
    with django_assert_max_num_queries(4):
        response = client.get("/compare/", HTTP_ACCEPT_LANGUAGE="ja")
    page = response.content.decode()
    assert response.status_code == 200 and "自治体間の比較" in page
    assert "public" in response["Cache-Control"]
    assert 'href="/compare/?year=' in page and "prefecture=%E6%9E%B6%E7%A9%BA%E7%9C%8C" in page
    with django_assert_max_num_queries(5):
        page = client.get("/compare/", {"prefecture": "架空県"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    with django_assert_max_num_queries(1):  # kept until something is published
        assert client.get("/compare/", {"prefecture": "架空県"}, HTTP_ACCEPT_LANGUAGE="ja").status_code == 200
    assert 'href="/p/midori/summary/"' in page and 'href="/p/sora/summary/"' in page
    assert "はるか市" not in page

    rows = list(csv.reader(io.StringIO(client.get("/compare/download.csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["地方公共団体コード", "都道府県", "地方公共団体名"]
    assert [row[0] for row in rows[1:]] == ["012025", "992011", "992020"]
    assert all(row[3] == str(year) for row in rows[1:])
    data = json.loads(client.get("/compare/download.json").content)
    assert data["schema"] == "shinchoku/achievement_comparison" and data["fiscal_year"] == year
    assert [row["name"] for row in data["rows"]] == ["はるか市", "みどり市", "そら町"]
    assert client.get("/compare/download.xlsx").status_code == 404
    summary = client.get("/p/midori/summary/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'href="/compare/?prefecture=%E6%9E%B6%E7%A9%BA%E7%9C%8C"' in summary


def test_the_page_before_anything_is_published(client: Client, municipality: Municipality) -> None:
    response = client.get("/compare/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200 and "公表された目標宣言はまだありません" in response.content.decode()
    assert client.get("/compare/download.csv").status_code == 404


def test_search_filter_choices_are_read_once_until_the_next_publishing(
    cities: dict[str, Publication], actor: Actor, django_assert_num_queries: Any
) -> None:
    """The search form's choices are kept per municipality until it publishes again."""
    municipality = cities["midori"].municipality
    first = selectors.filter_choices(municipality)
    assert first["years"] == [cities["midori"].fiscal_year] and first["departments"]
    with django_assert_num_queries(1):  # the newest revision's stamp only
        assert selectors.filter_choices(municipality) == first
    declaration = GoalDeclaration.objects.get(municipality=municipality)
    declaration.department.name = "未来創造部"
    declaration.department.save(update_fields=["name"])
    goal_declaration_publish(declaration=declaration, actor=actor)
    with django_assert_num_queries(2):  # a new revision: read again
        again = selectors.filter_choices(municipality)
    assert "未来創造部" in again["departments"]


def test_a_publishing_shows_at_once(
    client: Client, cities: dict[str, Publication], actor: Actor, seeds_dir: Path
) -> None:
    """The comparison is kept between views, under the newest revision: a publishing anywhere
    makes the next view compute it again."""
    assert "あおば村" not in client.get("/compare/", {"prefecture": "架空県"}).content.decode()
    aoba = municipality_create(code="993018", name="あおば村", prefecture="架空県", slug="aoba", actor=actor)
    _publish_seed(aoba, actor, seeds_dir)
    assert "あおば村" in client.get("/compare/", {"prefecture": "架空県"}).content.decode()
