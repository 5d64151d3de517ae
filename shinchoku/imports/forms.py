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
            raise forms.ValidationError(str(error)) from None
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
