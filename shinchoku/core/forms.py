"""Form conventions shared by every staff form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from shinchoku.core.text import find_control_character


class TextForm(forms.Form):
    """A form whose text fields refuse control characters (a pasted \\x0b or escape code).

    They cannot be printed, XLSX cannot hold them, and they would break a published
    revision's downloads: refused where they are typed, with the field named.

    Labels have no suffix: Django's default 「:」 (half-width, after Japanese words) is
    not how a Japanese form reads; a label stands on its own line above its control.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and (index := find_control_character(value)) is not None:
                self.add_error(
                    name,
                    _(
                        "This text holds an invisible control character (U+%(code)04X) after 「%(before)s」: remove it."
                    )
                    % {"code": ord(value[index]), "before": value[max(0, index - 10) : index]},
                )
        return cleaned
