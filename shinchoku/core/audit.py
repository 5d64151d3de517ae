"""Writing the audit log: every service that changes business data goes through here.

The functions never decide *whether* a change is allowed; they record what a
service did, inside the service's transaction, so a rolled-back change leaves no
audit row either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models

from shinchoku.core.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a logged-in user, or a labelled process (CLI, cron)."""

    user: User | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.user is None and not self.label:
            raise ValueError("An actor needs a user or a label.")

    def __str__(self) -> str:
        return str(self.user) if self.user is not None else self.label


def serialize(value: Any) -> str | None:
    """The text stored as old/new value: stable and readable by a person."""
    if value is None:
        return None
    if isinstance(value, models.Model):
        return f"{value} (#{value.pk})"
    if isinstance(value, Decimal):
        # normalize() so that 81.2 and 81.20 (as read back from the database) are one value
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _municipality_id(obj: models.Model) -> int | None:
    municipality_id = getattr(obj, "municipality_id", None)
    if municipality_id is None and obj._meta.model_name == "municipality":
        municipality_id = obj.pk
    return municipality_id


def _event(obj: models.Model, actor: Actor, action: str, **fields: Any) -> AuditEvent:
    return AuditEvent(
        municipality_id=_municipality_id(obj),
        actor=actor.user,
        actor_label=actor.label,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:500],
        action=action,
        **fields,
    )


def record_create(obj: models.Model, *, actor: Actor, fields: Iterable[str] = (), reason: str = "") -> None:
    """Record a new object, with the initial value of each named field."""
    events = [_event(obj, actor, AuditEvent.Action.CREATE, reason=reason)]
    events += [
        _event(obj, actor, AuditEvent.Action.CREATE, field=name, new_value=serialize(getattr(obj, name)))
        for name in fields
        if getattr(obj, name) not in (None, "")
    ]
    AuditEvent.objects.bulk_create(events)


def record_changes(
    obj: models.Model, *, actor: Actor, changes: Mapping[str, tuple[Any, Any]], reason: str = ""
) -> None:
    """Record field changes given as ``{field: (old, new)}``; unchanged pairs are skipped."""
    events = [
        _event(
            obj,
            actor,
            AuditEvent.Action.UPDATE,
            field=name,
            old_value=serialize(old),
            new_value=serialize(new),
            reason=reason,
        )
        for name, (old, new) in changes.items()
        if serialize(old) != serialize(new)
    ]
    AuditEvent.objects.bulk_create(events)


def record_delete(obj: models.Model, *, actor: Actor, reason: str = "") -> None:
    AuditEvent.objects.bulk_create([_event(obj, actor, AuditEvent.Action.DELETE, reason=reason)])


def apply_changes(
    obj: models.Model, values: Mapping[str, Any], *, actor: Actor, reason: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Set ``values`` on ``obj``; save and audit only the fields that really changed.

    Returns the changes as ``{field: (old, new)}`` (empty when nothing changed, in
    which case nothing is written, so re-importing the same document is a no-op).
    """
    changes: dict[str, tuple[Any, Any]] = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if serialize(old) != serialize(new):
            changes[name] = (old, new)
            setattr(obj, name, new)
    if changes:
        update_fields = list(changes)
        if hasattr(obj, "version"):
            obj.version += 1
            update_fields += ["version", "updated_at"]
        obj.save(update_fields=update_fields)
        record_changes(obj, actor=actor, changes=changes, reason=reason)
    return changes
