"""Who reaches the mid-year hearing's pages.

- A goal's mid-year form: through its round's request, like the year-end form (the section's
  staff and head write; its approvers and the planning section read).
- The hearing of a round (notes, instructions): the planning section.
- A department's dashboard: the planning section, the department's head, and the staff and
  heads of its sections. Evaluators, viewers and other municipalities: refused as not found.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from shinchoku.organizations.models import Department, Section
from shinchoku.workflow.access import RoundScope, round_for_management, round_scope_for_user
from shinchoku.workflow.models import CollectionRound, DocumentKind


def mid_year_round_for_management(user: User | AnonymousUser, slug: str, pk: int) -> CollectionRound:
    found = round_for_management(user, slug, pk)
    if found.kind != DocumentKind.MID_YEAR:
        raise Http404("Not a mid-year round.")
    return found


def department_for_dashboard(user: User | AnonymousUser, slug: str, pk: int) -> tuple[Department, RoundScope]:
    scope = round_scope_for_user(user, slug)
    department = (
        Department.objects.filter(municipality=scope.municipality, pk=pk)
        .select_related("municipality")
        .first()
    )
    if department is None:
        raise Http404("No such department.")
    sees = (
        scope.all_sections
        or department.pk in scope.department_ids
        or Section.objects.filter(department=department, pk__in=scope.section_ids).exists()
    )
    if not sees:
        raise Http404("No such department.")
    return department, scope
