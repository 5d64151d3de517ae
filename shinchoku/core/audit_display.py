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
from django.utils.translation import gettext_lazy

from shinchoku.core.eras import format_date, format_fiscal_year

_ID_SUFFIX = re.compile(r" \(#\d+\)$")


# The processes that change data without a person (commands, the demo loader, the tests): what a
# history says instead of their internal name (``Actor.label``, e.g. ``import_report x.txt``).
PROCESS_LABELS = {
    "load_demo": gettext_lazy("demo data loader"),
    "import_report": gettext_lazy("report import (command)"),
    "organization_import": gettext_lazy("organisation master import (command)"),
    "users_import": gettext_lazy("users import (command)"),
    "municipality_create": gettext_lazy("municipality set-up (command)"),
    "user_password_reset": gettext_lazy("password reset (command)"),
    "quality_check": gettext_lazy("quality check (command)"),
    "grade_scale_preset": gettext_lazy("grade scale set-up (command)"),
    "send_round_reminders": gettext_lazy("deadline reminders (command)"),
}


def process_label(label: str) -> str:
    """A process's label as people read it: ``import_report x.txt`` → 「報告書の取込（コマンド） x.txt」."""
    name, _sep, rest = label.partition(" ")
    known = PROCESS_LABELS.get(name)
    if known is None:
        return label
    return f"{known} {rest}" if rest else str(known)


# Fields that only order or version records: a history leaves out their initial value (「順序 1」
# says nothing); a move, an update of the order, is still shown.
INTERNAL_FIELDS = frozenset({"position", "version"})

# Integer fields that hold a fiscal year (the Gregorian year it starts): shown in 和暦 (令和7年度).
_FISCAL_YEAR_FIELDS = frozenset({"fiscal_year", "valid_from", "valid_to"})


def is_internal_field(name: str) -> bool:
    """Whether the field orders or versions records rather than holding what people wrote."""
    return name in INTERNAL_FIELDS


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
        related = _related(model, name)
        if related is not None:  # a set of records of their own: 「担当」 for an entry's responsibles
            return str(related._meta.verbose_name_plural)
        return _("(other)") if name else ""
    return str(found.verbose_name)


def _related(model: type[models.Model] | None, name: str) -> type[models.Model] | None:
    """The model of a reverse relation (``entry.responsibles``), whose changes are audited as one field."""
    if model is None or not name:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    related = found.related_model if isinstance(found, models.ForeignObjectRel) else None
    return related if isinstance(related, type) and issubclass(related, models.Model) else None


def value_label(model: type[models.Model] | None, name: str, raw: str | None) -> str | None:
    """A stored value as the page shows it."""
    if raw is None:
        return None
    found = _field(model, name)
    if found is not None and found.choices:
        return str(dict(found.flatchoices).get(raw, raw))
    if name in _FISCAL_YEAR_FIELDS and isinstance(found, models.IntegerField) and raw.isdigit():
        return format_fiscal_year(int(raw))
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
