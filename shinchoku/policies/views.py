"""施策評価 pages. Thin: access helpers fetch, services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.core.tables import TableError
from shinchoku.organizations.models import Membership, Role
from shinchoku.policies import selectors, services
from shinchoku.policies.access import (
    municipality_for_evaluator,
    policy_round_for_management,
    review_for_evaluator,
    sheet_for_committee,
    sheet_for_request,
    sheet_for_response,
)
from shinchoku.policies.forms import (
    AssignForm,
    MeetingForm,
    OpinionForm,
    ResponseForm,
    ReviewForm,
    SheetForm,
    StructureUploadForm,
)
from shinchoku.policies.structure import read_structure
from shinchoku.workflow.access import (
    may_edit,
    municipality_for_round_management,
    request_for_user,
    request_open,
)
from shinchoku.workflow.conflicts import ConflictError


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request_user(request))


def _form_errors(form: Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):  # a message about the whole form
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def structure_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """The planning section uploads the 施策体系 of its 総合計画 (re-uploading updates it)."""
    municipality = municipality_for_round_management(request.user, slug)
    form = StructureUploadForm(request.POST or None, request.FILES or None)
    problems: list[object] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            structure = read_structure(upload.read(), source=upload.name)
            summary = services.structure_import(
                municipality=municipality,
                plan_name=form.cleaned_data["plan_name"].strip(),
                start_year=form.cleaned_data["start_year"],
                end_year=form.cleaned_data["end_year"],
                structure=structure,
                source=upload.name,
                actor=_actor(request),
            )
        except TableError as error:
            problems = list(error.problems)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(plan)s: %(count)d policy measures read (%(created)d records created, %(updated)d updated)."
                )
                % {
                    "plan": summary.plan.name,
                    "count": len(summary.policies),
                    "created": summary.created,
                    "updated": summary.updated,
                },
            )
            return redirect("policies:structure", slug=slug)
    return render(
        request,
        "policies/structure_upload.html",
        {
            "municipality": municipality,
            "form": form,
            "problems": problems,
            "plans": selectors.evaluated_plans(municipality),
        },
        status=400 if problems else 200,
    )


# --- the section fills in its sheet (through the round's request) ----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request: HttpRequest, slug: str, pk: int, section_pk: int, sheet_pk: int) -> HttpResponse:
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    sheet = sheet_for_request(req, sheet_pk)
    can_edit = may_edit(scope, req) and request_open(req)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only the section's staff and head edit its sheet while the request is open.")
    view = selectors.sheet_view(sheet)
    form = SheetForm(view, request.POST or None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.sheet_internal_update(
                sheet=sheet,
                values=form.values(),
                projects=form.projects,
                actuals=form.parsed,
                expected_version=form.cleaned_data["version"],
                actor=_actor(request),
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("workflow:request", slug=slug, pk=pk, section_pk=section_pk)
    return render(
        request,
        "policies/sheet_edit.html",
        {
            "municipality": scope.municipality,
            "req": req,
            "view": view,
            "sheet": sheet,
            "form": form,
            "can_edit": can_edit,
            "conflict": conflict,
            "trend": selectors.sheet_trend(sheet),
        },
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_response(request: HttpRequest, slug: str, sheet_pk: int) -> HttpResponse:
    """The department answers the committee's opinion on its sheet."""
    sheet, scope = sheet_for_response(request.user, slug, sheet_pk)
    can_respond = bool(sheet.committee_opinion) and (
        scope.all_sections
        or sheet.section_id in scope.section_ids
        or sheet.department_id in scope.department_ids
    )
    if request.method == "POST" and not can_respond:
        raise PermissionDenied("No committee opinion to respond to, or not the sheet's department.")
    form = ResponseForm(request.POST or None, initial={"response": sheet.response, "version": sheet.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.response_update(
                sheet=sheet,
                response=form.cleaned_data["response"],
                expected_version=form.cleaned_data["version"],
                actor=_actor(request),
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("policies:response", slug=slug, sheet_pk=sheet.pk)
    return render(
        request,
        "policies/sheet_response.html",
        {
            "municipality": scope.municipality,
            "sheet": sheet,
            "view": selectors.sheet_view(sheet),
            "form": form,
            "can_respond": can_respond,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


# --- the committee (the planning section's side) ------------------------------------------------


def _committee_members(municipality_id: int) -> list[User]:
    today = timezone.localdate()
    memberships = (
        Membership.objects.filter(municipality_id=municipality_id, role=Role.EVALUATOR)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )
    return list({m.user_id: m.user for m in memberships if m.is_active_on(today)}.values())


@login_required
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The external evaluation of a round: sheets, who evaluates which, the committee's meetings."""
    collection_round = policy_round_for_management(request.user, slug, pk)
    sheets = selectors.round_sheets(collection_round)
    members = _committee_members(collection_round.municipality_id)
    meeting_form = MeetingForm(sheets, request.POST if "meeting" in request.POST else None)
    if request.method == "POST" and "meeting" in request.POST and meeting_form.is_valid():
        try:
            services.meeting_create(
                collection_round=collection_round,
                actor=_actor(request),
                **meeting_form.cleaned_data,
            )
        except ValidationError as error:
            _form_errors(meeting_form, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect("policies:committee", slug=slug, pk=pk)
    return render(
        request,
        "policies/committee.html",
        {
            "municipality": collection_round.municipality,
            "round": collection_round,
            "sheets": sheets,
            "members": members,
            "meetings": selectors.round_meetings(collection_round),
            "meeting_form": meeting_form,
        },
        status=400 if meeting_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_sheet(request: HttpRequest, slug: str, pk: int, sheet_pk: int) -> HttpResponse:
    """One sheet for the committee: assign members, read their reviews, record the consolidated opinion."""
    collection_round = policy_round_for_management(request.user, slug, pk)
    sheet = sheet_for_committee(collection_round, sheet_pk)
    view = selectors.sheet_view(sheet)
    members = _committee_members(collection_round.municipality_id)
    reviews = list(sheet.reviews.select_related("evaluator").order_by("id"))
    assign_form = AssignForm(
        members,
        request.POST if "assign" in request.POST else None,
        initial={"evaluators": [r.evaluator_id for r in reviews]},
    )
    opinion_form = OpinionForm(
        view.grades,
        request.POST if "opinion" in request.POST else None,
        initial={
            "committee_grade": sheet.committee_grade,
            "committee_opinion": sheet.committee_opinion,
            "version": sheet.version,
        },
    )
    conflict = None
    if request.method == "POST" and "assign" in request.POST and assign_form.is_valid():
        try:
            services.reviewers_set(
                sheet=sheet, evaluators=assign_form.cleaned_data["evaluators"], actor=_actor(request)
            )
        except ValidationError as error:
            _form_errors(assign_form, error)
        else:
            messages.success(request, _("The committee members are assigned."))
            return redirect("policies:committee_sheet", slug=slug, pk=pk, sheet_pk=sheet.pk)
    if request.method == "POST" and "opinion" in request.POST and opinion_form.is_valid():
        try:
            services.committee_opinion_update(
                sheet=sheet,
                grade=opinion_form.cleaned_data["committee_grade"],
                opinion=opinion_form.cleaned_data["committee_opinion"],
                expected_version=opinion_form.cleaned_data["version"],
                actor=_actor(request),
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            _form_errors(opinion_form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("policies:committee", slug=slug, pk=pk)
    failed = bool(assign_form.errors or opinion_form.errors)
    return render(
        request,
        "policies/committee_sheet.html",
        {
            "municipality": collection_round.municipality,
            "round": collection_round,
            "sheet": sheet,
            "view": view,
            "reviews": reviews,
            "assign_form": assign_form,
            "opinion_form": opinion_form,
            "conflict": conflict,
        },
        status=409 if conflict else 400 if failed else 200,
    )


# --- a committee member ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def my_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_for_evaluator(request.user, slug)
    return render(
        request,
        "policies/my_reviews.html",
        {
            "municipality": municipality,
            "reviews": selectors.evaluator_reviews(request_user(request), municipality),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, slug: str, review_pk: int) -> HttpResponse:
    review = review_for_evaluator(request.user, slug, review_pk)
    sheet = review.sheet
    view = selectors.sheet_view(sheet)
    form = ReviewForm(
        view.grades,
        request.POST or None,
        initial={"grade": review.grade, "comment": review.comment, "version": review.version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(
                review=review,
                grade=form.cleaned_data["grade"],
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
                actor=_actor(request),
            )
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("policies:my_reviews", kwargs={"slug": slug}))
    return render(
        request,
        "policies/review_edit.html",
        {
            "municipality": sheet.municipality,
            "review": review,
            "sheet": sheet,
            "view": view,
            "form": form,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )
