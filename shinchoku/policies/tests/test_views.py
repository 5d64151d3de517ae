"""The 施策評価 pages: who may see and write what, the forms' errors, bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from shinchoku.core.audit import Actor
from shinchoku.plans.models import Measurement
from shinchoku.policies.models import ExternalReview, PolicySheet
from shinchoku.policies.services import committee_opinion_update, reviewers_assign
from shinchoku.policies.tests.conftest import STRUCTURE, World

PERSONAS = (
    "planner",
    "staff",
    "head",
    "department_head",
    "sibling_staff",
    "member_a",
    "member_b",
    "viewer",
    "outsider",
)


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _urls(world: World) -> dict[str, str]:
    slug = world.municipality.slug
    sheet = world.sheet("1-1")
    reviewers_assign(sheet=sheet, evaluators=[world.member_a], actor=Actor(user=world.planner))
    review = ExternalReview.objects.get(sheet=sheet)
    return {
        "structure": reverse("policies:structure", kwargs={"slug": slug}),
        "sheet": reverse(
            "policies:sheet",
            kwargs={"slug": slug, "pk": world.round.pk, "section_pk": world.section.pk, "sheet_pk": sheet.pk},
        ),
        "response": reverse("policies:response", kwargs={"slug": slug, "sheet_pk": sheet.pk}),
        "committee": reverse("policies:committee", kwargs={"slug": slug, "pk": world.round.pk}),
        "committee_sheet": reverse(
            "policies:committee_sheet", kwargs={"slug": slug, "pk": world.round.pk, "sheet_pk": sheet.pk}
        ),
        "my_reviews": reverse("policies:my_reviews", kwargs={"slug": slug}),
        "review": reverse("policies:review", kwargs={"slug": slug, "review_pk": review.pk}),
    }


# Who may open each page (GET 200); everyone else gets 403 or 404, an anonymous visitor the log-in page.
ALLOWED = {
    "structure": {"planner"},
    "sheet": {"planner", "staff", "head", "department_head"},
    "response": {"planner", "staff", "head", "department_head"},
    "committee": {"planner"},
    "committee_sheet": {"planner"},
    "my_reviews": {"member_a", "member_b"},
    "review": {"member_a"},
}


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_every_page_admits_its_personas_and_refuses_the_others(world: World, page: str) -> None:
    url = _urls(world)[page]
    for name in PERSONAS:
        status = client_of(getattr(world, name)).get(url).status_code
        if name in ALLOWED[page]:
            assert status == 200, (page, name, status)
        else:
            assert status in (403, 404), (page, name, status)
    anonymous = client_of(None).get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_no_outsider_writes(world: World, page: str) -> None:
    """A POST from anyone not allowed changes nothing (CSRF aside: the client skips it)."""
    url = _urls(world)[page]
    before = [(s.pk, s.version) for s in PolicySheet.objects.order_by("pk")]
    for name in ("outsider", "viewer", "sibling_staff", "member_b"):
        if name in ALLOWED[page]:
            continue
        response = client_of(getattr(world, name)).post(
            url, {"internal_grade": "未達成", "version": 1, "grade": "未達成"}
        )
        assert response.status_code in (403, 404, 405), (page, name, response.status_code)
    assert [(s.pk, s.version) for s in PolicySheet.objects.order_by("pk")] == before


def test_the_section_fills_in_its_sheet_with_figures_as_written(world: World) -> None:
    urls = _urls(world)
    sheet = world.sheet("1-1")
    project = sheet.projects.get()
    indicator = sheet.policy.indicators.get()
    response = client_of(world.staff).post(
        urls["sheet"],
        {
            "version": sheet.version,
            f"actual_{indicator.pk}": "４２３万件",
            f"budget_{project.pk}": "1,234万円",
            f"settlement_{project.pk}": "11,000,000",
            f"result_{project.pk}": "全面改修した。",
            "internal_grade": "概ね達成",
            "reasons": "閲覧数が伸びた。",
            "issues": "",
            "direction": "improve",
        },
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert (sheet.internal_grade, sheet.direction) == ("概ね達成", "improve")
    project.refresh_from_db()
    assert (project.budget, project.settlement) == (12340000, 11000000)
    assert Measurement.objects.get(indicator=indicator, fiscal_year=2025).value == 4230000


def test_a_wrong_amount_or_figure_is_an_error_on_its_field(world: World) -> None:
    urls = _urls(world)
    sheet = world.sheet("1-1")
    project = sheet.projects.get()
    indicator = sheet.policy.indicators.get()
    response = client_of(world.staff).post(
        urls["sheet"],
        {
            "version": sheet.version,
            f"actual_{indicator.pk}": "たくさん",
            f"budget_{project.pk}": "千二百",
            "internal_grade": "",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert f"actual_{indicator.pk}" in form.errors and f"budget_{project.pk}" in form.errors
    assert PolicySheet.objects.get(pk=sheet.pk).version == sheet.version


def test_a_stale_sheet_form_says_who_changed_it(world: World) -> None:
    urls = _urls(world)
    sheet = world.sheet("1-1")
    client_of(world.head).post(urls["sheet"], {"version": sheet.version, "internal_grade": "達成"})
    response = client_of(world.staff).post(
        urls["sheet"], {"version": sheet.version, "internal_grade": "未達成"}
    )
    assert response.status_code == 409
    assert "head" in response.content.decode()
    assert PolicySheet.objects.get(pk=sheet.pk).internal_grade == "達成"


def test_a_member_sees_only_assigned_sheets_and_the_committee_reads_them(world: World) -> None:
    urls = _urls(world)
    page = client_of(world.member_a).get(urls["my_reviews"]).content.decode()
    assert "情報発信の充実" in page and "健全な財政運営" not in page
    assert "情報発信の充実" not in client_of(world.member_b).get(urls["my_reviews"]).content.decode()
    review = ExternalReview.objects.get()
    response = client_of(world.member_a).post(
        urls["review"], {"grade": "達成", "comment": "よい。", "version": review.version}
    )
    assert response.status_code == 302
    committee = client_of(world.planner).get(urls["committee_sheet"]).content.decode()
    assert "よい。" in committee and "member_a" in committee
    # The member's own /my/ lists the sheet until it is graded.
    assert client_of(world.member_a).get("/my/").context["work"].count == 0


def test_the_committee_assigns_and_records_opinions_and_meetings(world: World) -> None:
    urls = _urls(world)
    sheet = world.sheet("1-1")
    client = client_of(world.planner)
    assert (
        client.post(urls["committee_sheet"], {"assign": "1", "evaluators": [world.member_b.pk]}).status_code
        == 302
    )
    assert list(ExternalReview.objects.values_list("evaluator__username", flat=True)) == ["member_b"]
    response = client.post(
        urls["committee_sheet"],
        {
            "opinion": "1",
            "committee_grade": "概ね達成",
            "committee_opinion": "発信を強化されたい。",
            "version": sheet.version,
        },
    )
    assert response.status_code == 302
    response = client.post(
        urls["committee"],
        {
            "meeting": "1",
            "held_on": "2026-08-20",
            "title": "第1回外部評価委員会",
            "attendees": "山田、佐藤",
            "minutes": "審議した。",
            "sheets": [sheet.pk],
        },
    )
    assert response.status_code == 302
    page = client.get(urls["committee"]).content.decode()
    assert "第1回外部評価委員会" in page and "令和8年8月20日" in page
    # The department answers from the response page.
    sheet.refresh_from_db()
    response = client_of(world.department_head).post(
        urls["response"], {"response": "SNSで発信する。", "version": sheet.version}
    )
    assert response.status_code == 302
    assert PolicySheet.objects.get(pk=sheet.pk).response == "SNSで発信する。"


def test_the_structure_upload_reports_every_problem_and_writes_nothing(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    urls = _urls(world)
    client = client_of(world.planner)
    bad = STRUCTURE.replace("企画部,財政課", "企画部,無い課").replace(
        ",指標,市債残高,円,減少", ",指標,市債残高,円,横ばい"
    )
    response = client.post(
        urls["structure"],
        {
            "plan_name": "新計画",
            "start_year": 2026,
            "end_year": 2035,
            "file": SimpleUploadedFile("体系.csv", bad.encode()),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "体系.csv" in page and "横ばい" not in page and "方向" in page
    response = client.post(
        urls["structure"],
        {
            "plan_name": "新計画",
            "start_year": 2026,
            "end_year": 2035,
            "file": SimpleUploadedFile("体系.csv", STRUCTURE.encode()),
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize("sheets", [1, 12])
def test_pages_run_a_bounded_number_of_queries(
    world: World, sheets: int, django_assert_max_num_queries: Callable[..., object], actor: Actor
) -> None:
    """The sheet, the committee and the request pages do not grow with the number of 施策."""
    from shinchoku.policies.services import structure_import
    from shinchoku.policies.structure import read_structure
    from shinchoku.workflow.services import round_sheets_prepare

    if sheets > 1:
        lines = [STRUCTURE.strip()]
        for n in range(2, sheets):
            lines.append(f"4,増えた政策,4-{n},施策{n},,企画部,企画政策課,施策,,,,,,,")
            lines.append(f"4,増えた政策,4-{n},,,,,指標,指標{n},件,増加,1,2020,2025,10")
            lines.append(f"4,増えた政策,4-{n},,,,,主な事業,事業{n},,,,,,")
        structure_import(
            municipality=world.municipality,
            plan_name=world.plan.name,
            start_year=2021,
            end_year=2030,
            structure=read_structure("\n".join(lines).encode(), source="x.csv"),
            source="x.csv",
            actor=actor,
        )
        round_sheets_prepare(collection_round=world.round, actor=actor)
    urls = _urls(world)
    committee_opinion_update(
        sheet=world.sheet("1-1"), grade="", opinion="意見", expected_version=None, actor=actor
    )
    request_url = reverse(
        "workflow:request",
        kwargs={"slug": world.municipality.slug, "pk": world.round.pk, "section_pk": world.section.pk},
    )
    for user, url in (
        (world.planner, urls["committee"]),
        (world.planner, urls["committee_sheet"]),
        (world.staff, urls["sheet"]),
        (world.staff, request_url),
        (world.member_a, urls["review"]),
    ):
        client = client_of(user)
        # 9 to 21 queries today, the same with 1 or 12 sheets.
        with django_assert_max_num_queries(24):
            assert client.get(url).status_code == 200


def test_unticking_a_member_who_has_evaluated_is_refused_whole(world: World) -> None:
    urls = _urls(world)
    review = ExternalReview.objects.get()
    client_of(world.member_a).post(
        urls["review"], {"grade": "達成", "comment": "よい。", "version": review.version}
    )
    response = client_of(world.planner).post(
        urls["committee_sheet"], {"assign": "1", "evaluators": [world.member_b.pk]}
    )
    assert response.status_code == 400
    assert "評価を入力している" in response.content.decode()
    assert list(ExternalReview.objects.values_list("evaluator__username", flat=True)) == ["member_a"]


def test_the_committee_pages_are_for_policy_evaluation_rounds_only(world: World, actor: Actor) -> None:
    from shinchoku.goals.models import GoalDeclaration
    from shinchoku.workflow.models import DocumentKind
    from shinchoku.workflow.services import round_open

    GoalDeclaration.objects.create(
        municipality=world.municipality,
        fiscal_year=2025,
        department=world.section.department,
        declarer_position="企画部長",
    )
    goal_round = round_open(
        municipality=world.municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="目標宣言",
        deadline=date(2099, 1, 1),
        departments=[world.section.department],
        sections=[world.section],
        actor=actor,
    )
    url = reverse("policies:committee", kwargs={"slug": world.municipality.slug, "pk": goal_round.pk})
    assert client_of(world.planner).get(url).status_code == 404


def test_a_meeting_with_a_mistyped_year_is_refused(world: World) -> None:
    urls = _urls(world)
    response = client_of(world.planner).post(
        urls["committee"], {"meeting": "1", "held_on": "0225-08-20", "title": "第1回外部評価委員会"}
    )
    assert response.status_code == 400 and "held_on" in response.context["meeting_form"].errors
