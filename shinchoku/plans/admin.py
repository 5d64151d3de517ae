from django.contrib import admin

from shinchoku.core.admin_audit import AuditedAdmin
from shinchoku.plans.models import Classification, Indicator, Measurement, Plan, PlanNode, Target


class ClassificationInline(admin.TabularInline):
    model = Classification
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["name", "kind", "municipality", "start_year", "end_year"]
    list_filter = ["municipality", "kind"]
    inlines = [ClassificationInline]


@admin.register(PlanNode)
class PlanNodeAdmin(AuditedAdmin):
    list_display = ["path", "label", "title", "kind", "plan"]
    list_filter = ["plan", "kind"]
    search_fields = ["title", "body"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["name", "unit", "direction", "formula", "municipality"]
    list_filter = ["municipality", "direction", "formula"]
    search_fields = ["name"]
    inlines = [TargetInline, MeasurementInline]
