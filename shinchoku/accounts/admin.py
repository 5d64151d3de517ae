from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.accounts.forms import LockoutAdminAuthenticationForm
from shinchoku.accounts.models import LoginFailure, LoginThrottle, PasswordResetIssue

# The admin has its own log-in page: it counts and refuses like /login/, or it
# would be the way around the lockout.
admin.site.login_form = LockoutAdminAuthenticationForm


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Read-only: the record of failed log-ins."""

    list_display = ["failed_at", "username", "ip", "cleared_at"]
    list_filter = ["failed_at"]
    search_fields = ["username", "ip"]
    date_hierarchy = "failed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Read-only: the counters the throttle decides from. Deleting a row lets its username try again."""

    list_display = ["username", "failures", "last_attempt_at", "wait_until"]
    search_fields = ["username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PasswordResetIssue)
class PasswordResetIssueAdmin(admin.ModelAdmin):
    """Read-only: the reset links the planning section had e-mailed."""

    list_display = ["issued_at", "user", "municipality", "issued_by", "email", "completed_at"]
    list_filter = ["municipality"]
    search_fields = ["user__username", "email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of who reset whose password stays
