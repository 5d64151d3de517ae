"""What waits for one user, across every municipality they belong to: the home page and the counts.

- to fill in: requests of my sections not submitted yet, or sent back (with the comment);
- to approve: requests whose next step is mine (section head, department head, planning);
- to publish (planning section): open rounds whose every answer is accepted.
Each list is newest first; due soon and late are flagged on what I still have to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shinchoku.core.eras import fiscal_year_of
from shinchoku.organizations.access import PLANNING_ROLES, current_memberships
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.policies.models import ExternalReview, PolicySheet
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    CollectionRound,
    DocumentKind,
    RequestStatus,
    RoundRequest,
    WorkflowStep,
)


def _memberships(user: User, today: date) -> list[Membership]:
    if today == timezone.localdate():
        return current_memberships(user)  # read once per request (organizations.access)
    return list(
        Membership.objects.filter(user=user)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )


@dataclass(frozen=True)
class _Filters:
    fill: Q
    approve: Q
    planning_municipalities: frozenset[int]
    # 施策評価シート whose committee opinion waits for the department's response (on PolicySheet).
    respond: Q


def _filters_for(user: User, today: date) -> _Filters:
    """``_filters`` of the user's memberships, once per request (the page and its navigation)."""
    kept = getattr(user, "_shinchoku_work_filters", None)
    if kept is not None and kept[0] == today:
        return kept[1]
    filters = _filters(_memberships(user, today))
    user._shinchoku_work_filters = (today, filters)  # type: ignore[attr-defined]
    return filters


def _filters(memberships: list[Membership]) -> _Filters:
    """What waits for these memberships, as conditions on a request's own columns.

    Only ``section_id``, ``municipality_id`` and ``status``, with the ids written out: a join
    inside the OR (the section's department) made PostgreSQL scan every request of every
    municipality (420 ms at national scale, on every staff page through the navigation's
    count; bench/national.py). The sections of a headed department and the department-less
    sections of a planned municipality are read first, in one small query.
    """
    nothing = Q(pk__in=[])
    my_sections = {
        m.section_id
        for m in memberships
        if m.role in (Role.SECTION_STAFF, Role.SECTION_HEAD) and m.section_id
    }
    headed_sections = {m.section_id for m in memberships if m.role == Role.SECTION_HEAD and m.section_id}
    headed_departments = {
        m.department_id for m in memberships if m.role == Role.DEPARTMENT_HEAD and m.department_id
    }
    planning = frozenset(m.municipality_id for m in memberships if m.role in PLANNING_ROLES)
    of_departments: set[int] = set()
    without_department: set[int] = set()
    if headed_departments or planning:
        for section_id, department_id in Section.objects.filter(
            Q(department_id__in=headed_departments) | Q(municipality_id__in=planning, department__isnull=True)
        ).values_list("id", "department_id"):
            (of_departments if department_id in headed_departments else without_department).add(section_id)
    fill = Q(section_id__in=my_sections, status__in=EDITABLE_STATUSES) if my_sections else nothing
    approve = nothing
    if headed_sections:
        approve |= Q(section_id__in=headed_sections, status=RequestStatus.SUBMITTED)
    if of_departments:
        approve |= Q(section_id__in=of_departments, status=RequestStatus.APPROVED_BY_SECTION_HEAD)
    if planning:
        approve |= Q(municipality_id__in=planning, status=RequestStatus.APPROVED_BY_DEPARTMENT_HEAD)
    if without_department:
        approve |= Q(section_id__in=without_department, status=RequestStatus.APPROVED_BY_SECTION_HEAD)
    respond = nothing
    if my_sections:
        respond |= Q(section_id__in=my_sections)
    if headed_departments:
        respond |= Q(department_id__in=headed_departments)
    return _Filters(fill=fill, approve=approve, planning_municipalities=planning, respond=respond)


@dataclass(frozen=True)
class Task:
    request: RoundRequest
    late: bool
    due_soon: bool
    comment: str  # the send-back comment, for a request sent back to me


@dataclass(frozen=True)
class Place:
    """A municipality the user works in, and what their roles there open (each page checks again)."""

    municipality: Municipality
    roles: frozenset[str]
    # The departments whose year so far the user follows (its head, or staff of one of its sections).
    departments: tuple[Department, ...] = ()
    fiscal_year: int = 0

    @property
    def planning(self) -> bool:
        return bool(self.roles & set(PLANNING_ROLES))

    @property
    def evaluator(self) -> bool:
        """A member of the external evaluation committee: sees the sheets assigned to them."""
        return Role.EVALUATOR in self.roles

    @property
    def internal(self) -> bool:
        """On the approval ladder: sees rounds and declarations."""
        return bool(self.roles - {Role.EVALUATOR, Role.VIEWER})


@dataclass(frozen=True)
class MyWork:
    to_fill: list[Task]
    to_approve: list[Task]
    to_publish: list[CollectionRound]
    places: list[Place] = field(default_factory=list)
    # A committee member's sheets not evaluated yet, in open rounds.
    to_review: list[ExternalReview] = field(default_factory=list)
    # Sheets whose committee opinion waits for the department's response.
    to_respond: list[PolicySheet] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.to_fill)
            + len(self.to_approve)
            + len(self.to_publish)
            + len(self.to_review)
            + len(self.to_respond)
        )


def _responses_waiting(filters: _Filters) -> QuerySet[PolicySheet]:
    """Sheets with the committee's opinion and no response yet, of the user's sections or departments."""
    return PolicySheet.objects.filter(
        filters.respond, response="", round__status=CollectionRound.Status.OPEN
    ).exclude(committee_opinion="")


