"""Public pages of the foundation: municipalities, their fiscal years and organisation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shinchoku.organizations import selectors
from shinchoku.organizations.access import PLANNING_ROLES, has_role


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"municipalities": selectors.municipality_list()})


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
            "can_import": has_role(request.user, municipality, PLANNING_ROLES),
        },
    )
