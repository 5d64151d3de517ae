"""The goal declaration form at the start of the year (ADR 7, addendum). Thin: services do the work.

Every action is a plain POST form; with htmx the response is the changed goal (or the list
of goals) instead of a redirect, so the page is not reloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.eras import fiscal_year_of
from shinchoku.core.http import request_user
from shinchoku.goals.access import (
    DeclarationScope,
    declaration_edit_state,
    declaration_for_editing,
    declaration_for_user,
    declaration_scope_for_user,
    goal_of,
    indicator_of,
)
from shinchoku.goals.forms import (
    DeclarationForm,
    DeclarationNewForm,
    GoalForm,
    IndicatorForm,
    MoveForm,
    VersionForm,
    figure_text,
    indicator_initial,
    parse_typed_figure,
    target_text,
)
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.selectors import declarations_with_goals
from shinchoku.goals.services import (
    DECLARATION_FIELDS,
    GOAL_DECLARED_FIELDS,
    declarer_position_for,
    goal_create,
    goal_declaration_create,
    goal_declaration_update,
    goal_delete,
    goal_move,
    goal_update,
    indicator_create,
    indicator_delete,
    indicator_update,
)
from shinchoku.organizations.models import Department, Membership, Role, Section
from shinchoku.plans.models import Indicator, Target
from shinchoku.workflow.conflicts import ConflictError

# --- helpers ---------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _detail_url(declaration: GoalDeclaration, anchor: str = "") -> str:
    url = reverse("declarations:detail", kwargs={"slug": declaration.municipality.slug, "pk": declaration.pk})
    return f"{url}#{anchor}" if anchor else url


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        # htmx would swap a followed redirect's whole page into the target: reload instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _refuse_if_locked(request: HttpRequest, declaration: GoalDeclaration) -> HttpResponse | None:
    state = declaration_edit_state(declaration)
    if state.editable:
        return None
    messages.error(
        request, _("This declaration cannot be changed now: %(reason)s") % {"reason": state.reason}
    )
    return _redirect(request, _detail_url(declaration))


def _with_version(form_class: type[forms.Form], data: QueryDict, prefix: str, version: int, **kw: Any) -> Any:
    """The user's form again, carrying the record's current version: saving again replaces theirs."""
    fresh = data.copy()
    fresh[f"{prefix}-version"] = str(version)
    form = form_class(data=fresh, prefix=prefix, **kw)
    form.is_valid()
    return form


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _department_sections(declaration: GoalDeclaration) -> list[Section]:
    return list(
        Section.objects.filter(department_id=declaration.department_id)
        .valid_in(declaration.fiscal_year)
        .order_by("position", "name")
    )


# --- the page: a declaration, its goals and their indicators ----------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    form: IndicatorForm
    baseline: str
    target: str
    conflict: ConflictError | None = None
    open: bool = False
    # The target of the year, printed in the document's style by the ``amount`` filter.
    target_figure: Target | None = None


@dataclass
class GoalBlock:
    goal: Goal
    form: GoalForm
    indicators: list[IndicatorRow]
    new_indicator_form: IndicatorForm
    conflict: ConflictError | None = None
    open: bool = False
    open_new_indicator: bool = False


@dataclass
class Overrides:
    """Bound forms (with errors or a conflict) to show instead of fresh ones, by prefix."""

    forms: dict[str, forms.Form] = field(default_factory=dict)
    conflicts: dict[str, ConflictError] = field(default_factory=dict)


def _page(
    declaration: GoalDeclaration, scope: DeclarationScope, overrides: Overrides | None = None
) -> dict[str, Any]:
    overrides = overrides or Overrides()
    loaded = declarations_with_goals(GoalDeclaration.objects.filter(pk=declaration.pk)).get()
    fiscal_year = loaded.fiscal_year
    state = declaration_edit_state(loaded)
    can_edit = scope.writes(loaded.department_id) and state.editable
    sections = _department_sections(loaded) if can_edit else []
    blocks = []
    for goal in loaded.goals.all():
        goal_sections = [gs.section for gs in goal.goalsection_set.all()]
        choices = sections + [s for s in goal_sections if s not in sections]
        prefix = f"g{goal.pk}"
        goal_form = overrides.forms.get(prefix) or GoalForm(
            choices,
            prefix=prefix,
            initial={
                "title": goal.title,
                "sections": [s.pk for s in goal_sections],
                "content": goal.content,
                "target_text": goal.target_text,
                "version": goal.version,
            },
        )
        rows = []
        for indicator in goal.indicators.all():
            iprefix = f"i{indicator.pk}"
            target = next((t for t in indicator.targets.all() if t.fiscal_year == fiscal_year), None)
            rows.append(
                IndicatorRow(
                    indicator=indicator,
                    form=overrides.forms.get(iprefix)  # type: ignore[arg-type]
                    or IndicatorForm(prefix=iprefix, initial=indicator_initial(indicator, fiscal_year)),
                    baseline=figure_text(indicator.baseline_value, indicator.unit),
                    target=target_text(target, indicator.unit),
                    target_figure=target,
                    conflict=overrides.conflicts.get(iprefix),
                    open=iprefix in overrides.forms,
                )
            )
        nprefix = f"n{goal.pk}"
        blocks.append(
            GoalBlock(
                goal=goal,
                form=goal_form,  # type: ignore[arg-type]
                indicators=rows,
                new_indicator_form=overrides.forms.get(nprefix)  # type: ignore[arg-type]
                or IndicatorForm(prefix=nprefix, initial={"baseline_year": fiscal_year - 1}),
                conflict=overrides.conflicts.get(prefix),
                open=prefix in overrides.forms,
                open_new_indicator=nprefix in overrides.forms,
            )
        )
    header_form = overrides.forms.get("d") or DeclarationForm(
        prefix="d",
        initial={**{name: getattr(loaded, name) for name in DECLARATION_FIELDS}, "version": loaded.version},
    )
    return {
        "municipality": loaded.municipality,
        "declaration": loaded,
        "state": state,
        "can_edit": can_edit,
        "may_write": scope.writes(loaded.department_id),
        "blocks": blocks,
        "new_goal_form": overrides.forms.get("new") or GoalForm(sections, prefix="new"),
        "header_form": header_form,
        "header_conflict": overrides.conflicts.get("d"),
        "open_new_goal": "new" in overrides.forms,
    }


def _render_page(
    request: HttpRequest,
    declaration: GoalDeclaration,
    scope: DeclarationScope,
    overrides: Overrides | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request, "goals/declaration_detail.html", _page(declaration, scope, overrides), status=status
    )


def _respond(
    request: HttpRequest,
    declaration: GoalDeclaration,
    scope: DeclarationScope,
    *,
    goal_pk: int | None = None,
    overrides: Overrides | None = None,
    status: int = 200,
) -> HttpResponse:
    """After an action: with htmx the changed goal (``goal_pk``) or the whole list of goals;
    without, a redirect when all went well, else the page with the forms as typed."""
    if _is_htmx(request):
        context = _page(declaration, scope, overrides)
        # 「保存しました」 in the page's live region (templates/includes/htmx_feedback.html).
        context["saved"] = overrides is None
        if goal_pk is not None:
            block = next((b for b in context["blocks"] if b.goal.pk == goal_pk), None)
            if block is not None:
                # A conflict is shown in the swapped goal; htmx swaps 2xx responses only.
                return render(request, "goals/_goal.html", {**context, "block": block})
        return render(request, "goals/_goals.html", context)
    if overrides is not None:
        return _render_page(request, declaration, scope, overrides, status=status)
    return redirect(_detail_url(declaration, f"goal-{goal_pk}" if goal_pk else "goals"))


# --- list and new ----------------------------------------------------------------------------


@login_required
@require_GET
def declaration_list(request: HttpRequest, slug: str) -> HttpResponse:
    scope = declaration_scope_for_user(request.user, slug)
    current = fiscal_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        year = current
    departments = list(
        Department.objects.filter(municipality=scope.municipality)
        .filter(scope.department_filter())
        .valid_in(year)
        .order_by("position", "name")
    )
    declarations = {
        d.department_id: d
        for d in GoalDeclaration.objects.filter(
            municipality=scope.municipality, fiscal_year=year, department__in=departments
        ).annotate(goal_count=Count("goals"))
    }
    years = sorted(
        set(
            GoalDeclaration.objects.filter(municipality=scope.municipality)
            .filter(scope.department_filter("department__"))
            .values_list("fiscal_year", flat=True)
        )
        | {current, current + 1},
        reverse=True,
    )
    rows = [
        {"department": d, "declaration": declarations.get(d.pk), "writes": scope.writes(d.pk)}
        for d in departments
    ]
    return render(
        request,
        "goals/declaration_list.html",
        {"municipality": scope.municipality, "year": year, "years": years, "rows": rows, "scope": scope},
    )


def _writable_departments(scope: DeclarationScope, year: int | None) -> list[Department]:
    departments = Department.objects.filter(municipality=scope.municipality)
    if not scope.all_departments:
        departments = departments.filter(pk__in=scope.head_of)
    if year is not None:
        departments = departments.valid_in(year)
    return list(departments.order_by("position", "name"))


def _declarer_name(department: Department) -> str:
    """The department head's name, if one holds the role now."""
    today = timezone.localdate()
    membership = (
        Membership.objects.filter(department=department, role=Role.DEPARTMENT_HEAD)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("user")
        .first()
    )
    return membership.user.get_full_name() if membership else ""


