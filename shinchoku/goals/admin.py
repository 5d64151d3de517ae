from django.contrib import admin

from shinchoku.core.admin_audit import AuditedAdmin
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    fields = ["number", "title", "content", "target_text", "result_text", "direction_text", "status_text"]


@admin.register(GoalDeclaration)
class GoalDeclarationAdmin(AuditedAdmin):
    list_display = ["__str__", "fiscal_year", "department", "declarer_name", "municipality"]
    list_filter = ["municipality", "fiscal_year"]
    inlines = [GoalInline]


class GoalSectionInline(admin.TabularInline):
    model = GoalSection
    extra = 0


@admin.register(Goal)
class GoalAdmin(AuditedAdmin):
    list_display = ["number", "title", "declaration", "stated_grade"]
    list_filter = ["declaration__municipality", "declaration__fiscal_year"]
    search_fields = ["title", "content", "result_text"]
    inlines = [GoalSectionInline]
    filter_horizontal = ["indicators"]
