"""The status board of collection rounds, and opening/closing rounds. Thin: services do the work."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation
from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.goals.services import GOAL_RESULT_FIELDS, goal_results_update
from shinchoku.hearings.selectors import mid_year_recall
from shinchoku.policies.selectors import request_sheets
from shinchoku.portal.presenters import goal_rows, guideline_blocks, policy_evaluation_context
from shinchoku.progress.services import (
    progress_entry_create,
    progress_entry_delete,
    progress_entry_move,
    progress_entry_update,
)
from shinchoku.publishing.diff import document_changes
from shinchoku.publishing.selectors import policy_trend
from shinchoku.reports import opendata
from shinchoku.reports.rendering import FORMATS, render_publication
from shinchoku.workflow import entries as batch_entries
from shinchoku.workflow import selectors, tasks
from shinchoku.workflow.access import (
    entry_for_editing,
    goal_for_editing,
    may_edit,
    municipality_for_round_management,
    request_for_editing,
    request_for_user,
    request_open,
    round_for_management,
    round_for_user,
    round_scope_for_user,
    row_for_editing,
)
from shinchoku.workflow.conflicts import ConflictError
from shinchoku.workflow.forms import (
    DeadlineForm,
    EntryForm,
    EntryNewForm,
    GoalResultsForm,
    MoveForm,
    PublishForm,
    RoundOpenForm,
    SendBackForm,
    StepForm,
    VersionForm,
    actual_field_name,
    parse_actual,
)
from shinchoku.workflow.models import (
    GOAL_ROUND_KINDS,
    CollectionRound,
    DocumentKind,
    EntryDraft,
    RequestStatus,
    RoundRequest,
)
from shinchoku.workflow.services import (
    TransitionError,
    guideline_results_roll_forward,
    request_actions,
    round_close,
    round_deadline_extend,
    round_open,
    round_publish,
    round_request_accept,
    round_request_approve,
    round_request_reinstate,
    round_request_send_back,
    round_request_submit,
    round_request_withdraw,
    round_snapshot,
    round_snapshots,
    snapshots_digest,
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
    blockers = selectors.publish_blockers(collection_round, today) if scope.can_manage else []
    return render(
        request,
        "workflow/round_detail.html",
        {
            "municipality": scope.municipality,
            "scope": scope,
            "round": collection_round,
            "board": selectors.round_board(collection_round, scope, today),
            "blockers": blockers,
            "nobody": any(b.nobody for b in blockers),
            "deadline_form": DeadlineForm(initial={"deadline": collection_round.deadline}),
            "publications": list(collection_round.publications.order_by("-published_at")),
            "declarations": list(
                collection_round.declarations.select_related("department").order_by("department__position")
            ),
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1: the year and the document; 「対象の課を選ぶ」 suggests the sections; step 2 opens."""
    municipality = municipality_for_round_management(request.user, slug)
    form = RoundOpenForm(municipality, request.POST or None)
    second_step = request.method == "POST" and "open" in request.POST
    if request.method == "POST" and form.is_valid():
        if not second_step:
            form.suggest()
        elif not form.cleaned_data["sections"]:
            form.add_error("sections", _("Ask at least one section."))
        elif not form.cleaned_data["deadline"]:
            form.add_error("deadline", _("Set the deadline."))
        else:
            try:
                collection_round = round_open(
                    municipality=municipality,
                    fiscal_year=form.cleaned_data["fiscal_year"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"] or form.suggested_title(),
                    deadline=form.cleaned_data["deadline"],
                    sections=form.cleaned_data["sections"],
                    actor=Actor(user=request_user(request)),
                    **form.document_arguments(),
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("The round is open: the sections can see it now."))
                return redirect("workflow:detail", slug=slug, pk=collection_round.pk)
    chosen = request.method == "POST" and form.is_bound and not form.errors.get("kind")
    return render(
        request,
        "workflow/round_new.html",
        {
            "municipality": municipality,
            "form": form,
            "second_step": chosen and (form.defaults is not None or second_step),
        },
    )


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


@login_required
@require_POST
def extend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    collection_round = round_for_management(request.user, slug, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new deadline as a date."))
        return redirect("workflow:detail", slug=slug, pk=pk)
    try:
        round_deadline_extend(
            collection_round=collection_round,
            deadline=form.cleaned_data["deadline"],
            actor=Actor(user=request_user(request)),
        )
    except (TransitionError, ValidationError) as error:
        messages.error(request, "、".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The deadline is changed."))
    return redirect("workflow:detail", slug=slug, pk=pk)


# --- one section's request: entries, steps, history (ADR 7) ------------------------------


def _request_url(req: RoundRequest) -> str:
    return reverse(
        "workflow:request",
        kwargs={"slug": req.municipality.slug, "pk": req.round_id, "section_pk": req.section_id},
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refuse_if_locked(request: HttpRequest, req: RoundRequest) -> HttpResponse | None:
    if request_open(req):
        return None
    messages.error(
        request, _("This request is not open for editing now (submitted, or the round is closed).")
    )
    return redirect(_request_url(req))


@login_required
@require_GET
def request_detail(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    req, scope = request_for_user(request.user, slug, pk, section_pk)
    return _request_page(request, req, may_edit(scope, req) and request_open(req))


def _editor_rows(
    request: HttpRequest, req: RoundRequest, batch: batch_entries.BatchOutcome | None = None
) -> dict[str, object]:
    """The rows of the entries editor, each entry's box set from a refused batch, a draft or the text."""
    rows = selectors.request_rows(req)
    entries = [e for view in rows for e in (*view.results, *view.plans)]
    drafts = batch_entries.drafts_of(request_user(request), entries)
    batch_entries.annotate_entries(entries, drafts=drafts, outcome=batch)
    return {"rows": rows, "has_drafts": bool(drafts), "batch": batch}


def _request_page(
    request: HttpRequest,
    req: RoundRequest,
    can_edit: bool,
    batch: batch_entries.BatchOutcome | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = Actor(user=request_user(request))
    return render(
        request,
        "workflow/request_detail.html",
        {
            "municipality": req.municipality,
            "req": req,
            "round": req.round,
            "can_edit": can_edit,
            **_editor_rows(request, req, batch),
            "goals": selectors.request_goals(req) if req.round.kind in GOAL_ROUND_KINDS else [],
            "sheets": request_sheets(req) if req.round.kind == DocumentKind.POLICY_EVALUATION else [],
            "steps": selectors.request_steps(req),
            "actions": request_actions(req, actor),
            "send_back_form": SendBackForm(),
            "step_form": StepForm(),
            "new_form": EntryNewForm(),
        },
        status=status,
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


_STEP_DONE = {
    "submit": gettext_lazy("Submitted: the section head is asked to approve."),
    "submit_for": gettext_lazy("Submitted on the section's behalf."),
    "approve": gettext_lazy("Approved."),
    "approve_for": gettext_lazy("Approved on the approver's behalf."),
    "accept": gettext_lazy("Accepted by the planning section."),
    "send_back": gettext_lazy("Sent back to the section with your comment."),
    "withdraw": gettext_lazy("The section is withdrawn from the round."),
    "reinstate": gettext_lazy("The section is asked again."),
}


def _take_step(req: RoundRequest, action: str, actor: Actor, comment: str) -> RoundRequest:
    if action in ("submit", "submit_for"):
        return round_request_submit(
            request=req, actor=actor, comment=comment, on_behalf=action == "submit_for"
        )
    if action in ("approve", "approve_for"):
        return round_request_approve(
            request=req, actor=actor, comment=comment, on_behalf=action == "approve_for"
        )
    if action == "accept":
        return round_request_accept(request=req, actor=actor, comment=comment)
    if action == "send_back":
        return round_request_send_back(request=req, actor=actor, comment=comment)
    if action == "withdraw":
        return round_request_withdraw(request=req, actor=actor, comment=comment)
    return round_request_reinstate(request=req, actor=actor, comment=comment)


@login_required
@require_POST
def request_step(request: HttpRequest, slug: str, pk: int, section_pk: int, action: str) -> HttpResponse:
    """Take a step of the ladder; the service checks the role and the status.

    Submitting an empty or untouched answer first asks for confirmation (a second POST
    with ``confirmed``).
    """
    req, _scope = request_for_user(request.user, slug, pk, section_pk)
    actor = Actor(user=request_user(request))
    needs_comment = action in ("send_back", "withdraw", "submit_for", "approve_for")
    form: forms.Form = SendBackForm(request.POST) if needs_comment else StepForm(request.POST)
    if not form.is_valid():
        if needs_comment and not request.POST.get("comment", "").strip():
            messages.error(request, _COMMENT_NEEDED[action])
        else:
            messages.error(request, _("The comment is too long (2,000 characters at most)."))
        return redirect(_request_url(req))
    comment = form.cleaned_data["comment"]
    if action in ("submit", "submit_for") and not request.POST.get("confirmed"):
        warning = selectors.answer_warning(req)
        if warning:
            return render(
                request,
                "workflow/submit_confirm.html",
                {
                    "municipality": req.municipality,
                    "req": req,
                    "round": req.round,
                    "warning": warning,
                    "action": action,
                    "comment": comment,
                },
            )
    try:
        _take_step(req, action, actor, comment)
    except PermissionDenied:
        messages.error(request, _("Your role does not take this step."))
    except (TransitionError, ValidationError):
        messages.error(request, _("This step is not possible in the request's current status."))
    else:
        messages.success(request, str(_STEP_DONE[action]))
    return redirect(_request_url(req))


_COMMENT_NEEDED = {
    "send_back": gettext_lazy("Sending back needs a comment saying what should be fixed."),
    "withdraw": gettext_lazy("Say why the section is withdrawn from the round."),
    "submit_for": gettext_lazy("Say why you take this step on the section's behalf."),
    "approve_for": gettext_lazy("Say why you take this step on the section's behalf."),
}


def _preview_context(collection_round: CollectionRound, form: PublishForm | None) -> dict[str, object]:
    """The would-be revisions, what each changes, and the confirmation form carrying their digest."""
    snapshots = round_snapshots(collection_round)
    if form is None:
        form = PublishForm(initial={"digest": snapshots_digest(snapshots)})
    slug = collection_round.municipality.slug
    previews = []
    for index, snapshot in enumerate(snapshots):
        current = snapshot.current_publication
        document = snapshot.document
        previews.append(
            {
                "index": index,
                "snapshot": snapshot,
                "publication": snapshot.unsaved_publication(),
                "current": current,
                "empty": snapshot.is_empty,
                "unchanged": snapshot.is_unchanged,
                "changes": document_changes(
                    current.document if current else None,
                    snapshot.data(),
                    old_evaluation=current.evaluation if current else None,
                    new_evaluation=snapshot.evaluation,
                ),
                "document": document,
                "rows": goal_rows(document, snapshot.evaluation)
                if isinstance(document, ParsedGoalDeclaration)
                else None,
                "blocks": guideline_blocks(document)
                if isinstance(document, ParsedGuidelineProgress)
                else None,
                "policy": policy_evaluation_context(document, policy_trend(snapshot.unsaved_publication()))
                if isinstance(document, ParsedPolicyEvaluation)
                else None,
                "rollup": snapshot.evaluation.get("rollup"),
                "csv_tables": opendata.csv_links(document.kind),
                "download_base": reverse(
                    "workflow:preview_download",
                    kwargs={"slug": slug, "pk": collection_round.pk, "index": index, "fmt": "pdf"},
                ).removesuffix("pdf"),
            }
        )
    return {
        "municipality": collection_round.municipality,
        "round": collection_round,
        "previews": previews,
        "publishable": any(not p["empty"] and not p["unchanged"] for p in previews)
        and collection_round.requests.filter(status=RequestStatus.ACCEPTED).exists(),
        "form": form,
        "blockers": selectors.publish_blockers(collection_round, timezone.localdate()),
        "withdrawn": list(
            collection_round.requests.filter(status=RequestStatus.WITHDRAWN).select_related("section")
        ),
        "license": opendata.LICENSE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """「公表」: first the exact report citizens will get and what changed, then a confirmation."""
    collection_round = round_for_management(request.user, slug, pk)
    form = PublishForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            published = round_publish(
                collection_round=collection_round,
                actor=Actor(user=request_user(request)),
                expected_digest=form.cleaned_data["digest"],
            )
        except TransitionError as error:
            messages.error(request, str(error))
            form = None  # a fresh preview, with the digest of what stands now
        else:
            if published:
                messages.success(
                    request,
                    ngettext(
                        "Published: the portal shows it now.",
                        "Published %(count)s reports: the portal shows them now.",
                        len(published),
                    )
                    % {"count": len(published)},
                )
            else:
                messages.info(
                    request, _("Nothing changed since the last publication: the current revisions stay.")
                )
            return redirect("workflow:detail", slug=slug, pk=pk)
    return render(request, "workflow/publish_preview.html", _preview_context(collection_round, form))


@login_required
@require_GET
def preview_download(request: HttpRequest, slug: str, pk: int, index: int, fmt: str) -> HttpResponse:
    """A download of the would-be revision, rendered exactly as the portal will render it."""
    collection_round = round_for_management(request.user, slug, pk)
    snapshot = round_snapshot(collection_round, index) if fmt in FORMATS else None
    if snapshot is None:
        raise Http404("No such preview.")
    table = request.GET.get("table") if fmt == "csv" else None
    if table is not None and table not in opendata.CSV_TABLES[snapshot.document.kind]:
        raise Http404("Unknown table.")
    rendered, filename = render_publication(snapshot.unsaved_publication(), fmt, table)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="preview_{filename}"'
    return response


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
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    views = selectors.request_rows(req, only_row=row_pk)
    entries = [e for view in views for e in (*view.results, *view.plans)]
    batch_entries.annotate_entries(
        entries,
        drafts=batch_entries.drafts_of(request_user(request), entries),
        conflict=conflict,
        conflict_entry=conflict_entry,
        mine=mine,
    )
    return render(
        request,
        "workflow/_row.html",
        {
            "view": views[0] if views else None,
            "row_pk": row_pk,
            "req": req,
            "municipality": req.municipality,
            "can_edit": request_open(req),
            "new_form": EntryNewForm(),
            # 「保存しました」 (or the error just added) in the page's live region.
            "saved": saved,
        },
        status=status,
    )


def _after_entry_change(request: HttpRequest, req: RoundRequest, row_pk: int) -> HttpResponse:
    if _is_htmx(request):
        return _row_response(request, req, row_pk, saved=True)
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
    EntryDraft.objects.filter(user=request_user(request), entry=entry).delete()
    return _after_entry_change(request, req, entry.row_id)


@login_required
@require_POST
def entries_save(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """「まとめて保存」: every changed entry of the form in one transaction, or none (issue 10)."""
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if (refused := _refuse_if_locked(request, req)) is not None:
        return refused
    user = request_user(request)
    batch = batch_entries.entries_save(request=req, data=request.POST, user=user, actor=Actor(user=user))
    saved_at = timezone.localtime().strftime("%H:%M")
    if _is_htmx(request):
        return render(
            request,
            "workflow/_entries_editor.html",
            {
                "municipality": req.municipality,
                "req": req,
                "can_edit": True,
                "new_form": EntryNewForm(),
                **_editor_rows(request, req, None if batch.ok else batch),
                "saved": batch.ok,
            },
        )
    if batch.ok:
        messages.success(request, _("Saved (%(time)s)") % {"time": saved_at})
        return redirect(f"{_request_url(req)}#entries")
    return _request_page(request, req, True, batch, status=409 if batch.conflicts or batch.missing else 400)


@login_required
@require_POST
def entries_draft(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    """Autosave: keep the changed boxes as the person's draft (not as the entries)."""
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if not request_open(req):
        return JsonResponse({"kept": [], "message": ""}, status=409)
    kept = batch_entries.drafts_keep(request=req, data=request.POST, user=request_user(request))
    message = _("Draft kept (%(time)s)") % {"time": timezone.localtime().strftime("%H:%M")} if kept else ""
    return JsonResponse({"kept": kept, "message": message})


@login_required
@require_POST
def drafts_discard(request: HttpRequest, slug: str, pk: int, section_pk: int) -> HttpResponse:
    req, _scope = request_for_editing(request.user, slug, pk, section_pk)
    if batch_entries.drafts_discard(request=req, user=request_user(request)):
        messages.info(request, _("The unsaved draft is discarded: the boxes show the saved texts."))
    return redirect(f"{_request_url(req)}#entries")


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
    can_edit = may_edit(scope, req) and request_open(req)
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
            # At the year end, what was said about the goal at the mid-year hearing.
            "recall": mid_year_recall(goal) if req.round.kind == DocumentKind.YEAR_END_RESULTS else None,
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


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """The home page of a member of staff: what waits for me, newest first, each one link away."""
    today = timezone.localdate()
    work = tasks.my_work(request.user, today)
    # The navigation shows the same number: counted here already, not asked again.
    return render(
        request, "workflow/my_work.html", {"work": work, "today": today, "my_work_count": work.count}
    )