def _reviews_waiting(user: User) -> QuerySet[ExternalReview]:
    return ExternalReview.objects.filter(
        evaluator=user, grade="", sheet__round__status=CollectionRound.Status.OPEN
    )


def my_work(user: User | AnonymousUser, today: date) -> MyWork:
    """Everything waiting for ``user`` (five queries whatever the number of rounds)."""
    if not user.is_authenticated:
        return MyWork([], [], [], [])
    assert isinstance(user, User)
    memberships = _memberships(user, today)
    filters = _filters_for(user, today)
    roles: dict[int, set[str]] = {}
    for membership in memberships:
        roles.setdefault(membership.municipality_id, set()).add(membership.role)
    departments: dict[int, dict[int, Department]] = {}
    for membership in memberships:
        department = membership.department if membership.role == Role.DEPARTMENT_HEAD else None
        if membership.role in (Role.SECTION_HEAD, Role.SECTION_STAFF) and membership.section is not None:
            department = membership.section.department
        if department is not None:
            departments.setdefault(membership.municipality_id, {})[department.pk] = department
    places = [
        Place(
            municipality=m,
            roles=frozenset(roles[m.pk]),
            departments=tuple(departments.get(m.pk, {}).values()),
            fiscal_year=fiscal_year_of(today),
        )
        for m in Municipality.objects.filter(pk__in=roles).order_by("code")
    ]
    requests = list(
        RoundRequest.objects.filter(round__status=CollectionRound.Status.OPEN)
        .filter(filters.fill | filters.approve)
        .select_related("round", "section__department", "municipality")
        .order_by("-updated_at", "-id")
    )
    sent_back = {r.pk for r in requests if r.status == RequestStatus.SENT_BACK}
    comments: dict[int, str] = {}
    for step in WorkflowStep.objects.filter(
        request_id__in=sent_back, to_status=RequestStatus.SENT_BACK
    ).order_by("at", "id"):
        comments[step.request_id] = step.comment  # the latest send-back wins
    soon = today + timedelta(days=settings.ROUND_REMINDER_DAYS_BEFORE)
    to_fill: list[Task] = []
    to_approve: list[Task] = []
    fill_statuses = set(EDITABLE_STATUSES)
    for request in requests:
        deadline = request.round.deadline
        editable = request.status in fill_statuses
        task = Task(
            request=request,
            late=editable and today > deadline,
            due_soon=editable and today <= deadline <= soon,
            comment=comments.get(request.pk, ""),
        )
        (to_fill if editable else to_approve).append(task)
    to_publish: list[CollectionRound] = []
    if filters.planning_municipalities:
        to_publish = list(
            ready_to_publish(
                CollectionRound.objects.filter(municipality_id__in=filters.planning_municipalities)
            )
            .select_related("municipality")
            .order_by("-updated_at", "-id")
        )
    to_review: list[ExternalReview] = []
    if any(m.role == Role.EVALUATOR for m in memberships):
        to_review = list(
            _reviews_waiting(user)
            .select_related("municipality", "sheet__policy", "sheet__round")
            .order_by("sheet__round__deadline", "sheet__policy__path")
        )
    to_respond = list(
        _responses_waiting(filters).select_related("municipality", "policy").order_by("policy__path")
    )
    return MyWork(
        to_fill=to_fill,
        to_approve=to_approve,
        to_publish=to_publish,
        places=places,
        to_review=to_review,
        to_respond=to_respond,
    )


def ready_to_publish(rounds: QuerySet[CollectionRound]) -> QuerySet[CollectionRound]:
    """Open rounds whose every answer is accepted (or withdrawn, with one accepted at least),
    not published since the last acceptance: a corrected answer makes a round ready again."""
    waiting = RoundRequest.objects.filter(round=OuterRef("pk")).exclude(
        status__in=[RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN]
    )
    accepted = RoundRequest.objects.filter(round=OuterRef("pk"), status=RequestStatus.ACCEPTED)
    newer = accepted.filter(Q(accepted_at__gt=OuterRef("published_at")))
    return (
        rounds.filter(status=CollectionRound.Status.OPEN)
        .exclude(kind=DocumentKind.MID_YEAR)  # a hearing is not published
        .filter(Exists(accepted))
        .exclude(Exists(waiting))
        .filter(Q(published_at__isnull=True) | Exists(newer))
    )


def my_work_count(user: User | AnonymousUser, today: date) -> int:
    """How many requests and rounds wait for ``user``: the number in the navigation.

    The same rules as ``my_work``; two to four small queries (memberships, the sections a
    department head or the planning section answers for, the requests, the rounds to publish),
    each through an index whatever the number of municipalities.
    """
    if not user.is_authenticated:
        return 0
    assert isinstance(user, User)
    if any(m.role == Role.EVALUATOR for m in _memberships(user, today)):
        # A committee member is on no approval ladder: only their sheets wait for them.
        return _reviews_waiting(user).count()
    filters = _filters_for(user, today)
    requests = RoundRequest.objects.filter(
        filters.fill | filters.approve, round__status=CollectionRound.Status.OPEN
    )
    parts = [_responses_waiting(filters).order_by().values_list("pk")]
    if filters.planning_municipalities:
        rounds = ready_to_publish(
            CollectionRound.objects.filter(municipality_id__in=filters.planning_municipalities)
        )
        parts.append(rounds.order_by().values_list("pk"))  # type: ignore[arg-type]
    # One query on every staff page rather than three: the rows of all, counted together.
    return requests.order_by().values_list("pk").union(*parts, all=True).count()
