"""Who reaches which 施策評価シート.

- The section that answers for a 施策 (staff, head) fills in its sheet through the round's
  request; its department head approves it up the ladder and sees it; the planning section
  sees every sheet, assigns them to committee members and records the committee's opinion.
- A committee member (external evaluator) sees only the sheets assigned to them, and
  nothing of rounds: reaching another sheet is refused like a sheet that does not exist.
- The department's response to the committee's opinion: its section, department head, or
  the planning section.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from shinchoku.organizations.access import municipality_for_roles
from shinchoku.organizations.models import Municipality, Role
from shinchoku.policies.models import ExternalReview, PolicySheet
from shinchoku.workflow.access import RoundScope, round_for_management, round_scope_for_user
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest


def sheet_for_request(request: RoundRequest, pk: int) -> PolicySheet:
    """A sheet the request asks its section for."""
    found = (
        PolicySheet.objects.filter(pk=pk, round_id=request.round_id, section_id=request.section_id)
        .select_related("policy__parent", "policy__plan", "department", "section", "municipality")
        .first()
    )
    if found is None:
        raise Http404("No such sheet.")
    return found


def sheet_for_committee(collection_round: CollectionRound, pk: int) -> PolicySheet:
    """A sheet of a round the planning section manages (``round_for_management`` checked the role)."""
    found = (
        PolicySheet.objects.filter(pk=pk, round=collection_round)
        .select_related("policy__parent", "policy__plan", "department", "section", "municipality")
        .first()
    )
    if found is None:
        raise Http404("No such sheet.")
    return found


def policy_round_for_management(user: User | AnonymousUser, slug: str, pk: int) -> CollectionRound:
    """A 施策評価 round of ``slug`` for the planning section (the committee's pages)."""
    found = round_for_management(user, slug, pk)
    if found.kind != DocumentKind.POLICY_EVALUATION:
        raise Http404("Not a policy evaluation round.")
    return found


def municipality_for_evaluator(user: User | AnonymousUser, slug: str) -> Municipality:
    return municipality_for_roles(user, slug, (Role.EVALUATOR,))


def review_for_evaluator(user: User | AnonymousUser, slug: str, pk: int) -> ExternalReview:
    """A sheet assigned to this committee member (their own review row), nobody else's."""
    municipality = municipality_for_evaluator(user, slug)
    found = (
        ExternalReview.objects.filter(municipality=municipality, pk=pk, evaluator_id=user.pk)
        .select_related(
            "sheet__policy__parent",
            "sheet__policy__plan",
            "sheet__department",
            "sheet__section",
            "sheet__municipality",
        )
        .first()
    )
    if found is None:
        raise Http404("No such review.")
    return found


def sheet_for_response(user: User | AnonymousUser, slug: str, pk: int) -> tuple[PolicySheet, RoundScope]:
    """A sheet whose section the user sees in rounds (its section, its department head, planning)."""
    scope = round_scope_for_user(user, slug)
    found = (
        PolicySheet.objects.filter(municipality=scope.municipality, pk=pk)
        .select_related("policy__parent", "policy__plan", "department", "section", "municipality", "round")
        .first()
    )
    if found is None or not scope.sees(found.section):
        raise Http404("No such sheet.")
    return found, scope
