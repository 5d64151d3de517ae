"""Forms of 施策評価: the structure upload, the sheet, a member's review, the committee's opinion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import fiscal_year_of
from shinchoku.core.figures import parse_figure
from shinchoku.core.forms import TextForm
from shinchoku.plans.models import LARGEST_FIGURE, Indicator
from shinchoku.policies.models import Direction, PolicySheet
from shinchoku.policies.selectors import SheetView, amount_text
from shinchoku.policies.services import ProjectValues
from shinchoku.workflow.forms import (
    _measurement_text,
    actual_field_name,
    clean_figures,
    fiscal_year_choices,
)


class StructureUploadForm(forms.Form):
    plan_name = forms.CharField(label=_("Plan name"), max_length=300, help_text=_("e.g. 第5次総合計画"))
    start_year = forms.TypedChoiceField(label=_("First fiscal year"), coerce=int, choices=())
    end_year = forms.TypedChoiceField(label=_("Last fiscal year"), coerce=int, choices=())
    file = forms.FileField(label=_("Policy structure (CSV or Excel)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = fiscal_year_of(timezone.localdate())
        choices = fiscal_year_choices(current, before=10, after=10)
        for name in ("start_year", "end_year"):
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices
        self.fields["start_year"].initial = current
        self.fields["end_year"].initial = current + 4


def _grade_choices(grades: list[str]) -> list[tuple[str, str]]:
    return [("", "—"), *((g, g) for g in grades)]


def _amount(text: str) -> Decimal | None:
    """An amount in 円 as staff type it (12,345,678 / 1,234万円 / 12億); raises FigureParseError."""
    text = text.strip()
    if not text:
        return None
    value = parse_figure(text).value
    if abs(value) >= LARGEST_FIGURE:
        raise ValueError(text)  # beyond what the column holds: the same error on the field
    return value


class SheetForm(TextForm):
    """The department's part of a 施策評価シート: actuals, projects' cost and results, the evaluation."""

    internal_grade = forms.ChoiceField(label=_("Internal grade"), required=False, choices=())
    reasons = forms.CharField(
        label=_("Reasons for the grade"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    issues = forms.CharField(label=_("Issues"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", "—"), *Direction.choices]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, view: SheetView, *args: Any, **kwargs: Any) -> None:
        sheet = view.sheet
        self.view = view
        self.indicators = [v.indicator for v in view.indicators]
        initial: dict[str, Any] = {
            "internal_grade": sheet.internal_grade,
            "reasons": sheet.reasons,
            "issues": sheet.issues,
            "direction": sheet.direction,
            "version": sheet.version,
        }
        for v in view.indicators:
            initial[actual_field_name(v.indicator)] = _measurement_text(v.measurement)
        for row in view.projects:
            initial[f"budget_{row.pk}"] = amount_text(row.budget)
            initial[f"settlement_{row.pk}"] = amount_text(row.settlement)
            initial[f"result_{row.pk}"] = row.result
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        grade = self.fields["internal_grade"]
        assert isinstance(grade, forms.ChoiceField)
        grade.choices = _grade_choices(view.grades)
        for indicator in self.indicators:
            self.fields[actual_field_name(indicator)] = forms.CharField(
                label=_("Actual: %(indicator)s") % {"indicator": indicator},
                required=False,
                max_length=300,
                help_text=_("As you would write it: １２億７，７００万円, 約450万件, 269億1千万円（見込）"),
            )
        for row in view.projects:
            title = row.project.title
            self.fields[f"budget_{row.pk}"] = forms.CharField(
                label=_("Budget of %(project)s (yen)") % {"project": title}, required=False, max_length=40
            )
            self.fields[f"settlement_{row.pk}"] = forms.CharField(
                label=_("Settled amount of %(project)s (yen)") % {"project": title},
                required=False,
                max_length=40,
            )
            self.fields[f"result_{row.pk}"] = forms.CharField(
                label=_("Result of %(project)s") % {"project": title},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def actual_fields(self) -> list[tuple[Indicator, forms.BoundField]]:
        return [(i, self[actual_field_name(i)]) for i in self.indicators]

    def project_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"budget_{row.pk}"], self[f"settlement_{row.pk}"], self[f"result_{row.pk}"])
            for row in self.view.projects
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.parsed = clean_figures(self, cleaned, self.indicators, actual_field_name)
        self.projects: dict[int, ProjectValues] = {}
        for row in self.view.projects:
            amounts: dict[str, Decimal | None] = {}
            for part in ("budget", "settlement"):
                name = f"{part}_{row.pk}"
                try:
                    amounts[part] = _amount(cleaned.get(name) or "")
                except ValueError:  # not an amount (FigureParseError), or too large to keep
                    self.add_error(name, _("Write an amount in yen, e.g. 12,345,000 or 1,234万円."))
            if len(amounts) == 2:
                self.projects[row.pk] = ProjectValues(
                    budget=amounts["budget"],
                    settlement=amounts["settlement"],
                    result=cleaned.get(f"result_{row.pk}") or "",
                )
        return cleaned

    def values(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] or ""
            for name in ("internal_grade", "reasons", "issues", "direction")
        }


class ReviewForm(TextForm):
    grade = forms.ChoiceField(label=_("Your grade"), required=False, choices=())
    comment = forms.CharField(
        label=_("Your comment"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, grades: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grade"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _grade_choices(grades)


class OpinionForm(TextForm):
    committee_grade = forms.ChoiceField(label=_("Committee's grade"), required=False, choices=())
    committee_opinion = forms.CharField(
        label=_("Committee's opinion"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, grades: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["committee_grade"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _grade_choices(grades)


class ResponseForm(TextForm):
    response = forms.CharField(
        label=_("Response to the committee's opinion"), widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AssignForm(forms.Form):
    evaluators = forms.ModelMultipleChoiceField(
        label=_("Committee members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, members: list[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["evaluators"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(pk__in=[m.pk for m in members])
        field.label_from_instance = lambda user: str(user.get_full_name() or user.username)  # type: ignore[method-assign,assignment]


class MeetingForm(TextForm):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("e.g. 第1回外部評価委員会"))
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    sheets = forms.ModelMultipleChoiceField(
        label=_("Sheets discussed"),
        queryset=PolicySheet.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if not 1989 <= held_on.year <= 2200:  # a mistyped year (0225) would be no 和暦 date
            raise forms.ValidationError(_("Check the year of the date."))
        return held_on

    def __init__(self, sheets: list[PolicySheet], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sheets"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = PolicySheet.objects.filter(pk__in=[s.pk for s in sheets]).select_related("policy")
        field.label_from_instance = lambda sheet: f"{sheet.policy.label} {sheet.policy.title}"  # type: ignore[method-assign,assignment]
