"""The status board of collection rounds, and opening/closing rounds. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.workflow import selectors
from shinchoku.workflow.access import (
    municipality_for_round_management,
    round_for_management,
    round_for_user,
    round_scope_for_user,
)
from shinchoku.workflow.forms import RoundOpenForm
from shinchoku.workflow.services import TransitionError, round_close, round_open


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
