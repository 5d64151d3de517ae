"""Staff endpoints (a personal access token): drafts, rounds, and writing entries and figures.

Each view does what the web view of the same page does, in the same order, with the same
access helpers (``goals.access``, ``workflow.access``), the same forms' validation and the same
services; the token's user is the user, and ``token_actor`` puts the change in the audit log
under their name. Only the shape of the answer differs: JSON instead of a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as FormValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, NotAuthenticated, ValidationError
from rest_framework.exceptions import PermissionDenied as Refused
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from shinchoku.api.exceptions import Conflict
from shinchoku.api.models import AccessToken
from shinchoku.api.permissions import TokenScope
from shinchoku.api.services import token_actor
from shinchoku.api.v1 import serializers as s
from shinchoku.api.v1.common import ID, FilteredMixin
from shinchoku.core.audit import Actor
from shinchoku.goals.access import declaration_edit_state, declaration_for_user, declaration_scope_for_user
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.selectors import declarations_with_goals
from shinchoku.goals.services import GOAL_RESULT_FIELDS, goal_results_update
from shinchoku.organizations.access import current_memberships
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import LARGEST_FIGURE, Indicator, Measurement, PlanNode, Target
from shinchoku.policies.access import sheet_for_request
from shinchoku.policies.forms import SheetForm
from shinchoku.policies.models import PolicySheet
from shinchoku.policies.selectors import SheetView, request_sheets, sheet_view
from shinchoku.policies.services import SHEET_INTERNAL_FIELDS, sheet_internal_update
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.services import progress_entry_create, progress_entry_delete, progress_entry_update
from shinchoku.workflow import selectors as workflow_selectors
from shinchoku.workflow.access import (
    entry_for_editing,
    goal_for_editing,
    may_edit,
    request_for_editing,
    request_for_user,
    request_open,
    round_for_user,
    round_scope_for_user,
    row_for_editing,
)
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.forms import (
    EntryForm,
    EntryNewForm,
    GoalResultsForm,
    SendBackForm,
    StepForm,
    VersionForm,
    actual_field_name,
)
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest
from shinchoku.workflow.services import (
    TransitionError,
    request_actions,
    round_request_accept,
    round_request_approve,
    round_request_send_back,
    round_request_submit,
)

WORK = ["職員（トークン）/ staff (token)"]

ROUND = OpenApiParameter("round_id", ID, OpenApiParameter.PATH, description="照会の id / the round's id")
SECTION = OpenApiParameter("section_id", ID, OpenApiParameter.PATH, description="課の id / the section's id")


class WorkView(FilteredMixin, GenericAPIView):
    # A token is needed; a read-only token reads only (TokenScope).
    permission_classes = [IsAuthenticated, TokenScope]
    kwargs: dict[str, Any]

    def user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):  # pragma: no cover - IsAuthenticated came first
            raise NotAuthenticated()
        return user

    def actor(self) -> Actor:
        token = self.request.auth
        assert isinstance(token, AccessToken)
        return token_actor(token)

    @property
    def slug(self) -> str:
        return str(self.kwargs["municipality"])


def refuse_if_locked(req: RoundRequest) -> None:
    if not request_open(req):
        raise Conflict(
            _("This request is not open for editing now (submitted, or the round is closed)."), code="locked"
        )


def form_errors(form: forms.Form, names: dict[str, str] | None = None) -> ValidationError:
    """A web form's errors as the API's (its field names mapped to the API's where they differ)."""
    names = names or {}
    details: dict[str, list[ErrorDetail]] = {}
    for name, errors in form.errors.as_data().items():
        field = names.get(name, "non_field_errors" if name == "__all__" else name)
        for error in errors:
            for message in error.messages:
                details.setdefault(field, []).append(ErrorDetail(message, code=error.code or "invalid"))
    return ValidationError(details)


# What a figure's column holds (``plans.models.decimal_field``: amounts up to 10^23): a larger
# figure parses, but the database cannot store it (nor read it back), so it is refused here.
_LARGEST = LARGEST_FIGURE


def refuse_oversized(values: Mapping[str, Decimal | None], names: dict[str, str]) -> None:
    """A 400 naming each figure (by its form field) too large to be stored."""
    message = _("This figure is too large: at most 23 digits before the decimal point.")
    errors = {
        names.get(name, name): [message]
        for name, value in values.items()
        if value is not None and abs(value) >= _LARGEST
    }
    if errors:
        raise ValidationError(errors)


def service_errors(error: FormValidationError, names: dict[str, str] | None = None) -> ValidationError:
    """A service's ValidationError (a dict of field → messages, or messages) as the API's."""
    names = names or {}
    if not hasattr(error, "error_dict"):
        return ValidationError({"non_field_errors": [ErrorDetail(m, code="invalid") for m in error.messages]})
    return ValidationError(
        {
            names.get(name, name): [ErrorDetail(m, code="invalid") for m in messages]
            for name, messages in error.message_dict.items()
        }
    )


def conflict(error: ConflictError, message: str | None = None) -> Conflict:
    current = {
        "version": error.version,
        "values": {name: None if value is None else str(value) for name, value in error.current.items()},
        "by": error.by,
        "at": error.at.isoformat() if error.at else None,
    }
    return Conflict(
        message or _("Not saved: someone else changed this after you opened it."),
        current=current,
    )


# --- who am I ------------------------------------------------------------------------------------


@extend_schema(
    tags=WORK, summary="トークンの利用者と役割 / the token's user and roles", responses=s.MeSerializer
)
class Me(WorkView):
    def get(self, request: Request) -> Response:
        user = self.user()
        memberships = current_memberships(user)
        municipalities = Municipality.objects.in_bulk({m.municipality_id for m in memberships})
        for membership in memberships:
            membership.municipality = municipalities[membership.municipality_id]
        data = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "token": request.auth,
            "memberships": memberships,
        }
        return Response(s.MeSerializer(data).data)


