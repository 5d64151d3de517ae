from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import fiscal_year_of, format_fiscal_year
from shinchoku.core.figures import Figure, FigureParseError, format_figure, parse_figure
from shinchoku.core.forms import TextForm
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, FiscalYear, Municipality, Section
from shinchoku.plans.models import LARGEST_FIGURE, Indicator, Measurement, Plan
from shinchoku.progress.models import ProgressEntry
from shinchoku.workflow import selectors
from shinchoku.workflow.models import EVALUATED_PLAN_KINDS, GOAL_ROUND_KINDS, PLAN_KINDS, DocumentKind


@dataclass(frozen=True)
class SectionChoice:
    section: Section
    checked: bool


@dataclass(frozen=True)
class SectionGroup:
    department: Department | None  # None: sections outside any department
    choices: list[SectionChoice]


def fiscal_year_choices(
    around: int, known: Iterable[int] = (), before: int = 5, after: int = 1
) -> list[tuple[int, str]]:
    """Fiscal years as the city writes them, newest first: 令和8年度（2026年度）.

    The years around ``around``, and each year the municipality already has (``known``) with
    the year after it: a city that imported its past reports asks for the next year of each.
    """
    years = set(range(around - before, around + after + 1))
    years |= {y for year in known for y in (year, year + 1)}
    return [(year, f"{format_fiscal_year(year)}（{year}年度）") for year in sorted(years, reverse=True)]


# Documents a round can ask for today (indicator actuals are asked with year-end results).
ROUND_KINDS = [
    (DocumentKind.GOAL_DECLARATION.value, DocumentKind.GOAL_DECLARATION.label),
    (DocumentKind.YEAR_END_RESULTS.value, DocumentKind.YEAR_END_RESULTS.label),
    (DocumentKind.GUIDELINE_PROGRESS.value, DocumentKind.GUIDELINE_PROGRESS.label),
    (DocumentKind.POLICY_EVALUATION.value, DocumentKind.POLICY_EVALUATION.label),
    (DocumentKind.MID_YEAR.value, DocumentKind.MID_YEAR.label),
]


class RoundOpenForm(TextForm):
    """Open a round in two steps: the year and the document first, then the sections it asks.

    Choosing the document (「対象の課を選ぶ」) checks every section that has a part in it;
    the planning section then unchecks or adds sections, sets the deadline and opens.
    """

    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("Document"), choices=ROUND_KINDS)
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.none(),
        required=False,
        help_text=_(
            "For guideline progress: the guideline whose results and plans are asked. "
            "For policy evaluation: the comprehensive plan whose policy measures are evaluated."
        ),
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For goal declarations and year-end results: whose declarations are asked."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    sections = forms.ModelMultipleChoiceField(
        label=_("Sections asked"),
        queryset=Section.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, municipality: Municipality, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        current = fiscal_year_of(timezone.localdate())
        year_field = self.fields["fiscal_year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        known = list(FiscalYear.objects.filter(municipality=municipality).values_list("year", flat=True))
        year_field.choices = fiscal_year_choices(current, known)
        earliest = min([current - 5, *known])
        year_field.initial = current
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = Plan.objects.filter(
            municipality=municipality, kind__in=[Plan.Kind.GUIDELINE, *EVALUATED_PLAN_KINDS]
        ).order_by("kind", "name")
        plan_field.empty_label = str(_("(choose a plan)"))
        departments_field = self.fields["departments"]
        assert isinstance(departments_field, forms.ModelMultipleChoiceField)
        departments_field.queryset = (
            Department.objects.filter(municipality=municipality)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=earliest))
            .order_by("position", "name")
        )
        # Rounds for last year's results are opened in April–May: offer its sections too.
        self.offered = list(selectors.sections_to_ask(municipality.pk, earliest))
        sections_field = self.fields["sections"]
        assert isinstance(sections_field, forms.ModelMultipleChoiceField)
        sections_field.queryset = Section.objects.filter(pk__in=[s.pk for s in self.offered])
        self.defaults: set[int] | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        plan = cleaned.get("plan")
        if kind == DocumentKind.GUIDELINE_PROGRESS and (plan is None or plan.kind != Plan.Kind.GUIDELINE):
            self.add_error("plan", _("Choose the guideline whose progress the round asks for."))
        if kind == DocumentKind.POLICY_EVALUATION and (plan is None or plan.kind not in EVALUATED_PLAN_KINDS):
            self.add_error("plan", _("Choose the comprehensive plan whose policy measures are evaluated."))
        if kind in GOAL_ROUND_KINDS and not cleaned.get("departments"):
            self.add_error(
                "departments", _("Choose the departments whose goal declarations the round asks for.")
            )
        return cleaned

    def document_arguments(self) -> dict[str, Any]:
        """The document part of the cleaned data, as ``round_open`` takes it."""
        kind = self.cleaned_data["kind"]
        if kind in PLAN_KINDS:
            return {"plan": self.cleaned_data["plan"], "departments": []}
        return {"plan": None, "departments": list(self.cleaned_data["departments"])}

    def suggest(self) -> None:
        """Fill in the second step from the document: the sections with a part in it, a title, a deadline."""
        data = self.cleaned_data
        found = selectors.document_sections(
            self.municipality, kind=data["kind"], fiscal_year=data["fiscal_year"], **self.document_arguments()
        )
        self.defaults = {s.pk for s in found}
        if not data.get("title"):
            # The bound form shows what was posted: put the suggestion there.
            data["title"] = self.suggested_title()
            if isinstance(self.data, QueryDict):
                posted = self.data.copy()
                posted["title"] = data["title"]
                self.data = posted

    def suggested_title(self) -> str:
        data = self.cleaned_data
        year = format_fiscal_year(data["fiscal_year"])
        kind = data["kind"]
        if kind == DocumentKind.GUIDELINE_PROGRESS and data.get("plan"):
            return str(_("%(year)s progress of %(plan)s") % {"year": year, "plan": data["plan"].name})
        if kind == DocumentKind.POLICY_EVALUATION and data.get("plan"):
            return str(
                _("%(year)s policy evaluation of %(plan)s") % {"year": year, "plan": data["plan"].name}
            )
        names = "・".join(d.name for d in data.get("departments") or [])
        label = DocumentKind(kind).label
        return f"{year} {label}（{names}）" if names else f"{year} {label}"

    def section_groups(self) -> list[SectionGroup]:
        """The offered sections under their departments, for checkboxes in one fieldset per department."""
        if self.defaults is not None:
            checked = {str(pk) for pk in self.defaults}
        else:
            checked = {str(pk) for pk in (self["sections"].value() or [])}
        groups: list[SectionGroup] = []
        outside: list[SectionChoice] = []
        for section in self.offered:
            choice = SectionChoice(section, str(section.pk) in checked)
            if section.department is None:
                outside.append(choice)
                continue
            if not groups or groups[-1].department != section.department:
                groups.append(SectionGroup(section.department, []))
            groups[-1].choices.append(choice)
        if outside:
            groups.append(SectionGroup(None, outside))
        return groups