@login_required
@require_http_methods(["GET", "POST"])
def declaration_new(request: HttpRequest, slug: str) -> HttpResponse:
    scope = declaration_scope_for_user(request.user, slug)
    if not scope.writes_any:
        raise PermissionDenied("Only a department head or the planning section declares goals.")
    data = request.POST if request.method == "POST" else None
    try:
        year: int | None = int((data or request.GET).get("fiscal_year", fiscal_year_of(timezone.localdate())))
    except ValueError:
        year = None
    departments = _writable_departments(scope, year)
    form = DeclarationNewForm(departments, data)
    if data is None:
        chosen = form.departments.get(_int(request.GET.get("department")) or 0) or (
            departments[0] if len(departments) == 1 else None
        )
        form.initial = {
            "fiscal_year": year,
            "department": chosen.pk if chosen else None,
            "declarer_position": declarer_position_for(chosen) if chosen else "",
            "declarer_name": _declarer_name(chosen) if chosen else "",
        }
    elif form.is_valid():
        department = form.departments[form.cleaned_data["department"]]
        fiscal_year = form.cleaned_data["fiscal_year"]
        existing = GoalDeclaration.objects.filter(
            municipality=scope.municipality, fiscal_year=fiscal_year, department=department
        ).first()
        if existing is not None:
            messages.info(request, _("The department has a declaration for that fiscal year already."))
            return redirect(_detail_url(existing))
        try:
            declaration = goal_declaration_create(
                municipality=scope.municipality,
                department=department,
                fiscal_year=fiscal_year,
                title=form.cleaned_data["title"],
                declarer_position=form.cleaned_data["declarer_position"],
                declarer_name=form.cleaned_data["declarer_name"] or _declarer_name(department),
                actor=Actor(user=request_user(request)),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The declaration is created: add its goals."))
            return redirect(_detail_url(declaration))
    return render(
        request,
        "goals/declaration_new.html",
        {"municipality": scope.municipality, "form": form, "departments": departments},
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- one declaration ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The declaration with its goals; a POST changes its title and declarer."""
    if request.method == "GET":
        declaration, scope = declaration_for_user(request.user, slug, pk)
        return _render_page(request, declaration, scope)
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    form = DeclarationForm(request.POST, prefix="d")
    if not form.is_valid():
        return _render_page(request, declaration, scope, Overrides(forms={"d": form}))
    try:
        goal_declaration_update(
            declaration=declaration,
            values={name: form.cleaned_data[name] for name in DECLARATION_FIELDS},
            expected_version=form.cleaned_data["version"],
            actor=Actor(user=request_user(request)),
        )
    except ConflictError as conflict:
        again = _with_version(DeclarationForm, request.POST, "d", conflict.version)
        return _render_page(
            request, declaration, scope, Overrides(forms={"d": again}, conflicts={"d": conflict}), status=409
        )
    except ValidationError as error:
        _add_errors(form, error)
        return _render_page(request, declaration, scope, Overrides(forms={"d": form}))
    messages.success(request, _("Saved."))
    return redirect(_detail_url(declaration))


@login_required
@require_POST
def figure_check(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The parsed baseline and target of an indicator form, for htmx to show while typing."""
    declaration_for_editing(request.user, slug, pk)
    labels = {"baseline": _("Baseline"), "target": pgettext("indicator", "Target")}
    results = []
    for key in request.POST:
        name = key.rsplit("-", 1)[-1]
        if name in labels:
            value = request.POST.get(key, "")
            figure, error = parse_typed_figure(value)
            results.append({"label": labels[name], "text": value, "figure": figure, "error": error})
    return render(request, "goals/_figure_check.html", {"results": results})


@login_required
@require_POST
def goal_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    form = GoalForm(_department_sections(declaration), request.POST, prefix="new")
    if form.is_valid():
        try:
            goal = goal_create(
                declaration=declaration,
                title=form.cleaned_data["title"],
                sections=form.chosen_sections(),
                content=form.cleaned_data["content"],
                target_text=form.cleaned_data["target_text"],
                actor=Actor(user=request_user(request)),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if _is_htmx(request):
                return _respond(request, declaration, scope)
            return redirect(_detail_url(declaration, f"goal-{goal.pk}"))
    return _respond(request, declaration, scope, overrides=Overrides(forms={"new": form}))


def _goal_choices(declaration: GoalDeclaration, goal: Goal) -> list[Section]:
    sections = _department_sections(declaration)
    return sections + [s for s in goal.sections.all() if s not in sections]


def _save_versioned(
    request: HttpRequest,
    declaration: GoalDeclaration,
    scope: Any,
    goal: Goal,
    form: forms.Form,
    *,
    save: Callable[[], object],
    again: Callable[[int], forms.Form],
) -> HttpResponse:
    """Save an edit form of a goal or an indicator: 409 with the other person's change on a
    stale version, the form with its errors on invalid values, the updated goal otherwise."""
    prefix = form.prefix or ""
    try:
        save()
    except ConflictError as conflict:
        overrides = Overrides(forms={prefix: again(conflict.version)}, conflicts={prefix: conflict})
        return _respond(request, declaration, scope, goal_pk=goal.pk, overrides=overrides, status=409)
    except ValidationError as error:
        _add_errors(form, error)
        return _respond(
            request, declaration, scope, goal_pk=goal.pk, overrides=Overrides(forms={prefix: form})
        )
    return _respond(request, declaration, scope, goal_pk=goal.pk)


@login_required
@require_POST
def goal_edit(request: HttpRequest, slug: str, pk: int, goal_pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    prefix = f"g{goal.pk}"
    choices = _goal_choices(declaration, goal)
    form = GoalForm(choices, request.POST, prefix=prefix)
    if form.is_valid():
        return _save_versioned(
            request,
            declaration,
            scope,
            goal,
            form,
            save=lambda: goal_update(
                goal=goal,
                values={name: form.cleaned_data[name] for name in GOAL_DECLARED_FIELDS},
                sections=form.chosen_sections(),
                expected_version=form.cleaned_data["version"],
                actor=Actor(user=request_user(request)),
            ),
            again=lambda version: _with_version(GoalForm, request.POST, prefix, version, sections=choices),
        )
    return _respond(request, declaration, scope, goal_pk=goal.pk, overrides=Overrides(forms={prefix: form}))


@login_required
@require_POST
def goal_remove(request: HttpRequest, slug: str, pk: int, goal_pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return _redirect(request, _detail_url(declaration, f"goal-{goal.pk}"))
    try:
        goal_delete(
            goal=goal, expected_version=form.cleaned_data["version"], actor=Actor(user=request_user(request))
        )
    except ConflictError as conflict:
        prefix = f"g{goal.pk}"
        return _respond(
            request,
            declaration,
            scope,
            goal_pk=goal.pk,
            overrides=Overrides(conflicts={prefix: conflict}),
            status=409,
        )
    if not _is_htmx(request):
        messages.success(request, _("The goal is deleted."))
    return _respond(request, declaration, scope)


@login_required
@require_POST
def goal_reorder(request: HttpRequest, slug: str, pk: int, goal_pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    form = MoveForm(request.POST)
    if form.is_valid():
        goal_move(goal=goal, offset=form.cleaned_data["offset"], actor=Actor(user=request_user(request)))
    if _is_htmx(request):
        return _respond(request, declaration, scope)
    return redirect(_detail_url(declaration, f"goal-{goal.pk}"))


@login_required
@require_POST
def indicator_new(request: HttpRequest, slug: str, pk: int, goal_pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    prefix = f"n{goal.pk}"
    form = IndicatorForm(request.POST, prefix=prefix)
    if form.is_valid() and "check" not in request.POST:
        try:
            indicator_create(goal=goal, actor=Actor(user=request_user(request)), **form.service_values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _respond(request, declaration, scope, goal_pk=goal.pk)
    return _respond(request, declaration, scope, goal_pk=goal.pk, overrides=Overrides(forms={prefix: form}))


@login_required
@require_POST
def indicator_edit(request: HttpRequest, slug: str, pk: int, goal_pk: int, indicator_pk: int) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    indicator = indicator_of(goal, indicator_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    prefix = f"i{indicator.pk}"
    form = IndicatorForm(request.POST, prefix=prefix)
    if form.is_valid() and "check" not in request.POST:
        # Without JavaScript, "check" shows the parsed figures in the form and saves nothing.
        return _save_versioned(
            request,
            declaration,
            scope,
            goal,
            form,
            save=lambda: indicator_update(
                indicator=indicator,
                goal=goal,
                expected_version=form.cleaned_data["version"],
                actor=Actor(user=request_user(request)),
                **form.service_values(),
            ),
            again=lambda version: _with_version(IndicatorForm, request.POST, prefix, version),
        )
    return _respond(request, declaration, scope, goal_pk=goal.pk, overrides=Overrides(forms={prefix: form}))


@login_required
@require_POST
def indicator_remove(
    request: HttpRequest, slug: str, pk: int, goal_pk: int, indicator_pk: int
) -> HttpResponse:
    declaration, scope = declaration_for_editing(request.user, slug, pk)
    goal = goal_of(declaration, goal_pk)
    indicator = indicator_of(goal, indicator_pk)
    if (refused := _refuse_if_locked(request, declaration)) is not None:
        return refused
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return _redirect(request, _detail_url(declaration, f"goal-{goal.pk}"))
    try:
        indicator_delete(
            indicator=indicator,
            goal=goal,
            expected_version=form.cleaned_data["version"],
            actor=Actor(user=request_user(request)),
        )
    except ConflictError as conflict:
        prefix = f"i{indicator.pk}"
        overrides = Overrides(conflicts={prefix: conflict})
        return _respond(request, declaration, scope, goal_pk=goal.pk, overrides=overrides, status=409)
    return _respond(request, declaration, scope, goal_pk=goal.pk)
