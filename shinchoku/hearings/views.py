"""The mid-year hearing's pages. Thin: access helpers fetch, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.hearings import selectors, services
from shinchoku.hearings.access import department_for_dashboard, mid_year_round_for_management
from shinchoku.hearings.forms import HearingNoteForm, MidYearForm
from shinchoku.workflow.access import goal_for_editing, may_edit, request_for_user, request_open
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.models import DocumentKind


@login_required
@require_http_methods(["GET", "POST"])
def goal_mid_year(request: HttpRequest, slug: str, pk: int, section_pk: int, goal_pk: int) -> HttpResponse:
    """The section says where a goal stands at mid-year: status, issues, 見込 of each indicator."""
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    goal = goal_for_editing(req, goal_pk, kind=DocumentKind.MID_YEAR)
    can_edit = may_edit(scope, req) and request_open(req)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(
            "Only the section's staff and head write its mid-year report while it is open."
        )
    [state] = selectors.goals_at_mid_year(req.round, selectors._goals_of([goal]))
    form = MidYearForm(state, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.mid_year_report_save(
                collection_round=req.round,
                goal=goal,
                status=form.cleaned_data["status"] or "",
                issues=form.cleaned_data["issues"],
                forecasts=form.parsed,
                expected_version=form.cleaned_data["version"],
                actor=Actor(user=request_user(request)),
            )
        except ConflictError as error:
            conflict = error
        else:
            messages.success(request, _("Saved."))
            return redirect("workflow:request", slug=slug, pk=pk, section_pk=section_pk)
    return render(
        request,
        "hearings/goal_mid_year.html",
        {
            "municipality": scope.municipality,
            "req": req,
            "goal": goal,
            "state": state,
            "form": form,
            "can_edit": can_edit,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hearing(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The planning section's hearing of each department: where its goals stand, notes, instructions."""
    collection_round = mid_year_round_for_management(request.user, slug, pk)
    departments = selectors.round_hearing(collection_round)
    posted = HearingNoteForm(request.POST) if request.method == "POST" else None
    conflict = None
    if posted is not None and posted.is_valid():
        department = next(
            (d.department for d in departments if d.department.pk == posted.cleaned_data["department"]), None
        )
        if department is None:
            raise Http404("The department is not asked by this round.")
        try:
            services.hearing_note_save(
                collection_round=collection_round,
                department=department,
                notes=posted.cleaned_data["notes"],
                instructions=posted.cleaned_data["instructions"],
                expected_version=posted.cleaned_data["version"],
                actor=Actor(user=request_user(request)),
            )
        except ConflictError as error:
            conflict = error
        else:
            messages.success(request, _("Saved."))
            return redirect("hearings:hearing", slug=slug, pk=pk)
    forms = {
        d.department.pk: HearingNoteForm(
            initial={
                "department": d.department.pk,
                "notes": d.note.notes if d.note else "",
                "instructions": d.note.instructions if d.note else "",
                "version": d.note.version if d.note else None,
            },
        )
        for d in departments
    }
    return render(
        request,
        "hearings/hearing.html",
        {
            "municipality": collection_round.municipality,
            "round": collection_round,
            "departments": [(d, forms[d.department.pk]) for d in departments],
            "conflict": conflict,
            "errors": posted.errors if posted is not None and posted.errors else None,
        },
        status=409 if conflict else 400 if posted is not None and posted.errors else 200,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str, fiscal_year: int, pk: int) -> HttpResponse:
    """A department's year so far: provisional grades at mid-year, grades now, what changed, late answers."""
    department, scope = department_for_dashboard(request.user, slug, pk)
    if not 1868 <= fiscal_year <= 2200:  # no such fiscal year to write in 和暦
        raise Http404("No such fiscal year.")
    return render(
        request,
        "hearings/dashboard.html",
        {
            "municipality": scope.municipality,
            "dashboard": selectors.department_dashboard(department, fiscal_year, timezone.localdate()),
        },
    )
