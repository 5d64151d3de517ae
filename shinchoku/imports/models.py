"""The history of imports: which file, by whom, what it changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.organizations.models import Municipality


class ImportRecord(models.Model):
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="imports"
    )
    kind = models.CharField(_("document kind"), max_length=30)
    source_name = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    actor_label = models.CharField(_("imported by (process)"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    deleted = models.PositiveIntegerField(_("records deleted"), default=0)
    summary = models.JSONField(_("summary"), default=dict)
    # Set when the document names another municipality and the importer (``actor``)
    # confirmed importing it anyway: the reason they were shown, naming both.
    other_municipality_confirmed = models.BooleanField(
        _("another municipality's document, confirmed"), default=False
    )
    other_municipality_reason = models.CharField(_("what was confirmed"), max_length=500, blank=True)
    # The warnings the importer was shown and accepted (shinchoku.imports.warnings), for the record.
    warnings_accepted = models.JSONField(_("warnings accepted"), default=list, blank=True)
    # The corrections made in the preview (shinchoku.imports.corrections), applied before writing.
    corrections = models.JSONField(_("corrections"), default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.imported_at:%Y-%m-%d %H:%M})"


class PendingImport(models.Model):
    """An uploaded file waiting for the planning section to confirm its preview.

    The file is read once, at upload (``shinchoku.imports.worker``): ``document``
    holds what was read (the interchange JSON) or ``read_error`` why it could not
    be (in English; ``read_error_message`` is the same reason, translated where it is
    shown), and the preview and the commit use that, never the file again, so the
    commit imports exactly what was previewed. The bytes are kept for the record
    until ``purge_uploads`` removes them after SHINCHOKU_UPLOAD_RETENTION_DAYS.
    """

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE
    )
    source_name = models.CharField(_("file"), max_length=300)
    data = models.BinaryField(_("content"), blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    document = models.JSONField(_("what was read"), null=True, blank=True)
    read_error = models.TextField(_("why it could not be read"), blank=True)
    # The same reason as a message and its parameters (``ImportFormatError.to_json``), translated where it
    # is shown: the reading is kept and may be shown in another language than the uploader's.
    read_error_message = models.JSONField(_("why it could not be read (to translate)"), null=True, blank=True)
    read_seconds = models.FloatField(_("reading time (seconds)"), null=True, blank=True)
    purged_at = models.DateTimeField(_("file removed at"), null=True, blank=True)
    # What people corrected in the preview, in order (shinchoku.imports.corrections); an
    # upload of a file imported or corrected before starts with that file's corrections.
    corrections = models.JSONField(_("corrections"), default=list, blank=True)
    # A table in a city's own columns (mapped_tables.RawTable): read through a ColumnMapping.
    table = models.JSONField(_("table as read"), null=True, blank=True)
    record = models.OneToOneField(
        ImportRecord, verbose_name=_("import"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.source_name

    @property
    def committed(self) -> bool:
        return self.record_id is not None


class ColumnMapping(models.Model):
    """Which column of a city's own table holds which field, kept for the next table like it.

    ``headers`` is the table's header signature (``RawTable.signature``); a new table
    whose headers hold every mapped heading is offered this mapping again.
    """

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    kind = models.CharField(_("document kind"), max_length=30)
    headers = models.JSONField(_("headings of the table"))
    # field name → heading (signature form), so the mapping survives reordered columns.
    columns = models.JSONField(_("columns"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.municipality} {self.kind}"
