from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Report file"),
        help_text=_("A published report: text (UTF-8 or Shift_JIS), XLSX or PDF."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class CommitForm(forms.Form):
    confirm_new_sections = forms.BooleanField(
        label=_("Create the sections listed above in the organisation master"), required=False
    )
