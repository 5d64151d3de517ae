"""Reads of collection rounds: the status board, and what the reminder command needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet

from shinchoku.core.models import AuditEvent
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, Membership, Role, Section
from shinchoku.plans.models import Indicator, Measurement, Target
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry
from shinchoku.workflow.access import RoundScope
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    CollectionRound,
    Reminder,
    RequestStatus,
    RoundRequest,
    WorkflowStep,
)


def is_late(request: RoundRequest, today: date) -> bool:
    """Past the deadline (the deadline day itself is still on time) and not submitted."""
    return request.status in EDITABLE_STATUSES and today > request.round.deadline


def rounds_for_board(scope: RoundScope, today: date) -> QuerySet[CollectionRound]:
    """The rounds the scope sees, each with counts over the requests it sees (one query)."""
    visible = scope.request_filter("requests__")
    pending = Q(requests__status__in=EDITABLE_STATUSES)
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
        not_submitted=sum(s in EDITABLE_STATUSES for s in statuses),
        awaiting_approval=sum(s not in (*EDITABLE_STATUSES, RequestStatus.ACCEPTED) for s in statuses),
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
            status__in=EDITABLE_STATUSES,
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


# --- one section's request: its entries and its history -----------------------------------


@dataclass
class RowView:
    """An initiative row as one section sees it: only the bullets it is responsible for."""

    row: InitiativeRow
    results: list[ProgressEntry]
    plans: list[ProgressEntry]


def request_rows(request: RoundRequest, only_row: int | None = None) -> list[RowView]:
    """The rows of the round's guideline and year with the section's entries (three queries)."""
    collection_round = request.round
    if collection_round.plan_id is None:
        return []
    mine = (
        ProgressEntry.objects.filter(responsibles__section_id=request.section_id)
        .distinct()
        .prefetch_related(
            Prefetch(
                "responsibles",
                queryset=EntryResponsible.objects.select_related("section").order_by("position"),
            )
        )
        .order_by("kind", "position")
    )
    rows = (
        InitiativeRow.objects.filter(
            initiative__plan_id=collection_round.plan_id,
            fiscal_year=collection_round.fiscal_year,
            entries__responsibles__section_id=request.section_id,
        )
        .distinct()
        .select_related("initiative", "classification")
        .prefetch_related(Prefetch("entries", queryset=mine, to_attr="mine"))
        .order_by("initiative__path", "position")
    )
    if only_row is not None:
        rows = rows.filter(pk=only_row)
    views = []
    for row in rows:
        entries: list[ProgressEntry] = row.mine
        views.append(
            RowView(
                row=row,
                results=[e for e in entries if e.kind == ProgressEntry.Kind.RESULT],
                plans=[e for e in entries if e.kind == ProgressEntry.Kind.PLAN],
            )
        )
    return views


def request_goals(request: RoundRequest) -> list[Goal]:
    """The goals of the round's declaration for the section, with indicators, targets and actuals."""
    collection_round = request.round
    if collection_round.goal_declaration_id is None:
        return []
    year = collection_round.fiscal_year
    indicators = Indicator.objects.order_by("position", "id").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.filter(fiscal_year=year), to_attr="actuals"),
        Prefetch("targets", queryset=Target.objects.order_by("fiscal_year", "kind"), to_attr="all_targets"),
    )
    return list(
        Goal.objects.filter(declaration_id=collection_round.goal_declaration_id, sections=request.section_id)
        .prefetch_related(Prefetch("indicators", queryset=indicators))
        .order_by("number")
    )


def request_steps(request: RoundRequest) -> list[WorkflowStep]:
    return list(WorkflowStep.objects.filter(request=request).select_related("actor").order_by("at", "id"))


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    record: str
    action: str
    field: str
    old: str | None
    new: str | None
    comment: str


def request_history(request: RoundRequest) -> list[HistoryRow]:
    """The workflow steps and the audit rows of the request and of the section's records in it.

    Records are the section's current entries (or goals and their actuals); a
    deleted entry's last text is in its ``text`` → (none) row while it was listed.
    Four queries whatever the number of records.
    """
    types = ContentType.objects.get_for_models(RoundRequest, ProgressEntry, Goal, Measurement)
    wanted = Q(content_type=types[RoundRequest], object_id=str(request.pk))
    entry_ids = [str(e.pk) for view in request_rows(request) for e in (*view.results, *view.plans)]
    if entry_ids:
        wanted |= Q(content_type=types[ProgressEntry], object_id__in=entry_ids)
    if request.round.goal_declaration_id is not None:
        goals = Goal.objects.filter(
            declaration_id=request.round.goal_declaration_id, sections=request.section_id
        ).values_list("pk", flat=True)
        goal_ids = [str(pk) for pk in goals]
        measurement_ids = [
            str(pk)
            for pk in Measurement.objects.filter(
                indicator__goals__in=list(goals), fiscal_year=request.round.fiscal_year
            ).values_list("pk", flat=True)
        ]
        wanted |= Q(content_type=types[Goal], object_id__in=goal_ids)
        wanted |= Q(content_type=types[Measurement], object_id__in=measurement_ids)
    events = AuditEvent.objects.filter(wanted).exclude(field="").select_related("actor")
    rows = [
        HistoryRow(
            at=e.occurred_at,
            who=(e.actor.get_full_name() or e.actor.username) if e.actor else e.actor_label,
            record=e.object_repr,
            action=e.get_action_display(),
            field=e.field,
            old=e.old_value,
            new=e.new_value,
            comment=e.reason,
        )
        for e in events
    ]
    rows += [
        HistoryRow(
            at=step.at,
            who=(step.actor.get_full_name() or step.actor.username) if step.actor else step.actor_label,
            record=str(request.section),
            action=str(RequestStatus(step.to_status).label),
            field="status",
            old=str(RequestStatus(step.from_status).label),
            new=str(RequestStatus(step.to_status).label),
            comment=step.comment,
        )
        for step in request_steps(request)
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows
