"""Who sees which collection rounds, and who may open and close them.

- The planning section (and system administrators): every round, every section.
- Department heads: the requests to the sections of their department(s).
- Section heads and staff: the requests to their own section(s).
- Evaluators and viewers see nothing of rounds: rounds are internal work in
  progress, and their members are not part of the internal approval ladder.
- Another municipality's users and anonymous visitors are refused.

A round none of whose requests the user may see is refused like a round that
does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from shinchoku.goals.models import Goal
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships, municipality_for_roles
from shinchoku.organizations.models import Municipality, Role, Section
from shinchoku.progress.models import InitiativeRow, ProgressEntry
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest

BOARD_ROLES = (*PLANNING_ROLES, Role.DEPARTMENT_HEAD, Role.SECTION_HEAD, Role.SECTION_STAFF)


@dataclass(frozen=True)
class RoundScope:
    """The part of a municipality's rounds that one user may see."""

    municipality: Municipality
    all_sections: bool
    department_ids: frozenset[int]
    section_ids: frozenset[int]

    @property
    def can_manage(self) -> bool:
        """Open and close rounds: the planning section only."""
        return self.all_sections

    def request_filter(self, prefix: str = "") -> Q:
        """A filter on round requests (``prefix`` reaches them from another model: ``"requests__"``)."""
        if self.all_sections:
            return Q()
        return Q(**{f"{prefix}section__department_id__in": self.department_ids}) | Q(
            **{f"{prefix}section_id__in": self.section_ids}
        )

    def sees(self, section: Section) -> bool:
        return (
            self.all_sections
            or section.pk in self.section_ids
            or section.department_id in self.department_ids
        )


def round_scope_for_user(user: User | AnonymousUser, slug: str) -> RoundScope:
    municipality = municipality_for_roles(user, slug, BOARD_ROLES)
    memberships = active_memberships(user, municipality)
    return RoundScope(
        municipality=municipality,
        all_sections=any(m.role in PLANNING_ROLES for m in memberships),
        department_ids=frozenset(
            m.department_id
            for m in memberships
            if m.role == Role.DEPARTMENT_HEAD and m.department_id is not None
        ),
        section_ids=frozenset(
            m.section_id
            for m in memberships
            if m.role in (Role.SECTION_HEAD, Role.SECTION_STAFF) and m.section_id is not None
        ),
    )


def municipality_for_round_management(user: User | AnonymousUser, slug: str) -> Municipality:
    return municipality_for_roles(user, slug, PLANNING_ROLES)


def round_for_user(user: User | AnonymousUser, slug: str, pk: int) -> tuple[CollectionRound, RoundScope]:
    """A round of ``slug`` that asks at least one section the user may see."""
    scope = round_scope_for_user(user, slug)
    rounds = CollectionRound.objects.filter(municipality=scope.municipality, pk=pk)
    if not scope.all_sections:
        rounds = rounds.filter(scope.request_filter("requests__")).distinct()
    found = rounds.first()
    if found is None:
        raise Http404("No such round.")
    return found, scope


def round_for_management(user: User | AnonymousUser, slug: str, pk: int) -> CollectionRound:
    municipality = municipality_for_round_management(user, slug)
    found = CollectionRound.objects.filter(municipality=municipality, pk=pk).first()
    if found is None:
        raise Http404("No such round.")
    return found


# --- one section's request and its entries ------------------------------------------------


def request_for_user(
    user: User | AnonymousUser, slug: str, pk: int, section_pk: int
) -> tuple[RoundRequest, RoundScope]:
    """The request of round ``pk`` to section ``section_pk``, if the user sees that section."""
    scope = round_scope_for_user(user, slug)
    found = (
        RoundRequest.objects.filter(municipality=scope.municipality, round_id=pk, section_id=section_pk)
        .select_related("round__plan", "section__department", "municipality")
        .first()
    )
    if found is None or not scope.sees(found.section):
        raise Http404("No such request.")
    return found, scope


def may_edit(scope: RoundScope, request: RoundRequest) -> bool:
    """The section's own staff and head write its entries, not its approvers.

    The planning section may too: it answers for a section that cannot (nobody in it),
    and every change it makes is in the record's history under its own name.
    """
    return request.section_id in scope.section_ids or scope.all_sections


def request_open(request: RoundRequest) -> bool:
    """The section may change its answer now: not submitted (or sent back), and the round is
    open. Checked before every change, by the web forms and by the API alike."""
    return request.is_editable and request.round.status == CollectionRound.Status.OPEN


def request_for_editing(
    user: User | AnonymousUser, slug: str, pk: int, section_pk: int
) -> tuple[RoundRequest, RoundScope]:
    found, scope = request_for_user(user, slug, pk, section_pk)
    if not may_edit(scope, found):
        raise PermissionDenied("Only the section's staff and head edit its entries.")
    return found, scope


def entry_for_editing(request: RoundRequest, entry_pk: int) -> ProgressEntry:
    """An entry of the request's guideline and year for which the request's section is responsible."""
    if request.round.plan_id is None:
        raise Http404("No such entry.")
    found = (
        ProgressEntry.objects.filter(
            pk=entry_pk,
            row__initiative__plan_id=request.round.plan_id,
            row__fiscal_year=request.round.fiscal_year,
            responsibles__section_id=request.section_id,
        )
        .select_related("row")
        .first()
    )
    if found is None:
        raise Http404("No such entry.")
    return found


def row_for_editing(request: RoundRequest, row_pk: int) -> InitiativeRow:
    """A row of the request's guideline and year (a new entry may go into any of them)."""
    if request.round.plan_id is None:
        raise Http404("No such row.")
    found = InitiativeRow.objects.filter(
        pk=row_pk, initiative__plan_id=request.round.plan_id, fiscal_year=request.round.fiscal_year
    ).first()
    if found is None:
        raise Http404("No such row.")
    return found


def goal_for_editing(request: RoundRequest, goal_pk: int, kind: str = DocumentKind.YEAR_END_RESULTS) -> Goal:
    """A goal of the round's declarations for which the request's section is responsible, in a round
    of ``kind``: its year-end results are written through a year-end round only (a mid-year round
    writes the mid-year report, a goal-declaration round nothing of a goal's results)."""
    if request.round.kind != kind:
        raise Http404("No such goal in this kind of round.")
    found = Goal.objects.filter(
        pk=goal_pk, declaration__rounds=request.round_id, sections=request.section_id
    ).first()
    if found is None:
        raise Http404("No such goal.")
    return found
