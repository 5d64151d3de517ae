"""Reads of collection rounds: the status board, and what the reminder command needs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from shinchoku.core.audit_display import field_label, is_internal_field, process_label, value_label
from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.models import AuditEvent
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import (
    Department,
    Membership,
    Municipality,
    Role,
    Section,
    SectionSuccession,
    SuccessionKind,
)
from shinchoku.plans.models import Indicator, Measurement, Plan, Target
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry
from shinchoku.workflow.access import RoundScope
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    CollectionRound,
    DocumentKind,
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
    withdrawn: int = 0

    @property
    def complete(self) -> bool:
        """Every asked section answered and was accepted, or was withdrawn."""
        return self.asked > 0 and self.accepted + self.withdrawn == self.asked and self.accepted > 0


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
        awaiting_approval=sum(
            s not in (*EDITABLE_STATUSES, RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN) for s in statuses
        ),
        accepted=statuses.count(RequestStatus.ACCEPTED),
        withdrawn=statuses.count(RequestStatus.WITHDRAWN),
        late=sum(row.late for row in rows),
    )


def sections_to_ask(municipality_id: int, from_year: int) -> QuerySet[Section]:
    """Sections that still exist in ``from_year`` or later, in organisation order.

    Sections outside any department (議会事務局, 行政委員会) are asked like any other.
    """
    return (
        Section.objects.filter(municipality_id=municipality_id)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=from_year))
        .select_related("department")
        .order_by(F("department__position").asc(nulls_last=True), "department__name", "position", "name")
    )


def document_sections(
    municipality: Municipality,
    *,
    kind: str,
    fiscal_year: int,
    plan: Plan | None = None,
    departments: Iterable[Department] = (),
) -> QuerySet[Section]:
    """The sections a round about this document asks by default: those with a part in it.

    - a guideline: the sections responsible for its entries of the year or of last
      year's plans (under their current names after a rename or merger);
    - goal declarations at the start of the year: every section of the departments;
    - year-end results: the sections responsible for the declarations' goals.
    Only sections that exist in ``fiscal_year``.
    """
    valid = Section.objects.filter(municipality=municipality).valid_in(fiscal_year)
    if kind == DocumentKind.POLICY_EVALUATION:
        # The lead section of each 施策 of the plan answers for its sheet.
        from shinchoku.policies.services import sheet_sections

        found = valid.filter(pk__in=[s.pk for s in sheet_sections(plan)] if plan is not None else [])
    elif plan is not None:
        ids = set(
            EntryResponsible.objects.filter(entry__row__initiative__plan=plan, section__isnull=False)
            .filter(
                Q(entry__row__fiscal_year=fiscal_year)
                | Q(entry__row__fiscal_year=fiscal_year - 1, entry__kind=ProgressEntry.Kind.PLAN)
            )
            .values_list("section_id", flat=True)
        )
        found = valid.filter(pk__in=successor_ids(municipality.pk, fiscal_year, ids))
    elif kind == DocumentKind.GOAL_DECLARATION:
        found = valid.filter(department__in=list(departments))
    else:
        found = valid.filter(
            goals__declaration__fiscal_year=fiscal_year,
            goals__declaration__department__in=list(departments),
            goals__declaration__municipality=municipality,
        )
    return (
        found.distinct()
        .select_related("department")
        .order_by(F("department__position").asc(nulls_last=True), "department__name", "position", "name")
    )


def successor_ids(municipality_id: int, fiscal_year: int, ids: set[int]) -> set[int]:
    """``ids`` with every section whose duties passed on by ``fiscal_year`` replaced by the
    section(s) that took them (renamed, merged, split, transferred), the same lineage the
    roll-forward follows backwards."""
    edges: dict[int, set[int]] = {}
    for predecessor, successor in SectionSuccession.objects.filter(
        municipality_id=municipality_id, fiscal_year__lte=fiscal_year
    ).values_list("predecessor_id", "successor_id"):
        edges.setdefault(predecessor, set()).add(successor)
    found: set[int] = set()
    todo, seen = list(ids), set(ids)
    while todo:
        current = todo.pop()
        found.add(current)
        for successor in edges.get(current, set()) - seen:
            seen.add(successor)
            todo.append(successor)
    return found


def current_section_ids(municipality_id: int, fiscal_year: int) -> dict[int, int]:
    """Renamed or merged sections → the section that carries their name in ``fiscal_year``."""
    edges = dict(
        SectionSuccession.objects.filter(
            municipality_id=municipality_id,
            fiscal_year__lte=fiscal_year,
            kind__in=[SuccessionKind.RENAMED, SuccessionKind.MERGED],
        ).values_list("predecessor_id", "successor_id")
    )
    resolved: dict[int, int] = {}
    for start in edges:
        current, seen = start, {start}
        while current in edges and edges[current] not in seen:
            current = edges[current]
            seen.add(current)
        resolved[start] = current
    return resolved


@dataclass(frozen=True)
class Blocker:
    """A section whose answer holds up publishing, and what would move it."""

    section: Section
    status: str
    waiting_for: str  # who takes the next step, in words
    nobody: bool  # no active user can take that step: the planning section must act


def _next_step(request: RoundRequest) -> tuple[str, tuple[str, int, str] | None]:
    """Who takes the request's next step, in words, and the membership that allows it.

    ``("section", section id, role)`` or ``("department", department id, role)``; None when
    it is the planning section's step (always somebody).
    """
    section = request.section
    status = RequestStatus(request.status)
    if status in EDITABLE_STATUSES:
        return str(_("the staff of the section (to submit)")), ("section", section.pk, Role.SECTION_STAFF)
    if status == RequestStatus.SUBMITTED:
        return str(_("the section head (to approve)")), ("section", section.pk, Role.SECTION_HEAD)
    if status == RequestStatus.APPROVED_BY_SECTION_HEAD and section.department_id is not None:
        return str(_("the department head (to approve)")), (
            "department",
            section.department_id,
            Role.DEPARTMENT_HEAD,
        )
    if status == RequestStatus.APPROVED_BY_SECTION_HEAD:
        return str(_("the planning section (to approve)")), None
    return str(_("the planning section (to accept)")), None


def _active_memberships(municipality_id: int, today: date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(municipality_id=municipality_id, user__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    )


def nobody_takes_next_step(request: RoundRequest, today: date) -> bool:
    """No active member holds the role of the request's next step (a vacant post): only then
    may the planning section take it on the section's behalf (one query)."""
    _who, needed = _next_step(request)
    if needed is None:
        return False
    scope, pk, role = needed
    holders = _active_memberships(request.municipality_id, today).filter(role=role)
    holders = holders.filter(section_id=pk) if scope == "section" else holders.filter(department_id=pk)
    return not holders.exists()


