"""Public pages of the foundation: municipalities, their fiscal years and organisation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shinchoku.organizations import selectors
from shinchoku.organizations.access import PLANNING_ROLES, active_memberships
from shinchoku.organizations.models import Municipality, Role


def home(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.municipality_list())
    # The first run: no municipality yet. The page says so and leads to the set-up page.
    return render(
        request, "web/home.html", {"municipalities": municipalities, "needs_setup": not municipalities}
    )


def _links(request: HttpRequest, municipality: Municipality) -> dict[str, bool]:
    """Which staff pages to offer; each page checks access again through its own helper."""
    roles = {m.role for m in active_memberships(request.user, municipality)}
    return {
        "can_import": bool(roles & set(PLANNING_ROLES)),
        "can_see_rounds": bool(roles - {Role.EVALUATOR, Role.VIEWER}),
        # Goal declarations: the same internal roles as the rounds (shinchoku/goals/access.py).
        "can_see_declarations": bool(roles - {Role.EVALUATOR, Role.VIEWER}),
        # Work in progress: the internal ladder only (shinchoku/evaluation/access.py).
        "can_see_evaluation": bool(roles - {Role.EVALUATOR, Role.VIEWER}),
    }


def municipality(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = selectors.municipality_public(slug)
    return render(
        request,
        "web/municipality.html",
        {
            "municipality": municipality,
            "fiscal_years": selectors.fiscal_years_of(municipality),
            "departments": selectors.departments_with_sections(municipality),
            "unplaced_sections": selectors.sections_without_department(municipality),
            **_links(request, municipality),
        },
    )
