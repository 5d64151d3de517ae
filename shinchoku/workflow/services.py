"""Writes of collection rounds: open, close, submit, approve, remind. Each is audited.

Role checks live here as well as in the views' access helpers: a service called
from a command or a later API refuses a user without the right membership too.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor, apply_changes, record_create
from shinchoku.core.eras import format_fiscal_year
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships, has_role
from shinchoku.organizations.models import Municipality, Role, Section, SectionSuccession, SuccessionKind
from shinchoku.organizations.services import fiscal_year_ensure
from shinchoku.plans.models import Plan
from shinchoku.progress.models import InitiativeRow, ProgressEntry
from shinchoku.progress.services import progress_entry_create
from shinchoku.publishing.services import goal_declaration_publish, guideline_progress_publish
from shinchoku.workflow import selectors
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    CarriedEntry,
    CollectionRound,
    DocumentKind,
    Reminder,
    RequestStatus,
    RoundRequest,
    WorkflowStep,
)

logger = logging.getLogger(__name__)


class TransitionError(Exception):
    """The round or request is not in a state that allows this step."""


def _require_role(
    actor: Actor,
    municipality: Municipality,
    roles: Iterable[str],
    *,
    section: Section | None = None,
    department_id: int | None = None,
) -> User:
    """The actor's user, if one of its active memberships has a role in ``roles`` for that scope."""
    if actor.user is None:
        raise PermissionDenied("This step is taken by a person, not by a process.")
    wanted = set(roles)
    for membership in active_memberships(actor.user, municipality):
        if membership.role not in wanted:
            continue
        if section is not None and membership.section_id != section.pk:
            continue
        if department_id is not None and membership.department_id != department_id:
            continue
        return actor.user
    raise PermissionDenied("You have no role that allows this step.")


def _require_planning(actor: Actor, municipality: Municipality) -> None:
    # Processes (demo loader, commands) act for the planning section; people need the role.
    if actor.user is not None:
        _require_role(actor, municipality, PLANNING_ROLES)


@transaction.atomic
def round_open(
    *,
    municipality: Municipality,
    fiscal_year: int,
    kind: str,
    title: str,
    deadline: date,
    sections: Iterable[Section],
    actor: Actor,
    goal_declaration: GoalDeclaration | None = None,
    plan: Plan | None = None,
    today: date | None = None,
) -> CollectionRound:
    """Ask ``sections`` for a document of ``fiscal_year`` by ``deadline``: one pending request each."""
    _require_planning(actor, municipality)
    today = today or timezone.localdate()
    asked = list({s.pk: s for s in sections}.values())
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if kind not in DocumentKind.values:
        error("kind", _("Unknown document kind."))
    if not title.strip():
        error("title", _("Give the round a title."))
    if deadline < today:
        error("deadline", _("The deadline is in the past."))
    if not asked:
        error("sections", _("Ask at least one section."))
    if any(s.municipality_id != municipality.pk for s in asked):
        error("sections", _("A section of another municipality cannot be asked."))
    for label, names in (
        (
            _("These sections are not in a department yet; place them first: %(names)s"),
            [s.name for s in asked if s.department_id is None],
        ),
        (
            _("These sections do not exist in that fiscal year: %(names)s"),
            [s.name for s in asked if not s.is_valid_in(fiscal_year)],
        ),
    ):
        if names:
            error("sections", label % {"names": "、".join(names)})
    if goal_declaration is not None and (
        goal_declaration.municipality_id != municipality.pk
        or kind not in (DocumentKind.GOAL_DECLARATION, DocumentKind.YEAR_END_RESULTS)
    ):
        error("kind", _("The goal declaration does not fit this round."))
    if plan is not None and (
        plan.municipality_id != municipality.pk
        or plan.kind != Plan.Kind.GUIDELINE
        or kind != DocumentKind.GUIDELINE_PROGRESS
    ):
        error("kind", _("The guideline plan does not fit this round."))
    if errors:
        raise ValidationError(errors)

    fiscal_year_ensure(municipality=municipality, year=fiscal_year, actor=actor)
    collection_round = CollectionRound.objects.create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        kind=kind,
        title=title.strip(),
        deadline=deadline,
        opened_by=actor.user,
        opened_at=timezone.now(),
        goal_declaration=goal_declaration,
        plan=plan,
    )
    record_create(
        collection_round,
        actor=actor,
        fields=["fiscal_year", "kind", "title", "deadline", "status", "goal_declaration", "plan"],
    )
    for section in asked:
        request = RoundRequest.objects.create(
            municipality=municipality, round=collection_round, section=section
        )
        record_create(request, actor=actor, fields=["section", "status"])
        if plan is not None:
            # The sections find this year's results prefilled from last year's plans.
            guideline_results_roll_forward(plan=plan, fiscal_year=fiscal_year, section=section, actor=actor)
    return collection_round


