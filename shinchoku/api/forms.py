from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from shinchoku.api.models import AccessToken
from shinchoku.api.services import LIFETIMES_DAYS
from shinchoku.core.forms import TextForm


class TokenCreateForm(TextForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 「実績の一括登録」. Only you see it."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("A token does what you may do, never more; a read-only token cannot change anything."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[
            (days, ngettext_lazy("%(days)s day", "%(days)s days", days) % {"days": days})
            for days in LIFETIMES_DAYS
        ],
    )
