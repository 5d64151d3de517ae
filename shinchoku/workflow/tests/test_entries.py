"""The staff workspace: prefilled results, editing entries, the ladder with send-back, conflicts, history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import Municipality, Section, SuccessionKind
from shinchoku.organizations.services import section_create, section_succeed
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.workflow.models import CollectionRound, RequestStatus, RoundRequest, WorkflowStep
from shinchoku.workflow.services import (
    TransitionError,
    guideline_results_roll_forward,
    round_publish,
    round_request_approve,
    round_request_send_back,
    round_request_submit,
)

from .conftest import RESULT_YEAR, add_entry, make_guideline


def results_of(section: Section) -> list[str]:
    return list(
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .values_list("text", flat=True)
    )


def test_opening_a_guideline_round_prefills_results_from_last_years_plans(
    guideline_round: CollectionRound, section: Section, sibling_section: Section
) -> None:
    assert results_of(section) == [
        "市民意識調査を実施し、施策評価に活用する。",
        "外部評価委員会で施策を評価する。",
    ]
    # The shared plan is carried once, for both sections.
    assert results_of(sibling_section) == ["外部評価委員会で施策を評価する。", "予算編成の資料を公表する。"]
    assert ProgressEntry.objects.filter(kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR).count() == 3


def test_roll_forward_is_idempotent_and_a_deleted_result_stays_deleted(
    guideline_round: CollectionRound, guideline, section: Section, actor: Actor
) -> None:
    plan = guideline[0]
    assert (
        guideline_results_roll_forward(plan=plan, fiscal_year=RESULT_YEAR, section=section, actor=actor) == []
    )
    ProgressEntry.objects.filter(
        text="市民意識調査を実施し、施策評価に活用する。", fiscal_year=RESULT_YEAR
    ).delete()
    guideline_results_roll_forward(plan=plan, fiscal_year=RESULT_YEAR, section=section, actor=actor)
    assert results_of(section) == ["外部評価委員会で施策を評価する。"]


def test_roll_forward_follows_a_section_rename(municipality: Municipality, department, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    old = section_create(
        municipality=municipality, department=department, name="広報広聴課", valid_to=2024, actor=actor
    )
    new = section_create(
        municipality=municipality, department=department, name="広報戦略課", valid_from=2025, actor=actor
    )
    section_succeed(
        predecessor=old, successor=new, kind=SuccessionKind.RENAMED, fiscal_year=2025, actor=actor
    )
    plan, rows = make_guideline(municipality)
    add_entry(rows[0], ProgressEntry.Kind.PLAN, "広報紙を全戸に配布する。", old)
    created = guideline_results_roll_forward(plan=plan, fiscal_year=2025, section=new, actor=actor)
    assert [e.text for e in created] == ["広報紙を全戸に配布する。"]
    assert [str(r) for r in created[0].responsibles.all()] == ["広報戦略課"]
    assert created[0].row.fiscal_year == 2025 and created[0].row.classification == rows[0].classification
    assert AuditEvent.objects.filter(object_id=str(created[0].pk), field="text").exists()


def request_of(collection_round: CollectionRound, section: Section) -> RoundRequest:
    return RoundRequest.objects.get(round=collection_round, section=section)


def test_the_ladder_with_a_send_back_and_the_history(
    guideline_round: CollectionRound,
    section: Section,
    sibling_section: Section,
    staff,
    section_head,
    department_head,
    planner,
) -> None:  # type: ignore[no-untyped-def]
    request = request_of(guideline_round, section)
    round_request_submit(request=request, actor=Actor(user=staff))
    round_request_approve(request=request, actor=Actor(user=section_head), comment="確認しました")
    with pytest.raises(ValidationError):
        round_request_send_back(request=request, actor=Actor(user=department_head), comment="  ")
    with pytest.raises(PermissionDenied):  # the section head's step is done: not theirs to send back now
        round_request_send_back(request=request, actor=Actor(user=section_head), comment="やはり")
    request = round_request_send_back(
        request=request, actor=Actor(user=department_head), comment="実績の数値を追記してください"
    )
    assert request.status == RequestStatus.SENT_BACK and request.section_approved_at is None
    round_request_submit(request=request, actor=Actor(user=staff))
    round_request_approve(request=request, actor=Actor(user=section_head))
    round_request_approve(request=request, actor=Actor(user=department_head))
    with pytest.raises(TransitionError):
        round_publish(
            collection_round=guideline_round, actor=Actor(user=planner)
        )  # the sibling is not accepted
    round_request_approve(request=request, actor=Actor(user=planner))
    steps = list(
        WorkflowStep.objects.filter(request=request).values_list("from_status", "to_status", "comment")
    )
    assert steps[2] == (
        RequestStatus.APPROVED_BY_SECTION_HEAD,
        RequestStatus.SENT_BACK,
        "実績の数値を追記してください",
    )
    assert [s[1] for s in steps][-1] == RequestStatus.ACCEPTED
    with pytest.raises(PermissionError):
        WorkflowStep.objects.first().delete()  # type: ignore[union-attr]


def climb(request: RoundRequest, *users) -> None:  # type: ignore[no-untyped-def]
    round_request_submit(request=request, actor=Actor(user=users[0]))
    for user in users[1:]:
        round_request_approve(request=request, actor=Actor(user=user))


@pytest.fixture
def sibling_people(municipality: Municipality, sibling_section: Section):  # type: ignore[no-untyped-def]
    from conftest import _member

    return (
        _member("sibling_staff", municipality, "section_staff", section=sibling_section),
        _member("sibling_head", municipality, "section_head", section=sibling_section),
    )


def test_publishing_freezes_a_revision_and_a_correction_makes_a_new_one(
    client: Client,
    guideline_round: CollectionRound,
    section: Section,
    sibling_section: Section,
    staff,
    section_head,
    department_head,
    planner,
    sibling_people,
) -> None:  # type: ignore[no-untyped-def]
    climb(request_of(guideline_round, section), staff, section_head, department_head, planner)
    climb(
        request_of(guideline_round, sibling_section),
        sibling_people[0],
        sibling_people[1],
        department_head,
        planner,
    )
    client.force_login(planner)
    url = f"/m/midori/rounds/{guideline_round.pk}/publish/"
    preview = client.get(url)
    # The preview shows the would-be revision and publishes nothing by itself.
    assert "市民意識調査を実施し、施策評価に活用する。" in preview.content.decode()
    assert not Publication.objects.exists()
    digest = preview.context["form"].initial["digest"]
    assert client.post(url, {"digest": digest}).status_code == 200  # the box is not ticked
    assert not Publication.objects.exists()
    response = client.post(url, {"digest": digest, "confirm": "on"})
    assert response.status_code == 302
    first = Publication.objects.get(is_current=True)
    assert "市民意識調査を実施し、施策評価に活用する。" in str(first.document)
    # A correction: planning reopens the accepted request, staff edit, the ladder again, publish again.
    request = round_request_send_back(
        request=request_of(guideline_round, section), actor=Actor(user=planner), comment="誤字があります"
    )
    entry = ProgressEntry.objects.get(
        text="市民意識調査を実施し、施策評価に活用する。", kind=ProgressEntry.Kind.RESULT
    )
    client.force_login(staff)
    client.post(
        f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/entries/{entry.pk}/",
        {"text": "市民意識調査を実施し、結果を公表した。", "version": entry.version},
    )
    climb(request, staff, section_head, department_head, planner)
    client.force_login(planner)
    preview = client.get(url).content.decode()
    assert "市民意識調査を実施し、結果を公表した。" in preview and "<del>" in preview  # the diff
    # A digest from before the correction is refused: what was previewed is what is published.
    client.post(url, {"digest": digest, "confirm": "on"})
    assert Publication.objects.count() == 1
    digest = client.get(url).context["form"].initial["digest"]
    client.post(url, {"digest": digest, "confirm": "on"})
    second = Publication.objects.get(is_current=True)
    assert second.revision == 2 and "市民意識調査を実施し、結果を公表した。" in str(second.document)
    first.refresh_from_db()
    assert "市民意識調査を実施し、施策評価に活用する。" in str(first.document) and not first.is_current


def entry_url(
    collection_round: CollectionRound, section: Section, entry: ProgressEntry, action: str = ""
) -> str:
    return f"/m/midori/rounds/{collection_round.pk}/sections/{section.pk}/entries/{entry.pk}/{action}"


def test_two_people_editing_one_entry_the_second_save_is_refused_and_shows_the_other_change(
    guideline_round: CollectionRound, section: Section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    entry = (
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .first()
    )
    assert entry is not None
    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(section_head)
    page = f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/"
    assert f'name="version" value="{entry.version}"' in first.get(page).content.decode()
    assert f'name="version" value="{entry.version}"' in second.get(page).content.decode()
    saved = first.post(
        entry_url(guideline_round, section, entry), {"text": "担当の文です。", "version": entry.version}
    )
    assert saved.status_code == 302
    refused = second.post(
        entry_url(guideline_round, section, entry),
        {"text": "課長の文です。", "version": entry.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "someone else changed this entry" in body and "担当の文です。" in body and "課長の文です。" in body
    assert "staff" in body  # who made the other change
    entry.refresh_from_db()
    assert entry.text == "担当の文です。"
    # With htmx the row comes back with the message in place (200, so htmx swaps it in).
    again = second.post(
        entry_url(guideline_round, section, entry),
        {"text": "課長の文です。", "version": entry.version - 1},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    # Saving again from the conflict form (which carries the new version) replaces theirs deliberately.
    second.post(
        entry_url(guideline_round, section, entry), {"text": "課長の文です。", "version": entry.version}
    )
    entry.refresh_from_db()
    assert entry.text == "課長の文です。"


def test_add_reorder_delete_with_and_without_htmx_and_the_history_page(
    client: Client, guideline_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    base = f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/"
    entry = (
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .first()
    )
    assert entry is not None
    response = client.post(
        f"{base}rows/{entry.row_id}/entries/",
        {"kind": "result", "text": "新しい実績。"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "新しい実績。" in response.content.decode()
    assert response.content.decode().startswith('<section class="initiative-row"')
    added = ProgressEntry.objects.get(text="新しい実績。")
    assert added.position == entry.position + 1 and added.fiscal_year == RESULT_YEAR
    client.post(f"{base}rows/{entry.row_id}/entries/", {"kind": "plan", "text": "来年度の予定。"})
    assert ProgressEntry.objects.get(text="来年度の予定。").fiscal_year == RESULT_YEAR + 1
    client.post(entry_url(guideline_round, section, added, "move/"), {"offset": "-1"})
    added.refresh_from_db()
    entry.refresh_from_db()
    assert added.position < entry.position
    response = client.post(entry_url(guideline_round, section, added, "delete/"), {"version": added.version})
    assert response.status_code == 302
    assert not ProgressEntry.objects.filter(pk=added.pk).exists()
    history = client.get(f"{base}history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "来年度の予定。" in history and "position" in history


@pytest.mark.parametrize("persona", ["department_head"])
def test_approvers_do_not_edit_a_sections_entries(
    client: Client,
    request: pytest.FixtureRequest,
    guideline_round: CollectionRound,
    section: Section,
    persona: str,
) -> None:
    entry = (
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .first()
    )
    assert entry is not None
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        entry_url(guideline_round, section, entry), {"text": "x", "version": entry.version}
    )
    assert response.status_code == 403


def test_staff_see_only_their_sections_entries(
    client: Client, guideline_round: CollectionRound, section: Section, sibling_section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    page = client.get(f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/").content.decode()
    assert "市民意識調査を実施し" in page and "予算編成の資料を公表する。" not in page
    assert (
        client.get(f"/m/midori/rounds/{guideline_round.pk}/sections/{sibling_section.pk}/").status_code == 404
    )
    sibling_entry = ProgressEntry.objects.get(
        text="予算編成の資料を公表する。", kind=ProgressEntry.Kind.RESULT
    )
    url = entry_url(guideline_round, section, sibling_entry)
    assert client.post(url, {"text": "x", "version": 1}).status_code == 404


def test_a_submitted_request_is_not_editable(
    client: Client, guideline_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    round_request_submit(request=request_of(guideline_round, section), actor=Actor(user=staff))
    entry = (
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .first()
    )
    assert entry is not None
    client.force_login(staff)
    client.post(entry_url(guideline_round, section, entry), {"text": "遅れた編集", "version": entry.version})
    entry.refresh_from_db()
    assert entry.text != "遅れた編集"


def test_the_send_back_form_requires_a_comment_and_shows_it(
    client: Client, guideline_round: CollectionRound, section: Section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    request = request_of(guideline_round, section)
    round_request_submit(request=request, actor=Actor(user=staff))
    client.force_login(section_head)
    base = f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/"
    client.post(f"{base}send-back/", {"comment": ""})
    assert RoundRequest.objects.get(pk=request.pk).status == RequestStatus.SUBMITTED
    client.post(f"{base}send-back/", {"comment": "表現を見直してください"})
    assert RoundRequest.objects.get(pk=request.pk).status == RequestStatus.SENT_BACK
    client.force_login(staff)
    page = client.get(base).content.decode()
    assert "表現を見直してください" in page and 'name="text"' in page


def test_the_planning_section_answers_for_a_section_and_the_history_says_who(
    client: Client, guideline_round: CollectionRound, section: Section, planner
) -> None:  # type: ignore[no-untyped-def]
    entry = (
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        )
        .order_by("row__initiative__path", "position")
        .first()
    )
    assert entry is not None
    client.force_login(planner)
    response = client.post(
        entry_url(guideline_round, section, entry), {"text": "企画課が代わりに記入", "version": entry.version}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "企画課が代わりに記入"
    from shinchoku.core.models import AuditEvent

    event = AuditEvent.objects.filter(object_id=str(entry.pk), field="text").order_by("-id").first()
    assert event is not None and event.actor == planner and event.new_value == "企画課が代わりに記入"
