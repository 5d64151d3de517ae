"""Forms of the mid-year hearing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.core.forms import TextForm
from shinchoku.hearings.models import MidYearStatus
from shinchoku.hearings.selectors import GoalAtMidYear
from shinchoku.plans.models import Indicator
from shinchoku.workflow.forms import clean_figures


def forecast_field_name(indicator: Indicator) -> str:
    return f"forecast_{indicator.pk}"


class MidYearForm(TextForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=MidYearStatus.choices, widget=forms.RadioSelect, required=False
    )
    issues = forms.CharField(
        label=_("Issues and what is done about them"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, state: GoalAtMidYear, *args: Any, **kwargs: Any) -> None:
        self.indicators = list(state.goal.indicators.all())
        report = state.report
        initial: dict[str, Any] = {
            "status": report.status if report else "",
            "issues": report.issues if report else "",
            "version": report.version if report else None,
        }
        for indicator in self.indicators:
            forecast = state.forecasts.get(indicator.pk)
            initial[forecast_field_name(indicator)] = forecast.text or str(forecast.value) if forecast else ""
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for indicator in self.indicators:
            self.fields[forecast_field_name(indicator)] = forms.CharField(
                label=_("Expected year-end figure (見込): %(indicator)s") % {"indicator": indicator},
                required=False,
                max_length=300,
                help_text=_("As you would write it: 約450万件, 12億円"),
            )

    def forecast_fields(self) -> list[forms.BoundField]:
        return [self[forecast_field_name(i)] for i in self.indicators]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed = clean_figures(self, cleaned, self.indicators, forecast_field_name)
        return cleaned


class HearingNoteForm(TextForm):
    department = forms.IntegerField(widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Hearing notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    instructions = forms.CharField(
        label=_("Instructions to the department"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
