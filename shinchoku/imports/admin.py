from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shinchoku.imports.models import ImportRecord


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = [
        "imported_at",
        "source_name",
        "kind",
        "municipality",
        "actor",
        "created",
        "updated",
        "deleted",
        "other_municipality_confirmed",
    ]
    list_filter = ["municipality", "kind", "other_municipality_confirmed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
