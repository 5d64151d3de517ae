"""The organisation master page: download, upload → preview → confirm. Thin: master.py does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.core.tables import TableError
from shinchoku.organizations import selectors
from shinchoku.organizations.access import municipality_for_master, organization_upload_for_user
from shinchoku.organizations.forms import MasterConfirmForm, MasterUploadForm, MunicipalityForm
from shinchoku.organizations.master import (
    LAYOUT,
    AlreadyAppliedError,
    MasterChangedError,
    master_export,
    organization_upload_apply,
    organization_upload_create,
    organization_upload_plan,
)
from shinchoku.organizations.models import OrganizationUpload
from shinchoku.organizations.services import AlreadySetUpError, municipality_set_up

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """The first run: a system administrator creates the municipality. Gone once one exists."""
    if selectors.municipality_exists():
        raise Http404("The municipality has been set up.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_superuser:
        raise PermissionDenied("Only a system administrator sets up the municipality.")
    form = MunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        try:
            municipality = municipality_set_up(
                **form.cleaned_data, administrator=user, actor=Actor(user=user, label="first-run set-up")
            )
        except AlreadySetUpError:
            raise Http404("The municipality has been set up.") from None
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(municipality)s is set up. Next, import its organisation master.")
                % {"municipality": municipality},
            )
            return redirect("organizations:upload", slug=municipality.slug)
    return render(request, "organizations/setup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_for_master(request.user, slug)
    form = MasterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        pending = organization_upload_create(
            municipality=municipality,
            user=request_user(request),
            upload_name=file.name,
            data=file.read(),
            fiscal_year=form.cleaned_data["fiscal_year"],
        )
        return redirect("organizations:preview", slug=slug, pk=pending.pk)
    history = OrganizationUpload.objects.filter(municipality=municipality).select_related("uploaded_by")[:20]
    return render(
        request,
        "organizations/upload.html",
        {"municipality": municipality, "form": form, "history": history, "layout": LAYOUT},
    )


@login_required
@require_GET
def preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pending = organization_upload_for_user(request.user, slug, pk)
    context: dict[str, object] = {"municipality": pending.municipality, "pending": pending}
    if not pending.applied:
        try:
            plan = organization_upload_plan(upload=pending)
        except TableError as error:
            context["problems"] = error.problems
        else:
            context["plan"] = plan
            context["stale"] = plan.fingerprint != pending.master_fingerprint
            context["form"] = MasterConfirmForm(initial={"digest": plan.digest()})
    return render(request, "organizations/preview.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pending = organization_upload_for_user(request.user, slug, pk)
    form = MasterConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was applied: confirm from the preview."))
        return redirect("organizations:preview", slug=slug, pk=pk)
    user = request_user(request)
    try:
        plan = organization_upload_apply(
            upload=pending,
            digest=form.cleaned_data["digest"],
            actor=Actor(user=user, label="organisation master"),
        )
    except AlreadyAppliedError:
        messages.error(request, _("This file has already been applied."))
        return redirect("organizations:preview", slug=slug, pk=pk)
    except MasterChangedError:
        messages.error(
            request,
            _(
                "Nothing was applied: the organisation master has changed since this preview. "
                "Upload the file again to see what it would change now."
            ),
        )
        return redirect("organizations:upload", slug=slug)
    except TableError:
        return redirect("organizations:preview", slug=slug, pk=pk)
    messages.success(
        request,
        _("Applied %(file)s: %(summary)s.") % {"file": pending.source_name, "summary": plan.summary()},
    )
    return redirect("organizations:upload", slug=slug)


@login_required
@require_GET
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    municipality = municipality_for_master(request.user, slug)
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format.")
    response = HttpResponse(master_export(municipality, format=fmt), content_type=CONTENT_TYPES[fmt])
    name = f"{municipality.slug}-organization-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
