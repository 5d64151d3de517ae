"""Writes of collection rounds: open, close, submit, approve, remind. Each is audited.

Role checks live here as well as in the views' access helpers: a service called
from a command or a later API refuses a user without the right membership too.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create
from shinchoku.core.eras import format_date, format_fiscal_year
from shinchoku.goals.models import GoalDeclaration
from shinchoku.goals.services import goal_declaration_create
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships, has_role
from shinchoku.organizations.models import (
    Department,
    Municipality,
    Role,
    Section,
    SectionSuccession,
)
from shinchoku.organizations.services import fiscal_year_ensure
from shinchoku.plans.models import Plan
from shinchoku.policies.services import plan_policies, round_sheets_prepare
from shinchoku.progress.models import InitiativeRow, ProgressEntry
from shinchoku.progress.services import progress_entry_create, progress_entry_delete
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import (
    Snapshot,
    goal_declaration_snapshot,
    guideline_progress_snapshot,
    policy_evaluation_snapshot,
    snapshot_publish,
)
from shinchoku.workflow import notifications, selectors
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    EVALUATED_PLAN_KINDS,
    GOAL_ROUND_KINDS,
    PLAN_KINDS,
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


def _check_declarations(
    *,
    municipality: Municipality,
    fiscal_year: int,
    kind: str,
    departments: list[Department],
    error: Callable[[str, str], None],
) -> None:
    """A goal-declaration round (April) needs departments of that year; a year-end round, declarations."""
    if kind == DocumentKind.GOAL_DECLARATION:
        ended = [d.name for d in departments if not d.is_valid_in(fiscal_year)]
        if ended:
            error(
                "departments",
                _("These departments do not exist in that fiscal year: %(names)s")
                % {"names": "、".join(ended)},
            )
        return
    declared = set(
        GoalDeclaration.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year, department__in=departments
        ).values_list("department_id", flat=True)
    )
    missing = [d.name for d in departments if d.pk not in declared]
    if missing:
        error(
            "departments",
            _("These departments have no goal declaration for that fiscal year: %(names)s")
            % {"names": "、".join(missing)},
        )


def _round_declarations(
    *, municipality: Municipality, fiscal_year: int, departments: list[Department], actor: Actor
) -> list[GoalDeclaration]:
    """The declarations the round asks for, one per department; the missing ones are created empty.

    At the start of the year (a goal-declaration round) the department heads fill them in.
    """
    found = {
        d.department_id: d
        for d in GoalDeclaration.objects.filter(
            municipality=municipality, fiscal_year=fiscal_year, department__in=departments
        )
    }
    for department in departments:
        if department.pk not in found:
            found[department.pk] = goal_declaration_create(
                municipality=municipality, department=department, fiscal_year=fiscal_year, actor=actor
            )
    return [found[d.pk] for d in departments]


@transaction.atomic
def round_open(
    *,
    municipality: Municipality,
    fiscal_year: int,
    kind: str,
    title: str,
    deadline: date,
    actor: Actor,
    sections: Iterable[Section] | None = None,
    departments: Iterable[Department] = (),
    plan: Plan | None = None,
    today: date | None = None,
) -> CollectionRound:
    """Ask sections for their part of one document of ``fiscal_year`` by ``deadline``.

    The document is a guideline (``plan``) or the goal declarations of ``departments``.
    ``sections`` defaults to every section that has entries or goals in the document
    (``selectors.document_sections``). Each asked section gets one pending request; for a
    guideline its results are prefilled from last year's plans.
    """
    _require_planning(actor, municipality)
    today = today or timezone.localdate()
    chosen_departments = list({d.pk: d for d in departments}.values())
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if kind not in DocumentKind.values:
        error("kind", _("Unknown document kind."))
    if not title.strip():
        error("title", _("Give the round a title."))
    if deadline < today:
        error("deadline", _("The deadline is in the past."))
    if kind == DocumentKind.GUIDELINE_PROGRESS:
        if plan is None:
            error("plan", _("Choose the guideline whose progress the round asks for."))
        elif plan.municipality_id != municipality.pk or plan.kind != Plan.Kind.GUIDELINE:
            error("plan", _("The guideline plan does not fit this round."))
        if chosen_departments:
            error("departments", _("A guideline round asks for no goal declaration."))
    elif kind == DocumentKind.POLICY_EVALUATION:
        if plan is None:
            error("plan", _("Choose the comprehensive plan whose policy measures are evaluated."))
        elif plan.municipality_id != municipality.pk or plan.kind not in EVALUATED_PLAN_KINDS:
            error("plan", _("The plan does not fit this round."))
        elif not plan_policies(plan):
            error(
                "plan",
                _(
                    "The plan has no policy measure with a responsible section: upload its policy structure first."
                ),
            )
        if chosen_departments:
            error("departments", _("A policy evaluation round asks for no goal declaration."))
    elif kind in GOAL_ROUND_KINDS:
        if plan is not None:
            error("plan", _("A goal round asks for goal declarations, not a guideline."))
        if not chosen_departments:
            error("departments", _("Choose the departments whose goal declarations the round asks for."))
        if any(d.municipality_id != municipality.pk for d in chosen_departments):
            error("departments", _("A department of another municipality cannot be asked."))
    elif kind in DocumentKind.values:
        error("kind", _("Rounds for this document cannot be opened yet."))
    if sections is None:
        asked = (
            []
            if errors
            else list(
                selectors.document_sections(
                    municipality,
                    kind=kind,
                    fiscal_year=fiscal_year,
                    plan=plan,
                    departments=chosen_departments,
                )
            )
        )
    else:
        asked = list({s.pk: s for s in sections}.values())
    if not asked and (sections is not None or not errors):
        error("sections", _("Ask at least one section."))
    if any(s.municipality_id != municipality.pk for s in asked):
        error("sections", _("A section of another municipality cannot be asked."))
    invalid = [s.name for s in asked if not s.is_valid_in(fiscal_year)]
    if invalid:
        error(
            "sections",
            _("These sections do not exist in that fiscal year: %(names)s") % {"names": "、".join(invalid)},
        )
    if chosen_departments:
        _check_declarations(
            municipality=municipality,
            fiscal_year=fiscal_year,
            kind=kind,
            departments=chosen_departments,
            error=error,
        )
    if errors:
        raise ValidationError(errors)

    declarations = _round_declarations(
        municipality=municipality, fiscal_year=fiscal_year, departments=chosen_departments, actor=actor
    )
    fiscal_year_ensure(municipality=municipality, year=fiscal_year, actor=actor)
    collection_round = CollectionRound.objects.create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        kind=kind,
        title=title.strip(),
        deadline=deadline,
        opened_by=actor.user,
        opened_at=timezone.now(),
        plan=plan,
    )
    collection_round.declarations.set(declarations)
    record_create(
        collection_round,
        actor=actor,
        fields=["fiscal_year", "kind", "title", "deadline", "status", "plan"],
    )
    if declarations:
        record_changes(
            collection_round,
            actor=actor,
            changes={"declarations": (None, "、".join(str(d) for d in declarations))},
        )
    if kind == DocumentKind.POLICY_EVALUATION:
        round_sheets_prepare(collection_round=collection_round, actor=actor, sections=asked)
    for section in asked:
        request = RoundRequest.objects.create(
            municipality=municipality, round=collection_round, section=section
        )
        record_create(request, actor=actor, fields=["section", "status"])
        if kind == DocumentKind.GUIDELINE_PROGRESS and plan is not None:
            # The sections find this year's results prefilled from last year's plans.
            guideline_results_roll_forward(plan=plan, fiscal_year=fiscal_year, section=section, actor=actor)
    return collection_round


@transaction.atomic
def round_deadline_extend(
    *, collection_round: CollectionRound, deadline: date, actor: Actor
) -> CollectionRound:
    """Move the round's deadline (late sections are late no longer if it passes their day)."""
    _require_planning(actor, collection_round.municipality)
    locked = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    if not locked.is_open:
        raise TransitionError(_("The round is closed."))
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline is in the past.")})
    apply_changes(locked, {"deadline": deadline}, actor=actor)
    return locked


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


