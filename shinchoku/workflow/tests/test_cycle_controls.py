"""The planning section's controls of a round, the home page of each user, and the step e-mails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Section
from shinchoku.workflow.models import CollectionRound, RequestStatus, WorkflowStep
from shinchoku.workflow.services import (
    round_request_approve,
    round_request_send_back,
    round_request_submit,
)


def url(collection_round: CollectionRound, section: Section, action: str = "") -> str:
    return f"/m/midori/rounds/{collection_round.pk}/sections/{section.pk}/{action}"


def with_email(*users):  # type: ignore[no-untyped-def]
    for user in users:
        user.email = f"{user.username}@city.example.jp"
        user.save()


# --- a section with nobody in it does not block the round for ever --------------------------


def test_the_board_says_what_blocks_publishing_and_who_is_missing(
    client: Client, collection_round: CollectionRound, planner, staff, section_head, department_head
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    page = client.get(f"/m/midori/rounds/{collection_round.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    blockers = page[page.index('class="blockers"') :].split("</ul>")[0]
    # 企画政策課 has staff; 財政課 and 総務課 have nobody: the page says so, in words.
    assert "企画政策課" in blockers and "財政課" in blockers and "総務課" in blockers
    assert blockers.count("nobody can take this step") == 2 and "Nobody can take this step" in page
    assert "Preview and publish" not in page


def test_the_planning_section_submits_and_approves_on_behalf_with_a_reason(
    client: Client, collection_round: CollectionRound, planner
) -> None:  # type: ignore[no-untyped-def]
    section = collection_round.requests.get(section__name="財政課").section
    client.force_login(planner)
    page = client.get(url(collection_round, section), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit on the section's behalf" in page and "Withdraw the section from the round" in page
    # A reason is required.
    client.post(url(collection_round, section, "submit-for/"), {"comment": " ", "confirmed": "1"})
    request = collection_round.requests.get(section=section)
    assert request.status == RequestStatus.PENDING
    client.post(
        url(collection_round, section, "submit-for/"), {"comment": "担当者不在のため", "confirmed": "1"}
    )
    client.post(url(collection_round, section, "approve-for/"), {"comment": "課長不在のため"})
    client.post(url(collection_round, section, "approve-for/"), {"comment": "部長不在のため"})
    client.post(url(collection_round, section, "accept/"), {"comment": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    steps = list(WorkflowStep.objects.filter(request=request).order_by("id"))
    assert [s.on_behalf for s in steps] == [True, True, True, False]
    assert all(s.actor == planner for s in steps)
    history = client.get(url(collection_round, section), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert history.count("（on the section's behalf）") == 3 and "担当者不在のため" in history


def test_a_withdrawn_section_no_longer_holds_up_publishing_and_can_be_asked_again(
    client: Client, collection_round: CollectionRound, planner
) -> None:  # type: ignore[no-untyped-def]
    section = collection_round.requests.get(section__name="総務課").section
    client.force_login(planner)
    client.post(url(collection_round, section, "withdraw/"), {"comment": ""})
    assert collection_round.requests.get(section=section).status == RequestStatus.PENDING  # reason needed
    client.post(url(collection_round, section, "withdraw/"), {"comment": "今年度は対象外"})
    assert collection_round.requests.get(section=section).status == RequestStatus.WITHDRAWN
    page = client.get(f"/m/midori/rounds/{collection_round.pk}/").content.decode()
    blockers = page[page.index('class="blockers"') :].split("</ul>")[0]
    assert "総務課" not in blockers
    client.post(url(collection_round, section, "reinstate/"), {"comment": ""})
    assert collection_round.requests.get(section=section).status == RequestStatus.PENDING


@pytest.mark.parametrize("persona", ["staff", "section_head", "department_head"])
def test_only_the_planning_section_acts_on_behalf_or_withdraws(
    client: Client,
    request: pytest.FixtureRequest,
    collection_round: CollectionRound,
    section: Section,
    persona: str,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for action in ("submit-for/", "approve-for/", "withdraw/"):
        client.post(url(collection_round, section, action), {"comment": "x", "confirmed": "1"})
    assert collection_round.requests.get(section=section).status == RequestStatus.PENDING
    assert not WorkflowStep.objects.exists()


def test_an_outsider_cannot_reach_the_new_controls(
    client: Client, collection_round: CollectionRound, section: Section, outsider
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(outsider)
    for action in ("submit-for/", "approve-for/", "withdraw/", "reinstate/"):
        assert client.post(url(collection_round, section, action), {"comment": "x"}).status_code in (403, 404)
    assert client.post(
        f"/m/midori/rounds/{collection_round.pk}/deadline/", {"deadline": "2099-01-01"}
    ).status_code in (403, 404)
    assert client.get(f"/m/midori/rounds/{collection_round.pk}/publish/").status_code in (403, 404)
    assert client.get("/my/").status_code == 200  # their own home page, empty of ours
    assert "令和7年度 目標達成状況の照会" not in client.get("/my/").content.decode()


def test_the_planning_section_extends_the_deadline(
    client: Client, collection_round: CollectionRound, planner, staff
) -> None:  # type: ignore[no-untyped-def]
    later = timezone.localdate() + timedelta(days=30)
    client.force_login(staff)
    assert (
        client.post(f"/m/midori/rounds/{collection_round.pk}/deadline/", {"deadline": later}).status_code
        == 403
    )
    client.force_login(planner)
    client.post(f"/m/midori/rounds/{collection_round.pk}/deadline/", {"deadline": later.isoformat()})
    collection_round.refresh_from_db()
    assert collection_round.deadline == later


# --- submitting an empty answer asks first ---------------------------------------------------


def test_submitting_an_empty_answer_asks_for_confirmation(
    client: Client, collection_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.post(
        url(collection_round, section, "submit/"), {"comment": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and "Submit anyway" in response.content.decode()
    assert collection_round.requests.get(section=section).status == RequestStatus.PENDING
    client.post(url(collection_round, section, "submit/"), {"comment": "", "confirmed": "1"})
    assert collection_round.requests.get(section=section).status == RequestStatus.SUBMITTED


def test_an_answer_unchanged_from_the_prefill_asks_for_confirmation(
    client: Client, guideline_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    response = client.post(
        url(guideline_round, section, "submit/"), {"comment": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "unchanged from last year" in response.content.decode()
    assert guideline_round.requests.get(section=section).status == RequestStatus.PENDING


# --- everyone sees their own work --------------------------------------------------------------


def test_my_work_lists_what_waits_for_each_person(
    client: Client,
    collection_round: CollectionRound,
    section: Section,
    staff,
    section_head,
    department_head,
    planner,
) -> None:  # type: ignore[no-untyped-def]
    request = collection_round.requests.get(section=section)
    client.force_login(staff)
    page = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "To fill in" in page and "企画政策課" in page and "総務課" not in page
    round_request_submit(request=request, actor=Actor(user=staff))
    client.force_login(section_head)
    page = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "To approve" in page and f"/sections/{section.pk}/" in page
    round_request_send_back(request=request, actor=Actor(user=section_head), comment="数値の単位が違います")
    client.force_login(staff)
    page = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "数値の単位が違います" in page and "sent back" in page
    # The navigation counts what waits.
    assert 'class="badge"' in page


def test_my_work_costs_a_fixed_number_of_queries(
    client: Client, collection_round: CollectionRound, planner, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    with django_assert_max_num_queries(9):
        assert client.get("/my/").status_code == 200


def test_anonymous_is_sent_to_log_in_from_my_work(client: Client) -> None:
    response = client.get("/my/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- e-mail per step -----------------------------------------------------------------------------


def test_each_step_mails_the_people_it_concerns_once_in_japanese(
    collection_round: CollectionRound,
    section: Section,
    staff,
    section_head,
    department_head,
    planner,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    with_email(staff, section_head, department_head, planner)
    request = collection_round.requests.get(section=section)
    with django_capture_on_commit_callbacks(execute=True):
        round_request_submit(request=request, actor=Actor(user=staff))
    assert [m.to for m in mail.outbox] == [[section_head.email]]
    assert "承認" in mail.outbox[0].subject and "/sections/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        round_request_send_back(
            request=request, actor=Actor(user=section_head), comment="単位を確認してください"
        )
    sent_back = mail.outbox[-1]
    assert set(sent_back.to) == {staff.email, section_head.email}
    assert "差戻" in sent_back.subject and "単位を確認してください" in sent_back.body
    with django_capture_on_commit_callbacks(execute=True):
        round_request_submit(request=request, actor=Actor(user=staff), comment="")
        round_request_approve(request=request, actor=Actor(user=section_head))
    assert mail.outbox[-1].to == [department_head.email]
    assert len(mail.outbox) == 4


def test_the_navigation_count_agrees_with_the_home_page(
    collection_round: CollectionRound, section: Section, staff, section_head, department_head, planner
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.workflow.tasks import my_work, my_work_count

    today = timezone.localdate()
    request = collection_round.requests.get(section=section)
    people = (staff, section_head, department_head, planner)
    for step in (
        lambda: None,
        lambda: round_request_submit(request=request, actor=Actor(user=staff)),
        lambda: round_request_approve(request=request, actor=Actor(user=section_head)),
        lambda: round_request_approve(request=request, actor=Actor(user=department_head)),
    ):
        step()
        for person in people:
            work = my_work(person, today)
            assert my_work_count(person, today) == work.count, person
    assert my_work_count(planner, today) == 1 and my_work_count(staff, today) == 0


def test_withdrawing_a_section_removes_only_its_untouched_prefill_and_asking_again_restores_it(
    client: Client, guideline_round: CollectionRound, section: Section, planner, staff
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.progress.models import ProgressEntry

    def results() -> dict[int, str]:
        return dict(
            ProgressEntry.objects.filter(
                kind=ProgressEntry.Kind.RESULT,
                row__fiscal_year=guideline_round.fiscal_year,
                responsibles__section=section,
            ).values_list("pk", "text")
        )

    prefilled = results()
    assert len(prefilled) >= 2
    edited_pk = min(prefilled)
    edited = ProgressEntry.objects.get(pk=edited_pk)
    client.force_login(staff)
    client.post(
        url(guideline_round, section, f"entries/{edited_pk}/"),
        {"text": "実際に書いた実績", "version": edited.version},
    )
    client.force_login(planner)
    client.post(url(guideline_round, section, "withdraw/"), {"comment": "今年度は対象外"})
    left = results()
    # What the section wrote stays; last year's plans it never touched are not its results.
    assert left.get(edited_pk) == "実際に書いた実績"
    shared = {
        e.pk
        for e in ProgressEntry.objects.filter(pk__in=prefilled).prefetch_related("responsibles")
        if len(e.responsibles.all()) > 1
    }
    assert set(left) == {edited_pk} | shared
    client.post(url(guideline_round, section, "reinstate/"), {"comment": ""})
    assert len(results()) == len(prefilled)


def test_a_year_end_report_is_titled_as_an_achievement_report(
    municipality, section: Section, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.goals.services import goal_declaration_create
    from shinchoku.publishing.services import goal_declaration_snapshot

    declaration = goal_declaration_create(
        municipality=municipality, department=section.department, fiscal_year=2025, actor=actor
    )
    assert goal_declaration_snapshot(declaration).title == "令和7年度 企画部長の目標宣言"
    year_end = goal_declaration_snapshot(declaration, year_end=True)
    assert year_end.title == "令和7年度 企画部長の目標宣言 達成状況報告"
    assert year_end.document.title == year_end.title


def test_on_behalf_is_refused_while_somebody_holds_the_post(
    client: Client, collection_round: CollectionRound, section: Section, planner, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    page = client.get(url(collection_round, section), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submit on the section's behalf" not in page  # 企画政策課 has its staff
    client.post(url(collection_round, section, "submit-for/"), {"comment": "急ぎのため", "confirmed": "1"})
    assert collection_round.requests.get(section=section).status == RequestStatus.PENDING
    round_request_submit(request=collection_round.requests.get(section=section), actor=Actor(user=staff))
    client.post(url(collection_round, section, "approve-for/"), {"comment": "急ぎのため"})
    assert collection_round.requests.get(section=section).status == RequestStatus.SUBMITTED


def test_asking_a_withdrawn_section_again_starts_its_ladder_afresh(
    client: Client, collection_round: CollectionRound, section: Section, planner, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    request = collection_round.requests.get(section=section)
    round_request_submit(request=request, actor=Actor(user=staff))
    round_request_approve(request=request, actor=Actor(user=section_head))
    client.force_login(planner)
    client.post(url(collection_round, section, "withdraw/"), {"comment": "対象外"})
    client.post(url(collection_round, section, "reinstate/"), {"comment": ""})
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert request.submitted_at is None and request.section_approved_by is None


def test_a_department_that_declared_nothing_does_not_hold_up_the_others(
    client: Client, municipality, section: Section, foreign_section: Section, planner, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.goals.services import goal_create
    from shinchoku.publishing.models import Publication
    from shinchoku.workflow.models import DocumentKind
    from shinchoku.workflow.services import round_open

    collection_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="目標宣言",
        deadline=timezone.localdate() + timedelta(days=10),
        departments=[section.department, foreign_section.department],
        sections=[section, foreign_section],
        actor=actor,
    )
    declaration = collection_round.declarations.get(department=section.department)
    goal_create(declaration=declaration, title="窓口のデジタル化", sections=[section], actor=actor)
    client.force_login(planner)
    preview_url = f"/m/midori/rounds/{collection_round.pk}/publish/"
    # Withdrawing every section accepts nothing: there is nothing to publish yet.
    client.post(url(collection_round, foreign_section, "withdraw/"), {"comment": "宣言なし"})
    assert 'name="confirm"' not in client.get(preview_url).content.decode()
    # 企画政策課 has nobody in it: the planning section answers and approves for it.
    for action in ("submit-for/", "approve-for/", "approve-for/"):
        client.post(url(collection_round, section, action), {"comment": "担当者不在", "confirmed": "1"})
    client.post(url(collection_round, section, "accept/"), {"comment": ""})
    text = client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "this declaration has no goal" in text and "窓口のデジタル化" in text
    assert "were withdrawn from the round" in text and 'name="confirm"' in text
    digest = client.get(preview_url).context["form"].initial["digest"]
    response = client.post(preview_url, {"digest": digest, "confirm": "on"})
    assert response.status_code == 302
    assert list(Publication.objects.values_list("department__name", flat=True)) == ["企画部"]
    # Publishing again with nothing changed keeps the revision.
    digest = client.get(preview_url).context["form"].initial["digest"]
    client.post(preview_url, {"digest": digest, "confirm": "on"})
    assert Publication.objects.count() == 1


def test_nothing_is_published_while_no_answer_is_accepted(
    municipality, section: Section, planner, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.workflow.models import DocumentKind
    from shinchoku.workflow.services import (
        TransitionError,
        round_open,
        round_publish,
        round_request_withdraw,
    )

    collection_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="目標宣言",
        deadline=timezone.localdate() + timedelta(days=10),
        departments=[section.department],
        actor=actor,
    )
    round_request_withdraw(request=collection_round.requests.get(), actor=Actor(user=planner), comment="x")
    with pytest.raises(TransitionError):
        round_publish(collection_round=collection_round, actor=Actor(user=planner))


def test_a_guideline_round_asks_by_default_the_section_that_took_over_the_duties(
    municipality, section: Section, sibling_section: Section, guideline, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    from shinchoku.organizations.models import SuccessionKind
    from shinchoku.organizations.services import section_create, section_succeed
    from shinchoku.workflow.models import DocumentKind
    from shinchoku.workflow.selectors import document_sections

    plan = guideline[0]
    assert set(
        document_sections(municipality, kind=DocumentKind.GUIDELINE_PROGRESS, fiscal_year=2025, plan=plan)
    ) == {
        section,
        sibling_section,
    }
    # 2025: the section's duties move to a new section, and the section is abolished.
    heir = section_create(
        municipality=municipality,
        department=section.department,
        name="市民協働推進課",
        valid_from=2025,
        actor=actor,
    )
    section.valid_to = 2024
    section.save()
    section_succeed(
        predecessor=section, successor=heir, kind=SuccessionKind.TRANSFERRED, fiscal_year=2025, actor=actor
    )
    asked = set(
        document_sections(municipality, kind=DocumentKind.GUIDELINE_PROGRESS, fiscal_year=2025, plan=plan)
    )
    assert asked == {heir, sibling_section}


def test_the_history_shows_labels_and_japanese_dates_not_identifiers(
    client: Client, guideline_round: CollectionRound, section: Section, staff, section_head, planner
) -> None:  # type: ignore[no-untyped-def]
    import re

    from shinchoku.progress.models import ProgressEntry

    entry = ProgressEntry.objects.filter(
        kind=ProgressEntry.Kind.RESULT,
        row__fiscal_year=guideline_round.fiscal_year,
        responsibles__section=section,
    ).first()
    assert entry is not None
    for person, name in ((staff, "担当"), (section_head, "課長")):
        person.last_name = name  # people are shown by name (a username is what they typed)
        person.save()
    client.force_login(staff)
    client.post(
        url(guideline_round, section, f"entries/{entry.pk}/"),
        {"text": "書き直した実績", "version": entry.version},
    )
    client.post(url(guideline_round, section, "submit/"), {"comment": "", "confirmed": "1"})
    round_request_send_back(
        request=guideline_round.requests.get(section=section),
        actor=Actor(user=section_head),
        comment="再確認",
    )
    page = client.get(url(guideline_round, section, "history/"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    main = page[page.index("<main") :]
    text = re.sub(r"<[^>]+>", " ", main)
    assert "書き直した実績" in text and "差戻し" in text and "再確認" in text
    found = [m.start() for m in re.finditer(r"\b[a-z]+(?:_[a-z]+)+\b", text)]
    assert not found, [text[max(0, i - 120) : i + 30] for i in found]
    assert "(#" not in text and "+00:00" not in text
    assert re.search(r"令和\d+年\d+月\d+日 \d\d:\d\d", text)
    assert "令和7年度 令和7年度" not in text
