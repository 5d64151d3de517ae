from django.contrib import admin

from shinchoku.core.admin_audit import AuditedAdmin
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    DepartmentSuccession,
    FiscalYear,
    Membership,
    Municipality,
    Section,
    SectionAlias,
    SectionSuccession,
)


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["code", "prefecture", "name", "slug"]
    search_fields = ["code", "name"]


@admin.register(FiscalYear)
class FiscalYearAdmin(AuditedAdmin):
    list_display = ["municipality", "year", "label"]
    list_filter = ["municipality"]


class SectionAliasInline(admin.TabularInline):
    model = SectionAlias
    extra = 0


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    extra = 0


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "municipality", "valid_from", "valid_to", "position"]
    list_filter = ["municipality"]
    search_fields = ["name", "aliases__name"]
    inlines = [DepartmentAliasInline]


@admin.register(Section)
class SectionAdmin(AuditedAdmin):
    list_display = ["name", "department", "municipality", "valid_from", "valid_to", "position"]
    list_filter = ["municipality", "department"]
    search_fields = ["name", "aliases__name"]
    list_select_related = ["department", "municipality"]
    inlines = [SectionAliasInline]


@admin.register(SectionSuccession)
class SectionSuccessionAdmin(AuditedAdmin):
    list_display = ["predecessor", "kind", "successor", "fiscal_year"]
    list_filter = ["municipality", "kind"]


@admin.register(DepartmentSuccession)
class DepartmentSuccessionAdmin(AuditedAdmin):
    list_display = ["predecessor", "kind", "successor", "fiscal_year"]
    list_filter = ["municipality", "kind"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "role", "municipality", "department", "section", "valid_from", "valid_to"]
    list_filter = ["municipality", "role"]
    search_fields = ["user__username"]
