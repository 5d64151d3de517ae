"""Filters of the evaluation pages: figures with thousands separators, rates, states and reasons."""

from __future__ import annotations

from decimal import Decimal

from django import template

from shinchoku.evaluation.formulas import Reason
from shinchoku.evaluation.labels import REASON_LABELS, STATE_LABELS

register = template.Library()


@register.filter
def figure(value: Decimal | None) -> str:
    """4500000.000000 → 4,500,000; None → —."""
    if value is None:
        return "—"
    return format(value.normalize(), ",f")


@register.filter
def percent(value: Decimal | None) -> str:
    """1286.0 → 1,286.0%; None → —."""
    return "—" if value is None else f"{value:,}%"


@register.filter
def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


@register.filter
def reason_label(reason: Reason | None) -> str:
    return "" if reason is None else str(REASON_LABELS.get(reason, reason))
