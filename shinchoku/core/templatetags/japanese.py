"""Template filters for Japanese conventions: era years and figures in the official style."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from shinchoku.core.audit_display import process_label as _process_label
from shinchoku.core.eras import format_date, format_fiscal_year
from shinchoku.core.figures import Figure, format_amount, format_figure

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
    if isinstance(value, str):
        value = date.fromisoformat(value)  # a date as a published document stores it
    if isinstance(value, datetime):
        value = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    try:
        return format_date(value)
    except ValueError:  # before 明治: no era to write it in, shown as it is rather than failing the page
        return value.isoformat()


@register.filter
def process_label(value: str | None) -> str:
    """A process that acted without a person, in words: ``load_demo`` → 「デモデータの読込」."""
    return _process_label(value) if value else ""


def _as_figure(value: Any, unit: str) -> Figure | None:
    if isinstance(value, Figure):
        return value
    if hasattr(value, "value") and hasattr(value, "provisional"):  # a Target or a Measurement
        return Figure(
            Decimal(value.value).normalize(), unit or "", bool(value.approximate), bool(value.provisional)
        )
    try:
        return Figure(Decimal(str(value)).normalize(), unit or "")
    except (InvalidOperation, ValueError):
        return None


@register.filter
def amount(value: Any, unit: str = "") -> str:
    """A figure as the document writes it, its exact value kept in the markup.

    ``{{ target|amount:"円" }}`` → ``<data value="1000000000" title="1,000,000,000円">10億円</data>``;
    ``4238714`` 件 → ``<data value="4238714">4,238,714件</data>`` (the rule is
    ``figures.amount_style``). ``value`` is a Decimal, a number as text, a ``Figure``, or a
    Target/Measurement (its 約 and 見込 are printed). Empty for None: ``—``.
    """
    if value is None or value == "":
        return "—"
    figure = _as_figure(value, unit)
    if figure is None or not figure.value.is_finite():
        return str(value)
    shown = format_amount(figure)
    exact = format_figure(figure)
    raw = format(figure.value, "f")
    if shown == exact:
        return format_html('<data value="{}">{}</data>', raw, shown)
    return format_html('<data value="{}" title="{}">{}</data>', raw, exact, shown)


@register.filter
def filesize(value: int | None) -> str:
    """A download's size as a person reads it beside the link: 「842バイト」「12 KB」「1.4 MB」.

    Whole kilobytes from 10 KB up (a tenth more is noise), one decimal below 10 KB and in MB.
    """
    if value is None:
        return ""
    if value < 1024:
        # 「712バイト」 in Japanese (a bare 「B」 reads as a letter), 「712 bytes」 in English.
        return ngettext("%(count)s byte", "%(count)s bytes", value) % {"count": f"{value:,}"}
    if value < 1024 * 1024:
        kilobytes = value / 1024
        return f"{kilobytes:.1f} KB" if kilobytes < 10 else f"{round(kilobytes):,} KB"
    return f"{value / (1024 * 1024):.1f} MB"
