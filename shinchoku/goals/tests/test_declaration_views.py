"""The declaration pages through HTTP: with and without htmx, conflicts, figures, and when they lock."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.figures import parse_figure
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.services import goal_create, goal_update, indicator_create
from shinchoku.organizations.models import Department, Section
from shinchoku.plans.models import Target
from shinchoku.publishing.services import goal_declaration_publish
from shinchoku.workflow.models import DocumentKind, RequestStatus
from shinchoku.workflow.services import round_open, round_request_send_back, round_request_submit

HX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _url(declaration: GoalDeclaration, rest: str = "") -> str:
    return f"/m/midori/declarations/{declaration.pk}/{rest}"


@pytest.fixture
def goal(declaration: GoalDeclaration, section: Section, actor: Actor) -> Goal:
    return goal_create(declaration=declaration, title="ホームページの充実", sections=[section], actor=actor)


def test_goal_added_with_htmx_returns_the_list_and_without_it_redirects(
    client: Client, declaration: GoalDeclaration, section: Section, department_head
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    response = client.post(
        _url(declaration, "goals/"), {"new-title": "一", "new-sections": [section.pk]}, **HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="goals">') and "1. 一" in body and "<html" not in body
    plain = client.post(_url(declaration, "goals/"), {"new-title": "二", "new-sections": [section.pk]})
    second = declaration.goals.get(number=2)
    assert plain.status_code == 302 and plain["Location"].endswith(f"#goal-{second.pk}")


def test_invalid_goal_form_shows_errors_with_and_without_htmx(
    client: Client, declaration: GoalDeclaration, foreign_section: Section, department_head
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    page = client.post(
        _url(declaration, "goals/"), {"new-title": "", "new-sections": [foreign_section.pk]}, **EN
    )
    assert (
        page.status_code == 200 and "errorlist" in page.content.decode() and "<html" in page.content.decode()
    )
    partial = client.post(_url(declaration, "goals/"), {"new-title": ""}, **HX, **EN)
    assert partial.status_code == 200 and "errorlist" in partial.content.decode()
    assert not declaration.goals.exists()


def test_goal_edit_conflict_is_409_without_htmx_and_200_with_it(
    client: Client, declaration: GoalDeclaration, goal: Goal, section: Section, department_head, planner
) -> None:  # type: ignore[no-untyped-def]
    opened = goal.version
    goal_update(
        goal=goal,
        values={"title": "企画課の版"},
        sections=[section],
        expected_version=opened,
        actor=Actor(user=planner),
    )
    client.force_login(department_head)
    form = {
        f"g{goal.pk}-title": "部長の版",
        f"g{goal.pk}-sections": [section.pk],
        f"g{goal.pk}-version": opened,
    }
    response = client.post(_url(declaration, f"goals/{goal.pk}/"), form, **EN)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Not saved" in body and "企画課の版" in body and "部長の版" in body
    assert f'value="{opened + 1}"' in body  # saving again replaces theirs deliberately
    swapped = client.post(_url(declaration, f"goals/{goal.pk}/"), form, **HX, **EN)
    assert swapped.status_code == 200 and swapped.content.decode().startswith('<section class="goal"')
    again = client.post(_url(declaration, f"goals/{goal.pk}/"), {**form, f"g{goal.pk}-version": opened + 1})
    assert again.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "部長の版"


def test_indicator_figures_are_checked_and_saved(
    client: Client, declaration: GoalDeclaration, goal: Goal, department_head
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    p = f"n{goal.pk}"
    check = client.post(
        _url(declaration, "check/"), {f"{p}-baseline": "約４００万件", f"{p}-target": "12億億円"}, **EN
    )
    body = check.content.decode()
    assert "4000000件" in body.replace(",", "") and "approximate" in body and "Error" in body
    form = {
        f"{p}-name": "ページビュー数",
        f"{p}-unit": "",
        f"{p}-direction": "increase",
        f"{p}-formula": "baseline_relative",
        f"{p}-baseline": "400万件",
        f"{p}-target": "４５０万件",
        f"{p}-cumulative": "on",
    }
    # Without JavaScript, "check" shows the parsed values in the form and saves nothing.
    checked = client.post(_url(declaration, f"goals/{goal.pk}/indicators/"), {**form, "check": "1"}, **EN)
    assert (
        checked.status_code == 200
        and "4,500,000件" in checked.content.decode()
        and not goal.indicators.exists()
    )
    wrong = client.post(
        _url(declaration, f"goals/{goal.pk}/indicators/"), {**form, f"{p}-unit": "円"}, **HX, **EN
    )
    assert "does not match" in wrong.content.decode() and not goal.indicators.exists()
    saved = client.post(_url(declaration, f"goals/{goal.pk}/indicators/"), form, **HX)
    assert saved.status_code == 200 and "ページビュー数" in saved.content.decode()
    indicator = goal.indicators.get()
    assert (indicator.unit, indicator.formula, indicator.cumulative) == ("件", "baseline_relative", True)
    assert Target.objects.get(indicator=indicator).value == 4500000

    e = f"i{indicator.pk}"
    edit = {k.replace(p, e): v for k, v in form.items()} | {
        f"{e}-target": "460万件",
        f"{e}-version": indicator.version,
    }
    response = client.post(_url(declaration, f"goals/{goal.pk}/indicators/{indicator.pk}/"), edit)
    assert response.status_code == 302
    assert Target.objects.get(indicator=indicator).value == 4600000
    stale = client.post(_url(declaration, f"goals/{goal.pk}/indicators/{indicator.pk}/"), edit, **EN)
    assert stale.status_code == 409 and "Not saved" in stale.content.decode()
    indicator.refresh_from_db()
    deleted = client.post(
        _url(declaration, f"goals/{goal.pk}/indicators/{indicator.pk}/delete/"),
        {"version": indicator.version},
        **HX,
    )
    assert deleted.status_code == 200 and not goal.indicators.exists()


def test_goals_move_and_delete(
    client: Client, declaration: GoalDeclaration, goal: Goal, section: Section, department_head, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    other = goal_create(declaration=declaration, title="二番目", sections=[section], actor=actor)
    client.force_login(department_head)
    assert client.post(_url(declaration, f"goals/{other.pk}/move/"), {"offset": "-1"}).status_code == 302
    assert list(declaration.goals.order_by("number").values_list("pk", flat=True)) == [other.pk, goal.pk]
    moved = client.post(_url(declaration, f"goals/{other.pk}/move/"), {"offset": "1"}, **HX)
    assert moved.status_code == 200 and moved.content.decode().startswith('<div id="goals">')
    goal.refresh_from_db()
    response = client.post(_url(declaration, f"goals/{goal.pk}/delete/"), {"version": goal.version}, **HX)
    assert response.status_code == 200 and list(declaration.goals.values_list("number", "title")) == [
        (1, "二番目")
    ]


def test_declaration_header_is_edited(client: Client, declaration: GoalDeclaration, department_head) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    form = {
        "d-title": "令和7年度 企画部長の目標宣言",
        "d-declarer_position": "企画部長",
        "d-declarer_name": "山田太郎",
    }
    assert client.post(_url(declaration), {**form, "d-version": declaration.version}).status_code == 302
    stale = client.post(
        _url(declaration), {**form, "d-declarer_name": "別人", "d-version": declaration.version}
    )
    assert stale.status_code == 409
    declaration.refresh_from_db()
    assert declaration.declarer_name == "山田太郎"


# --- who -------------------------------------------------------------------------------------


def test_section_members_read_without_forms_and_cannot_write(
    client: Client, declaration: GoalDeclaration, goal: Goal, section: Section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    for user in (staff, section_head):
        client.force_login(user)
        page = client.get(_url(declaration), **EN)
        assert page.status_code == 200 and "ホームページの充実" in page.content.decode()
        assert "Add a goal" not in page.content.decode()
        assert (
            client.post(
                _url(declaration, "goals/"), {"new-title": "x", "new-sections": [section.pk]}
            ).status_code
            == 403
        )
        assert client.get("/m/midori/declarations/new/").status_code == 403
    assert declaration.goals.count() == 1


def test_outsiders_viewers_and_anonymous_are_refused(
    client: Client, declaration: GoalDeclaration, outsider, viewer, evaluator
) -> None:  # type: ignore[no-untyped-def]
    assert client.get(_url(declaration))["Location"].startswith("/login/")
    assert client.get("/m/midori/declarations/")["Location"].startswith("/login/")
    for user in (outsider, viewer, evaluator):
        client.force_login(user)
        assert client.get(_url(declaration)).status_code == 403
        assert client.get("/m/midori/declarations/").status_code == 403
    client.force_login(outsider)
    assert client.get(f"/m/sora/declarations/{declaration.pk}/").status_code == 404


def test_another_departments_head_does_not_see_it(
    client: Client, declaration: GoalDeclaration, other_department: Department, municipality
) -> None:  # type: ignore[no-untyped-def]
    from conftest import _member

    head = _member("somu", municipality, "department_head", department=other_department)
    client.force_login(head)
    assert client.get(_url(declaration)).status_code == 404
    listing = client.get("/m/midori/declarations/?year=2025").content.decode()
    assert "企画部" not in listing and "総務部" in listing


def test_list_offers_to_declare_and_new_refuses_a_duplicate(
    client: Client, department: Department, department_head, declaration: GoalDeclaration
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(department_head)
    listing = client.get("/m/midori/declarations/?year=2026").content.decode()
    assert f"/m/midori/declarations/new/?fiscal_year=2026&amp;department={department.pk}" in listing
    again = client.post("/m/midori/declarations/new/", {"fiscal_year": 2025, "department": department.pk})
    assert again.status_code == 302 and again["Location"] == _url(declaration)
    assert GoalDeclaration.objects.count() == 1


# --- when -------------------------------------------------------------------------------------


def _add_goal(client: Client, declaration: GoalDeclaration, section: Section) -> int:
    return client.post(
        _url(declaration, "goals/"), {"new-title": "追加", "new-sections": [section.pk]}
    ).status_code


def test_published_declaration_is_read_only(
    client: Client, declaration: GoalDeclaration, goal: Goal, section: Section, department_head, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    indicator_create(goal=goal, name="件数", unit="件", target=parse_figure("10件"), actor=actor)
    goal_declaration_publish(declaration=declaration, actor=actor)
    client.force_login(department_head)
    page = client.get(_url(declaration), **EN).content.decode()
    assert "Read only" in page and "Add a goal" not in page
    assert _add_goal(client, declaration, section) == 302
    assert declaration.goals.count() == 1


def test_a_goal_declaration_round_decides_while_it_is_open(
    client: Client,
    declaration: GoalDeclaration,
    goal: Goal,
    section: Section,
    department_head,
    staff,
    section_head,
    actor: Actor,
) -> None:  # type: ignore[no-untyped-def]
    goal_round = round_open(
        municipality=declaration.municipality,
        fiscal_year=declaration.fiscal_year,
        kind=DocumentKind.GOAL_DECLARATION,
        title="目標宣言の照会",
        deadline=date(2026, 5, 20),
        sections=[section],
        actor=actor,
        departments=[declaration.department],
        today=date(2026, 4, 1),
    )
    request = goal_round.requests.get()
    client.force_login(department_head)
    assert _add_goal(client, declaration, section) == 302 and declaration.goals.count() == 2  # pending
    round_request_submit(request=request, actor=Actor(user=staff))
    assert _add_goal(client, declaration, section) == 302 and declaration.goals.count() == 2  # submitted
    round_request_send_back(request=request, actor=Actor(user=section_head), comment="目標値を")
    request.refresh_from_db()
    assert request.status == RequestStatus.SENT_BACK
    assert _add_goal(client, declaration, section) == 302 and declaration.goals.count() == 3  # sent back
