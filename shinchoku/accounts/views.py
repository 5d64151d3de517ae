"""Accounts pages: log-in, password change, the planning section's users list and reset links. Thin views."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shinchoku.accounts import selectors
from shinchoku.accounts.forms import LOCKED_OUT, NETWORK_THROTTLED, LockoutAuthenticationForm, NewPasswordForm
from shinchoku.accounts.passwords import SESSION_KEY
from shinchoku.accounts.services import (
    NoEmailAddressError,
    password_change_required_clear,
    password_reset_complete,
    password_reset_link_send,
)
from shinchoku.core.audit import Actor
from shinchoku.core.http import request_user
from shinchoku.organizations.access import PLANNING_ROLES, municipality_for_roles

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """Django's log-in page with the lockout (docs/adr/0005-login-lockout.md)."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", LOCKED_OUT) or form.has_error("__all__", NETWORK_THROTTLED):
            # 429 lets monitoring tell lockouts from typos; the page is the same form.
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """「パスワード変更」 for every user; the only page open to one who holds a temporary password."""

    template_name = "accounts/password_change.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("home")  # unless the page that sent the user here is named in ?next=

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["required"] = bool(self.request.session.get(SESSION_KEY))
        context["next"] = self._next()
        return context

    def _next(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return ""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        super().form_valid(form)  # saves the password and keeps this session logged in
        password_change_required_clear(user=form.user, actor=Actor(user=form.user, label="password change"))
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self._next() or "home")


@login_required
@require_GET
def users(request: HttpRequest, slug: str) -> HttpResponse:
    """The municipality's users, each with the button that e-mails them a reset link (planning section only)."""
    municipality = municipality_for_roles(request.user, slug, PLANNING_ROLES)
    people = selectors.municipality_users(municipality, timezone.localdate())
    return render(request, "accounts/users.html", {"municipality": municipality, "people": people})


@login_required
@require_POST
def password_reset_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = municipality_for_roles(request.user, slug, PLANNING_ROLES)
    user = selectors.municipality_user(municipality, pk, timezone.localdate())
    values = {"user": user.get_full_name() or user.username, "email": user.email}
    try:
        password_reset_link_send(
            user=user, municipality=municipality, actor=Actor(user=request_user(request))
        )
    except NoEmailAddressError:
        messages.error(
            request,
            _("%(user)s has no e-mail address, so no link was sent. Add the address in the users file first.")
            % values,
        )
    except (smtplib.SMTPException, OSError):
        # Unlike a workflow notice, this mail is the whole point: say it did not go.
        logger.exception("Password reset mail for user %s not sent", user.pk)
        messages.error(
            request,
            _("The e-mail to %(email)s could not be sent, so no link was issued. Try again later.") % values,
        )
    else:
        messages.success(
            request, _("A link to set a new password was e-mailed to %(user)s (%(email)s).") % values
        )
    return redirect("accounts:users", slug=municipality.slug)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The page a reset link opens: choose a new password, then log in with it."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)  # saves the password; the link stops working
        password_reset_complete(user=form.user)
        messages.success(self.request, _("Your new password is set. Log in with it."))
        return response
