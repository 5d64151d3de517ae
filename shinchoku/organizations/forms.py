from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import EraParseError, fiscal_year_of, format_fiscal_year, parse_fiscal_year
from shinchoku.core.text import normalize
from shinchoku.organizations.models import validate_local_government_code

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MunicipalityForm(forms.Form):
    """The first run: the municipality this installation serves."""

    code = forms.CharField(
        label=_("Local government code"),
        max_length=6,
        help_text=_("全国地方公共団体コード: six digits, the last one is the check digit (e.g. 142140)."),
    )
    prefecture = forms.CharField(label=_("Prefecture"), max_length=10, help_text=_("e.g. 神奈川県"))
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 伊勢原市"))
    slug = forms.SlugField(
        label=_("Name in addresses"),
        max_length=50,
        help_text=_(
            "Lower-case letters, digits and hyphens, used in the addresses of its pages (e.g. isehara)."
        ),
    )

    def clean_code(self) -> str:
        # Codes typed through a Japanese input method come in full-width digits.
        code = normalize(self.cleaned_data["code"]).strip()
        validate_local_government_code(code)
        return code

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()


class MasterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Organisation master file"),
        help_text=_("CSV (UTF-8 or Shift_JIS) or XLSX, in the layout described on this page."),
    )
    fiscal_year = forms.CharField(
        label=_("Applies from fiscal year"),
        max_length=20,
        help_text=_(
            "e.g. 2025, 令和7年度 or R7. Sections in place that the file no longer lists end the year before."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].initial = format_fiscal_year(fiscal_year_of(timezone.localdate()))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean_fiscal_year(self) -> int:
        try:
            return parse_fiscal_year(self.cleaned_data["fiscal_year"])
        except EraParseError:
            raise forms.ValidationError(_("Write a fiscal year such as 2025, 令和7年度 or R7.")) from None


class MasterConfirmForm(forms.Form):
    # The preview's plan: the confirmation applies this plan or nothing.
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
