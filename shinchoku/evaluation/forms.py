"""Forms of the evaluation pages: they parse input; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.core.forms import TextForm
from shinchoku.evaluation.models import MilestoneStatus
from shinchoku.evaluation.quality import ReportKind
from shinchoku.plans.models import Indicator

REPORT_KINDS: list[tuple[ReportKind, str]] = [
    ("goal_declaration", "goal_declaration"),
    ("guideline_progress", "guideline_progress"),
]


class DismissFindingForm(TextForm):
    report_kind = forms.ChoiceField(choices=REPORT_KINDS, widget=forms.HiddenInput)
    report_id = forms.IntegerField(widget=forms.HiddenInput)
    fiscal_year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    fingerprint = forms.CharField(max_length=255, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RestoreFindingForm(TextForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class ManualGradeForm(TextForm):
    fiscal_year = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("Grade"))
    milestone_status = forms.ChoiceField(
        label=_("Progress"), choices=[("", "—"), *MilestoneStatus.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, grades: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, g) for g in grades]  # type: ignore[attr-defined]


class IndicatorFormulaForm(TextForm):
    formula = forms.ChoiceField(label=_("Formula"), choices=Indicator.Formula.choices)
    reported_as_change = forms.BooleanField(label=_("Actual reported as the change"), required=False)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=9, decimal_places=3)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