# --- goal declarations (drafts) -----------------------------------------------------------------


@extend_schema(
    tags=WORK,
    summary="目標宣言（作成中を含む）/ goal declarations, drafts included",
    parameters=[s.DeclarationFilters],
)
class DeclarationList(WorkView, ListAPIView):
    serializer_class = s.DeclarationSerializer
    filters = s.DeclarationFilters

    def get_queryset(self) -> QuerySet[GoalDeclaration]:
        values = self.filter_values()
        scope = declaration_scope_for_user(self.user(), self.slug)
        found = (
            GoalDeclaration.objects.filter(municipality=scope.municipality)
            .filter(scope.department_filter("department__"))
            .select_related("department")
            .annotate(goal_count=Count("goals"))
            .order_by("-fiscal_year", "department__position", "department__name")
        )
        if values.get("fiscal_year"):
            found = found.filter(fiscal_year=values["fiscal_year"])
        return found


@extend_schema(
    tags=WORK,
    summary="目標宣言と目標・指標（作成中を含む）/ a declaration with its goals and indicators",
    parameters=[OpenApiParameter("declaration_id", ID, OpenApiParameter.PATH)],
    responses=s.DeclarationDetailSerializer,
)
class DeclarationDetail(WorkView):
    def get(self, request: Request, municipality: str, declaration_id: int) -> Response:
        declaration, scope = declaration_for_user(self.user(), self.slug, declaration_id)
        loaded = (
            declarations_with_goals(GoalDeclaration.objects.filter(pk=declaration.pk))
            .annotate(goal_count=Count("goals"))
            .get()
        )
        state = declaration_edit_state(loaded)
        setattr(loaded, "writable", scope.writes(loaded.department_id))  # noqa: B010
        setattr(loaded, "edit_state", {"editable": state.editable, "reason": state.reason})  # noqa: B010
        return Response(s.DeclarationDetailSerializer(loaded).data)


# --- collection rounds and one section's request -----------------------------------------------


@extend_schema(tags=WORK, summary="照会 / collection rounds the user sees", parameters=[s.RoundFilters])
class RoundList(WorkView, ListAPIView):
    serializer_class = s.RoundSerializer
    filters = s.RoundFilters

    def get_queryset(self) -> QuerySet[CollectionRound]:
        values = self.filter_values()
        scope = round_scope_for_user(self.user(), self.slug)
        found = workflow_selectors.rounds_for_board(scope, timezone.localdate())
        if values.get("fiscal_year"):
            found = found.filter(fiscal_year=values["fiscal_year"])
        if values.get("status"):
            found = found.filter(status=values["status"])
        return found


@extend_schema(
    tags=WORK,
    summary="照会と課ごとの状況 / a round and where each request stands",
    parameters=[ROUND],
    responses=s.RoundDetailSerializer,
)
class RoundDetail(WorkView):
    def get(self, request: Request, municipality: str, round_id: int) -> Response:
        collection_round, scope = round_for_user(self.user(), self.slug, round_id)
        board = workflow_selectors.round_board(collection_round, scope, timezone.localdate())
        data = {
            **s.RoundSummarySerializer(collection_round).data,
            "requests": s.BoardRowSerializer(board.rows, many=True).data,
        }
        return Response(data)


