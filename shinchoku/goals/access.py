"""Who sees and who writes a department's goal declaration, and when it can be changed (ADR 7).

- The planning section (and system administrators): every department's declarations.
- A department head: the declarations of their department(s), to create and edit.
- Section heads and staff: the declarations of their section's department, read only.
- Evaluators, viewers, another municipality's users and anonymous visitors are refused:
  the declaration is work in progress until it is published on the portal.

A declaration the user may not see is refused like one that does not exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships, municipality_for_roles
from shinchoku.organizations.models import Municipality, Role
from shinchoku.plans.models import Indicator
from shinchoku.publishing.models import Publication
from shinchoku.workflow.models import (
    EDITABLE_STATUSES,
    CollectionRound,
    DocumentKind,
    RequestStatus,
    RoundRequest,
)

DECLARATION_ROLES = (*PLANNING_ROLES, Role.DEPARTMENT_HEAD, Role.SECTION_HEAD, Role.SECTION_STAFF)


@dataclass(frozen=True)
class DeclarationScope:
    """The departments whose declarations one user may see, and those they may write."""

    municipality: Municipality
    all_departments: bool
    head_of: frozenset[int]  # department ids: the user is their head
    member_of: frozenset[int]  # department ids of the user's sections

    def sees(self, department_id: int) -> bool:
        return self.all_departments or department_id in self.head_of or department_id in self.member_of

    def writes(self, department_id: int) -> bool:
        return self.all_departments or department_id in self.head_of

    @property
    def writes_any(self) -> bool:
        return self.all_departments or bool(self.head_of)

    def department_filter(self, prefix: str = "") -> Q:
        if self.all_departments:
            return Q()
        return Q(**{f"{prefix}pk__in": self.head_of | self.member_of})


def declaration_scope_for_user(user: User | AnonymousUser, slug: str) -> DeclarationScope:
    municipality = municipality_for_roles(user, slug, DECLARATION_ROLES)
    memberships = active_memberships(user, municipality)
    return DeclarationScope(
        municipality=municipality,
        all_departments=any(m.role in PLANNING_ROLES for m in memberships),
        head_of=frozenset(
            m.department_id
            for m in memberships
            if m.role == Role.DEPARTMENT_HEAD and m.department_id is not None
        ),
        member_of=frozenset(
            m.section.department_id
            for m in memberships
            if m.role in (Role.SECTION_HEAD, Role.SECTION_STAFF)
            and m.section is not None
            and m.section.department_id is not None
        ),
    )


def declaration_for_user(
    user: User | AnonymousUser, slug: str, pk: int
) -> tuple[GoalDeclaration, DeclarationScope]:
    scope = declaration_scope_for_user(user, slug)
    found = (
        GoalDeclaration.objects.filter(municipality=scope.municipality, pk=pk)
        .select_related("department", "municipality")
        .first()
    )
    if found is None or not scope.sees(found.department_id):
        raise Http404("No such declaration.")
    return found, scope


def declaration_for_editing(
    user: User | AnonymousUser, slug: str, pk: int
) -> tuple[GoalDeclaration, DeclarationScope]:
    found, scope = declaration_for_user(user, slug, pk)
    if not scope.writes(found.department_id):
        raise PermissionDenied("Only the department's head and the planning section write its declaration.")
    return found, scope


def goal_of(declaration: GoalDeclaration, goal_pk: int) -> Goal:
    found = Goal.objects.filter(declaration=declaration, pk=goal_pk).first()
    if found is None:
        raise Http404("No such goal.")
    found.declaration = declaration
    return found


def indicator_of(goal: Goal, indicator_pk: int) -> Indicator:
    found = Indicator.objects.filter(goals=goal, pk=indicator_pk).first()
    if found is None:
        raise Http404("No such indicator.")
    return found


# --- when a declaration can be changed ---------------------------------------------------


@dataclass(frozen=True)
class EditState:
    editable: bool
    reason: str
    round: CollectionRound | None = None


def declaration_edit_state(declaration: GoalDeclaration) -> EditState:
    """Whether the declaration's goals and indicators may be changed now, and why (two queries).

    - When a goal-declaration round asks the department's sections for it (the latest such
      round of the year that names this declaration or no declaration), the round decides:
      editable while it is open and one of those requests is pending or sent back — the ball
      is with the department; read only while they climb the approval ladder or once accepted.
      A send-back (also after publication) opens it again.
    - Otherwise it is editable until a goal-declaration report of the department and year is
      published; after that only a round's send-back reopens it.
    """
    requests = list(
        RoundRequest.objects.filter(
            municipality_id=declaration.municipality_id,
            round__kind=DocumentKind.GOAL_DECLARATION,
            round__fiscal_year=declaration.fiscal_year,
            section__department_id=declaration.department_id,
        )
        .filter(round__declarations=declaration)
        .select_related("round")
        .order_by("-round__opened_at", "-round_id")
    )
    latest = [r for r in requests if r.round_id == requests[0].round_id] if requests else []
    # Sections withdrawn from the round are not asked: the round decides through the others.
    latest = [r for r in latest if r.status != RequestStatus.WITHDRAWN]
    if latest and latest[0].round.status == CollectionRound.Status.OPEN:
        collection_round = latest[0].round
        if any(r.status in EDITABLE_STATUSES for r in latest):
            return EditState(
                True, str(_("The collection round asks the department for it.")), collection_round
            )
        return EditState(
            False,
            str(_("Submitted in the collection round: it can be changed again if it is sent back.")),
            collection_round,
        )
    published = Publication.objects.filter(
        municipality_id=declaration.municipality_id,
        kind=Publication.Kind.GOAL_DECLARATION,
        fiscal_year=declaration.fiscal_year,
        department_id=declaration.department_id,
    ).exists()
    if published:
        return EditState(False, str(_("Published: a send-back in a collection round reopens it.")))
    return EditState(True, str(_("Not published yet.")))
