"""Who may see and change evaluation, and the one way each object is fetched from a URL.

Reading achievement and quality findings: the internal ladder, with the same scope as the
goal declaration pages (shinchoku/goals/access.py): the planning section every department,
a department head and the staff of its sections their own department. These pages show
work in progress (drafts, figures not yet approved): evaluators and read-only viewers are
refused, and read the published achievement on the portal.
Dismissing findings, changing formulas: the planning section (PLANNING_ROLES).
Grading qualitative targets: the planning section, or the head of the goal's department.
Another municipality's objects are refused like objects that do not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from shinchoku.evaluation.models import FindingDismissal
from shinchoku.evaluation.quality import ReportRef, report_for
from shinchoku.goals.access import (
    DECLARATION_ROLES,
    DeclarationScope,
    declaration_for_user,
    declaration_scope_for_user,
)
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships, municipality_for_roles
from shinchoku.organizations.models import Department, Municipality, Role
from shinchoku.plans.models import Indicator

READER_ROLES = DECLARATION_ROLES


def municipality_for_reader(user: User | AnonymousUser, slug: str) -> Municipality:
    return municipality_for_roles(user, slug, READER_ROLES)


def reader_scope(user: User | AnonymousUser, slug: str) -> DeclarationScope:
    """The departments whose work in progress the user may read (refused without a reader role)."""
    return declaration_scope_for_user(user, slug)


def municipality_for_planner(user: User | AnonymousUser, slug: str) -> Municipality:
    return municipality_for_roles(user, slug, PLANNING_ROLES)


def can_plan(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return any(m.role in PLANNING_ROLES for m in active_memberships(user, municipality))


def can_grade(user: User | AnonymousUser, municipality: Municipality, department_id: int | None) -> bool:
    """The planning section, or the head of the department the target belongs to."""
    return any(
        m.role in PLANNING_ROLES
        or (m.role == Role.DEPARTMENT_HEAD and department_id is not None and m.department_id == department_id)
        for m in active_memberships(user, municipality)
    )


def department_for_reader(
    user: User | AnonymousUser, slug: str, pk: int
) -> tuple[Department, DeclarationScope]:
    """The department, and the reader's scope it was checked against (for the page's other reads)."""
    scope = reader_scope(user, slug)
    department = Department.objects.filter(municipality=scope.municipality, pk=pk).first()
    if department is None or not scope.sees(department.pk):
        raise Http404("No such department.")
    department.municipality = scope.municipality  # the same row: not read again
    return department, scope


def declaration_for_reader(user: User | AnonymousUser, slug: str, pk: int) -> GoalDeclaration:
    declaration, _scope = declaration_for_user(user, slug, pk)
    return declaration


def guideline_report_for_reader(
    user: User | AnonymousUser, slug: str, plan_pk: int, fiscal_year: int
) -> tuple[Municipality, ReportRef]:
    municipality = municipality_for_reader(user, slug)
    report = report_for(municipality, "guideline_progress", plan_pk, fiscal_year)
    if report is None:
        raise Http404("No such report.")
    return municipality, report


def report_for_planner(
    user: User | AnonymousUser, slug: str, kind: str, pk: int, fiscal_year: int | None
) -> tuple[Municipality, ReportRef]:
    municipality = municipality_for_planner(user, slug)
    report = report_for(municipality, kind, pk, fiscal_year)
    if report is None:
        raise Http404("No such report.")
    return municipality, report


def dismissal_for_planner(user: User | AnonymousUser, slug: str, pk: int) -> FindingDismissal:
    municipality = municipality_for_planner(user, slug)
    dismissal = FindingDismissal.objects.filter(municipality=municipality, pk=pk).first()
    if dismissal is None:
        raise Http404("No such dismissal.")
    return dismissal


def indicator_for_planner(user: User | AnonymousUser, slug: str, pk: int) -> Indicator:
    municipality = municipality_for_planner(user, slug)
    indicator = Indicator.objects.filter(municipality=municipality, pk=pk).first()
    if indicator is None:
        raise Http404("No such indicator.")
    return indicator


def indicator_for_grader(user: User | AnonymousUser, slug: str, pk: int) -> Indicator:
    """A milestone indicator the user may grade (its goal's department head, or the planning section)."""
    municipality = municipality_for_reader(user, slug)
    indicator = Indicator.objects.filter(municipality=municipality, pk=pk).select_related("plan_node").first()
    if indicator is None:
        raise Http404("No such indicator.")
    departments = set(
        Goal.objects.filter(indicators=indicator).values_list("declaration__department_id", flat=True)
    )
    departments |= set(indicator.sections.values_list("department_id", flat=True))
    if not any(can_grade(user, municipality, d) for d in departments | {None}):
        raise PermissionDenied("Only the planning section or the department head grades this target.")
    return indicator


def goal_for_grader(user: User | AnonymousUser, slug: str, pk: int) -> Goal:
    municipality = municipality_for_reader(user, slug)
    goal = (
        Goal.objects.filter(declaration__municipality=municipality, pk=pk)
        .select_related("declaration__municipality", "declaration__department")
        .first()
    )
    if goal is None:
        raise Http404("No such goal.")
    if not can_grade(user, municipality, goal.declaration.department_id):
        raise PermissionDenied("Only the planning section or the department head grades this goal.")
    return goal