def _step(
    request: RoundRequest, from_status: str, actor: Actor, comment: str = "", *, on_behalf: bool = False
) -> WorkflowStep:
    step = WorkflowStep.objects.create(
        request=request,
        from_status=from_status,
        to_status=request.status,
        actor=actor.user,
        actor_label="" if actor.user else actor.label,
        comment=comment,
        on_behalf=on_behalf,
    )
    # Mail goes out once the step is committed: a rolled-back step tells nobody anything.
    # robust: a mail that fails is logged and never turns the committed step into an error.
    transaction.on_commit(lambda: notifications.step_taken(step.pk), robust=True)
    return step


def _require_on_behalf(actor: Actor, locked: RoundRequest, comment: str) -> User:
    """代理: the planning section takes a step for a section or its approver, saying why.

    Only when nobody holds that post (a section with no staff, a vacant head): otherwise
    one person could write, approve and accept an answer alone.
    """
    if not comment.strip():
        raise ValidationError({"comment": _("Say why you take this step on the section's behalf.")})
    user = _require_role(actor, locked.municipality, PLANNING_ROLES)
    if not selectors.nobody_takes_next_step(locked, timezone.localdate()):
        raise PermissionDenied("Somebody holds this post: they take the step.")
    return user


@transaction.atomic
def round_request_submit(
    *, request: RoundRequest, actor: Actor, comment: str = "", on_behalf: bool = False
) -> RoundRequest:
    """Staff of the section submit their section's answer (again, after it was sent back).

    With ``on_behalf`` the planning section submits for a section that cannot (nobody
    in it, away): the step is recorded as taken on its behalf, with the reason.
    """
    locked = _locked_request(request)
    if on_behalf:
        user = _require_on_behalf(actor, locked, comment)
    else:
        user = _require_role(actor, locked.municipality, [Role.SECTION_STAFF], section=locked.section)
    if locked.status not in EDITABLE_STATUSES:
        raise TransitionError("Only a request that has not been submitted can be submitted.")
    before = locked.status
    apply_changes(
        locked,
        {"status": RequestStatus.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": user},
        actor=actor,
    )
    _step(locked, before, actor, comment.strip(), on_behalf=on_behalf)
    return locked


# The fields the approval ladder stamps: cleared when a request starts climbing again.
_APPROVAL_STAMPS = (
    "section_approved_at",
    "section_approved_by",
    "department_approved_at",
    "department_approved_by",
    "accepted_at",
    "accepted_by",
)
_LADDER_STAMPS = ("submitted_at", "submitted_by", *_APPROVAL_STAMPS)


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
            # A section outside any department (議会事務局, 行政委員会): the planning section
            # takes the department head's step.
            return _require_role(actor, locked.municipality, PLANNING_ROLES)
        return _require_role(
            actor, locked.municipality, step.roles, department_id=locked.section.department_id
        )
    return _require_role(actor, locked.municipality, step.roles)


@transaction.atomic
def round_request_approve(
    *, request: RoundRequest, actor: Actor, comment: str = "", on_behalf: bool = False
) -> RoundRequest:
    """The next step of the ladder: section head, then department head, then the planning section.

    With ``on_behalf`` the planning section approves for a section head or department
    head who cannot (a vacant post), with the reason; the history says so.
    """
    locked = _locked_request(request)
    step = _APPROVAL_STEPS.get(RequestStatus(locked.status))
    if step is None:
        raise TransitionError(f"A request in status {locked.status!r} cannot be approved.")
    user = (
        _require_on_behalf(actor, locked, comment) if on_behalf else _require_step_role(actor, locked, step)
    )
    before = locked.status
    apply_changes(locked, {"status": step.to, step.at: timezone.now(), step.by: user}, actor=actor)
    _step(locked, before, actor, comment.strip(), on_behalf=on_behalf)
    return locked


def round_request_accept(
    *, request: RoundRequest, actor: Actor, comment: str = "", on_behalf: bool = False
) -> RoundRequest:
    """The planning section accepts what the department head approved: the last step of the ladder."""
    if request.status != RequestStatus.APPROVED_BY_DEPARTMENT_HEAD:
        raise TransitionError("Only a request approved by the department head can be accepted.")
    return round_request_approve(request=request, actor=actor, comment=comment)


@transaction.atomic
def round_request_withdraw(*, request: RoundRequest, actor: Actor, comment: str) -> RoundRequest:
    """The planning section takes a section out of the round: no answer is expected from it.

    Its entries stay as they are; a withdrawn request no longer holds up publishing.
    """
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the section is withdrawn from the round.")})
    locked = _locked_request(request)
    _require_role(actor, locked.municipality, PLANNING_ROLES)
    if locked.status in (RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN):
        raise TransitionError("An accepted or withdrawn request cannot be withdrawn.")
    before = locked.status
    apply_changes(locked, {"status": RequestStatus.WITHDRAWN}, actor=actor, reason=comment.strip()[:500])
    _step(locked, before, actor, comment.strip())
    if before == RequestStatus.PENDING:
        # Never answered: what was prefilled is not the section's answer. A section that
        # submitted "as planned" keeps what it submitted.
        _untouched_prefill_remove(locked, actor)
    return locked


def _untouched_prefill_remove(request: RoundRequest, actor: Actor) -> None:
    """A withdrawn section's prefilled results that nobody edited are last year's plans, not
    this year's results: remove them (audited) so that they are not published in its name.

    Only results of that section alone, with the text they were prefilled with; their
    carry records go too, so asking the section again prefills them again.
    """
    if request.round.plan_id is None:
        return
    carried = (
        CarriedEntry.objects.filter(
            result_entry__row__initiative__plan_id=request.round.plan_id,
            result_entry__row__fiscal_year=request.round.fiscal_year,
            result_entry__responsibles__section_id=request.section_id,
        )
        .select_related("plan_entry", "result_entry")
        .prefetch_related("result_entry__responsibles")
    )
    for carry in list(carried):
        entry = carry.result_entry
        assert entry is not None  # filtered through result_entry above
        owners = {r.section_id for r in entry.responsibles.all()}
        if owners != {request.section_id} or entry.text != carry.plan_entry.text:
            continue
        carry.delete()
        progress_entry_delete(entry=entry, expected_version=None, actor=actor)


@transaction.atomic
def round_request_reinstate(*, request: RoundRequest, actor: Actor, comment: str = "") -> RoundRequest:
    """Ask a withdrawn section again: its request is pending as if just opened."""
    locked = _locked_request(request)
    _require_role(actor, locked.municipality, PLANNING_ROLES)
    if locked.status != RequestStatus.WITHDRAWN:
        raise TransitionError("Only a withdrawn request can be reinstated.")
    apply_changes(
        locked,
        {
            "status": RequestStatus.PENDING,
            # Asked again from the start: earlier submissions and approvals no longer stand.
            **dict.fromkeys(_LADDER_STAMPS),
        },
        actor=actor,
    )
    _step(locked, RequestStatus.WITHDRAWN, actor, comment.strip())
    if locked.round.plan is not None:
        # What the withdrawal removed is prefilled again, as when the round was opened.
        guideline_results_roll_forward(
            plan=locked.round.plan, fiscal_year=locked.round.fiscal_year, section=locked.section, actor=actor
        )
    return locked


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
        {"status": RequestStatus.SENT_BACK, **dict.fromkeys(_APPROVAL_STAMPS)},
        actor=actor,
        reason=comment.strip()[:500],
    )
    _step(locked, before, actor, comment.strip())
    return locked


