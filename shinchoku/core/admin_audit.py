"""Admin edits are business changes too: record them in the audit log like any service does."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from shinchoku.core.audit import Actor, record_changes, record_create, record_delete
from shinchoku.core.http import request_user


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        actor = Actor(user=request_user(request), label="admin")
        with transaction.atomic():
            if change:
                old = type(obj)._default_manager.get(pk=obj.pk)
                changes = {
                    name: (getattr(old, name), getattr(obj, name))
                    for name in form.changed_data
                    if hasattr(old, name)
                    and not isinstance(obj._meta.get_field(name), models.ManyToManyField)
                }
                if hasattr(obj, "version") and changes:
                    obj.version += 1
                super().save_model(request, obj, form, change)
                record_changes(obj, actor=actor, changes=changes)
            else:
                super().save_model(request, obj, form, change)
                record_create(obj, actor=actor, fields=[f for f in form.changed_data if hasattr(obj, f)])

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            record_delete(obj, actor=Actor(user=request_user(request), label="admin"))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                record_delete(obj, actor=Actor(user=request_user(request), label="admin"))
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        """Inline rows: audit what each inline form changed, using its initial data as the old value."""
        actor = Actor(user=request_user(request), label="admin")
        with transaction.atomic():
            old_values = {
                f.instance.pk: {name: f.initial.get(name) for name in f.changed_data}
                for f in formset.initial_forms
                if f.instance.pk and f.has_changed()
            }
            # Deleted rows lose their primary key when deleted: record them first.
            for f in formset.deleted_forms:
                if f.instance.pk:
                    record_delete(f.instance, actor=actor)
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                record_create(obj, actor=actor)
            for obj, fields in formset.changed_objects:
                record_changes(
                    obj,
                    actor=actor,
                    changes={
                        name: (old_values.get(obj.pk, {}).get(name), getattr(obj, name, None))
                        for name in fields
                    },
                )
