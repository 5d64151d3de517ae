from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched but never added to, edited or deleted here."""

    list_display = [
        "occurred_at",
        "actor",
        "actor_label",
        "action",
        "object_repr",
        "field",
        "old_value",
        "new_value",
    ]
    list_filter = ["action", "content_type", "municipality"]
    search_fields = ["object_repr", "field", "old_value", "new_value", "actor_label"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
