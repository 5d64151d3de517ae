"""Upload → preview → commit, for the planning section. Thin: services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.imports.access import municipality_for_import, pending_import_for_user
from shinchoku.imports.forms import CommitForm, UploadForm
from shinchoku.imports.models import ImportRecord
from shinchoku.imports.schema import ImportFormatError
from shinchoku.imports.services import (
    AlreadyCommittedError,
    DocumentWarningsError,
    OtherMunicipalityError,
    UploadQuotaError,
    import_preview,
    pending_import_commit,
    pending_import_create,
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
        request, "imports/upload.html", {"municipality": municipality, "form": form, "history": history}
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
        messages.error(request, str(error))
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
