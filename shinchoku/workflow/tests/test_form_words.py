"""The rounds pages and forms read as Japanese (issue 10): no half-width colon after a label,
fields apart from each other, status words and dates that do not break."""

from __future__ import annotations

import re

from django.test import Client

from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.workflow.models import CollectionRound

from .test_goal_results import goal, goal_round  # noqa: F401  (fixtures)

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


def labels(page: str) -> list[str]:
    return re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)


def test_the_round_form_has_no_half_width_colon_and_one_field_per_block(
    client: Client, collection_round: CollectionRound, planner, municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    page = client.get("/m/midori/rounds/new/", **JA).content.decode()
    assert not [text for text in labels(page) if re.search(r":\s*$", re.sub(r"<[^>]+>", "", text))]
    assert "年度:" not in page and "資料:" not in page
    # Each select in a field block of its own (label above, spacing below), not side by side.
    for name in ("fiscal_year", "kind", "plan"):
        assert re.search(rf'<div class="form-field">\s*<label for="id_{name}">', page), name
    # The department checkboxes: a list of 44 px rows, each box beside its label.
    assert '<fieldset class="choices">' in page
    departments = list(Department.objects.filter(municipality=municipality).values_list("pk", flat=True))
    second = client.post(
        "/m/midori/rounds/new/",
        {"fiscal_year": "2025", "kind": "goal_declaration", "departments": departments, "choose": "1"},
        **JA,
    ).content.decode()
    assert re.search(r'<fieldset class="choices">\s*<legend>企画部</legend>\s*<div>', second)
    assert not [text for text in labels(second) if re.search(r":\s*$", re.sub(r"<[^>]+>", "", text))]


def test_the_goal_results_form_has_no_half_width_colon(
    client: Client,
    goal_round: CollectionRound,  # noqa: F811
    goal: Goal,  # noqa: F811
    section: Section,
    staff,
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    url = f"/m/midori/rounds/{goal_round.pk}/sections/{section.pk}/goals/{goal.pk}/"
    page = client.get(url, **JA).content.decode()
    found = labels(page)
    assert any("取組結果" in text for text in found)
    assert not [text for text in found if re.search(r":\s*$", re.sub(r"<[^>]+>", "", text))], found
    assert "取組結果）:" not in page and "(取組結果):" not in page


def test_the_rounds_list_keeps_status_words_and_dates_whole(
    client: Client, collection_round: CollectionRound, planner
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    page = client.get("/m/midori/rounds/", **JA).content.decode()
    assert '<th scope="col" class="nowrap">未提出</th>' in page
    assert '<td class="nowrap">受付中</td>' in page
    assert re.search(r'<td class="nowrap">令和\d+年\d+月\d+日</td>', page)
    assert '<col class="col-title">' in page and '<table class="rounds">' in page
    board = client.get(f"/m/midori/rounds/{collection_round.pk}/", **JA).content.decode()
    assert '<td class="nowrap">未提出</td>' in board
