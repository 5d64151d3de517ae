"""Optimistic locking of business records edited through forms (ADR 7).

A form carries the ``version`` of the record it was rendered from; the service
that saves it passes that as ``expected_version``. When another save came in
between, the versions differ and the service raises ``ConflictError`` with the
record's current values and the last change in the audit log, so that the form
can show the other person's change instead of silently overwriting it.

This module imports no domain app, so every domain's services may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from shinchoku.core.models import AuditEvent


@dataclass(frozen=True)
class OtherChange:
    """A field as the other person left it (from the audit log)."""

    field: str
    old: str | None
    new: str | None


class ConflictError(Exception):
    """The record changed since the form was rendered: nothing was saved."""

    def __init__(
        self,
        obj: models.Model,
        *,
        current: dict[str, Any],
        changes: list[OtherChange],
        by: str = "",
        at: datetime | None = None,
    ) -> None:
        super().__init__(f"{obj} was changed by someone else (now version {getattr(obj, 'version', '?')}).")
        self.obj = obj
        self.version: int = getattr(obj, "version", 0)
        self.current = current
        self.changes = changes
        self.by = by
        self.at = at


@dataclass
class _Latest:
    by: str = ""
    at: datetime | None = None
    changes: list[OtherChange] = field(default_factory=list)


def _latest_change(obj: models.Model) -> _Latest:
    """The newest audit rows of ``obj`` that share one actor and moment: the other person's save."""
    events = list(
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
        .exclude(field="")
        .select_related("actor")
        .order_by("-occurred_at", "-id")[:20]
    )
    if not events:
        return _Latest()
    newest = events[0]
    same = [
        e
        for e in events
        if e.actor_id == newest.actor_id
        and e.actor_label == newest.actor_label
        and abs((newest.occurred_at - e.occurred_at).total_seconds()) < 1
    ]
    who = newest.actor.get_full_name() or newest.actor.username if newest.actor else newest.actor_label
    return _Latest(
        by=who,
        at=newest.occurred_at,
        changes=[OtherChange(e.field, e.old_value, e.new_value) for e in reversed(same)],
    )


def check_version(obj: models.Model, expected_version: int | None, fields: Iterable[str]) -> None:
    """Raise ``ConflictError`` unless ``obj`` (freshly read, locked) is still at ``expected_version``.

    ``expected_version=None`` skips the check (imports and commands, which read and write at once).
    """
    if expected_version is None or getattr(obj, "version", None) == expected_version:
        return
    latest = _latest_change(obj)
    raise ConflictError(
        obj,
        current={name: getattr(obj, name) for name in fields},
        changes=latest.changes,
        by=latest.by,
        at=latest.at,
    )
