"""A temporary password must be changed before anything else (docs/adr/0008-city-set-up.md).

At log-in (through any door: the log-in page, the admin's, a test's force_login)
the session learns whether a change is due; the middleware then sends every page
to the password change until it is done. Reading the flag from the session costs
no query per request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from shinchoku.accounts.models import PasswordChangeRequired

SESSION_KEY = "shinchoku_password_change_required"


def remember_password_change_due(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | AnonymousUser, **kwargs: Any
) -> None:
    """``user_logged_in`` receiver: note in the session that this user must change their password."""
    if request is None or not hasattr(request, "session") or user.pk is None:
        return
    if PasswordChangeRequired.objects.filter(user_id=user.pk).exists():
        request.session[SESSION_KEY] = True
    else:
        request.session.pop(SESSION_KEY, None)


class PasswordChangeRequiredMiddleware:
    """Every page but the password change, log-out and the language switch leads to the password change."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(SESSION_KEY) and request.user.is_authenticated:
            allowed = {
                reverse("password_change"),
                reverse("logout"),
                reverse("set_language"),
                reverse("language"),
            }
            if request.path_info not in allowed:
                target = f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}"
                if request.headers.get("HX-Request"):
                    # htmx would swap the page into a fragment: make the browser go there instead.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)
