"""Opening and closing rounds; the approval ladder and who may climb each step."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import FiscalYear, Municipality, Section
from shinchoku.organizations.services import section_create
from shinchoku.workflow.models import CollectionRound, DocumentKind, RequestStatus, RoundRequest
from shinchoku.workflow.services import (
    TransitionError,
    round_close,
    round_open,
    round_request_approve,
    round_request_submit,
)

from .conftest import DEADLINE, TODAY


def open_round(
    municipality: Municipality, sections: list[Section], actor: Actor, **changes: object
) -> CollectionRound:
    # A goal-declaration round of the sections' departments (it creates their declarations).
    departments = {s.department_id: s.department for s in sections if s.department is not None}
    values: dict[str, object] = {
        "municipality": municipality,
        "fiscal_year": 2025,
        "kind": DocumentKind.GOAL_DECLARATION,
        "departments": [d for d in departments.values() if d.municipality_id == municipality.pk],
        "title": "指標実績の照会",
        "deadline": DEADLINE,
        "sections": sections,
        "actor": actor,
        "today": TODAY,
        **changes,
    }
    return round_open(**values)  # type: ignore[arg-type]


def test_opening_asks_each_section_once_and_is_audited(
    municipality: Municipality, section: Section, planner, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    collection_round = open_round(municipality, [section, section], Actor(user=planner))
    assert collection_round.status == CollectionRound.Status.OPEN
    assert collection_round.opened_by == planner
    request = RoundRequest.objects.get()
    assert (request.section, request.status, request.municipality) == (
        section,
        RequestStatus.PENDING,
        municipality,
    )
    assert FiscalYear.objects.filter(municipality=municipality, year=2025).exists()
    assert (
        AuditEvent.objects.filter(object_repr=str(collection_round), field="deadline").get().new_value
        == "2026-05-20"
    )
    assert AuditEvent.objects.filter(object_id=str(request.pk), field="section").exists()


def test_only_the_planning_section_opens_rounds(
    municipality: Municipality, section: Section, staff, department_head
) -> None:  # type: ignore[no-untyped-def]
    for user in (staff, department_head):
        with pytest.raises(PermissionDenied):
            open_round(municipality, [section], Actor(user=user))
    assert CollectionRound.objects.count() == 0


def test_opening_refuses_bad_input_with_every_reason(
    municipality: Municipality, other_municipality: Municipality, section: Section, actor: Actor
) -> None:
    unplaced = section_create(municipality=municipality, name="未所属課", actor=actor)
    ended = section_create(
        municipality=municipality, department=section.department, name="旧課", valid_to=2020, actor=actor
    )
    elsewhere = section_create(municipality=other_municipality, name="そら課", actor=actor)
    with pytest.raises(ValidationError) as refused:
        open_round(municipality, [unplaced, ended, elsewhere], actor, deadline=date(2026, 4, 30), title=" ")
    errors = refused.value.message_dict
    assert set(errors) == {"deadline", "sections", "title"}
    text = " ".join(errors["sections"])
    # A section outside any department is asked like any other; an abolished one is not.
    assert "旧課" in text and "そら課" not in text and "未所属課" not in text
    assert len(errors["sections"]) == 2  # another municipality's section, and the abolished one
    with pytest.raises(ValidationError) as refused:
        open_round(municipality, [], actor)
    assert "sections" in refused.value.message_dict
    assert CollectionRound.objects.count() == 0


def test_a_round_may_concern_a_goal_declaration_of_its_kind(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    assert section.department is not None
    declaration = GoalDeclaration.objects.create(
        municipality=municipality,
        fiscal_year=2025,
        department=section.department,
        declarer_position="企画部長",
    )
    collection_round = open_round(municipality, [section], actor, kind=DocumentKind.YEAR_END_RESULTS)
    assert list(collection_round.declarations.all()) == [declaration]
    with pytest.raises(ValidationError) as refused:
        open_round(municipality, [section], actor, kind=DocumentKind.GUIDELINE_PROGRESS)
    assert set(refused.value.message_dict) == {"plan", "departments"}


def test_a_year_end_round_needs_the_declarations(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    with pytest.raises(ValidationError) as refused:
        open_round(municipality, [section], actor, kind=DocumentKind.YEAR_END_RESULTS)
    assert "企画部" in " ".join(refused.value.message_dict["departments"])
    assert CollectionRound.objects.count() == 0 and GoalDeclaration.objects.count() == 0


def test_a_goal_declaration_round_creates_the_declarations_and_asks_every_section_by_default(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    assert section.department is not None
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GOAL_DECLARATION,
        title="目標宣言",
        deadline=DEADLINE,
        departments=[section.department],
        actor=actor,
        today=TODAY,
    )
    declaration = GoalDeclaration.objects.get()
    assert (declaration.department, declaration.fiscal_year) == (section.department, 2025)
    assert list(collection_round.declarations.all()) == [declaration]
    assert [r.section for r in collection_round.requests.all()] == [section]


def test_the_whole_ladder(
    collection_round: CollectionRound, section: Section, staff, section_head, department_head, planner
) -> None:  # type: ignore[no-untyped-def]
    request = collection_round.requests.get(section=section)
    request = round_request_submit(request=request, actor=Actor(user=staff))
    assert (request.status, request.submitted_by, request.version) == (RequestStatus.SUBMITTED, staff, 2)
    assert request.submitted_at is not None
    request = round_request_approve(request=request, actor=Actor(user=section_head))
    assert (request.status, request.section_approved_by) == (
        RequestStatus.APPROVED_BY_SECTION_HEAD,
        section_head,
    )
    request = round_request_approve(request=request, actor=Actor(user=department_head))
    assert request.status == RequestStatus.APPROVED_BY_DEPARTMENT_HEAD
    assert request.department_approved_at is not None
    request = round_request_approve(request=request, actor=Actor(user=planner))
    assert (request.status, request.accepted_by) == (RequestStatus.ACCEPTED, planner)
    with pytest.raises(TransitionError):
        round_request_approve(request=request, actor=Actor(user=planner))
    statuses = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(RoundRequest),
        object_id=str(request.pk),
        field="status",
    ).order_by("id")
    assert [e.new_value for e in statuses] == [
        "pending",
        "submitted",
        "approved_by_section_head",
        "approved_by_department_head",
        "accepted",
    ]
    assert statuses.last().actor == planner  # type: ignore[union-attr]


def test_each_step_belongs_to_one_role_and_scope(
    collection_round: CollectionRound,
    section: Section,
    sibling_section: Section,
    foreign_section: Section,
    staff,
    section_head,
    department_head,
    planner,
    evaluator,
    outsider,
    actor: Actor,
) -> None:  # type: ignore[no-untyped-def]
    mine = collection_round.requests.get(section=section)
    sibling = collection_round.requests.get(section=sibling_section)
    foreign = collection_round.requests.get(section=foreign_section)
    # Submitting: staff of that section only (not the head, not planning, not a process).
    for user in (section_head, department_head, planner, evaluator, outsider):
        with pytest.raises(PermissionDenied):
            round_request_submit(request=mine, actor=Actor(user=user))
    with pytest.raises(PermissionDenied):
        round_request_submit(request=mine, actor=actor)
    with pytest.raises(PermissionDenied):
        round_request_submit(request=sibling, actor=Actor(user=staff))
    # Approving before submission is a wrong state, whoever asks.
    with pytest.raises(TransitionError):
        round_request_approve(request=mine, actor=Actor(user=section_head))
    round_request_submit(request=mine, actor=Actor(user=staff))
    # The section head's step: not staff, not the department head, not planning.
    for user in (staff, department_head, planner):
        with pytest.raises(PermissionDenied):
            round_request_approve(request=mine, actor=Actor(user=user))
    round_request_approve(request=mine, actor=Actor(user=section_head))
    # The department head's step: not the section head, not planning.
    for user in (section_head, planner):
        with pytest.raises(PermissionDenied):
            round_request_approve(request=mine, actor=Actor(user=user))
    round_request_approve(request=mine, actor=Actor(user=department_head))
    # The planning section's step.
    with pytest.raises(PermissionDenied):
        round_request_approve(request=mine, actor=Actor(user=department_head))
    assert RoundRequest.objects.get(pk=foreign.pk).status == RequestStatus.PENDING


def test_a_department_head_cannot_approve_another_departments_section(
    collection_round: CollectionRound, foreign_section: Section, department_head, municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    from conftest import _member

    foreign = collection_round.requests.get(section=foreign_section)
    staff = _member("soumu_staff", municipality, "section_staff", section=foreign_section)
    head = _member("soumu_head", municipality, "section_head", section=foreign_section)
    round_request_submit(request=foreign, actor=Actor(user=staff))
    round_request_approve(request=foreign, actor=Actor(user=head))
    with pytest.raises(PermissionDenied):
        round_request_approve(request=foreign, actor=Actor(user=department_head))


def test_an_expired_membership_grants_nothing(
    collection_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    staff.memberships.update(valid_to=date(2020, 3, 31))
    with pytest.raises(PermissionDenied):
        round_request_submit(request=collection_round.requests.get(section=section), actor=Actor(user=staff))


def test_a_closed_round_takes_no_more_steps(
    collection_round: CollectionRound, section: Section, staff, planner
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        round_close(collection_round=collection_round, actor=Actor(user=staff))
    closed = round_close(collection_round=collection_round, actor=Actor(user=planner))
    assert closed.status == CollectionRound.Status.CLOSED and closed.closed_at is not None
    assert AuditEvent.objects.filter(object_id=str(closed.pk), field="status", new_value="closed").exists()
    with pytest.raises(TransitionError):
        round_close(collection_round=closed, actor=Actor(user=planner))
    with pytest.raises(TransitionError):
        round_request_submit(request=collection_round.requests.get(section=section), actor=Actor(user=staff))
