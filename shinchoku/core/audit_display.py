"""The audit log as people read it: field labels, choice labels, dates in 和暦, no ids.

The log stores raw values (``approved_by_section_head``, ``kikaku (#2)``,
``2026-12-02 15:04:47.172496+00:00``) so that it stays exact; this module turns them
into what a history page shows (「課長承認済み」, 「kikaku」, 「令和8年12月2日 15:04」).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from shinchoku.core.eras import format_date

_ID_SUFFIX = re.compile(r" \(#\d+\)$")


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None or not name:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The field's own label (its verbose name), never its internal name."""
    found = _field(model, name)
    if found is None:
        return _("(other)") if name else ""
    return str(found.verbose_name)


def value_label(model: type[models.Model] | None, name: str, raw: str | None) -> str | None:
    """A stored value as the page shows it."""
    if raw is None:
        return None
    found = _field(model, name)
    if found is not None and found.choices:
        return str(dict(found.flatchoices).get(raw, raw))
    if isinstance(found, models.BooleanField) or raw in ("true", "false"):
        return _("yes") if raw == "true" else _("no")
    if isinstance(found, models.ForeignKey) or _ID_SUFFIX.search(raw):
        return _ID_SUFFIX.sub("", raw)
    if isinstance(found, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            return raw
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        return f"{format_date(local.date())} {local:%H:%M}"
    if isinstance(found, models.DateField):
        try:
            return format_date(date.fromisoformat(raw))
        except ValueError:
            return raw
    return raw
