"""The one import service: bytes in, parsed document, records written in one transaction.

A dry run does all the writes and rolls them back, so the preview shows exactly
what a commit would create, update and delete.

A person's upload (the web pages, ``import_report``) is checked against the
municipality it is imported into (``ownership``): another municipality's document
is refused unless the person confirms, and the confirmation is kept in the
ImportRecord and the audit log.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shinchoku.core.audit import Actor, record_create
from shinchoku.core.changes import ChangeSummary
from shinchoku.core.messages import Message
from shinchoku.core.upload_limits import megabytes
from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation
from shinchoku.documents.schema import (
    ImportFormatError,
    ParsedDocument,
    ParsedGoalDeclaration,
    document_from_json,
)
from shinchoku.goals.services import goal_declaration_import
from shinchoku.imports.corrections import apply_corrections
from shinchoku.imports.mapped_tables import RawTable, build_document, guess_columns
from shinchoku.imports.models import ColumnMapping, ImportRecord, PendingImport
from shinchoku.imports.ownership import Ownership, document_ownership
from shinchoku.imports.reading import parse_bytes
from shinchoku.imports.warnings import DocumentWarning, document_warnings
from shinchoku.imports.worker import parse_in_worker
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.selectors import organisation_names
from shinchoku.organizations.services import (
    UnknownDepartmentError,
    UnknownSectionsError,
    department_create,
    department_resolve,
)
from shinchoku.progress.services import guideline_progress_import


class MunicipalityCheck(enum.Enum):
    """What to do when the document names another municipality than the one importing it."""

    # The caller already knows whose document it is (the demo loader, test fixtures).
    UNCHECKED = "unchecked"
    # A person's upload: refuse it (OtherMunicipalityError), with the reason.
    REFUSE = "refuse"
    # The person saw the reason and confirmed: import it and record the confirmation.
    ACCEPT = "accept"


class OtherMunicipalityError(Exception):
    """The document names another municipality; ``str()`` is the reason, naming both."""

    def __init__(self, ownership: Ownership):
        self.ownership = ownership
        super().__init__(ownership.reason())


@dataclass
class ImportResult:
    document: ParsedDocument
    summary: ChangeSummary
    dry_run: bool
    record: ImportRecord | None = None
    # None when the import was UNCHECKED.
    ownership: Ownership | None = None
    warnings: list[DocumentWarning] = field(default_factory=list)


class DocumentWarningsError(Exception):
    """The reader was not sure of some lines and nobody accepted that; ``warnings`` lists them."""

    def __init__(self, warnings: list[DocumentWarning]):
        self.warnings = warnings
        first = warnings[0]
        where = _("line %(line)s: ") % {"line": first.line} if first.line else ""
        super().__init__(
            _("%(count)s warning(s) to check before importing, the first: %(where)s%(message)s")
            % {"count": len(warnings), "where": where, "message": first.message}
        )


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
    municipality_check: MunicipalityCheck = MunicipalityCheck.UNCHECKED,
    accept_warnings: bool = False,
) -> ImportResult:
    """Parse ``data`` and write it for ``municipality``; all or nothing.

    Raises ImportFormatError (unreadable input), OtherMunicipalityError (another
    municipality's document, with ``MunicipalityCheck.REFUSE``), UnknownSectionsError
    or UnknownDepartmentError (names to confirm, unless ``create_missing``).
    """
    return document_import(
        municipality=municipality,
        parsed=parse_bytes(
            data, source=source, format=format, known_sections=organisation_names(municipality)
        ),
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        actor=actor,
        dry_run=dry_run,
        create_missing=create_missing,
        municipality_check=municipality_check,
        accept_warnings=accept_warnings,
    )


def document_import(
    *,
    municipality: Municipality,
    parsed: ParsedDocument,
    sha256: str,
    source: str,
    actor: Actor,
    dry_run: bool = False,
    create_missing: bool = False,
    municipality_check: MunicipalityCheck = MunicipalityCheck.UNCHECKED,
    accept_warnings: bool = False,
) -> ImportResult:
    """Write a document already read (``report_import`` reads it; an upload was read at upload).

    A document with warnings (``shinchoku.imports.warnings``) is written only with
    ``accept_warnings``; otherwise DocumentWarningsError lists them. A dry run
    always goes through, so the preview shows what would be written beside them.
    """
    warnings = document_warnings(parsed)
    if warnings and not (accept_warnings or dry_run):
        raise DocumentWarningsError(warnings)
    ownership = None
    if municipality_check is not MunicipalityCheck.UNCHECKED:
        # Before anything is written: a refused document must not even create its sections.
        ownership = document_ownership(municipality, parsed)
        if ownership.refused and municipality_check is MunicipalityCheck.REFUSE:
            raise OtherMunicipalityError(ownership)
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
        result = ImportResult(
            document=parsed, summary=summary, dry_run=dry_run, ownership=ownership, warnings=warnings
        )
        if dry_run:
            transaction.set_rollback(True)
        else:
            result.record = _import_record_create(
                municipality=municipality, sha256=sha256, source=source, actor=actor, result=result
            )
    return result


def _import_record_create(
    *, municipality: Municipality, sha256: str, source: str, actor: Actor, result: ImportResult
) -> ImportRecord:
    """The history row of a committed import.

    An import the person confirmed against the municipality check says so, with the
    reason they were shown, and is in the audit log with who confirmed it.
    """
    summary = result.summary
    confirmed = result.ownership is not None and result.ownership.refused
    record = ImportRecord.objects.create(
        municipality=municipality,
        kind=result.document.kind,
        source_name=source[:300],
        sha256=sha256,
        actor=actor.user,
        actor_label=actor.label,
        created=sum(summary.created.values()),
        updated=sum(summary.updated.values()),
        deleted=sum(summary.deleted.values()),
        summary=summary.to_json(),
        other_municipality_confirmed=confirmed,
        other_municipality_reason=result.ownership.reason()[:500] if result.ownership and confirmed else "",
        warnings_accepted=[w.to_json() for w in result.warnings],
    )
    if confirmed:
        record_create(
            record,
            actor=actor,
            fields=["other_municipality_confirmed", "other_municipality_reason"],
            reason=record.other_municipality_reason,
        )
    return record


@dataclass
class Preview:
    """What committing an upload would do, or why it cannot be read."""

    result: ImportResult | None = None
    error: str | None = None
    # Names the master does not know: the commit must confirm creating them.
    unknown_names: list[str] | None = None
    # A table in the city's own columns, not mapped yet (shinchoku.imports.mapped_tables).
    needs_mapping: bool = False

    @property
    def ownership(self) -> Ownership | None:
        """Whose document it is: when ``refused``, the commit must confirm it."""
        return self.result.ownership if self.result is not None else None


# Uploads read before the reasons were kept as messages (``read_error_message``) kept only the
# English text: the reasons of shinchoku.imports.reading that a person meets most are translated.
READ_REASONS = (
    gettext_noop("the file is empty"),
    gettext_noop("the file is binary, not text (NUL bytes found)"),
    gettext_noop("unknown layout: neither a goal declaration report nor a guideline progress table"),
)
_READ_ERROR = re.compile(
    r"^(?P<source>.*?)(?:, line (?P<line>\d+))?(?:, cell (?P<cell>[A-Z]+\d+))?: (?P<reason>.*)$", re.S
)


def read_error_display(pending: PendingImport) -> str:
    """Why an upload could not be read, in the language of the person who reads it now.

    The reason was kept as a message and its parameters (``ImportFormatError.to_json``), so it is
    translated here, not in the worker that read the file; an upload kept before that has only
    the English text (``read_error_text``).
    """
    if pending.read_error_message:
        return ImportFormatError.from_json(pending.read_error_message, source=pending.source_name).text()
    return read_error_text(pending.read_error)


def read_error_text(message: str) -> str:
    """Why a file could not be read, from the English text an older upload kept: place and reason.

    The readers wrote ``x.txt, line 1: unknown layout: …`` (``str(ImportFormatError)``); the page
    writes 「x.txt 1行目：報告書の様式ではありません…」. A reason without a translation stays as written.
    """
    found = _READ_ERROR.match(message)
    if not message or found is None:
        return message
    reason = _(found["reason"]) if found["reason"] in READ_REASONS else found["reason"]
    if found["line"]:
        where = _("%(source)s, line %(line)s") % {"source": found["source"], "line": found["line"]}
    elif found["cell"]:
        where = _("%(source)s, cell %(cell)s") % {"source": found["source"], "cell": found["cell"]}
    else:
        where = found["source"]
    return _("%(where)s: %(reason)s") % {"where": where, "reason": reason}


def import_preview(*, pending: PendingImport, actor: Actor) -> Preview:
    """A dry run of what was read at upload; with unknown sections, a second one shows creating them.

    Another municipality's document is previewed as if confirmed, so the person sees
    what they would be confirming; ``Preview.ownership`` says why it needs confirming.
    """
    if pending.document is None and not pending.read_error and pending.purged_at is None:
        pending_import_read(pending=pending)  # uploaded before uploads were read once, at upload
    if pending.document is None and pending.table is not None:
        return Preview(error=read_error_display(pending), needs_mapping=True)
    if pending.document is None:
        return Preview(error=read_error_display(pending) or _("The file could not be read."))
    dry_run = functools.partial(
        document_import,
        municipality=pending.municipality,
        parsed=pending_document(pending),
        sha256=pending.sha256,
        source=pending.source_name,
        actor=actor,
        dry_run=True,
        municipality_check=MunicipalityCheck.ACCEPT,
    )
    try:
        return Preview(result=dry_run())
    except ImportFormatError as error:
        return Preview(error=error.text())
    except (UnknownSectionsError, UnknownDepartmentError) as error:
        names = error.names if isinstance(error, UnknownSectionsError) else [error.name]
    return Preview(result=dry_run(create_missing=True), unknown_names=names)


class UploadQuotaError(Exception):
    """The municipality's uploads waiting for confirmation would exceed the quota; ``str()`` says so."""


def pending_import_create(
    *, municipality: Municipality, user: User, upload_name: str, data: bytes
) -> PendingImport:
    """Keep an upload and read it once, in a limited worker process (``shinchoku.imports.worker``).

    Raises UploadQuotaError when the municipality's unconfirmed uploads would exceed
    SHINCHOKU_UPLOAD_QUOTA_MB. A file that cannot be read is kept with the reason,
    which the preview shows.
    """
    _check_quota(municipality, len(data))
    pending = PendingImport(
        municipality=municipality,
        uploaded_by=user,
        source_name=upload_name[:300],
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    _read(pending, data)
    pending.corrections = _earlier_corrections(municipality, pending.sha256)
    pending.save()
    return pending


def pending_import_read(*, pending: PendingImport) -> None:
    """Read a kept upload that was never read (uploaded before reading happened at upload)."""
    _read(pending, bytes(pending.data))
    pending.save(update_fields=["document", "read_error", "read_error_message", "read_seconds", "table"])


def _read(pending: PendingImport, data: bytes) -> None:
    read = parse_in_worker(
        data, source=pending.source_name, known_sections=organisation_names(pending.municipality)
    )
    pending.document = read.document
    pending.table = read.table
    pending.read_seconds = round(read.seconds, 3)
    pending.read_error = ""
    pending.read_error_message = None
    if read.error is not None:
        error = ImportFormatError.from_json(read.error, source=pending.source_name)
        pending.read_error = str(error)  # in English, for the admin and the logs
        pending.read_error_message = error.to_json()  # translated where it is shown


def _check_quota(municipality: Municipality, size: int) -> None:
    waiting = (
        PendingImport.objects.filter(
            municipality=municipality, record__isnull=True, purged_at__isnull=True
        ).aggregate(total=Sum("size"))["total"]
        or 0
    )
    quota = settings.SHINCHOKU_UPLOAD_QUOTA_MB * 1024 * 1024
    if waiting + size > quota:
        raise UploadQuotaError(
            _(
                "Uploads waiting for confirmation already hold %(waiting)s (at most %(quota)s): import them "
                "first, or wait until uploads older than %(days)s days are removed."
            )
            % {
                "waiting": megabytes(waiting),
                "quota": megabytes(quota),
                "days": settings.SHINCHOKU_UPLOAD_RETENTION_DAYS,
            }
        )


@transaction.atomic
def pending_import_commit(
    *,
    pending: PendingImport,
    actor: Actor,
    create_missing: bool,
    accept_other_municipality: bool = False,
    accept_warnings: bool = False,
) -> ImportResult:
    """Import exactly what was previewed; a pending import is committed at most once.

    Another municipality's document raises OtherMunicipalityError unless
    ``accept_other_municipality`` (the person ticked the box naming both).
    """
    locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
    if locked.record_id is not None:
        raise AlreadyCommittedError(locked.source_name)
    if locked.document is None:
        if locked.read_error_message:
            raise ImportFormatError.from_json(locked.read_error_message, source=locked.source_name)
        if locked.read_error:  # kept before reasons were kept as messages: the place is in the text
            raise ImportFormatError(Message.verbatim(read_error_text(locked.read_error)))
        raise ImportFormatError(Message("The file could not be read."), source=locked.source_name)
    result = document_import(
        municipality=locked.municipality,
        parsed=pending_document(locked),
        sha256=locked.sha256,
        source=locked.source_name,
        actor=actor,
        create_missing=create_missing,
        municipality_check=(
            MunicipalityCheck.ACCEPT if accept_other_municipality else MunicipalityCheck.REFUSE
        ),
        accept_warnings=accept_warnings,
    )
    locked.record = result.record
    locked.save(update_fields=["record"])
    if result.record is not None and locked.corrections:
        result.record.corrections = locked.corrections
        result.record.save(update_fields=["corrections"])
    return result


def pending_document(pending: PendingImport) -> ParsedDocument:
    """What was read from the upload, with the corrections people made in the preview."""
    if pending.document is None:
        raise ValueError("nothing was read from this upload")
    document = document_from_json(pending.document)
    if isinstance(document, ParsedPolicyEvaluation):
        raise ValueError("an upload never holds a policy evaluation report")
    return apply_corrections(document, pending.corrections)


def pending_import_correct(*, pending: PendingImport, corrections: list[dict[str, Any]]) -> None:
    """Keep more corrections of an upload, after those already made (two people may correct at once)."""
    if not corrections:
        return
    with transaction.atomic():
        locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
        if locked.record_id is not None:
            raise AlreadyCommittedError(locked.source_name)
        locked.corrections = [*locked.corrections, *corrections]
        locked.save(update_fields=["corrections"])
    pending.corrections = locked.corrections


def _earlier_corrections(municipality: Municipality, sha256: str) -> list[dict[str, Any]]:
    """The corrections made to the same file before: at its last import, else at its last upload."""
    record = (
        ImportRecord.objects.filter(municipality=municipality, sha256=sha256)
        .exclude(corrections=[])
        .order_by("-imported_at")
        .first()
    )
    if record is not None:
        return list(record.corrections)
    earlier = (
        PendingImport.objects.filter(municipality=municipality, sha256=sha256)
        .exclude(corrections=[])
        .order_by("-uploaded_at")
        .first()
    )
    return list(earlier.corrections) if earlier is not None else []


def uploads_purge(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Remove the files of uploads older than ``older_than``; what was read from them and the record stay.

    Returns how many files were removed.
    """
    cutoff = (now or timezone.now()) - older_than
    return PendingImport.objects.filter(uploaded_at__lt=cutoff, purged_at__isnull=True).update(
        data=b"", purged_at=now or timezone.now()
    )


class AlreadyCommittedError(Exception):
    pass


# --- tables in a city's own columns ----------------------------------------------------------


def column_mapping_offer(municipality: Municipality, table: RawTable, kind: str) -> dict[str, int]:
    """The columns to prefill: the last mapping kept for a table with these headings, else a guess."""
    signature = table.signature
    for mapping in ColumnMapping.objects.filter(municipality=municipality, kind=kind):
        columns = {
            name: signature.index(heading)
            for name, heading in mapping.columns.items()
            if heading in signature
        }
        if len(columns) == len(mapping.columns):
            return columns
    return guess_columns(table, kind)


def pending_import_map(
    *, pending: PendingImport, kind: str, columns: dict[str, int], meta: dict[str, Any], user: User
) -> ParsedDocument:
    """Build the document of a table upload through ``columns``, keep it, and keep the mapping for next time.

    Raises ImportFormatError when the table cannot be read that way (nothing is kept).
    """
    if pending.table is None:
        raise ImportFormatError(
            Message(gettext_noop("this upload is not a table")), source=pending.source_name
        )
    table = RawTable.from_json(pending.table)
    document = build_document(table, kind=kind, columns=columns, meta=meta, source=pending.source_name)
    signature = table.signature
    with transaction.atomic():
        locked = PendingImport.objects.select_for_update().get(pk=pending.pk)
        if locked.record_id is not None:
            raise AlreadyCommittedError(locked.source_name)
        locked.document = document.to_json(positions=True)
        locked.table = {**table.to_json(), "mapping": {"kind": kind, "columns": columns, "meta": meta}}
        locked.save(update_fields=["document", "table"])
        headings = {name: signature[index] for name, index in columns.items()}
        mapping = ColumnMapping.objects.filter(
            municipality=pending.municipality, kind=kind, headers=signature
        ).first()
        if mapping is None:
            mapping = ColumnMapping(municipality=pending.municipality, kind=kind, headers=signature)
        mapping.columns = headings
        mapping.updated_by = user
        mapping.save()
    pending.document, pending.table = locked.document, locked.table
    return document