def round_snapshots(collection_round: CollectionRound) -> list[Snapshot]:
    """What publishing the round would freeze now: one report per declaration, or the guideline's."""
    if collection_round.plan is not None and collection_round.kind == DocumentKind.GUIDELINE_PROGRESS:
        return [guideline_progress_snapshot(collection_round.plan, collection_round.fiscal_year)]
    if collection_round.plan is not None and collection_round.kind == DocumentKind.POLICY_EVALUATION:
        return [
            policy_evaluation_snapshot(collection_round.plan, collection_round.fiscal_year, collection_round)
        ]
    if collection_round.kind == DocumentKind.MID_YEAR:
        return []  # the hearing's notes serve the year-end round; nothing is published
    year_end = collection_round.kind == DocumentKind.YEAR_END_RESULTS
    return [
        goal_declaration_snapshot(declaration, year_end=year_end)
        for declaration in collection_round.declarations.select_related("department").order_by(
            "department__position", "department__name"
        )
    ]


def round_snapshot(collection_round: CollectionRound, index: int) -> Snapshot | None:
    """The ``index``-th report of ``round_snapshots``, built alone (a preview download)."""
    if collection_round.plan is not None and collection_round.kind in PLAN_KINDS:
        return round_snapshots(collection_round)[0] if index == 0 else None
    if collection_round.kind == DocumentKind.MID_YEAR:
        return None
    declarations = (
        list(
            collection_round.declarations.order_by("department__position", "department__name")[
                index : index + 1
            ]
        )
        if index >= 0
        else []
    )
    if not declarations:
        return None
    return goal_declaration_snapshot(
        declarations[0], year_end=collection_round.kind == DocumentKind.YEAR_END_RESULTS
    )