def publish_blockers(collection_round: CollectionRound, today: date) -> list[Blocker]:
    """Why the round cannot be published yet, one line per section (three queries)."""
    waiting = list(
        RoundRequest.objects.filter(round=collection_round)
        .exclude(status__in=[RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN])
        .select_related("section__department")
        .order_by("section__department__position", "section__position", "section__name")
    )
    if not waiting:
        return []
    active = _active_memberships(collection_round.municipality_id, today)
    held = {
        ("section", pk, role) for pk, role in active.exclude(section=None).values_list("section_id", "role")
    }
    held |= {
        ("department", pk, role)
        for pk, role in active.exclude(department=None).values_list("department_id", "role")
    }
    blockers = []
    for request in waiting:
        who, needed = _next_step(request)
        blockers.append(
            Blocker(
                section=request.section,
                status=str(RequestStatus(request.status).label),
                waiting_for=who,
                nobody=needed is not None and needed not in held,
            )
        )
    return blockers


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
    year = collection_round.fiscal_year
    indicators = Indicator.objects.order_by("position", "id").prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.filter(fiscal_year=year), to_attr="actuals"),
        Prefetch("targets", queryset=Target.objects.order_by("fiscal_year", "kind"), to_attr="all_targets"),
    )
    return list(
        Goal.objects.filter(declaration__rounds=collection_round.pk, sections=request.section_id)
        .select_related("declaration__department")
        .prefetch_related(Prefetch("indicators", queryset=indicators))
        .order_by("declaration__department__position", "declaration_id", "number")
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


# Fields of a request that the approval ladder sets; its steps show them.
_LADDER_FIELDS = {
    "status",
    "submitted_at",
    "submitted_by",
    "section_approved_at",
    "section_approved_by",
    "department_approved_at",
    "department_approved_by",
    "accepted_at",
    "accepted_by",
}
_ID_SUFFIX = re.compile(r" \(#\d+\)$")


def _roles_of(municipality_id: int, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Each user's roles in the municipality, as the history shows them: 「課長」, 「課員・課長」."""
    roles: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(
        municipality_id=municipality_id, user_id__in=[pk for pk in user_ids if pk is not None]
    ).order_by("role"):
        labels = roles.setdefault(membership.user_id, [])
        label = str(membership.get_role_display())
        if label not in labels:
            labels.append(label)
    return {pk: "・".join(labels) for pk, labels in roles.items()}


def _who(user: User | None, label: str, roles: dict[int, str]) -> str:
    """A person's name and role (「担当 三郎（課員）」), or a process in words, never its internal name."""
    if user is None:
        return process_label(label)
    name = user.get_full_name() or user.username
    role = roles.get(user.pk)
    return f"{name}（{role}）" if role else name


def _step_actor(step: WorkflowStep, roles: dict[int, str] | None = None) -> str:
    name = _who(step.actor, step.actor_label, roles or {})
    if step.on_behalf:
        return "{}（{}）".format(name, _("on the section's behalf"))
    return name


def _record_label(model: type | None, event: AuditEvent, measurements: dict[str, Measurement]) -> str:
    """The record a history row is about, as people name it (the figure's indicator and year)."""
    if model is Measurement and event.object_id in measurements:
        measurement = measurements[event.object_id]
        return _("%(indicator)s, actual of %(year)s") % {
            "indicator": (
                f"{measurement.indicator.name}（{measurement.indicator.unit}）"
                if measurement.indicator.unit
                else measurement.indicator.name
            ),
            "year": format_fiscal_year(measurement.fiscal_year),
        }
    return _ID_SUFFIX.sub("", event.object_repr)


def request_history(request: RoundRequest) -> list[HistoryRow]:
    """The workflow steps and the audit rows of the request and of the section's records in it.

    Records are the section's current entries (or goals and their actuals); a
    deleted entry's last text is in its ``text`` → (none) row while it was listed.
    A fixed number of queries whatever the number of records.
    """
    types = ContentType.objects.get_for_models(RoundRequest, ProgressEntry, Goal, Measurement)
    wanted = Q(content_type=types[RoundRequest], object_id=str(request.pk))
    entry_ids = [str(e.pk) for view in request_rows(request) for e in (*view.results, *view.plans)]
    if entry_ids:
        wanted |= Q(content_type=types[ProgressEntry], object_id__in=entry_ids)
    if request.round.kind == DocumentKind.POLICY_EVALUATION:
        # The section's sheets, their projects and the actuals of their 施策's indicators.
        from shinchoku.policies.models import PolicySheet, ProjectResult

        sheet_types = ContentType.objects.get_for_models(PolicySheet, ProjectResult)
        types = {**types, **sheet_types}
        sheets = PolicySheet.objects.filter(round_id=request.round_id, section_id=request.section_id)
        sheet_ids = [str(pk) for pk in sheets.values_list("pk", flat=True)]
        project_ids = [
            str(pk) for pk in ProjectResult.objects.filter(sheet__in=sheets).values_list("pk", flat=True)
        ]
        measurement_ids = [
            str(pk)
            for pk in Measurement.objects.filter(
                indicator__plan_node__sheets__in=sheets, fiscal_year=request.round.fiscal_year
            ).values_list("pk", flat=True)
        ]
        wanted |= Q(content_type=sheet_types[PolicySheet], object_id__in=sheet_ids)
        wanted |= Q(content_type=sheet_types[ProjectResult], object_id__in=project_ids)
        wanted |= Q(content_type=types[Measurement], object_id__in=measurement_ids)
    elif request.round.kind != "guideline_progress":
        goals = Goal.objects.filter(
            declaration__rounds=request.round_id, sections=request.section_id
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
    else:
        measurement_ids = []
    events = list(AuditEvent.objects.filter(wanted).exclude(field="").select_related("actor"))
    steps = request_steps(request)
    roles = _roles_of(request.municipality_id, [e.actor_id for e in events] + [s.actor_id for s in steps])
    measurements = {
        str(m.pk): m for m in Measurement.objects.filter(pk__in=measurement_ids).select_related("indicator")
    }
    models_by_type = {t.pk: model for model, t in types.items()}
    rows = []
    for e in events:
        model = models_by_type.get(e.content_type_id)
        # The ladder's status and stamps are the workflow steps below: shown once, there.
        if model is RoundRequest and e.field in _LADDER_FIELDS:
            continue
        # A new record's place in its list says nothing people wrote (「順序 1」); a move keeps its row.
        if e.action != AuditEvent.Action.UPDATE and is_internal_field(e.field):
            continue
        rows.append(
            HistoryRow(
                at=e.occurred_at,
                who=_who(e.actor, e.actor_label, roles),
                record=_record_label(model, e, measurements),
                action=e.get_action_display(),
                field=field_label(model, e.field),
                old=value_label(model, e.field, e.old_value),
                new=value_label(model, e.field, e.new_value),
                comment=e.reason,
            )
        )
    rows += [
        HistoryRow(
            at=step.at,
            who=_step_actor(step, roles),
            record=str(request.section),
            action=str(RequestStatus(step.to_status).label),
            field=str(RoundRequest._meta.get_field("status").verbose_name),
            old=str(RequestStatus(step.from_status).label),
            new=str(RequestStatus(step.to_status).label),
            comment=step.comment,
        )
        for step in steps
    ]
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows


def answer_warning(request: RoundRequest) -> str:
    """Why submitting this answer may be a mistake (empty, or untouched since the prefill), or ""."""
    collection_round = request.round
    if collection_round.kind == DocumentKind.POLICY_EVALUATION:
        from shinchoku.policies.selectors import request_sheets

        sheets = request_sheets(request)
        if not any(s.internal_grade or s.reasons or s.issues or s.direction for s in sheets):
            return str(_("No policy evaluation sheet of your section has been filled in yet."))
        return ""
    if collection_round.plan_id is not None:
        entries = list(
            ProgressEntry.objects.filter(
                row__initiative__plan_id=collection_round.plan_id,
                row__fiscal_year=collection_round.fiscal_year,
                responsibles__section_id=request.section_id,
            )
            .distinct()
            .prefetch_related("carried_from__plan_entry")
        )
        if not entries:
            return str(_("Your section's answer has no entry at all."))
        plans = [e for e in entries if e.kind == ProgressEntry.Kind.PLAN]
        untouched = all(
            any(c.plan_entry.text == e.text for c in e.carried_from.all())
            for e in entries
            if e.kind == ProgressEntry.Kind.RESULT
        )
        if not plans and untouched:
            return str(
                _(
                    "The results are unchanged from last year's plans and there is no plan for next year: "
                    "nothing was written for this year."
                )
            )
        return ""
    goals = Goal.objects.filter(declaration__rounds=collection_round.pk, sections=request.section_id)
    if not goals.exists():
        return str(_("No goal of the declaration names your section."))
    if collection_round.kind == DocumentKind.YEAR_END_RESULTS:
        written = (
            goals.exclude(result_text="").exists()
            or Measurement.objects.filter(
                indicator__goals__in=goals, fiscal_year=collection_round.fiscal_year
            ).exists()
        )
        if not written:
            return str(_("No result and no actual figure has been written yet."))
    return ""