@dataclass(frozen=True)
class RequestState:
    """Where a request stands: its status, the steps the user may take now, its history."""

    request: RoundRequest
    actions: list[str]
    steps: list[Any]


@dataclass(frozen=True)
class RequestPage(RequestState):
    can_edit: bool
    rows: list[Any]
    goals: list[Goal]
    sheets: list[PolicySheet]


def _actions(req: RoundRequest, actor: Actor) -> list[str]:
    """The steps the API takes that ``actor`` may take now (the request page's buttons)."""
    return [action for action in request_actions(req, actor) if action in s.STEP_ACTIONS]


@extend_schema(
    tags=WORK,
    summary="課への依頼：実績・予定、目標、施策評価シート / a section's request: entries, goals, sheets",
    parameters=[ROUND, SECTION],
    responses=s.RequestSerializer,
)
class RequestDetail(WorkView):
    def get(self, request: Request, municipality: str, round_id: int, section_id: int) -> Response:
        req, scope = request_for_user(self.user(), self.slug, round_id, section_id)
        policy = req.round.kind == DocumentKind.POLICY_EVALUATION
        page = RequestPage(
            request=req,
            actions=_actions(req, self.actor()),
            steps=workflow_selectors.request_steps(req),
            can_edit=may_edit(scope, req) and request_open(req),
            rows=workflow_selectors.request_rows(req),
            goals=workflow_selectors.request_goals(req),
            sheets=request_sheets(req) if policy else [],
        )
        return Response(s.RequestSerializer(page).data)


# --- the approval ladder --------------------------------------------------------------------------


def _take_step(req: RoundRequest, action: str, actor: Actor, comment: str) -> RoundRequest:
    """The step of ``action``, by the services the request page's buttons call (they check the
    role and the status)."""
    if action == "submit":
        return round_request_submit(request=req, actor=actor, comment=comment)
    if action == "approve":
        return round_request_approve(request=req, actor=actor, comment=comment)
    if action == "accept":
        return round_request_accept(request=req, actor=actor, comment=comment)
    return round_request_send_back(request=req, actor=actor, comment=comment)


@extend_schema(
    tags=WORK,
    summary="承認の段階をとる：提出・承認・受理・差戻し / take a step: submit, approve, accept, send back",
    description=(
        "依頼画面のボタンと同じ。役割にない段階は 403、今の状態でとれない段階は 409。差戻しにはコメントが必要。"
        "空のまま・前年のままの回答の提出は、画面と同じく確認（confirmed: true）が要る。"
        " As the request page's buttons: a step the user's role does not take is a 403, one the"
        " request's status does not allow a 409; sending back needs a comment. Submitting an answer"
        " that looks empty or untouched needs confirmed: true, as the page asks to confirm."
    ),
    parameters=[ROUND, SECTION],
    request=s.StepWriteSerializer,
    responses=s.RequestStateSerializer,
)
class RequestStep(WorkView):
    def post(self, request: Request, municipality: str, round_id: int, section_id: int) -> Response:
        # The order of workflow.views.request_step: who sees it, the form, then the service.
        req, _scope = request_for_user(self.user(), self.slug, round_id, section_id)
        shape = s.StepWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        sent = shape.validated_data
        action = sent["action"]
        form: forms.Form = (SendBackForm if action == "send_back" else StepForm)(
            {"comment": sent.get("comment", "")}
        )
        if not form.is_valid():
            if action == "send_back" and not sent.get("comment", "").strip():
                message = _("Sending back needs a comment saying what should be fixed.")
                raise ValidationError({"comment": [ErrorDetail(message, code="required")]})
            raise form_errors(form)
        comment = form.cleaned_data["comment"]
        actor = self.actor()
        # Asked only of whoever may submit now: anybody else learns from the service why they may not.
        if (
            action == "submit"
            and not sent["confirmed"]
            and action in _actions(req, actor)
            and (warning := workflow_selectors.answer_warning(req))
        ):
            message = _("%(warning)s To submit it anyway, send confirmed: true.") % {"warning": warning}
            raise ValidationError({"confirmed": [ErrorDetail(message, code="confirmation_needed")]})
        try:
            _take_step(req, action, actor, comment)
        except PermissionDenied:
            raise Refused(_("Your role does not take this step.")) from None
        except TransitionError:
            if req.round.status != CollectionRound.Status.OPEN:
                raise Conflict(_("The round is closed."), code="locked") from None
            raise Conflict(
                _("This step is not possible in the request's current status."), code="not_possible"
            ) from None
        except FormValidationError as error:
            raise service_errors(error) from None
        # Read again as the page would be after the step (the access helper, with its relations).
        fresh, _scope = request_for_user(self.user(), self.slug, round_id, section_id)
        state = RequestState(
            request=fresh, actions=_actions(fresh, actor), steps=workflow_selectors.request_steps(fresh)
        )
        return Response(s.RequestStateSerializer(state).data)


