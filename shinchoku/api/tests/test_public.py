"""The public endpoints: what the portal publishes, as JSON, read from the published revisions only."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from shinchoku.core.audit import Actor
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Municipality
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import goal_declaration_publish

BASE = "/api/v1/municipalities/midori"


def get(path: str, **params: Any) -> Any:
    response = APIClient().get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_municipalities_and_the_catalogue(
    published: dict[str, Publication], other_municipality: Municipality
) -> None:
    listed = get("/api/v1/municipalities/")
    assert [m["slug"] for m in listed["results"]] == ["midori", "sora"]
    assert listed["results"][0]["portal_url"] == "http://testserver/p/midori/"
    assert [m["slug"] for m in get("/api/v1/municipalities/", prefecture="神奈川県")["results"]] == []
    city = get(f"{BASE}/")
    assert city["published_years"] == [2018, 2016]
    assert city["achievement_by_year"][0]["fiscal_year"] == 2016
    catalogue = get(f"{BASE}/publications/")
    assert catalogue["count"] == 2
    assert {p["kind"] for p in catalogue["results"]} == {"goal_declaration", "guideline_progress"}
    assert get(f"{BASE}/publications/", kind="guideline_progress")["count"] == 1
    assert get(f"{BASE}/publications/", fiscal_year=2016)["results"][0]["fiscal_year_label"] == "平成28年度"


def test_a_revision_its_goals_indicators_and_achievement(published: dict[str, Publication]) -> None:
    pk = published["goals"].pk
    detail = get(f"{BASE}/publications/{pk}/")
    assert detail["declarer"]["position"] == "企画部長" and detail["goal_count"] == 10
    assert detail["newer_revision"] is None and detail["is_current"] is True
    assert {d["format"] for d in detail["downloads"]} == {"pdf", "xlsx", "csv", "json"}
    assert detail["achievement"]["rollup"]["threshold"] == "概ね達成"
    goals = get(f"{BASE}/publications/{pk}/goals/")
    assert goals["count"] == 10
    fund = next(g for g in goals["results"] if g["number"] == 3)
    assert fund["sections"] == ["財政課"]
    assert fund["actuals"][0]["value"] == "1277000000" and fund["actuals"][0]["approximate"] is True
    assert fund["indicators"][0]["grade"] == "達成"
    assert fund["indicators"][0]["actual_text"] == "12億7,700万円"
    assert fund["portal_url"].endswith(f"/p/midori/reports/{pk}/#goal-3")
    assert [g["number"] for g in get(f"{BASE}/publications/{pk}/goals/", section="財政課")["results"]] == [
        3,
        4,
        5,
        6,
    ]
    indicators = get(f"{BASE}/publications/{pk}/indicators/", grade="概ね達成")
    assert [i["label"] for i in indicators["results"]] == ["公式ホームページサイトの総ページビュー数"]
    assert indicators["results"][0]["rate"] == "94.2"
    achievement = get(f"{BASE}/publications/{pk}/achievement/")
    assert achievement["scale"]["grades"] == ["達成", "概ね達成", "未達成"]
    assert achievement["grades"]["概ね達成"] == 1
    summary = get(f"{BASE}/achievement/")
    assert summary["results"][0]["publication_id"] == pk


def test_a_guideline_revision_its_initiatives_and_entries(published: dict[str, Publication]) -> None:
    pk = published["guideline"].pk
    detail = get(f"{BASE}/publications/{pk}/")
    assert detail["guideline"]["result_year"] == 2018 and detail["guideline"]["plan_year"] == 2019
    assert detail["achievement"] is None and detail["declarer"] is None
    initiatives = get(f"{BASE}/publications/{pk}/initiatives/", page_size=5)
    assert initiatives["count"] == detail["initiative_count"] and len(initiatives["results"]) == 5
    assert initiatives["next"].endswith("page=2&page_size=5")
    first = initiatives["results"][0]
    assert first["number"] == 1 and first["title"] and first["rows"]
    assert any(entry["sections"] for row in first["rows"] for entry in row["results"])
    entries = get(f"{BASE}/publications/{pk}/entries/", kind="plan", page_size=200)
    assert entries["count"] > 50 and {e["kind"] for e in entries["results"]} == {"plan"}
    assert {e["fiscal_year"] for e in entries["results"]} == {2019}
    bodies = get(f"{BASE}/publications/{pk}/entries/", section="市野球協会学童部")["results"]
    assert bodies and all("市野球協会学童部" in e["sections"] for e in bodies)


def test_a_list_of_the_wrong_kind_of_report_is_not_found(published: dict[str, Publication]) -> None:
    client = APIClient()
    guideline, goals = published["guideline"].pk, published["goals"].pk
    for path in (
        f"{BASE}/publications/{guideline}/goals/",
        f"{BASE}/publications/{guideline}/indicators/",
        f"{BASE}/publications/{guideline}/achievement/",
        f"{BASE}/publications/{goals}/initiatives/",
        f"{BASE}/publications/{goals}/entries/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_only_published_revisions_are_read_never_the_tables_staff_edit(
    published: dict[str, Publication], actor: Actor
) -> None:
    """A draft change after publishing is invisible until a new revision is published."""
    pk = published["goals"].pk
    goal = Goal.objects.get(declaration__fiscal_year=2016, number=3)
    Goal.objects.filter(pk=goal.pk).update(title="下書きの題名")
    ProgressEntry.objects.update(text="下書きの文")
    assert "下書き" not in APIClient().get(f"{BASE}/publications/{pk}/goals/").content.decode()
    assert (
        "下書き"
        not in APIClient().get(f"{BASE}/publications/{published['guideline'].pk}/entries/").content.decode()
    )
    # Publishing again makes a new revision: the old one stays readable and points to it.
    newer = goal_declaration_publish(declaration=goal.declaration, actor=actor)
    old = get(f"{BASE}/publications/{pk}/")
    assert old["is_current"] is False and old["newer_revision"] == newer.pk
    assert get(f"{BASE}/publications/")["count"] == 2
    assert get(f"{BASE}/publications/", all_revisions="true")["count"] == 3
    assert any(g["title"] == "下書きの題名" for g in get(f"{BASE}/publications/{newer.pk}/goals/")["results"])


def test_another_municipalitys_revision_is_not_found_under_our_slug(
    published: dict[str, Publication], other_municipality: Municipality
) -> None:
    response = APIClient().get(f"/api/v1/municipalities/sora/publications/{published['goals'].pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("fiscal_year=1200", "fiscal_year"),
        ("kind=budget", "kind"),
        ("all_revisions=maybe", "all_revisions"),
    ],
)
def test_a_wrong_filter_is_a_400_naming_it(published: dict[str, Publication], query: str, field: str) -> None:
    response = APIClient().get(f"{BASE}/publications/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["code"] == "invalid" and body["message"].startswith(f"{field}: ")
