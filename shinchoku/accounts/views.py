from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse

from shinchoku.accounts.forms import LOCKED_OUT, LockoutAuthenticationForm


class LoginView(auth_views.LoginView):
    """Django's log-in page with the lockout (docs/adr/0005-login-lockout.md)."""

    form_class = LockoutAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", LOCKED_OUT):
            # 429 lets monitoring tell lockouts from typos; the page is the same form.
            response.status_code = 429
        return response
