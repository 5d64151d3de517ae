from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.publishing.models import Publication


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Read-only: publishing goes through the publish service, revisions never change."""

    list_display = ["title", "fiscal_year", "kind", "department", "revision", "is_current", "published_at"]
    list_filter = ["municipality", "kind", "fiscal_year", "is_current"]
    exclude = ["document"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
