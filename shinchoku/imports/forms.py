from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shinchoku.core.upload_limits import LimitExceeded, check_upload_size
from shinchoku.imports.ownership import Ownership


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Report file"),
        help_text=_("A published report: text (UTF-8 or Shift_JIS), XLSX or PDF."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
        except LimitExceeded as error:
            raise forms.ValidationError(str(error.message)) from None
        return upload


class CommitForm(forms.Form):
    confirm_new_sections = forms.BooleanField(
        label=_("Create the sections listed above in the organisation master"), required=False
    )
    # Shown only when the preview finds another municipality's document.
    confirm_other_municipality = forms.BooleanField(
        label=_("Import this document although it names another municipality"),
        required=False,
        label_suffix="",  # the label is a sentence (…取り込みます。), not a field name
    )

    # Shown only when the reader was not sure of some lines (shinchoku.imports.warnings).
    confirm_warnings = forms.BooleanField(
        label=_("I have checked the lines listed above: import the document as it was read"),
        required=False,
        label_suffix="",
    )

    def __init__(self, *args: Any, ownership: Ownership | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The box names both municipalities, so nobody ticks it without reading whose document it is.
        if ownership is not None and ownership.refused:
            self.fields["confirm_other_municipality"].label = ownership.confirm_label()


# The fields of a read record as the preview names them: the document's own column headings.
FIELD_LABELS = {
    "title": _("Title"),
    "sections": _("Sections in charge"),
    "content": _("What is done"),
    "target_text": _("Target"),
    "targets": _("Target figures"),
    "result_text": _("Result"),
    "direction_text": _("Future direction"),
    "status_text": _("Achievement"),
    "actuals": _("Achieved figures"),
    "guideline_text": _("What the guideline says"),
    "classification": _("Classification"),
    "policy": _("Policy"),
    "results": _("Results"),
    "plans": _("Plans"),
}

FIELD_HELP = {
    "sections": _("Names separated by 、"),
    "targets": _("One figure per line, e.g. 参加者数：120人 or 約1,200万円（見込）"),
    "actuals": _("One figure per line, e.g. 参加者数：120人 or 約1,200万円（見込）"),
    "results": _("One entry per line; the sections in charge in （） at its end"),
    "plans": _("One entry per line; the sections in charge in （） at its end"),
}


def field_label(name: str) -> str:
    """``rows.1.results`` → 「取り組み実績（2行目）」: a row's field names its row when there are several."""
    parts = name.split(".")
    if len(parts) == 3:
        return _("%(field)s (row %(row)s)") % {"field": FIELD_LABELS[parts[2]], "row": int(parts[1]) + 1}
    return str(FIELD_LABELS[name])


class RecordForm(forms.Form):
    """The fields of one goal or initiative as read, to correct before importing."""

    def __init__(self, data: Any = None, *, values: dict[str, str]):
        super().__init__(data, initial=values)
        for name, value in values.items():
            base = name.split(".")[-1]
            single = base in ("title", "sections", "classification")
            self.fields[name] = forms.CharField(
                label=field_label(name),
                required=False,
                strip=False,
                help_text=FIELD_HELP.get(base, ""),
                widget=forms.TextInput()
                if single
                else forms.Textarea(attrs={"rows": max(2, min(12, value.count("\n") + 2))}),
            )


class LineCheckForm(forms.Form):
    line = forms.IntegerField(min_value=0)
    code = forms.CharField(max_length=40)


class MappingForm(forms.Form):
    """Which column of a city's own table is which field, and what the table does not say."""

    def __init__(
        self,
        data: Any = None,
        *,
        kind: str,
        headers: list[str],
        initial_columns: dict[str, int],
        meta: dict[str, Any],
    ):
        super().__init__(data, initial=meta)
        from shinchoku.imports.mapped_tables import COLUMNS, REQUIRED

        self.kind = kind
        choices = [("", _("(none)"))] + [
            (str(index), f"{_column_letter(index)}: {heading or _('(no heading)')}")
            for index, heading in enumerate(headers)
        ]
        for name, label in COLUMNS[kind].items():
            self.fields[f"column_{name}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=name in REQUIRED[kind],
                initial=str(initial_columns[name]) if name in initial_columns else "",
            )
        if kind == "goal_declaration":
            self.fields["fiscal_year"] = forms.CharField(
                label=_("Fiscal year"), help_text=_("e.g. 令和7年度 or 2025")
            )
            self.fields["title"] = forms.CharField(label=_("Title of the report"), max_length=300)
            self.fields["declarer_position"] = forms.CharField(
                label=_("Position of the declarer"), help_text=_("e.g. 福祉部長"), max_length=100
            )
            self.fields["declarer_name"] = forms.CharField(label=_("Name of the declarer"), max_length=100)
        else:
            self.fields["guideline"] = forms.CharField(label=_("Name of the guideline"), max_length=300)
            self.fields["result_year"] = forms.CharField(label=_("Fiscal year of the results"))
            self.fields["plan_year"] = forms.CharField(label=_("Fiscal year of the plans"))

    def _year(self, name: str) -> int:
        from shinchoku.core.eras import EraParseError, parse_fiscal_year

        try:
            return parse_fiscal_year(self.cleaned_data[name])
        except EraParseError as error:
            raise forms.ValidationError(str(error.message)) from None

    def clean_fiscal_year(self) -> int:
        return self._year("fiscal_year")

    def clean_result_year(self) -> int:
        return self._year("result_year")

    def clean_plan_year(self) -> int:
        return self._year("plan_year")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [v for k, v in cleaned.items() if k.startswith("column_") and v not in (None, "")]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("A column is chosen for two fields: choose each column once."))
        return cleaned

    def columns(self) -> dict[str, int]:
        return {
            key.removeprefix("column_"): int(value)
            for key, value in self.cleaned_data.items()
            if key.startswith("column_") and value not in (None, "")
        }

    def meta(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("column_")}


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