@transaction.atomic
def round_close(*, collection_round: CollectionRound, actor: Actor) -> CollectionRound:
    """No more submissions, approvals or reminders; the board stays readable."""
    _require_planning(actor, collection_round.municipality)
    locked = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    if locked.status != CollectionRound.Status.OPEN:
        raise TransitionError("The round is already closed.")
    apply_changes(locked, {"status": CollectionRound.Status.CLOSED, "closed_at": timezone.now()}, actor=actor)
    return locked


def _locked_request(request: RoundRequest) -> RoundRequest:
    locked = (
        RoundRequest.objects.select_for_update()
        .select_related("round", "section", "municipality")
        .get(pk=request.pk)
    )
    if locked.round.status != CollectionRound.Status.OPEN:
        raise TransitionError("The round is closed.")
    return locked


def _step(request: RoundRequest, from_status: str, actor: Actor, comment: str = "") -> None:
    WorkflowStep.objects.create(
        request=request,
        from_status=from_status,
        to_status=request.status,
        actor=actor.user,
        actor_label="" if actor.user else actor.label,
        comment=comment,
    )


@transaction.atomic
def round_request_submit(*, request: RoundRequest, actor: Actor, comment: str = "") -> RoundRequest:
    """Staff of the section submit their section's answer (again, after it was sent back)."""
    locked = _locked_request(request)
    user = _require_role(actor, locked.municipality, [Role.SECTION_STAFF], section=locked.section)
    if locked.status not in EDITABLE_STATUSES:
        raise TransitionError("Only a request that has not been submitted can be submitted.")
    before = locked.status
    apply_changes(
        locked,
        {"status": RequestStatus.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": user},
        actor=actor,
    )
    _step(locked, before, actor, comment.strip())
    return locked


@dataclass(frozen=True)
class _Step:
    to: RequestStatus
    roles: tuple[str, ...]
    at: str
    by: str
    scope: str  # "section", "department" or "municipality"


# The approval ladder: from each status, who takes the next step and what it records.
_APPROVAL_STEPS = {
    RequestStatus.SUBMITTED: _Step(
        RequestStatus.APPROVED_BY_SECTION_HEAD,
        (Role.SECTION_HEAD,),
        "section_approved_at",
        "section_approved_by",
        "section",
    ),
    RequestStatus.APPROVED_BY_SECTION_HEAD: _Step(
        RequestStatus.APPROVED_BY_DEPARTMENT_HEAD,
        (Role.DEPARTMENT_HEAD,),
        "department_approved_at",
        "department_approved_by",
        "department",
    ),
    RequestStatus.APPROVED_BY_DEPARTMENT_HEAD: _Step(
        RequestStatus.ACCEPTED, PLANNING_ROLES, "accepted_at", "accepted_by", "municipality"
    ),
}


def _require_step_role(actor: Actor, locked: RoundRequest, step: _Step) -> User:
    if step.scope == "section":
        return _require_role(actor, locked.municipality, step.roles, section=locked.section)
    if step.scope == "department":
        if locked.section.department_id is None:
            raise PermissionDenied("The section belongs to no department: no department head can approve.")
        return _require_role(
            actor, locked.municipality, step.roles, department_id=locked.section.department_id
        )
    return _require_role(actor, locked.municipality, step.roles)


@transaction.atomic
def round_request_approve(*, request: RoundRequest, actor: Actor, comment: str = "") -> RoundRequest:
    """The next step of the ladder: section head, then department head, then the planning section."""
    locked = _locked_request(request)
    step = _APPROVAL_STEPS.get(RequestStatus(locked.status))
    if step is None:
        raise TransitionError(f"A request in status {locked.status!r} cannot be approved.")
    user = _require_step_role(actor, locked, step)
    before = locked.status
    apply_changes(locked, {"status": step.to, step.at: timezone.now(), step.by: user}, actor=actor)
    _step(locked, before, actor, comment.strip())
    return locked


def round_request_accept(*, request: RoundRequest, actor: Actor, comment: str = "") -> RoundRequest:
    """The planning section accepts what the department head approved: the last step of the ladder."""
    if request.status != RequestStatus.APPROVED_BY_DEPARTMENT_HEAD:
        raise TransitionError("Only a request approved by the department head can be accepted.")
    return round_request_approve(request=request, actor=actor, comment=comment)


# Who may send a request back from each status: whoever would take its next step. The
# planning section may also reopen an accepted request (a correction after publishing:
# the corrected document is published as a new revision).
_SEND_BACK_STEPS = {
    **_APPROVAL_STEPS,
    RequestStatus.ACCEPTED: _APPROVAL_STEPS[RequestStatus.APPROVED_BY_DEPARTMENT_HEAD],
}


@transaction.atomic
def round_request_send_back(*, request: RoundRequest, actor: Actor, comment: str) -> RoundRequest:
    """差戻し: return the request to the section with a comment saying what to fix.

    The approvals already given are cleared: the corrected answer climbs the whole ladder again.
    """
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should be fixed: a comment is required.")})
    locked = _locked_request(request)
    step = _SEND_BACK_STEPS.get(RequestStatus(locked.status))
    if step is None:
        raise TransitionError(f"A request in status {locked.status!r} cannot be sent back.")
    _require_step_role(actor, locked, step)
    before = locked.status
    apply_changes(
        locked,
        {
            "status": RequestStatus.SENT_BACK,
            "section_approved_at": None,
            "section_approved_by": None,
            "department_approved_at": None,
            "department_approved_by": None,
            "accepted_at": None,
            "accepted_by": None,
        },
        actor=actor,
        reason=comment.strip()[:500],
    )
    _step(locked, before, actor, comment.strip())
    return locked


@transaction.atomic
def round_publish(*, collection_round: CollectionRound, actor: Actor) -> CollectionRound:
    """The planning section publishes the round's document once every section's answer is accepted.

    Publishing freezes a new revision (``shinchoku.publishing``); publishing again
    after a correction makes another revision and leaves the earlier one as it was.
    """
    _require_planning(actor, collection_round.municipality)
    locked = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    waiting = [
        r.section.name
        for r in locked.requests.select_related("section").exclude(status=RequestStatus.ACCEPTED)
    ]
    if waiting:
        raise TransitionError(
            _("These sections' answers are not accepted yet: %(names)s") % {"names": "、".join(waiting)}
        )
    if locked.plan is not None and locked.kind == DocumentKind.GUIDELINE_PROGRESS:
        publication = guideline_progress_publish(
            plan=locked.plan, fiscal_year=locked.fiscal_year, actor=actor
        )
    elif locked.goal_declaration is not None:
        publication = goal_declaration_publish(declaration=locked.goal_declaration, actor=actor)
    else:
        raise TransitionError(_("This round concerns no document that can be published."))
    apply_changes(
        locked,
        {"published_at": timezone.now(), "published_by": actor.user, "publication": publication},
        actor=actor,
    )
    return locked


# --- entries: prefill this year's results from last year's plans --------------------------


def section_lineage(section: Section, fiscal_year: int) -> set[int]:
    """``section`` and every section whose duties passed to it by ``fiscal_year`` (renamed, merged, …)."""
    edges = list(
        SectionSuccession.objects.filter(
            municipality_id=section.municipality_id, fiscal_year__lte=fiscal_year
        ).values_list("predecessor_id", "successor_id")
    )
    found = {section.pk}
    grew = True
    while grew:
        before = len(found)
        found |= {p for p, s in edges if s in found}
        grew = len(found) > before
    return found


def _current_sections(municipality_id: int, fiscal_year: int) -> dict[int, int]:
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


def _require_section_member(actor: Actor, section: Section) -> None:
    if actor.user is None or has_role(actor.user, section.municipality, PLANNING_ROLES):
        return
    _require_role(actor, section.municipality, [Role.SECTION_STAFF, Role.SECTION_HEAD], section=section)


@transaction.atomic
def guideline_results_roll_forward(
    *, plan: Plan, fiscal_year: int, section: Section, actor: Actor
) -> list[ProgressEntry]:
    """This year's result entries of ``section``, prefilled from last year's plans for this year.

    A plan bullet of the report of ``fiscal_year - 1`` (plans for ``fiscal_year``) of
    ``section`` or of a section whose duties it took over (広報広聴課 → 広報戦略課)
    becomes a result bullet of the same initiative and row in ``fiscal_year``, with
    its responsible sections under their current names. Each plan is carried once
    (``CarriedEntry``): running it again, or for a co-responsible section, adds
    nothing, and a prefilled result the section deleted stays deleted.
    """
    _require_section_member(actor, section)
    lineage = section_lineage(section, fiscal_year)
    sources = list(
        ProgressEntry.objects.filter(
            row__initiative__plan=plan,
            row__fiscal_year=fiscal_year - 1,
            kind=ProgressEntry.Kind.PLAN,
            responsibles__section_id__in=lineage,
            carried_to__isnull=True,
        )
        .distinct()
        .select_related("row")
        .prefetch_related("responsibles__section")
        .order_by("row__initiative__path", "row__position", "position")
    )
    if not sources:
        return []
    renamed = _current_sections(section.municipality_id, fiscal_year)
    sections_by_id = {
        s.pk: s
        for s in Section.objects.filter(
            pk__in={
                renamed.get(r.section_id, r.section_id)
                for e in sources
                for r in e.responsibles.all()
                if r.section_id
            }
        )
    }
    rows = {
        (r.initiative_id, r.position): r
        for r in InitiativeRow.objects.filter(
            initiative_id__in={e.row.initiative_id for e in sources}, fiscal_year=fiscal_year
        )
    }
    created = []
    for source in sources:
        key = (source.row.initiative_id, source.row.position)
        row = rows.get(key)
        if row is None:
            row = InitiativeRow.objects.create(
                initiative_id=source.row.initiative_id,
                fiscal_year=fiscal_year,
                position=source.row.position,
                classification_id=source.row.classification_id,
                policy=source.row.policy,
            )
            record_create(row, actor=actor, fields=["classification", "policy"], reason="roll forward")
            rows[key] = row
        parties = list(source.responsibles.all())
        sections: list[Section] = []
        for party in parties:
            if party.section_id is None:
                continue
            current = (
                section
                if party.section_id in lineage
                else sections_by_id[renamed.get(party.section_id, party.section_id)]
            )
            sections.append(current)
        entry = progress_entry_create(
            row=row,
            kind=ProgressEntry.Kind.RESULT,
            text=source.text,
            sections=sections,
            bodies=[p.body_name for p in parties if p.section_id is None],
            fiscal_year=fiscal_year,
            actor=actor,
        )
        CarriedEntry.objects.create(plan_entry=source, result_entry=entry)
        created.append(entry)
    return created


# --- reminders ---------------------------------------------------------------------------


@dataclass
class ReminderReport:
    sent: list[Reminder] = field(default_factory=list)
    already_sent: int = 0
    without_recipients: list[RoundRequest] = field(default_factory=list)
    failed: list[tuple[RoundRequest, str]] = field(default_factory=list)


def reminder_kind(deadline: date, today: date) -> str | None:
    """Which reminder a section that has not submitted gets ``today``, if any."""
    days_left = (deadline - today).days
    if days_left < 0:
        return Reminder.Kind.LATE
    if days_left <= settings.ROUND_REMINDER_DAYS_BEFORE:
        return Reminder.Kind.BEFORE_DEADLINE
    return None


def _reminder_message(request: RoundRequest, kind: str, recipients: list[str]) -> EmailMessage:
    collection_round = request.round
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": collection_round.title,
            "fiscal_year": format_fiscal_year(collection_round.fiscal_year),
            "document": collection_round.get_kind_display(),
            "section": request.section.name,
            "deadline": formats.date_format(collection_round.deadline, "DATE_FORMAT"),
            "path": reverse(
                "workflow:detail",
                kwargs={"slug": collection_round.municipality.slug, "pk": collection_round.pk},
            ),
        }
        if kind == Reminder.Kind.LATE:
            subject = _("[Shinchoku] Late: %(title)s was due on %(deadline)s") % values
            opening = _("The deadline of this round has passed and your section has not submitted yet.")
        else:
            subject = _("[Shinchoku] Reminder: %(title)s is due on %(deadline)s") % values
            opening = _("The deadline of this round is near and your section has not submitted yet.")
        body = (
            opening
            + "\n\n"
            + _(
                "Round: %(title)s (%(fiscal_year)s)\n"
                "Document: %(document)s\n"
                "Section: %(section)s\n"
                "Deadline: %(deadline)s\n\n"
                "The round's page in Shinchoku: %(path)s\n"
            )
            % values
        )
    return EmailMessage(subject=subject, body=body, to=recipients)