def _entry(entry: ProgressEntry) -> dict[str, Any]:
    """An entry as saved now, with its responsible parties (two queries)."""
    fresh = ProgressEntry.objects.prefetch_related("responsibles__section").get(pk=entry.pk)
    return dict(s.WorkEntrySerializer(fresh).data)


@extend_schema(
    tags=WORK,
    summary="実績・予定を追加 / add a result or plan entry (the section is its responsible)",
    parameters=[ROUND, SECTION, OpenApiParameter("row_id", ID, OpenApiParameter.PATH)],
    request=s.EntryCreateSerializer,
    responses={201: s.WorkEntrySerializer},
)
class EntryCreate(WorkView):
    def post(
        self, request: Request, municipality: str, round_id: int, section_id: int, row_id: int
    ) -> Response:
        # The order of workflow.views.entry_new: who, whether open, which row, then the form.
        req, _scope = request_for_editing(self.user(), self.slug, round_id, section_id)
        refuse_if_locked(req)
        row = row_for_editing(req, row_id)
        shape = s.EntryCreateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = EntryNewForm(shape.validated_data)
        if not form.is_valid():
            raise form_errors(form)
        entry = progress_entry_create(
            row=row,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            sections=[req.section],
            actor=self.actor(),
        )
        return Response(_entry(entry), status=status.HTTP_201_CREATED)


