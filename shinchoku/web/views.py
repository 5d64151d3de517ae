"""Public pages of the foundation: municipalities, their fiscal years and organisation."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET

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
        # A committee member: the 施策評価シート assigned to them (shinchoku/policies/access.py).
        "can_review": Role.EVALUATOR in roles,
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


@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """A citizen's choice of language, by a GET form: pages for citizens hold no CSRF token, so
    that each is the same bytes for all (portal.prerender). Choosing a language changes no data
    but a cookie of the visitor's own; staff, logged in, keep Django's POST form."""
    code = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if check_for_language(code) and code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For a load balancer or a monitor (deploy/): 200 when the app answers and reaches its
    database, 503 when it cannot. Says nothing else, to anyone."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response
