from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.workflow.models import CollectionRound, Reminder, RoundRequest


class _ReadOnly(admin.ModelAdmin):
    """Rounds change through their services (audited); the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CollectionRound)
class CollectionRoundAdmin(_ReadOnly):
    list_display = ["title", "municipality", "fiscal_year", "kind", "deadline", "status"]
    list_filter = ["municipality", "kind", "status"]


@admin.register(RoundRequest)
class RoundRequestAdmin(_ReadOnly):
    list_display = ["round", "section", "status", "submitted_at", "accepted_at"]
    list_filter = ["status", "round__municipality"]


@admin.register(Reminder)
class ReminderAdmin(_ReadOnly):
    list_display = ["sent_at", "request", "kind", "sent_on"]
    list_filter = ["kind", "sent_on"]