def round_reminders_send(*, today: date, actor: Actor) -> ReminderReport:
    """E-mail the staff and head of each section that has not submitted to an open round.

    "Before deadline" within ROUND_REMINDER_DAYS_BEFORE days of the deadline, "late"
    after it; at most one of each kind per request per day, so running it twice
    (cron retried, two hosts) sends nothing twice. Each reminder is its own
    transaction: the row is written, then the mail sent; a mail that fails rolls
    its row back and the next run tries again.
    """
    report = ReminderReport()
    requests = selectors.requests_to_remind(today)
    recipients = selectors.section_recipients({r.section_id for r in requests}, today)
    done = selectors.reminders_sent_on(today)
    for request in requests:
        kind = reminder_kind(request.round.deadline, today)
        if kind is None:
            continue
        if (request.pk, kind) in done:
            report.already_sent += 1
            continue
        emails = recipients.get(request.section_id, [])
        if not emails:
            report.without_recipients.append(request)
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    request=request, kind=kind, sent_on=today, recipients="\n".join(emails)
                )
                record_create(reminder, actor=actor, fields=["kind", "sent_on", "recipients"])
                _reminder_message(request, kind, emails).send()
        except IntegrityError:
            # Another run sent it between our read and our write: the constraint decides.
            report.already_sent += 1
        except (smtplib.SMTPException, OSError) as error:
            logger.exception("Reminder for %s not sent", request)
            report.failed.append((request, str(error)))
        else:
            report.sent.append(reminder)
    return report


def request_actions(request: RoundRequest, actor: Actor) -> list[str]:
    """The steps ``actor`` may take on ``request`` now: submit, approve, accept, send_back."""
    if request.round.status != CollectionRound.Status.OPEN or actor.user is None:
        return []
    actions = []
    try:
        if request.status in EDITABLE_STATUSES:
            _require_role(actor, request.municipality, [Role.SECTION_STAFF], section=request.section)
            actions.append("submit")
    except PermissionDenied:
        pass
    status = RequestStatus(request.status)
    for name, steps in (("approve", _APPROVAL_STEPS), ("send_back", _SEND_BACK_STEPS)):
        step = steps.get(status)
        if step is None:
            continue
        try:
            _require_step_role(actor, request, step)
        except PermissionDenied:
            continue
        if name == "approve" and status == RequestStatus.APPROVED_BY_DEPARTMENT_HEAD:
            name = "accept"
        actions.append(name)
    return actions
