"""「APIトークン」: each member of staff makes, lists and revokes their own access tokens. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from shinchoku.api.forms import TokenCreateForm
from shinchoku.api.selectors import token_of_owner, tokens_of
from shinchoku.api.services import NewToken, access_token_create, access_token_revoke
from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user


def _page(
    request: HttpRequest, form: TokenCreateForm, new: NewToken | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new": new,
            "tokens": list(tokens_of(user)),
            "now": timezone.now(),
            "docs_url": reverse("api_v1:docs"),
            "breadcrumbs": [(_("API access tokens"), None)],
        },
        status=status,
    )


@never_cache  # the page that shows a new token's secret is kept by no cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    user = request_user(request)
    new = access_token_create(
        user=user,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        lifetime_days=form.cleaned_data["lifetime_days"],
        actor=Actor(user=user),
    )
    # Shown on this answer only (not after a redirect): the secret is never stored.
    return _page(request, TokenCreateForm(), new=new)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    token = token_of_owner(user, pk)
    if access_token_revoke(token=token, actor=Actor(user=user)):
        messages.success(
            request, _("The token 「%(name)s」 is revoked: it no longer works.") % {"name": token.name}
        )
    return redirect("api_tokens")
