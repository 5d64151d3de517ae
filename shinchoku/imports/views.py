"""Upload → preview → commit, for the planning section. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.documents.schema import ImportFormatError
from shinchoku.imports.access import (
    municipality_for_import,
    pending_import_for_user,
    unconfirmed_imports_for_user,
)
from shinchoku.imports.corrections import CorrectionError, Record, editable_values, field_edits, line_checked
from shinchoku.imports.forms import (
    FIELD_LABELS,
    CommitForm,
    LineCheckForm,
    MappingForm,
    RecordForm,
    UploadForm,
)
from shinchoku.imports.mapped_tables import COLUMNS, RawTable
from shinchoku.imports.models import ImportRecord
from shinchoku.imports.selectors import correction_lines, record_views, source_lines
from shinchoku.imports.services import (
    AlreadyCommittedError,
    DocumentWarningsError,
    OtherMunicipalityError,
    UploadQuotaError,
    column_mapping_offer,
    import_preview,
    pending_document,
    pending_import_commit,
    pending_import_correct,
    pending_import_create,
    pending_import_map,
)
from shinchoku.imports.warnings import ignored_reason
from shinchoku.organizations.services import UnknownDepartmentError, UnknownSectionsError


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_for_import(request.user, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pending = pending_import_create(
                municipality=municipality,
                user=request_user(request),
                upload_name=upload.name,
                data=upload.read(),
            )
        except UploadQuotaError as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:preview", slug=slug, pk=pending.pk)
    history = ImportRecord.objects.filter(municipality=municipality).select_related("actor")[:20]
    return render(
        request,
        "imports/upload.html",
        {
            "municipality": municipality,
            "form": form,
            "history": history,
            "unconfirmed": unconfirmed_imports_for_user(request.user, slug),
        },
    )


@login_required
@require_http_methods(["GET"])
def preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pending = pending_import_for_user(request.user, slug, pk)
    context: dict[str, object] = {"municipality": pending.municipality, "pending": pending}
    if not pending.committed:
        preview = import_preview(pending=pending, actor=Actor(user=request_user(request), label="preview"))
        context["preview"] = preview
        context["form"] = CommitForm(ownership=preview.ownership)
        if preview.result is not None:
            context["corrections"] = correction_lines(pending.corrections)
            context["records"] = record_views(preview.result.document, source_lines(pending), FIELD_LABELS)
            context["ignored"] = [
                {"line": i.line, "text": i.text, "why": ignored_reason(i)}
                for i in preview.result.document.ignored
            ]
    return render(request, "imports/preview.html", context)


@login_required
@require_POST
def commit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pending = pending_import_for_user(request.user, slug, pk)
    form = CommitForm(request.POST)
    confirmed = form.cleaned_data if form.is_valid() else {}
    try:
        result = pending_import_commit(
            pending=pending,
            actor=Actor(user=request_user(request), label="web import"),
            create_missing=bool(confirmed.get("confirm_new_sections")),
            accept_other_municipality=bool(confirmed.get("confirm_other_municipality")),
            accept_warnings=bool(confirmed.get("confirm_warnings")),
        )
    except DocumentWarningsError:
        messages.error(request, _("Nothing was imported: check the lines listed and confirm first."))
        return redirect("imports:preview", slug=slug, pk=pk)
    except OtherMunicipalityError as error:
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": error})
        return redirect("imports:preview", slug=slug, pk=pk)
    except (UnknownSectionsError, UnknownDepartmentError):
        messages.error(request, _("Nothing was imported: confirm the new sections first."))
        return redirect("imports:preview", slug=slug, pk=pk)
    except ImportFormatError as error:
        messages.error(request, error.text())
        return redirect("imports:preview", slug=slug, pk=pk)
    except AlreadyCommittedError:
        messages.error(request, _("This file has already been imported."))
        return redirect("imports:preview", slug=slug, pk=pk)
    summary = result.summary
    messages.success(
        request,
        _("Imported %(name)s: %(created)d created, %(updated)d updated, %(deleted)d deleted.")
        % {
            "name": pending.source_name,
            "created": sum(summary.created.values()),
            "updated": sum(summary.updated.values()),
            "deleted": sum(summary.deleted.values()),
        },
    )
    return redirect("imports:upload", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, slug: str, pk: int, record: str) -> HttpResponse:
    """Correct one goal or initiative as it was read; the correction is kept, nothing is imported yet."""
    pending = pending_import_for_user(request.user, slug, pk)
    if pending.committed or pending.document is None:
        return redirect("imports:preview", slug=slug, pk=pk)
    try:
        target = Record.from_slug(record)
        document = pending_document(pending)
        values = editable_values(document, target)
    except (ValueError, LookupError):
        raise Http404("No such record in this upload.") from None
    form = RecordForm(request.POST or None, values=values)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        try:
            edits = field_edits(
                document,
                target,
                form.cleaned_data,
                by=user.get_full_name() or user.username,
                at=timezone.now().isoformat(),
            )
            pending_import_correct(pending=pending, corrections=edits)
        except CorrectionError as error:
            form.add_error(
                error.field if error.field in form.fields else None,
                _("A figure could not be read, line %(line)s: %(reason)s")
                % {"line": error.line, "reason": error.message},
            )
        except AlreadyCommittedError:
            messages.error(request, _("This file has already been imported."))
            return redirect("imports:preview", slug=slug, pk=pk)
        else:
            if edits:
                messages.success(request, _("The correction is kept; it is applied when you import."))
            return redirect(f"{reverse('imports:preview', args=[slug, pk])}#{target.slug}")
    lines = source_lines(pending)
    view = next((v for v in record_views(document, lines, FIELD_LABELS) if v.record == target), None)
    return render(
        request,
        "imports/record_edit.html",
        {"municipality": pending.municipality, "pending": pending, "form": form, "view": view},
    )


@login_required
@require_POST
def line_check(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A person checked a warned line: it is read right (or, not placed: it is not content)."""
    pending = pending_import_for_user(request.user, slug, pk)
    form = LineCheckForm(request.POST)
    if form.is_valid() and not pending.committed:
        user = request_user(request)
        try:
            pending_import_correct(
                pending=pending,
                corrections=[
                    line_checked(
                        form.cleaned_data["line"],
                        form.cleaned_data["code"],
                        by=user.get_full_name() or user.username,
                        at=timezone.now().isoformat(),
                    )
                ],
            )
        except AlreadyCommittedError:
            messages.error(request, _("This file has already been imported."))
    return redirect(f"{reverse('imports:preview', args=[slug, pk])}#warnings-heading")


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Say which column of a city's own table is which field; the mapping is kept for next time."""
    pending = pending_import_for_user(request.user, slug, pk)
    if pending.committed or pending.table is None:
        return redirect("imports:preview", slug=slug, pk=pk)
    table = RawTable.from_json(pending.table)
    previous = pending.table.get("mapping") or {}
    kind = request.GET.get("kind") or previous.get("kind") or "goal_declaration"
    if kind not in COLUMNS:
        raise Http404("No such kind of document.")
    if previous.get("kind") == kind:
        initial, meta = {k: int(v) for k, v in previous["columns"].items()}, dict(previous["meta"])
    else:
        initial, meta = column_mapping_offer(pending.municipality, table, kind), {}
    form = MappingForm(
        request.POST or None, kind=kind, headers=table.headers, initial_columns=initial, meta=meta
    )
    if request.method == "POST" and form.is_valid():
        try:
            pending_import_map(
                pending=pending,
                kind=kind,
                columns=form.columns(),
                meta=form.meta(),
                user=request_user(request),
            )
        except ImportFormatError as error:
            form.add_error(None, error.text())
        except AlreadyCommittedError:
            messages.error(request, _("This file has already been imported."))
            return redirect("imports:preview", slug=slug, pk=pk)
        else:
            return redirect("imports:preview", slug=slug, pk=pk)
    return render(
        request,
        "imports/mapping.html",
        {
            "municipality": pending.municipality,
            "pending": pending,
            "form": form,
            "kind": kind,
            "headers": table.headers,
            "sample": table.rows[:3],
        },
    )
