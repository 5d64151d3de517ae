from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.core.figures import Figure, FigureParseError, format_figure, parse_figure
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import FISCAL_YEAR_VALIDATORS, Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement
from shinchoku.progress.models import ProgressEntry
from shinchoku.workflow import selectors
from shinchoku.workflow.models import DocumentKind


def fiscal_year_of(day: date) -> int:
    """The fiscal year (April to March) that ``day`` falls in."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class SectionChoice:
    section: Section
    checked: bool


@dataclass(frozen=True)
class SectionGroup:
    department: Department
    choices: list[SectionChoice]


class RoundOpenForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), validators=FISCAL_YEAR_VALIDATORS)
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    sections = forms.ModelMultipleChoiceField(
        label=_("Sections asked"), queryset=Section.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, municipality: Municipality, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = fiscal_year_of(timezone.localdate())
        self.fields["fiscal_year"].initial = current
        # Rounds for last year's results are opened in April–May: offer its sections too.
        self.offered = list(selectors.sections_to_ask(municipality.pk, current - 1))
        sections_field = self.fields["sections"]
        assert isinstance(sections_field, forms.ModelMultipleChoiceField)
        sections_field.queryset = Section.objects.filter(pk__in=[s.pk for s in self.offered])

    def section_groups(self) -> list[SectionGroup]:
        """The offered sections under their departments, for checkboxes in one fieldset per department."""
        checked = {str(pk) for pk in (self["sections"].value() or [])}
        groups: list[SectionGroup] = []
        for section in self.offered:
            assert section.department is not None  # sections_to_ask offers placed sections only
            if not groups or groups[-1].department.pk != section.department.pk:
                groups.append(SectionGroup(section.department, []))
            groups[-1].choices.append(SectionChoice(section, str(section.pk) in checked))
        return groups


# --- the staff workspace: entries, goals, steps --------------------------------------------


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (what should be fixed)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class StepForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class EntryForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EntryNewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgressEntry.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


def actual_field_name(indicator: Indicator) -> str:
    return f"actual_{indicator.pk}"


class GoalResultsForm(forms.Form):
    """The year-end texts of a goal and the actual figure of each indicator, typed as staff write them."""

    result_text = forms.CharField(
        label=_("Result (取組結果)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    direction_text = forms.CharField(
        label=_("Direction (今後の取組の方向性)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    status_text = forms.CharField(
        label=_("Achievement status (目標達成状況)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, goal: Goal, fiscal_year: int, *args: Any, **kwargs: Any) -> None:
        self.goal = goal
        self.indicators = list(goal.indicators.all())
        measurements = {
            m.indicator_id: m
            for m in Measurement.objects.filter(indicator__in=self.indicators, fiscal_year=fiscal_year)
        }
        kwargs.setdefault(
            "initial",
            {
                "result_text": goal.result_text,
                "direction_text": goal.direction_text,
                "status_text": goal.status_text,
                "version": goal.version,
                **{actual_field_name(i): _measurement_text(measurements.get(i.pk)) for i in self.indicators},
            },
        )
        super().__init__(*args, **kwargs)
        for indicator in self.indicators:
            self.fields[actual_field_name(indicator)] = forms.CharField(
                label=_("Actual: %(indicator)s") % {"indicator": indicator},
                required=False,
                max_length=300,
                help_text=_("As you would write it: １２億７，７００万円, 約450万件, 269億1千万円（見込）"),
            )

    def actual_fields(self) -> list[tuple[Indicator, forms.BoundField]]:
        return [(i, self[actual_field_name(i)]) for i in self.indicators]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed: dict[Indicator, tuple[str, Figure | None]] = {}
        for indicator in self.indicators:
            name = actual_field_name(indicator)
            text = (cleaned.get(name) or "").strip()
            figure, error = parse_actual(text, indicator)
            if error:
                self.add_error(name, error)
            else:
                self.parsed[indicator] = (text, figure)
        return cleaned


def _measurement_text(measurement: Measurement | None) -> str:
    if measurement is None:
        return ""
    if measurement.text:
        return measurement.text
    figure = Figure(
        measurement.value, measurement.indicator.unit, measurement.approximate, measurement.provisional
    )
    return format_figure(figure, style="kanji")


def parse_actual(text: str, indicator: Indicator) -> tuple[Figure | None, str]:
    """The figure typed for ``indicator``, or an error message; an empty text is no figure."""
    if not text:
        return None, ""
    try:
        figure = parse_figure(text)
    except FigureParseError as error:
        return None, str(_("This is not a figure: %(reason)s") % {"reason": error})
    if figure.unit and indicator.unit and figure.unit != indicator.unit:
        return None, str(
            _("The unit %(unit)s does not match the indicator's unit %(expected)s.")
            % {"unit": figure.unit, "expected": indicator.unit}
        )
    if not figure.unit and indicator.unit:
        figure = Figure(figure.value, indicator.unit, figure.approximate, figure.provisional, figure.label)
    return figure, ""
