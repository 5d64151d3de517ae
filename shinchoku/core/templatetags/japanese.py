"""Template filters for Japanese conventions: era years and figures in the official style."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from shinchoku.core.audit_display import process_label as _process_label
from shinchoku.core.eras import format_date, format_fiscal_year

register = template.Library()


@register.filter
def fiscal_year(value: int | None) -> str:
    """2019 → 令和元年度; empty for None."""
    return format_fiscal_year(value) if value else ""


@register.filter
def wareki(value: date | datetime | None) -> str:
    """A date (or a moment, in Japan time) in 和暦: 令和8年12月2日, 令和8年12月2日 15:04."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_date(local.date())} {local:%H:%M}"
    return format_date(value)


@register.filter
def wareki_date(value: date | datetime | None) -> str:
    """The day only, in 和暦 (a moment is taken in Japan time): 令和8年12月2日."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return format_date(value)


@register.filter
def process_label(value: str | None) -> str:
    """A process that acted without a person, in words: ``load_demo`` → 「デモデータの読込」."""
    return _process_label(value) if value else ""
