"""The status board of collection rounds, and opening/closing rounds. Thin: services do the work."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.goals.services import GOAL_RESULT_FIELDS, goal_results_update
from shinchoku.progress.services import (
    progress_entry_create,
    progress_entry_delete,
    progress_entry_move,
    progress_entry_update,
)
from shinchoku.workflow import selectors
from shinchoku.workflow.access import (
    entry_for_editing,
    goal_for_editing,
    may_edit,
    municipality_for_round_management,
    request_for_editing,
    request_for_user,
    round_for_management,
    round_for_user,
    round_scope_for_user,
    row_for_editing,
)
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.forms import (
    EntryForm,
    EntryNewForm,
    GoalResultsForm,
    MoveForm,
    RoundOpenForm,
    SendBackForm,
    StepForm,
    VersionForm,
    actual_field_name,
    parse_actual,
)
from shinchoku.workflow.models import CollectionRound, RoundRequest
from shinchoku.workflow.services import (
    TransitionError,
    guideline_results_roll_forward,
    request_actions,
    round_close,
    round_open,
    round_publish,
    round_request_accept,
    round_request_approve,
    round_request_send_back,
    round_request_submit,
)


@login_required
@require_GET
def round_list(request: HttpRequest, slug: str) -> HttpResponse:
    scope = round_scope_for_user(request.user, slug)
    today = timezone.localdate()
    return render(
        request,
        "workflow/round_list.html",
        {
            "municipality": scope.municipality,
            "scope": scope,
            "rounds": selectors.rounds_for_board(scope, today),
            "today": today,
        },
    )


@login_required
@require_GET
def round_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collection_round, scope = round_for_user(request.user, slug, pk)
    today = timezone.localdate()
    return render(
        request,
        "workflow/round_detail.html",
        {
            "municipality": scope.municipality,
            "scope": scope,
            "round": collection_round,
            "board": selectors.round_board(collection_round, scope, today),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_for_round_management(request.user, slug)
    form = RoundOpenForm(municipality, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection_round = round_open(
                municipality=municipality,
                fiscal_year=form.cleaned_data["fiscal_year"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                deadline=form.cleaned_data["deadline"],
                sections=form.cleaned_data["sections"],
                actor=Actor(user=request_user(request)),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The round is open: the sections can see it now."))
            return redirect("workflow:detail", slug=slug, pk=collection_round.pk)
    return render(request, "workflow/round_new.html", {"municipality": municipality, "form": form})


@login_required
@require_POST
def close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collection_round = round_for_management(request.user, slug, pk)
    try:
        round_close(collection_round=collection_round, actor=Actor(user=request_user(request)))
    except TransitionError:
        messages.error(request, _("This round is already closed."))
    else:
        messages.success(request, _("The round is closed: no more reminders will be sent."))
    return redirect("workflow:detail", slug=slug, pk=pk)


# --- one section's request: entries, steps, history (ADR 7) ------------------------------


def _request_url(req: RoundRequest) -> str:
    return reverse(
        "workflow:request",
        kwargs={"slug": req.municipality.slug, "pk": req.round_id, "section_pk": req.section_id},
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _editable(req: RoundRequest) -> bool:
    return req.is_editable and req.round.status == CollectionRound.Status.OPEN


def _refuse_if_locked(request: HttpRequest, req: RoundRequest) -> HttpResponse | None:
    if _editable(req):
        return None
    messages.error(
        request, _("This request is not open for editing now (submitted, or the round is closed).")
    )
    return redirect(_request_url(req))


@login_required
@require_GET
def request_detail(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    actor = Actor(user=request_user(request))
    return render(
        request,
        "workflow/request_detail.html",
        {
            "municipality": scope.municipality,
            "req": req,
            "round": req.round,
            "can_edit": may_edit(scope, req) and _editable(req),
            "rows": selectors.request_rows(req),
            "goals": selectors.request_goals(req),
            "steps": selectors.request_steps(req),
            "actions": request_actions(req, actor),
            "send_back_form": SendBackForm(),
            "step_form": StepForm(),
            "new_form": EntryNewForm(),
        },
    )


@login_required
@require_GET
def request_history(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    return render(
        request,
        "workflow/request_history.html",
        {"municipality": scope.municipality, "req": req, "history": selectors.request_history(req)},
    )


@login_required
@require_POST
def request_step(request: HttpRequest, slug: str, pk: int, section_pk: int, action: str) -> HttpResponse:
    """Submit, approve, accept or send back; the service checks the role and the status."""
    req, _scope = request_for_user(request.user, slug, pk, section_pk)
    actor = Actor(user=request_user(request))
    form: forms.Form = SendBackForm(request.POST) if action == "send_back" else StepForm(request.POST)
    if not form.is_valid():
        if action == "send_back" and not request.POST.get("comment", "").strip():
            messages.error(request, _("Sending back needs a comment saying what should be fixed."))
        else:
            messages.error(request, _("The comment is too long (2,000 characters at most)."))
        return redirect(_request_url(req))
    comment = form.cleaned_data["comment"]
    services: dict[str, tuple[Callable[..., RoundRequest], str]] = {
        "submit": (round_request_submit, _("Submitted: the section head is asked to approve.")),
        "approve": (round_request_approve, _("Approved.")),
        "accept": (round_request_accept, _("Accepted by the planning section.")),
        "send_back": (round_request_send_back, _("Sent back to the section with your comment.")),
    }
    service, done = services[action]
    try:
        service(request=req, actor=actor, comment=comment)
    except PermissionDenied:
        messages.error(request, _("Your role does not take this step."))
    except (TransitionError, ValidationError):
        messages.error(request, _("This step is not possible in the request's current status."))
    else:
        messages.success(request, done)
    return redirect(_request_url(req))


@login_required
@require_POST
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collection_round = round_for_management(request.user, slug, pk)
    try:
        published = round_publish(collection_round=collection_round, actor=Actor(user=request_user(request)))
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        assert published.publication is not None
        messages.success(
            request,
            _("Published as revision %(revision)s: the portal shows it now.")
            % {"revision": published.publication.revision},
        )
    return redirect("workflow:detail", slug=slug, pk=pk)


@login_required
@require_POST
def roll_forward(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    if req.round.plan is None:
        raise Http404("This round has no guideline.")
    created = guideline_results_roll_forward(
        plan=req.round.plan,
        fiscal_year=req.round.fiscal_year,
        section=req.section,
        actor=Actor(user=request_user(request)),
    )
    messages.success(
        request,
        ngettext(
            "%(count)s result prefilled from last year's plans.",
            "%(count)s results prefilled from last year's plans.",
            len(created),
        )
        % {"count": len(created)},
    )
    return redirect(_request_url(req))


def _row_response(
    request: HttpRequest,
    req: RoundRequest,
    row_pk: int,
    *,
    conflict: ConflictError | None = None,
    mine: str = "",
    conflict_entry: int | None = None,
    status: int = 200,
) -> HttpResponse:
    views = selectors.request_rows(req, only_row=row_pk)
    return render(
        request,
        "workflow/_row.html",
        {
            "view": views[0] if views else None,
            "row_pk": row_pk,
            "req": req,
            "municipality": req.municipality,
            "can_edit": _editable(req),
            "conflict": conflict,
            "conflict_entry": conflict_entry,
            "mine": mine,
            "new_form": EntryNewForm(),
        },
        status=status,
    )


def _after_entry_change(request: HttpRequest, req: RoundRequest, row_pk: int) -> HttpResponse:
    if _is_htmx(request):
        return _row_response(request, req, row_pk)
    return redirect(f"{_request_url(req)}#row-{row_pk}")


@login_required
@require_POST
def entry_new(request: HttpRequest, slug: str, pk: int, section_pk: int, row_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    row = row_for_editing(req, row_pk)
    form = EntryNewForm(request.POST)
    if form.is_valid():
        progress_entry_create(
            row=row,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            sections=[req.section],
            actor=Actor(user=request_user(request)),
        )
    else:
        messages.error(request, _("Write the text of the new entry."))
    return _after_entry_change(request, req, row.pk)


def _conflict_response(
    request: HttpRequest, req: RoundRequest, row_pk: int, entry_pk: int, conflict: ConflictError, mine: str
) -> HttpResponse:
    if _is_htmx(request):
        return _row_response(request, req, row_pk, conflict=conflict, mine=mine, conflict_entry=entry_pk)
    return render(
        request,
        "workflow/entry_conflict.html",
        {
            "municipality": req.municipality,
            "req": req,
            "conflict": conflict,
            "mine": mine,
            "entry_pk": entry_pk,
        },
        status=409,
    )


@login_required
@require_POST
def entry_edit(request: HttpRequest, slug: str, pk: int, section_pk: int, entry_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    entry = entry_for_editing(req, entry_pk)
    form = EntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An entry needs a text; to remove it, delete it."))
        return _after_entry_change(request, req, entry.row_id)
    try:
        progress_entry_update(
            entry=entry,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
            actor=Actor(user=request_user(request)),
        )
    except ConflictError as conflict:
        return _conflict_response(request, req, entry.row_id, entry.pk, conflict, form.cleaned_data["text"])
    return _after_entry_change(request, req, entry.row_id)


@login_required
@require_POST
def entry_delete(request: HttpRequest, slug: str, pk: int, section_pk: int, entry_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    entry = entry_for_editing(req, entry_pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return _after_entry_change(request, req, entry.row_id)
    try:
        progress_entry_delete(
            entry=entry,
            expected_version=form.cleaned_data["version"],
            actor=Actor(user=request_user(request)),
        )
    except ConflictError as conflict:
        return _conflict_response(request, req, entry.row_id, entry.pk, conflict, entry.text)
    return _after_entry_change(request, req, entry.row_id)


@login_required
@require_POST
def entry_move(request: HttpRequest, slug: str, pk: int, section_pk: int, entry_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    entry = entry_for_editing(req, entry_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        progress_entry_move(
            entry=entry, offset=form.cleaned_data["offset"], actor=Actor(user=request_user(request))
        )
    return _after_entry_change(request, req, entry.row_id)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, slug: str, pk: int, section_pk: int, goal_pk: int) -> HttpResponse:
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    goal = goal_for_editing(req, goal_pk)
    can_edit = may_edit(scope, req) and _editable(req)
    if request.method == "POST" and not can_edit:
        if not may_edit(scope, req):
            raise PermissionDenied("Only the section's staff and head edit its entries.")
        return _refuse_if_locked(request, req) or redirect(_request_url(req))
    form = GoalResultsForm(goal, req.round.fiscal_year, request.POST or None)
    conflict = None
    checked = False
    if request.method == "POST" and form.is_valid():
        if "check" in request.POST:
            checked = True  # without JavaScript: show the parsed figures, save nothing
        else:
            try:
                goal_results_update(
                    goal=goal,
                    values={name: form.cleaned_data[name] for name in GOAL_RESULT_FIELDS},
                    actuals=form.parsed,
                    fiscal_year=req.round.fiscal_year,
                    expected_version=form.cleaned_data["version"],
                    actor=Actor(user=request_user(request)),
                )
            except ConflictError as error:
                conflict = error
            else:
                messages.success(request, _("Saved."))
                return redirect(_request_url(req))
    return render(
        request,
        "workflow/goal_edit.html",
        {
            "municipality": scope.municipality,
            "req": req,
            "goal": goal,
            "form": form,
            "can_edit": can_edit,
            "conflict": conflict,
            "checked": checked,
            "parsed": getattr(form, "parsed", {}),
        },
        status=409 if conflict else 200,
    )


@login_required
@require_POST
def goal_check(request: HttpRequest, slug: str, pk: int, section_pk: int, goal_pk: int) -> HttpResponse:
    """The parsed value of each typed actual, for htmx to show beside the form before saving."""
    req, _scope = request_for_user(request.user, slug, pk, section_pk)
    goal = goal_for_editing(req, goal_pk)
    results = []
    for indicator in goal.indicators.all():
        text = request.POST.get(actual_field_name(indicator), "").strip()
        figure, error = parse_actual(text, indicator)
        results.append({"indicator": indicator, "text": text, "figure": figure, "error": error})
    return render(request, "workflow/_figure_check.html", {"results": results})
