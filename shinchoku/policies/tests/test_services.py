"""A 施策評価 round from its opening to its published report, through the services."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from shinchoku.core.audit import Actor
from shinchoku.core.figures import Figure
from shinchoku.core.models import AuditEvent
from shinchoku.plans.models import Indicator, Measurement
from shinchoku.policies.models import ExternalReview, PolicySheet
from shinchoku.policies.selectors import policy_evaluation_document, sheet_view
from shinchoku.policies.services import (
    ProjectValues,
    committee_opinion_update,
    meeting_create,
    response_update,
    review_update,
    reviewer_unassign,
    reviewers_assign,
    sheet_internal_update,
)
from shinchoku.policies.tests.conftest import DEADLINE, World
from shinchoku.publishing.models import Artefact, Publication, SearchEntry
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.models import DocumentKind, RequestStatus, RoundRequest
from shinchoku.workflow.services import (
    TransitionError,
    round_open,
    round_publish,
    round_request_accept,
    round_request_approve,
    round_request_submit,
)


def _take(step: Any, request: RoundRequest, people: list[User], planner: Actor) -> None:
    """The step by whoever holds the post; by the planning section on behalf where nobody does."""
    for person in people:
        try:
            step(request=RoundRequest.objects.get(pk=request.pk), actor=Actor(user=person))
            return
        except PermissionDenied:
            continue
    step(
        request=RoundRequest.objects.get(pk=request.pk),
        actor=planner,
        comment="不在のため代理",
        on_behalf=True,
    )


def accept_all(world: World) -> None:
    planner = Actor(user=world.planner)
    people = [world.staff, world.sibling_staff, world.head, world.department_head]
    for request in world.round.requests.all():
        _take(round_request_submit, request, people, planner)
        _take(round_request_approve, request, people, planner)
        _take(round_request_approve, request, people, planner)
        round_request_accept(request=RoundRequest.objects.get(pk=request.pk), actor=planner)
    assert set(world.round.requests.values_list("status", flat=True)) == {RequestStatus.ACCEPTED}


def evaluate(world: World, label: str = "1-1", **values: str) -> PolicySheet:
    sheet = world.sheet(label)
    view = sheet_view(sheet)
    return sheet_internal_update(
        sheet=sheet,
        values={
            "internal_grade": "概ね達成",
            "reasons": "閲覧数が伸びた。",
            "issues": "若年層",
            "direction": "expand",
            **values,
        },
        projects={view.projects[0].pk: ProjectValues(Decimal(12345678), Decimal(11000000), "全面改修した。")}
        if view.projects
        else {},
        actuals={v.indicator: ("423万件", Figure(Decimal(4230000), "件")) for v in view.indicators},
        expected_version=sheet.version,
        actor=Actor(user=world.staff),
    )


def test_opening_asks_each_lead_section_for_its_sheets(world: World) -> None:
    sheets = PolicySheet.objects.filter(round=world.round).order_by("policy__path")
    assert [(s.policy.label, s.section.name) for s in sheets] == [
        ("1-1", "企画政策課"),
        ("1-2", "企画政策課"),
        ("2-1", "財政課"),
        ("3-1", "総務課"),
    ]
    assert sorted(r.section.name for r in world.round.requests.all()) == sorted(
        ["企画政策課", "財政課", "総務課"]
    )
    assert [p.project.title for p in world.sheet("1-1").projects.all()] == ["ホームページ運営事業"]


def test_the_sheet_judges_its_indicators_with_the_engine(world: World) -> None:
    evaluate(world)
    view = sheet_view(world.sheet("1-1"))
    result = view.indicators[0].result
    # (4,230,000 − 3,500,000) ÷ (4,500,000 − 3,500,000)? No: the increase formula is actual ÷ target.
    assert result.target == Decimal(4500000) and result.actual == Decimal(4230000)
    assert result.outcome.rounded_rate == Decimal("94.0")
    assert result.grade is not None and result.grade.label == "概ね達成"
    assert Measurement.objects.get(indicator=view.indicators[0].indicator, fiscal_year=2025).text == "423万件"


def test_internal_evaluation_is_audited_and_versioned(world: World) -> None:
    sheet = evaluate(world)
    assert (sheet.internal_grade, sheet.direction, sheet.version) == ("概ね達成", "expand", 2)
    fields = set(
        AuditEvent.objects.filter(object_id=str(sheet.pk), content_type__model="policysheet").values_list(
            "field", flat=True
        )
    )
    assert {"internal_grade", "reasons", "issues", "direction"} <= fields
    project = sheet.projects.get()
    assert (project.budget, project.settlement, project.result) == (
        Decimal(12345678),
        Decimal(11000000),
        "全面改修した。",
    )


def test_a_stale_form_is_refused_and_nothing_is_half_written(world: World) -> None:
    sheet = world.sheet("1-1")
    stale = sheet.version
    evaluate(world)
    view = sheet_view(sheet)
    with pytest.raises(ConflictError) as caught:
        sheet_internal_update(
            sheet=sheet,
            values={"internal_grade": "未達成"},
            projects={view.projects[0].pk: ProjectValues(Decimal(1), Decimal(1), "上書き")},
            actuals={},
            expected_version=stale,
            actor=Actor(user=world.head),
        )
    assert caught.value.by == "staff"
    sheet.refresh_from_db()
    assert sheet.internal_grade == "概ね達成" and sheet.projects.get().result == "全面改修した。"


def test_a_grade_outside_the_scale_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(world, internal_grade="たいへんよい")
    assert "internal_grade" in caught.value.message_dict
    assert world.sheet("1-1").internal_grade == ""


def test_committee_members_review_only_what_is_assigned_then_the_committee_and_the_department_answer(
    world: World,
) -> None:
    sheet = evaluate(world)
    planner = Actor(user=world.planner)
    [review] = reviewers_assign(sheet=sheet, evaluators=[world.member_a], actor=planner)
    assert reviewers_assign(sheet=sheet, evaluators=[world.member_a], actor=planner) == [review]  # idempotent
    review = review_update(
        review=review,
        grade="達成",
        comment="成果が出ている。",
        expected_version=1,
        actor=Actor(user=world.member_a),
    )
    with pytest.raises(ValidationError):
        reviewer_unassign(review=review, actor=planner)  # what a member wrote is kept
    with pytest.raises(ValidationError):
        response_update(
            sheet=sheet,
            response="対応します。",
            expected_version=sheet.version,
            actor=Actor(user=world.staff),
        )
    sheet = committee_opinion_update(
        sheet=sheet,
        grade="概ね達成",
        opinion="若年層への発信を強化されたい。",
        expected_version=sheet.version,
        actor=planner,
    )
    sheet = response_update(
        sheet=sheet,
        response="SNSでの発信を始める。",
        expected_version=sheet.version,
        actor=Actor(user=world.staff),
    )
    assert (sheet.committee_grade, sheet.response) == ("概ね達成", "SNSでの発信を始める。")
    assert ExternalReview.objects.get().grade == "達成"


def test_publishing_freezes_the_report_with_its_files_and_search(world: World) -> None:
    evaluate(world)
    sheet = world.sheet("1-1")
    planner = Actor(user=world.planner)
    committee_opinion_update(
        sheet=sheet,
        grade="概ね達成",
        opinion="発信を強化されたい。",
        expected_version=sheet.version,
        actor=planner,
    )
    meeting_create(
        collection_round=world.round,
        held_on=date(2026, 8, 20),
        title="第1回外部評価委員会",
        attendees="委員長 山田、委員 佐藤",
        minutes="施策1-1について審議した。",
        sheets=[sheet],
        actor=planner,
    )
    with pytest.raises(TransitionError):
        round_publish(collection_round=world.round, actor=planner)
    accept_all(world)
    [publication] = round_publish(collection_round=world.round, actor=planner)
    assert publication.kind == Publication.Kind.POLICY_EVALUATION and publication.plan == world.plan
    assert publication.title == "令和7年度 施策評価報告書（みどり市第5次総合計画）"
    document = publication.document
    assert [s["label"] for s in document["sheets"]] == ["1-1", "1-2", "2-1", "3-1"]
    first = document["sheets"][0]
    assert (first["internal_grade"], first["direction"], first["committee_opinion"]) == (
        "概ね達成",
        "拡充",
        "発信を強化されたい。",
    )
    assert first["indicators"][0]["rate"] == "94.0" and first["projects"][0]["budget"] == "12345678"
    assert document["meetings"][0]["held_on"] == "2026-08-20"
    assert publication.evaluation["policies"]["1-1"] == {
        "title": "情報発信の充実",
        "internal": "概ね達成",
        "committee": "概ね達成",
    }
    keys = set(Artefact.objects.filter(publication=publication).values_list("key", flat=True))
    assert {
        "pdf",
        "xlsx",
        "json",
        "csv:policies",
        "csv:indicators",
        "csv:projects",
        "page:ja",
        "page:en",
    } <= keys
    assert SearchEntry.objects.filter(
        publication=publication, heading="1-1 情報発信の充実", grade="|概ね達成|"
    ).exists()
    # Publishing the same again changes nothing; a change makes revision 2.
    assert round_publish(collection_round=world.round, actor=planner) == []
    assert policy_evaluation_document(world.plan, 2025).sheets[0].internal_grade == "概ね達成"


def test_indicators_without_a_target_of_the_year_are_prorated_from_the_plan(world: World) -> None:
    indicator = Indicator.objects.get(plan_node__label="1-1")
    assert (indicator.period_start_year, indicator.period_end_year) == (2021, 2030)


def test_the_report_rolls_each_policy_area_up_year_by_year(world: World, client: Any) -> None:
    """Two years of the plan published: the later report shows each area's 施策 at 概ね達成 or
    better, of those graded, in each year, and each 施策's trend."""
    planner = Actor(user=world.planner)
    earlier = round_open(
        municipality=world.municipality,
        fiscal_year=2024,
        kind=DocumentKind.POLICY_EVALUATION,
        title="令和6年度 施策評価",
        deadline=DEADLINE,
        plan=world.plan,
        actor=planner,
    )
    for label, grade in (("1-1", "未達成"), ("1-2", "達成")):
        sheet = PolicySheet.objects.get(round=earlier, policy__label=label)
        sheet_internal_update(
            sheet=sheet,
            values={"internal_grade": grade},
            projects={},
            actuals={},
            expected_version=None,
            actor=planner,
        )
    accept_all(World(**{**world.__dict__, "round": earlier}))
    round_publish(collection_round=earlier, actor=planner)
    evaluate(world)  # 1-1: 概ね達成 in 2025
    accept_all(world)
    [publication] = round_publish(collection_round=world.round, actor=planner)
    page = client.get(
        f"/p/{world.municipality.slug}/reports/{publication.pk}/", HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    section = page.split("政策別・年度別の推移", 1)[1].split("</table>", 1)[0]
    row = section.split("1 開かれたまち", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="number">([^<]*)</td>', row) == ["1／2", "1／1"]
    assert "令和6年度" in section and "令和7年度" in section


def test_a_withdrawn_sections_draft_is_not_published(world: World) -> None:
    from shinchoku.workflow.services import round_request_withdraw

    planner = Actor(user=world.planner)
    draft = world.sheet("2-1")
    sheet_internal_update(
        sheet=draft,
        values={"internal_grade": "未達成", "reasons": "下書き"},
        projects={},
        actuals={},
        expected_version=None,
        actor=Actor(user=world.sibling_staff),
    )
    round_request_withdraw(request=world.request(world.sibling), actor=planner, comment="対象外とする")
    for request in world.round.requests.exclude(section=world.sibling):
        _take(round_request_submit, request, [world.staff, world.head], planner)
        _take(round_request_approve, request, [world.head], planner)
        _take(round_request_approve, request, [world.department_head], planner)
        round_request_accept(request=RoundRequest.objects.get(pk=request.pk), actor=planner)
    [publication] = round_publish(collection_round=world.round, actor=planner)
    assert [s["label"] for s in publication.document["sheets"]] == ["1-1", "1-2", "3-1"]
    assert "下書き" not in str(publication.document)


def test_a_round_asking_some_sections_makes_only_their_sheets(world: World, actor: Actor) -> None:
    other = round_open(
        municipality=world.municipality,
        fiscal_year=2026,
        kind=DocumentKind.POLICY_EVALUATION,
        title="令和8年度 施策評価",
        deadline=DEADLINE,
        plan=world.plan,
        sections=[world.section],
        actor=actor,
    )
    assert sorted(other.policy_sheets.values_list("policy__label", flat=True)) == ["1-1", "1-2"]