class DeadlineForm(TextForm):
    deadline = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class PublishForm(TextForm):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I have checked the preview: publish it to citizens now."),
        error_messages={"required": _("Tick the box to confirm that you checked the preview.")},
    )


# --- the staff workspace: entries, goals, steps --------------------------------------------


class SendBackForm(TextForm):
    comment = forms.CharField(
        label=_("Comment (what should be fixed)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class StepForm(TextForm):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class EntryForm(TextForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EntryNewForm(TextForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgressEntry.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class VersionForm(TextForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MoveForm(TextForm):
    offset = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


def actual_field_name(indicator: Indicator) -> str:
    return f"actual_{indicator.pk}"


class GoalResultsForm(TextForm):
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
        self.parsed = clean_figures(self, cleaned, self.indicators, actual_field_name)
        return cleaned


def clean_figures(
    form: forms.Form,
    cleaned: dict[str, Any],
    indicators: list[Indicator],
    field_name: Callable[[Indicator], str],
) -> dict[Indicator, tuple[str, Figure | None]]:
    """The figure typed in each indicator's field of ``form`` (as typed, parsed); an unreadable
    one is an error on its field. Every form that takes figures (actuals, 見込) reads them so."""
    parsed: dict[Indicator, tuple[str, Figure | None]] = {}
    for indicator in indicators:
        name = field_name(indicator)
        text = (cleaned.get(name) or "").strip()
        figure, error = parse_actual(text, indicator)
        if error:
            form.add_error(name, error)
        else:
            parsed[indicator] = (text, figure)
    return parsed


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
        return None, str(_("This is not a figure: %(reason)s") % {"reason": error.message})
    if abs(figure.value) >= LARGEST_FIGURE:
        return None, str(_("This figure is too large: at most 23 digits before the decimal point."))
    if figure.unit and indicator.unit and figure.unit != indicator.unit:
        return None, str(
            _("The unit %(unit)s does not match the indicator's unit %(expected)s.")
            % {"unit": figure.unit, "expected": indicator.unit}
        )
    if not figure.unit and indicator.unit:
        figure = Figure(figure.value, indicator.unit, figure.approximate, figure.provisional, figure.label)
    return figure, ""
