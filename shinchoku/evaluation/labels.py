"""Translatable words for what the pure modules name with codes (states, reasons)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shinchoku.evaluation.formulas import Reason

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
