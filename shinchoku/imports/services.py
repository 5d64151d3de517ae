"""The one import service: bytes in, parsed document, records written in one transaction.

A dry run does all the writes and rolls them back, so the preview shows exactly
what a commit would create, update and delete.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from shinchoku.core.audit import Actor
from shinchoku.core.changes import ChangeSummary
from shinchoku.goals.services import goal_declaration_import
from shinchoku.imports.models import ImportRecord, PendingImport
from shinchoku.imports.reading import parse_bytes
from shinchoku.imports.schema import ImportFormatError, ParsedDocument, ParsedGoalDeclaration
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.services import (
    UnknownDepartmentError,
    UnknownSectionsError,
    department_create,
    department_resolve,
)
from shinchoku.progress.services import guideline_progress_import


@dataclass
class ImportResult:
    document: ParsedDocument
    summary: ChangeSummary
    dry_run: bool
    record: ImportRecord | None = None


def department_name_from_position(position: str) -> str:
    """企画部長 → 企画部: a declaration belongs to the department its declarer heads."""
    return position[:-1] if position.endswith("長") else position


def _declaration_department(
    municipality: Municipality, parsed: ParsedGoalDeclaration, *, actor: Actor, create_missing: bool
) -> Department:
    name = department_name_from_position(parsed.declarer_position)
    department = department_resolve(municipality, name)
    if department is None:
        if not create_missing:
            raise UnknownDepartmentError(name)
        department = department_create(municipality=municipality, name=name, actor=actor)
    return department


def report_import(
    *,
    municipality: Municipality,
    data: bytes,
    source: str,
    actor: Actor,
    format: str | None = None,
    dry_run: bool = False,
    create_missing: bool = False,
) -> ImportResult:
    """Parse ``data`` and write it for ``municipality``; all or nothing.

    Raises ImportFormatError (unreadable input), UnknownSectionsError or
    UnknownDepartmentError (names to confirm, unless ``create_missing``).
    """
    parsed = parse_bytes(data, source=source, format=format)
    with transaction.atomic():
        if isinstance(parsed, ParsedGoalDeclaration):
            department = _declaration_department(
                municipality, parsed, actor=actor, create_missing=create_missing
            )
            _declaration, summary = goal_declaration_import(
                municipality=municipality,
                department=department,
                parsed=parsed,
                actor=actor,
                create_missing=create_missing,
            )
        else:
            _plan, summary = guideline_progress_import(
                municipality=municipality, parsed=parsed, actor=actor, create_missing=create_missing
            )
        result = ImportResult(document=parsed, summary=summary, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.record = ImportRecord.objects.create(
                municipality=municipality,
                kind=parsed.kind,
                source_name=source[:300],
                sha256=hashlib.sha256(data).hexdigest(),
                actor=actor.user,
                actor_label=actor.label,
                created=sum(summary.created.values()),
                updated=sum(summary.updated.values()),
                deleted=sum(summary.deleted.values()),
                summary=summary.to_json(),
            )
    return result


@dataclass
class Preview:
    """What committing an upload would do, or why it cannot be read."""

    result: ImportResult | None = None
    error: str | None = None
    # Names the master does not know: the commit must confirm creating them.
    unknown_names: list[str] | None = None


def import_preview(*, municipality: Municipality, data: bytes, source: str, actor: Actor) -> Preview:
    """A dry run; with unknown sections, a second dry run shows what creating them would do."""
    try:
        return Preview(
            result=report_import(
                municipality=municipality, data=data, source=source, actor=actor, dry_run=True
            )
        )
    except ImportFormatError as error:
        return Preview(error=str(error))
    except (UnknownSectionsError, UnknownDepartmentError) as error:
        names = error.names if isinstance(error, UnknownSectionsError) else [error.name]
    result = report_import(
        municipality=municipality, data=data, source=source, actor=actor, dry_run=True, create_missing=True
    )
    return Preview(result=result, unknown_names=names)


@transaction.atomic
def pending_import_create(
    *, municipality: Municipality, user: User, upload_name: str, data: bytes
) -> PendingImport:
    return PendingImport.objects.create(
        municipality=municipality,
        uploaded_by=user,
        source_name=upload_name[:300],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


@transaction.atomic
def pending_import_commit(*, pending: PendingImport, actor: Actor, create_missing: bool) -> ImportResult:
    """Import exactly the previewed bytes; a pending import is committed at most once."""
    locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
    if locked.record_id is not None:
        raise AlreadyCommittedError(locked.source_name)
    result = report_import(
        municipality=locked.municipality,
        data=bytes(locked.data),
        source=locked.source_name,
        actor=actor,
        create_missing=create_missing,
    )
    locked.record = result.record
    locked.save(update_fields=["record"])
    return result


class AlreadyCommittedError(Exception):
    pass
