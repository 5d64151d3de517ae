from django.contrib import admin

from shinchoku.core.admin_audit import AuditedAdmin
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry


class ProgressEntryInline(admin.StackedInline):
    model = ProgressEntry
    extra = 0


@admin.register(InitiativeRow)
class InitiativeRowAdmin(AuditedAdmin):
    list_display = ["initiative", "fiscal_year", "classification", "position"]
    list_filter = ["fiscal_year", "classification"]
    inlines = [ProgressEntryInline]


class EntryResponsibleInline(admin.TabularInline):
    model = EntryResponsible
    extra = 0


@admin.register(ProgressEntry)
class ProgressEntryAdmin(AuditedAdmin):
    list_display = ["text", "kind", "fiscal_year", "row"]
    list_filter = ["kind", "fiscal_year"]
    search_fields = ["text"]
    inlines = [EntryResponsibleInline]
