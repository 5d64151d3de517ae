"""The status board: who sees which sections, what each row says, and opening a round from the web."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.core.eras import format_date
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, section_create
from shinchoku.workflow.models import CollectionRound, DocumentKind, RequestStatus
from shinchoku.workflow.services import round_open, round_request_approve, round_request_submit

SECTIONS = ("企画政策課", "財政課", "総務課")


def visible_sections(client: Client, url: str) -> set[str]:
    page = client.get(url).content.decode()
    return {name for name in SECTIONS if f'<th scope="row">{name}</th>' in page}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("planner", {"企画政策課", "財政課", "総務課"}),
        ("department_head", {"企画政策課", "財政課"}),
        ("section_head", {"企画政策課"}),
        ("staff", {"企画政策課"}),
    ],
)
def test_each_role_sees_its_part_of_the_board(
    client: Client,
    request: pytest.FixtureRequest,
    collection_round: CollectionRound,
    persona: str,
    expected: set[str],
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert visible_sections(client, f"/m/midori/rounds/{collection_round.pk}/") == expected
    listing = client.get("/m/midori/rounds/").content.decode()
    assert collection_round.title in listing


@pytest.mark.parametrize("persona", ["viewer", "evaluator", "outsider"])
def test_evaluators_viewers_and_outsiders_see_nothing_of_rounds(
    client: Client, request: pytest.FixtureRequest, collection_round: CollectionRound, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for url in ("/m/midori/rounds/", f"/m/midori/rounds/{collection_round.pk}/", "/m/midori/rounds/new/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert collection_round.title not in response.content.decode()


def test_anonymous_is_sent_to_log_in(client: Client, collection_round: CollectionRound) -> None:
    response = client.get(f"/m/midori/rounds/{collection_round.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_round_that_asks_none_of_my_sections_does_not_exist_for_me(
    client: Client, municipality: Municipality, foreign_section: Section, staff, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    other = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="総務部だけの照会",
        deadline=timezone.localdate(),
        sections=[foreign_section],
        departments=[foreign_section.department],
        actor=actor,
    )
    client.force_login(staff)
    assert client.get(f"/m/midori/rounds/{other.pk}/").status_code == 404
    assert "総務部だけの照会" not in client.get("/m/midori/rounds/").content.decode()


def test_an_outsider_cannot_reach_our_round_through_its_own_slug(
    client: Client, collection_round: CollectionRound, outsider
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(outsider)
    assert client.get(f"/m/sora/rounds/{collection_round.pk}/").status_code == 404
    assert collection_round.title not in client.get("/m/sora/rounds/").content.decode()
    assert client.post(f"/m/sora/rounds/{collection_round.pk}/close/").status_code == 404


def test_rows_show_status_times_and_the_late_flag(
    client: Client,
    municipality: Municipality,
    section: Section,
    sibling_section: Section,
    foreign_section: Section,
    staff,
    section_head,
    planner,
    actor: Actor,
) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="達成状況",
        deadline=today,
        sections=[section, sibling_section, foreign_section],
        departments=[section.department, foreign_section.department],
        actor=actor,
    )
    request = collection_round.requests.get(section=section)
    round_request_submit(request=request, actor=Actor(user=staff))
    round_request_approve(request=request, actor=Actor(user=section_head))
    # The deadline passes.
    CollectionRound.objects.filter(pk=collection_round.pk).update(deadline=date(2000, 1, 1))
    client.force_login(planner)
    page = client.get(f"/m/midori/rounds/{collection_round.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = {name: page[page.index(f">{name}</th>") :].split("</tr>")[0] for name in SECTIONS}
    assert "approved by the section head" in rows["企画政策課"] and "Late" not in rows["企画政策課"]
    assert format_date(today) in rows["企画政策課"]
    assert "not submitted" in rows["財政課"] and "<strong>Late</strong>" in rows["財政課"]
    assert "3 sections asked: 2 not submitted (2 late), 1 awaiting approval, 0 accepted." in page
    listing = client.get("/m/midori/rounds/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        '<td class="number">3</td><td class="number">2</td><td class="number">2</td><td class="number">0</td>'
        in listing.replace("\n", "").replace("    ", "")
    )


def test_the_deadline_day_itself_is_not_late(
    client: Client, collection_round: CollectionRound, planner
) -> None:  # type: ignore[no-untyped-def]
    CollectionRound.objects.filter(pk=collection_round.pk).update(deadline=timezone.localdate())
    client.force_login(planner)
    assert (
        "<strong>"
        not in client.get(f"/m/midori/rounds/{collection_round.pk}/").content.decode().split("<tbody>")[1]
    )


@pytest.mark.parametrize("size", [2, 20])
def test_board_query_count_does_not_grow(
    client: Client,
    municipality: Municipality,
    planner,
    actor: Actor,
    django_assert_max_num_queries,
    size: int,
) -> None:  # type: ignore[no-untyped-def]
    sections, departments = [], []
    for d in range(size):
        department = department_create(municipality=municipality, name=f"第{d}部", actor=actor)
        departments.append(department)
        sections += [
            section_create(
                municipality=municipality, department=department, name=f"第{d}部{s}課", actor=actor
            )
            for s in range(3)
        ]
    for n in range(size):
        round_open(
            municipality=municipality,
            fiscal_year=2025,
            kind=DocumentKind.GOAL_DECLARATION,
            title=f"照会{n}",
            deadline=timezone.localdate(),
            sections=sections,
            departments=departments,
            actor=actor,
        )
    client.force_login(planner)
    last = CollectionRound.objects.order_by("pk").last()
    assert last is not None
    with django_assert_max_num_queries(8):
        assert client.get("/m/midori/rounds/").status_code == 200
    # + the round's declarations and publications, and why it cannot be published (3)
    with django_assert_max_num_queries(14):
        assert client.get(f"/m/midori/rounds/{last.pk}/").status_code == 200


# --- opening and closing from the web ---------------------------------------------------------


def test_the_form_groups_sections_by_department(
    client: Client, collection_round: CollectionRound, planner, municipality: Municipality, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    section_create(municipality=municipality, name="未所属課", actor=actor)
    client.force_login(planner)
    assert "section-" not in client.get("/m/midori/rounds/new/").content.decode()  # step 1 first
    departments = list(Department.objects.filter(municipality=municipality).values_list("pk", flat=True))
    page = client.post(
        "/m/midori/rounds/new/",
        {"fiscal_year": "2025", "kind": "goal_declaration", "departments": departments, "choose": "1"},
    ).content.decode()
    assert page.index("<legend>企画部</legend>") < page.index("企画政策課") < page.index("財政課")
    assert page.index("<legend>総務部</legend>") < page.index("総務課")
    # Sections outside any department (議会事務局, 行政委員会) can be asked too, after the departments.
    assert page.index("総務課") < page.index("未所属課")


def test_the_planning_section_opens_a_round(
    client: Client, planner, section: Section, sibling_section: Section, municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    deadline = timezone.localdate().replace(year=timezone.localdate().year + 1)
    response = client.post(
        "/m/midori/rounds/new/",
        {
            "fiscal_year": "2025",
            "kind": "goal_declaration",
            "departments": [section.department_id],
            "title": "目標宣言の照会",
            "deadline": deadline.isoformat(),
            "sections": [section.pk, sibling_section.pk],
            "open": "1",
        },
    )
    collection_round = CollectionRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/m/midori/rounds/{collection_round.pk}/"
    assert collection_round.opened_by == planner and collection_round.kind == "goal_declaration"
    assert [d.department_id for d in collection_round.declarations.all()] == [section.department_id]
    assert {r.section for r in collection_round.requests.all()} == {section, sibling_section}
    assert set(collection_round.requests.values_list("status", flat=True)) == {RequestStatus.PENDING}


def test_a_refused_round_shows_the_reasons_and_keeps_the_choices(
    client: Client, planner, section: Section, sibling_section: Section
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.post(
        "/m/midori/rounds/new/",
        {
            "fiscal_year": "2025",
            "kind": "year_end_results",
            "departments": [section.department_id],
            "title": "x",
            "deadline": "2001-01-01",
            "sections": [section.pk],
            "open": "1",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "The deadline is in the past." in page
    assert "have no goal declaration for that fiscal year: 企画部" in page
    assert f'value="{section.pk}" id="section-{section.pk}" checked' in page
    assert f'value="{sibling_section.pk}" id="section-{sibling_section.pk}">' in page
    assert CollectionRound.objects.count() == 0


def test_a_section_of_another_municipality_cannot_be_posted(
    client: Client, planner, section: Section, other_municipality: Municipality, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    department = department_create(municipality=other_municipality, name="そら部", actor=actor)
    theirs = section_create(
        municipality=other_municipality, department=department, name="そら課", actor=actor
    )
    client.force_login(planner)
    response = client.post(
        "/m/midori/rounds/new/",
        {
            "fiscal_year": "2025",
            "kind": "year_end_results",
            "title": "x",
            "deadline": "2099-01-01",
            "sections": [theirs.pk],
        },
    )
    assert response.status_code == 200 and CollectionRound.objects.count() == 0


@pytest.mark.parametrize(
    "persona", ["staff", "section_head", "department_head", "viewer", "evaluator", "outsider"]
)
def test_only_the_planning_section_opens_and_closes_rounds_from_the_web(
    client: Client,
    request: pytest.FixtureRequest,
    collection_round: CollectionRound,
    section: Section,
    persona: str,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    data = {
        "fiscal_year": "2025",
        "kind": "year_end_results",
        "title": "x",
        "deadline": "2099-01-01",
        "sections": [section.pk],
    }
    assert client.post("/m/midori/rounds/new/", data).status_code == 403
    assert client.post(f"/m/midori/rounds/{collection_round.pk}/close/").status_code == 403
    assert CollectionRound.objects.get().status == CollectionRound.Status.OPEN
    page = client.get(f"/m/midori/rounds/{collection_round.pk}/").content.decode()
    assert "/close/" not in page


def test_the_planning_section_closes_a_round(
    client: Client, collection_round: CollectionRound, planner
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    url = f"/m/midori/rounds/{collection_round.pk}/"
    assert "/close/" in client.get(url).content.decode()
    response = client.post(f"{url}close/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == url
    assert CollectionRound.objects.get().status == CollectionRound.Status.CLOSED
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no more reminders" in page and "/close/" not in page
    client.post(f"{url}close/", HTTP_ACCEPT_LANGUAGE="en")
    assert "already closed" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_opening_requires_a_csrf_token(collection_round: CollectionRound, planner, section: Section) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner)
    assert client.post("/m/midori/rounds/new/", {}).status_code == 403
    assert client.post(f"/m/midori/rounds/{collection_round.pk}/close/").status_code == 403


def test_a_department_head_of_two_departments_sees_both(
    client: Client,
    collection_round: CollectionRound,
    department_head,
    other_department: Department,
    municipality: Municipality,
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.organizations.models import Membership

    Membership.objects.create(
        user=department_head, municipality=municipality, role="department_head", department=other_department
    )
    client.force_login(department_head)
    assert visible_sections(client, f"/m/midori/rounds/{collection_round.pk}/") == set(SECTIONS)


def test_the_year_picker_offers_the_years_the_city_has_and_the_next_one(
    municipality: Municipality, actor: Actor
) -> None:
    from shinchoku.organizations.services import fiscal_year_ensure
    from shinchoku.workflow.forms import RoundOpenForm

    fiscal_year_ensure(municipality=municipality, year=2016, actor=actor)
    choices = dict(RoundOpenForm(municipality).fields["fiscal_year"].choices)
    assert choices[2016] == "平成28年度（2016年度）" and choices[2017] == "平成29年度（2017年度）"
    assert 2015 not in choices
