"""Grade scales are edited here (audited); grades and dismissals are read here, written by services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from shinchoku.core.admin_audit import AuditedAdmin
from shinchoku.evaluation.models import FindingDismissal, GradeBand, GradeScale, ManualGrade
from shinchoku.evaluation.scales import Band, Scale


class GradeBandFormSet(BaseInlineFormSet):
    """The bands kept must make a usable scale: bounds going down, the last one unbounded."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda data: data.get("position") or 0)
        bands = tuple(
            Band(
                label=data.get("label") or "",
                lower=data.get("lower_bound"),
                lower_inclusive=bool(data.get("lower_inclusive")),
            )
            for data in kept
        )
        scale: GradeScale = self.instance
        errors = Scale(scale.name, bands, scale.not_evaluable_label).errors()
        if errors:
            raise ValidationError(errors)


class GradeBandInline(admin.TabularInline):
    model = GradeBand
    formset = GradeBandFormSet
    extra = 0
    fields = ["position", "label", "lower_bound", "lower_inclusive", "description"]


@admin.register(GradeScale)
class GradeScaleAdmin(AuditedAdmin):
    list_display = ["name", "municipality", "plan", "fiscal_year", "is_default"]
    list_filter = ["municipality", "is_default"]
    inlines = [GradeBandInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by services (with a reason and an audit row); the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ManualGrade)
class ManualGradeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "fiscal_year", "grade", "milestone_status", "graded_by", "updated_at"]
    list_filter = ["municipality", "fiscal_year"]


@admin.register(FindingDismissal)
class FindingDismissalAdmin(ReadOnlyAdmin):
    list_display = ["object_repr", "kind", "reason", "dismissed_by", "created_at"]
    list_filter = ["municipality", "kind"]
