"""Reads of collection rounds: the status board, and what the reminder command needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from shinchoku.organizations.models import Department, Membership, Role, Section
from shinchoku.workflow.access import RoundScope
from shinchoku.workflow.models import CollectionRound, Reminder, RequestStatus, RoundRequest


def is_late(request: RoundRequest, today: date) -> bool:
    """Past the deadline (the deadline day itself is still on time) and not submitted."""
    return request.status == RequestStatus.PENDING and today > request.round.deadline


def rounds_for_board(scope: RoundScope, today: date) -> QuerySet[CollectionRound]:
    """The rounds the scope sees, each with counts over the requests it sees (one query)."""
    visible = scope.request_filter("requests__")
    pending = Q(requests__status=RequestStatus.PENDING)
    rounds = CollectionRound.objects.filter(municipality=scope.municipality).annotate(
        asked=Count("requests", filter=visible),
        not_submitted=Count("requests", filter=visible & pending),
        accepted=Count("requests", filter=visible & Q(requests__status=RequestStatus.ACCEPTED)),
        late=Count("requests", filter=visible & pending & Q(deadline__lt=today)),
    )
    if not scope.all_sections:
        rounds = rounds.filter(asked__gt=0)
    return rounds.order_by("-fiscal_year", "-deadline", "-id")


@dataclass(frozen=True)
class BoardRow:
    request: RoundRequest
    department: Department | None
    section: Section
    late: bool


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    asked: int
    not_submitted: int
    awaiting_approval: int
    accepted: int
    late: int


def round_board(collection_round: CollectionRound, scope: RoundScope, today: date) -> Board:
    """One row per request the scope sees, in organisation order (one query)."""
    requests = (
        RoundRequest.objects.filter(round=collection_round)
        .filter(scope.request_filter())
        .select_related(
            "section__department",
            "submitted_by",
            "section_approved_by",
            "department_approved_by",
            "accepted_by",
        )
        .order_by(
            "section__department__position", "section__department__name", "section__position", "section__name"
        )
    )
    rows = []
    for request in requests:
        request.round = collection_round  # spare a query per row in is_late
        rows.append(
            BoardRow(
                request=request,
                department=request.section.department,
                section=request.section,
                late=is_late(request, today),
            )
        )
    statuses = [row.request.status for row in rows]
    return Board(
        rows=rows,
        asked=len(rows),
        not_submitted=statuses.count(RequestStatus.PENDING),
        awaiting_approval=sum(s not in (RequestStatus.PENDING, RequestStatus.ACCEPTED) for s in statuses),
        accepted=statuses.count(RequestStatus.ACCEPTED),
        late=sum(row.late for row in rows),
    )


def sections_to_ask(municipality_id: int, from_year: int) -> QuerySet[Section]:
    """Sections in a department that still exist in ``from_year`` or later, in organisation order."""
    return (
        Section.objects.filter(municipality_id=municipality_id, department__isnull=False)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=from_year))
        .select_related("department")
        .order_by("department__position", "department__name", "position", "name")
    )


# --- reminders ---------------------------------------------------------------------------


def requests_to_remind(today: date) -> list[RoundRequest]:
    """Requests not yet submitted to open rounds whose deadline is near or past."""
    horizon = today + timedelta(days=settings.ROUND_REMINDER_DAYS_BEFORE)
    return list(
        RoundRequest.objects.filter(
            status=RequestStatus.PENDING,
            round__status=CollectionRound.Status.OPEN,
            round__deadline__lte=horizon,
        )
        .select_related("round__municipality", "section")
        .order_by("round__municipality__code", "round__deadline", "round_id", "section__position", "id")
    )


def section_recipients(section_ids: Iterable[int], today: date) -> dict[int, list[str]]:
    """The e-mail addresses of the active staff and heads of each section (one query)."""
    memberships = (
        Membership.objects.filter(
            section_id__in=list(section_ids),
            role__in=[Role.SECTION_STAFF, Role.SECTION_HEAD],
            user__is_active=True,
        )
        .exclude(user__email="")
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("user")
        .order_by("section_id", "user__username")
    )
    found: dict[int, list[str]] = {}
    for membership in memberships:
        assert membership.section_id is not None  # filtered on section_id above
        addresses = found.setdefault(membership.section_id, [])
        if membership.user.email not in addresses:
            addresses.append(membership.user.email)
    return found


def reminders_sent_on(today: date) -> set[tuple[int, str]]:
    return set(Reminder.objects.filter(sent_on=today).values_list("request_id", "kind"))