def snapshots_digest(snapshots: list[Snapshot]) -> str:
    """One fingerprint of what would be published and over which revisions (the preview's)."""
    parts = [f"{s.digest}:{s.current_revision_id or 0}" for s in snapshots]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@transaction.atomic
def round_publish(
    *, collection_round: CollectionRound, actor: Actor, expected_digest: str | None = None
) -> list[Publication]:
    """The planning section publishes the round's reports once every section's answer is accepted.

    Publishing freezes a new revision per report (``shinchoku.publishing``); a report that
    did not change keeps its revision, and a declaration with no goal (a department that
    declared nothing) is left out. ``expected_digest`` is the preview's: if anything
    changed since, or another revision was published meanwhile, nothing is published.
    Returns the revisions published now.
    """
    _require_planning(actor, collection_round.municipality)
    locked = CollectionRound.objects.select_for_update().get(pk=collection_round.pk)
    waiting = [
        r.section.name
        for r in locked.requests.select_related("section").exclude(
            status__in=[RequestStatus.ACCEPTED, RequestStatus.WITHDRAWN]
        )
    ]
    if waiting:
        raise TransitionError(
            _("These sections' answers are not accepted yet: %(names)s") % {"names": "、".join(waiting)}
        )
    if not locked.requests.filter(status=RequestStatus.ACCEPTED).exists():
        raise TransitionError(_("No section's answer is accepted: there is nothing to publish yet."))
    snapshots = round_snapshots(locked)
    if expected_digest is not None and snapshots_digest(snapshots) != expected_digest:
        raise TransitionError(
            _("The report changed after the preview was shown: look at the preview again before publishing.")
        )
    publishable = [s for s in snapshots if not s.is_empty]
    if not publishable:
        raise TransitionError(_("This round concerns no document that can be published."))
    published = [s for s in publishable if not s.is_unchanged]
    publications = [snapshot_publish(snapshot=snapshot, actor=actor) for snapshot in published]
    if publications:
        locked.publications.add(*publications)
        apply_changes(
            locked,
            {"published_at": timezone.now(), "published_by": actor.user, "publication": publications[-1]},
            actor=actor,
        )
    return publications


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
    renamed = selectors.current_section_ids(section.municipality_id, fiscal_year)
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
            "deadline": format_date(collection_round.deadline),
            "path": settings.SITE_URL
            + reverse(
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
    """The steps ``actor`` may take on ``request`` now.

    submit, approve, accept, send_back; for the planning section also submit_for and
    approve_for (代理, when the step is someone else's), withdraw and reinstate.
    """
    if request.round.status != CollectionRound.Status.OPEN or actor.user is None:
        return []
    actions = []
    planning = has_role(actor.user, request.municipality, PLANNING_ROLES)
    status = RequestStatus(request.status)
    # 代理 only where the post is vacant (see _require_on_behalf).
    vacant = planning and selectors.nobody_takes_next_step(request, timezone.localdate())
    if status in EDITABLE_STATUSES:
        try:
            _require_role(actor, request.municipality, [Role.SECTION_STAFF], section=request.section)
            actions.append("submit")
        except PermissionDenied:
            if vacant:
                actions.append("submit_for")
    for name, steps in (("approve", _APPROVAL_STEPS), ("send_back", _SEND_BACK_STEPS)):
        step = steps.get(status)
        if step is None:
            continue
        try:
            _require_step_role(actor, request, step)
        except PermissionDenied:
            if name == "approve" and vacant:
                actions.append("approve_for")
            continue
        if name == "approve" and status == RequestStatus.APPROVED_BY_DEPARTMENT_HEAD:
            name = "accept"
        actions.append(name)
    if planning:
        if status == RequestStatus.WITHDRAWN:
            actions.append("reinstate")
        elif status != RequestStatus.ACCEPTED:
            actions.append("withdraw")
    return actions