@extend_schema(
    tags=WORK, parameters=[ROUND, SECTION, OpenApiParameter("entry_id", ID, OpenApiParameter.PATH)]
)
class EntryDetail(WorkView):
    @extend_schema(summary="実績・予定を読む / read an entry", responses=s.WorkEntrySerializer)
    def get(
        self, request: Request, municipality: str, round_id: int, section_id: int, entry_id: int
    ) -> Response:
        req, _scope = request_for_user(self.user(), self.slug, round_id, section_id)
        return Response(_entry(entry_for_editing(req, entry_id)))

    @extend_schema(
        summary="実績・予定を変更 / change an entry's text (version from your last read)",
        request=s.EntryUpdateSerializer,
        responses=s.WorkEntrySerializer,
    )
    def patch(
        self, request: Request, municipality: str, round_id: int, section_id: int, entry_id: int
    ) -> Response:
        req, _scope = request_for_editing(self.user(), self.slug, round_id, section_id)
        refuse_if_locked(req)
        entry = entry_for_editing(req, entry_id)
        shape = s.EntryUpdateSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = EntryForm(shape.validated_data)
        if not form.is_valid():
            raise form_errors(form)
        try:
            saved = progress_entry_update(
                entry=entry,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
                actor=self.actor(),
            )
        except ConflictError as error:
            raise conflict(error) from None
        return Response(_entry(saved))

    @extend_schema(
        summary="実績・予定を削除 / delete an entry (version from your last read)",
        parameters=[s.EntryDeleteParameters],
        responses={204: None},
    )
    def delete(
        self, request: Request, municipality: str, round_id: int, section_id: int, entry_id: int
    ) -> Response:
        req, _scope = request_for_editing(self.user(), self.slug, round_id, section_id)
        refuse_if_locked(req)
        entry = entry_for_editing(req, entry_id)
        shape = s.EntryDeleteParameters(data=request.query_params)
        shape.is_valid(raise_exception=True)
        form = VersionForm(shape.validated_data)
        if not form.is_valid():
            raise form_errors(form)
        try:
            progress_entry_delete(
                entry=entry, expected_version=form.cleaned_data["version"], actor=self.actor()
            )
        except ConflictError as error:
            raise conflict(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _goal(goal: Goal, fiscal_year: int) -> dict[str, Any]:
    """A goal as ``workflow.selectors.request_goals`` reads it (its indicators, targets and the year's actual)."""
    indicators = Indicator.objects.order_by("position", "id").prefetch_related(
        Prefetch(
            "measurements", queryset=Measurement.objects.filter(fiscal_year=fiscal_year), to_attr="actuals"
        ),
        Prefetch("targets", queryset=Target.objects.order_by("fiscal_year", "kind"), to_attr="all_targets"),
    )
    fresh = (
        Goal.objects.select_related("declaration__department")
        .prefetch_related(Prefetch("indicators", queryset=indicators))
        .get(pk=goal.pk)
    )
    return dict(s.WorkGoalSerializer(fresh).data)


@extend_schema(
    tags=WORK,
    parameters=[ROUND, SECTION, OpenApiParameter("goal_id", ID, OpenApiParameter.PATH)],
)
class GoalResults(WorkView):
    @extend_schema(
        summary="目標の結果と実績値を読む / read a goal's results and actuals", responses=s.WorkGoalSerializer
    )
    def get(
        self, request: Request, municipality: str, round_id: int, section_id: int, goal_id: int
    ) -> Response:
        req, _scope = request_for_user(self.user(), self.slug, round_id, section_id)
        goal = goal_for_editing(req, goal_id)
        return Response(_goal(goal, req.round.fiscal_year))

    @extend_schema(
        summary="目標の結果と実績値を書く / write a goal's results and actual figures",
        description=(
            "画面の「結果と実績」と同じ検証と保存。送った項目だけが変わる。実績は画面と同じ書き方"
            "（約１２億７，７００万円、450万件（見込））で、空文字はその年度の実績を消す。"
            " The same validation and save as the form: only the fields sent change; actuals are"
            " typed as on the form, an empty text removes the year's actual."
        ),
        request=s.GoalResultsWriteSerializer,
        responses=s.WorkGoalSerializer,
    )
    def patch(
        self, request: Request, municipality: str, round_id: int, section_id: int, goal_id: int
    ) -> Response:
        # The order of workflow.views.goal_edit: who sees it, which goal, then whether they may write.
        req, scope = request_for_user(self.user(), self.slug, round_id, section_id)
        goal = goal_for_editing(req, goal_id)
        if not may_edit(scope, req):
            raise PermissionDenied("Only the section's staff and head edit its entries.")
        refuse_if_locked(req)
        shape = s.GoalResultsWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        sent = shape.validated_data
        year = req.round.fiscal_year
        indicators = {i.pk: i for i in goal.indicators.all()}
        names = {"version": "version"}
        typed: dict[int, str] = {}
        for index, actual in enumerate(sent.get("actuals", [])):
            if actual["indicator"] not in indicators:
                raise ValidationError({f"actuals.{index}.indicator": [_("This goal has no such indicator.")]})
            typed[actual["indicator"]] = actual["text"]
            names[actual_field_name(indicators[actual["indicator"]])] = f"actuals.{index}.text"
        data: dict[str, Any] = {name: sent.get(name, getattr(goal, name)) for name in GOAL_RESULT_FIELDS}
        data["version"] = sent["version"]
        for pk_, indicator in indicators.items():
            data[actual_field_name(indicator)] = typed.get(pk_, "")
        form = GoalResultsForm(goal, year, data)
        if not form.is_valid():
            raise form_errors(form, names)
        refuse_oversized(
            {actual_field_name(i): figure.value for i, (_text, figure) in form.parsed.items() if figure},
            names,
        )
        try:
            saved = goal_results_update(
                goal=goal,
                values={name: form.cleaned_data[name] for name in GOAL_RESULT_FIELDS},
                actuals={i: parsed for i, parsed in form.parsed.items() if i.pk in typed},
                fiscal_year=year,
                expected_version=form.cleaned_data["version"],
                actor=self.actor(),
            )
        except ConflictError as error:
            raise conflict(error) from None
        return Response(_goal(saved, year))


# --- a 施策評価シート of the request ---------------------------------------------------------------

SHEET = OpenApiParameter(
    "sheet_id", ID, OpenApiParameter.PATH, description="施策評価シートの id / the sheet's id"
)


@dataclass(frozen=True)
class SheetPage:
    view: SheetView
    area: PlanNode | None
    can_edit: bool


def _sheet(sheet: PolicySheet, can_edit: bool) -> dict[str, Any]:
    """A sheet (from ``sheet_for_request``) judged for its year (``policies.selectors.sheet_view``)."""
    return dict(s.SheetSerializer(SheetPage(sheet_view(sheet), sheet.policy.parent, can_edit)).data)


@extend_schema(
    tags=WORK,
    parameters=[ROUND, SECTION, SHEET],
)
class SheetDetail(WorkView):
    @extend_schema(
        summary="施策評価シートを読む / read a policy evaluation sheet", responses=s.SheetSerializer
    )
    def get(
        self, request: Request, municipality: str, round_id: int, section_id: int, sheet_id: int
    ) -> Response:
        req, scope = request_for_user(self.user(), self.slug, round_id, section_id)
        sheet = sheet_for_request(req, sheet_id)
        return Response(_sheet(sheet, may_edit(scope, req) and request_open(req)))

    @extend_schema(
        summary="施策評価シートを書く：内部評価・事業・実績値 / write a sheet: evaluation, projects, actuals",
        description=(
            "画面の施策評価シートと同じ検証と保存。送った項目だけが変わる。事業は事業実績の id で、"
            "金額と実績値は画面と同じ書き方（1,234万円、約450万件（見込））、空文字は消す。"
            " The same validation and save as the sheet's form: only the fields sent change."
            " Projects by their project result id; amounts and actuals are typed as on the form,"
            " an empty text removes the value."
        ),
        request=s.SheetWriteSerializer,
        responses=s.SheetSerializer,
    )
    def patch(
        self, request: Request, municipality: str, round_id: int, section_id: int, sheet_id: int
    ) -> Response:
        # The order of policies.views.sheet_edit: who sees it, which sheet, then whether they may write.
        req, scope = request_for_user(self.user(), self.slug, round_id, section_id)
        sheet = sheet_for_request(req, sheet_id)
        if not may_edit(scope, req):
            raise PermissionDenied("Only the section's staff and head edit its sheet.")
        refuse_if_locked(req)
        shape = s.SheetWriteSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        sent = shape.validated_data
        view = sheet_view(sheet)
        # The form gets what was sent; what was not sent is left as it is (not given to the service).
        names = {"version": "version"}
        data: dict[str, Any] = {name: sent.get(name, "") for name in SHEET_INTERNAL_FIELDS}
        data["version"] = sent["version"]
        indicators = {v.indicator.pk: v.indicator for v in view.indicators}
        typed: dict[int, str] = {}
        for index, actual in enumerate(sent.get("actuals", [])):
            if actual["indicator"] not in indicators:
                raise ValidationError(
                    {f"actuals.{index}.indicator": [_("This sheet has no such indicator.")]}
                )
            typed[actual["indicator"]] = actual["text"]
            names[actual_field_name(indicators[actual["indicator"]])] = f"actuals.{index}.text"
        for pk_, indicator in indicators.items():
            data[actual_field_name(indicator)] = typed.get(pk_, "")
        rows = {row.pk: row for row in view.projects}
        projects: dict[int, set[str]] = {}
        for index, project in enumerate(sent.get("projects", [])):
            if project["id"] not in rows:
                raise ValidationError({f"projects.{index}.id": [_("This sheet has no such project.")]})
            parts = {part for part in ("budget", "settlement", "result") if part in project}
            projects.setdefault(project["id"], set()).update(parts)
            for part in parts:
                data[f"{part}_{project['id']}"] = project[part]
                names[f"{part}_{project['id']}"] = f"projects.{index}.{part}"
        form = SheetForm(view, data)
        if not form.is_valid():
            raise form_errors(form, names)
        figures: dict[str, Decimal | None] = {
            actual_field_name(i): figure.value for i, (_text, figure) in form.parsed.items() if figure
        }
        for pk_, values in form.projects.items():
            figures |= {f"budget_{pk_}": values.budget, f"settlement_{pk_}": values.settlement}
        refuse_oversized(figures, names)
        try:
            saved = sheet_internal_update(
                sheet=sheet,
                values={name: form.values()[name] for name in SHEET_INTERNAL_FIELDS if name in sent},
                projects={
                    pk_: replace(
                        form.projects[pk_],
                        **{
                            part: getattr(rows[pk_], part)
                            for part in ("budget", "settlement", "result")
                            if part not in parts
                        },
                    )
                    for pk_, parts in projects.items()
                },
                actuals={i: parsed for i, parsed in form.parsed.items() if i.pk in typed},
                expected_version=form.cleaned_data["version"],
                actor=self.actor(),
            )
        except ConflictError as error:
            raise conflict(
                error, _("Not saved: someone else changed this sheet after you opened it.")
            ) from None
        except FormValidationError as error:
            raise service_errors(error) from None
        return Response(_sheet(sheet_for_request(req, saved.pk), True))
