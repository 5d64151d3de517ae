"""Template filters for Japanese conventions: era years and figures in the official style."""

from __future__ import annotations

from django import template

from shinchoku.core.eras import format_fiscal_year

register = template.Library()


@register.filter
def fiscal_year(value: int | None) -> str:
    """2019 → 令和元年度; empty for None."""
    return format_fiscal_year(value) if value else ""
