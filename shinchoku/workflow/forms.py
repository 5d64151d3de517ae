from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.organizations.models import FISCAL_YEAR_VALIDATORS, Department, Municipality, Section
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
