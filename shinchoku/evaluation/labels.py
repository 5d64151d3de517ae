"""Translatable words for what the pure modules name with codes (states, reasons, band ranges)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shinchoku.evaluation.formulas import Reason
from shinchoku.evaluation.scales import Scale

STATE_LABELS: dict[str, Promise] = {
    "final": _("final"),
    "provisional": _("provisional (見込)"),
    "not_evaluable": _("not evaluable (評価不能)"),
    "awaiting_person": _("waiting for a person's grade"),
    "graded_by_person": _("graded by a person"),
}

# The same sentences as formulas.REASON_TEXT, marked for translation.
REASON_LABELS: dict[Reason, Promise] = {
    Reason.NO_TARGET: _("No target for the year."),
    Reason.NO_ACTUAL: _("No actual for the year."),
    Reason.NO_BASELINE: _("No baseline."),
    Reason.NO_PREVIOUS: _("No actual for the previous year to compare with."),
    Reason.TARGET_NOT_POSITIVE: _("The target is zero or negative: actual ÷ target means nothing."),
    Reason.TARGET_EQUALS_BASELINE: _("The target equals the baseline: use a maintain formula."),
    Reason.TARGET_NOT_BELOW_BASELINE: _("Decrease is better, but the target is not below the baseline."),
    Reason.INVALID_FIGURE: _("A figure is not a number."),
    Reason.OUT_OF_RANGE: _("The figures are too large or too small to compute a rate."),
    Reason.MISSING_YEARS: _("The actual of an earlier year of the period is missing."),
    Reason.OUTSIDE_PERIOD: _("The year is outside the indicator's period."),
    Reason.UNKNOWN_FORMULA: _("The indicator's formula is unknown."),
    Reason.QUALITATIVE: _("Qualitative or milestone target: graded by a person."),
    Reason.MET_OR_NOT: _("Judged met or not met; no rate."),
    Reason.NO_BASELINE_MET_OR_NOT: _("No baseline: judged met or not met against the target; no rate."),
}


def _percent(value: Decimal) -> str:
    """100 → 「100%」, 0.5 → 「0.5%」, 1000 → 「1,000%」."""
    return f"{value.normalize():,f}%" if value == value.to_integral_value() else f"{value:,}%"


def range_words(scale: Scale, index: int) -> str:
    """A band's range in words, as the band descriptions write it: 「100%以上」「70%以上100%未満」「70%未満」.

    The bounds are the band's lower bound and the lower bound of the band above it
    (``Scale.range_text`` gives the same range in symbols, for the command line).
    """
    band = scale.bands[index]
    above = scale.bands[index - 1] if index > 0 else None
    upper = above.lower if above is not None else None
    # The band above takes its bound when it is inclusive: this band stops below it.
    below_upper = above is not None and above.lower_inclusive
    if band.lower is None:
        if upper is None:
            return "—"
        if below_upper:
            return gettext("less than %(upper)s") % {"upper": _percent(upper)}
        return gettext("%(upper)s or less") % {"upper": _percent(upper)}
    lower = _percent(band.lower)
    if upper is None:
        if band.lower_inclusive:
            return gettext("%(lower)s or more") % {"lower": lower}
        return gettext("more than %(lower)s") % {"lower": lower}
    if upper == band.lower:
        return gettext("exactly %(value)s") % {"value": lower}
    values = {"lower": lower, "upper": _percent(upper)}
    if band.lower_inclusive:
        if below_upper:
            return gettext("%(lower)s or more and less than %(upper)s") % values
        return gettext("%(lower)s or more and %(upper)s or less") % values
    if below_upper:
        return gettext("more than %(lower)s and less than %(upper)s") % values
    return gettext("more than %(lower)s and %(upper)s or less") % values
