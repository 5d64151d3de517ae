from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shinchoku.accounts.forms import LOCKED_OUT, LockoutAuthenticationForm, NewPasswordForm
from shinchoku.accounts.passwords import SESSION_KEY
from shinchoku.accounts.services import password_change_required_clear
from shinchoku.core.audit import Actor


class LoginView(auth_views.LoginView):
    """Django's log-in page with the lockout (docs/adr/0005-login-lockout.md)."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", LOCKED_OUT):
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
