"""Forms of the goal declaration at the start of the year. Choices come in as lists, so a page
with many goals costs no query per form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.core.figures import Figure, FigureParseError, format_figure, parse_figure
from shinchoku.core.forms import TextForm
from shinchoku.organizations.models import FISCAL_YEAR_VALIDATORS, Department, Section
from shinchoku.plans.models import Indicator, Target

FIGURE_HELP = _("As you would write it: 450万件, １０億円, 約89.9%, 269億1千万円")


def parse_typed_figure(text: str) -> tuple[Figure | None, str]:
    """The figure typed in a field, or an error message; an empty text is no figure."""
    text = text.strip()
    if not text:
        return None, ""
    try:
        return parse_figure(text), ""
    except FigureParseError as error:
        return None, str(_("This is not a figure: %(reason)s") % {"reason": error.message})


def figure_text(value: Any, unit: str, *, approximate: bool = False, provisional: bool = False) -> str:
    if value is None:
        return ""
    return format_figure(Figure(value.normalize(), unit, approximate, provisional), style="kanji")


def target_text(target: Target | None, unit: str) -> str:
    if target is None:
        return ""
    return target.text or figure_text(
        target.value, unit, approximate=target.approximate, provisional=target.provisional
    )


class DeclarationNewForm(TextForm):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), validators=FISCAL_YEAR_VALIDATORS)
    department = forms.TypedChoiceField(label=_("Department"), coerce=int)
    title = forms.CharField(label=_("Title (optional)"), max_length=300, required=False)
    declarer_position = forms.CharField(
        label=_("Declarer's position"),
        max_length=100,
        required=False,
        help_text=_("Left empty: the department's head (企画部 → 企画部長)."),
    )
    declarer_name = forms.CharField(label=_("Declarer's name"), max_length=100, required=False)

    def __init__(self, departments: list[Department], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {d.pk: d for d in departments}
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.pk, d.name) for d in departments]


class DeclarationForm(TextForm):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    declarer_position = forms.CharField(label=_("Declarer's position"), max_length=100)
    declarer_name = forms.CharField(label=_("Declarer's name"), max_length=100, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class GoalForm(TextForm):
    """A goal as declared: title, responsible sections (of the department, valid that year), content, target."""

    title = forms.CharField(label=_("Title (取組名)"), max_length=300)
    sections = forms.TypedMultipleChoiceField(
        label=_("Responsible sections"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    content = forms.CharField(
        label=_("Content (取組内容)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_text = forms.CharField(
        label=_("Target (達成目標)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, sections: list[Section], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section_map = {s.pk: s for s in sections}
        field = self.fields["sections"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(s.pk, s.name) for s in sections]

    def chosen_sections(self) -> list[Section]:
        return [self.section_map[pk] for pk in self.cleaned_data["sections"]]

    def checked(self) -> set[str]:
        return {str(v) for v in (self["sections"].value() or [])}


class IndicatorForm(TextForm):
    name = forms.CharField(label=_("Indicator"), max_length=300)
    unit = forms.CharField(
        label=_("Unit"), max_length=30, required=False, help_text=_("Left empty: the unit of the figures.")
    )
    direction = forms.ChoiceField(
        label=pgettext_lazy("indicator", "Direction"), choices=Indicator.Direction.choices
    )
    formula = forms.ChoiceField(label=_("Formula"), choices=Indicator.Formula.choices)
    baseline = forms.CharField(label=_("Baseline (基準値)"), max_length=300, required=False)
    baseline_year = forms.IntegerField(
        label=_("Baseline fiscal year"), required=False, validators=FISCAL_YEAR_VALIDATORS
    )
    target = forms.CharField(label=_("Target for the year (目標値)"), max_length=300, required=False)
    cumulative = forms.BooleanField(label=_("Cumulative (累計)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed: dict[str, Figure | None] = {}
        for name in ("baseline", "target"):
            figure, error = parse_typed_figure(cleaned.get(name) or "")
            if error:
                self.add_error(name, error)
            self.parsed[name] = figure
        unit = (cleaned.get("unit") or "").strip()
        units = {f.unit for f in self.parsed.values() if f is not None and f.unit}
        expected = unit or (units.pop() if len(units) == 1 else "")
        for name, figure in self.parsed.items():
            if figure is not None and figure.unit and expected and figure.unit != expected:
                self.add_error(
                    name,
                    _("The unit %(unit)s does not match the indicator's unit %(expected)s.")
                    % {"unit": figure.unit, "expected": expected},
                )
        return cleaned

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "unit": data["unit"],
            "direction": data["direction"],
            "formula": data["formula"],
            "baseline": self.parsed["baseline"],
            "baseline_year": data["baseline_year"],
            "target": self.parsed["target"],
            "target_text": data["target"],
            "cumulative": data["cumulative"],
        }


def indicator_initial(indicator: Indicator, fiscal_year: int) -> dict[str, Any]:
    """The form's values from a stored indicator (expects its targets prefetched)."""
    target = next(
        (t for t in indicator.targets.all() if t.fiscal_year == fiscal_year and t.kind == Target.Kind.FINAL),
        None,
    )
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "formula": indicator.formula,
        "baseline": figure_text(indicator.baseline_value, indicator.unit),
        "baseline_year": indicator.baseline_year,
        "target": target_text(target, indicator.unit),
        "cumulative": indicator.cumulative,
        "version": indicator.version,
    }


class MoveForm(TextForm):
    offset = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


class VersionForm(TextForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
