"""A tally of what a multi-step write did, for previews, CLI output and the import history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass
class ChangeSummary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    # Human-readable lines: "更新 Goal 3: result_text", for the preview page.
    details: list[str] = field(default_factory=list)
    # model name → verbose name (plural), for tables a person reads
    labels: dict[str, str] = field(default_factory=dict)

    def _name(self, obj: models.Model) -> str:
        name = obj._meta.model_name or type(obj).__name__
        self.labels.setdefault(name, str(obj._meta.verbose_name_plural))
        return name

    def add_created(self, obj: models.Model) -> None:
        self.created[self._name(obj)] += 1
        self.details.append(f"+ {obj._meta.verbose_name}: {obj}")

    def add_updated(self, obj: models.Model, fields: list[str]) -> None:
        if not fields:
            self.unchanged[self._name(obj)] += 1
            return
        self.updated[self._name(obj)] += 1
        self.details.append(f"~ {obj._meta.verbose_name}: {obj} ({', '.join(fields)})")

    def add_deleted(self, obj: models.Model) -> None:
        self.deleted[self._name(obj)] += 1
        self.details.append(f"- {obj._meta.verbose_name}: {obj}")

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """(label, created, updated, deleted, unchanged) per kind of record, in first-seen order."""
        return [
            (label, self.created[name], self.updated[name], self.deleted[name], self.unchanged[name])
            for name, label in self.labels.items()
        ]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def to_json(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "deleted": dict(self.deleted),
            "unchanged": dict(self.unchanged),
            "details": list(self.details),
        }
