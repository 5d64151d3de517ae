"""Published snapshots: what citizens see, frozen at the moment of publishing.

The portal, the downloads and the search read only these rows, never the live
tables that staff edit, so a draft or an unpublished revision cannot leak by
construction. Publishing again makes a new revision; an old one is never changed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.organizations.models import Department, Municipality, fiscal_year_field
from shinchoku.plans.models import Plan

# Fields a revision may still change after it is written: only whether it is the current one.
_MUTABLE_FIELDS = {"is_current"}


class Publication(models.Model):
    class Kind(models.TextChoices):
        GOAL_DECLARATION = "goal_declaration", _("goal declaration achievement report")
        GUIDELINE_PROGRESS = "guideline_progress", _("guideline progress report")
        POLICY_EVALUATION = "policy_evaluation", _("policy evaluation report")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="publications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    fiscal_year = fiscal_year_field(_("fiscal year"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    revision = models.PositiveIntegerField(_("revision"))
    is_current = models.BooleanField(_("current revision"), default=True, db_index=True)
    document = models.JSONField(
        _("document"), help_text=_("The report as published (docs/import-json-schema.md).")
    )
    # The achievement judged when publishing (rates, grades, roll-up): what the public saw,
    # even if a formula or a scale is changed later.
    evaluation = models.JSONField(_("evaluation"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    published_by_label = models.CharField(_("published by (process)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["municipality", "-fiscal_year", "kind", "department__position", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "fiscal_year", "department", "plan", "revision"],
                name="uniq_publication_revision",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.revision}版）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published revision is frozen: only the is_current flag may change.
        if not self._state.adding and set(kwargs.get("update_fields") or ()) - _MUTABLE_FIELDS:
            raise PermissionError("A published revision cannot be changed; publish a new revision.")
        if not self._state.adding and not kwargs.get("update_fields"):
            raise PermissionError("A published revision cannot be changed; publish a new revision.")
        super().save(*args, **kwargs)

    @property
    def era_label(self) -> str:
        return format_fiscal_year(self.fiscal_year)


class SearchEntry(models.Model):
    """One searchable passage of a current publication (a goal, an initiative row, a bullet)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="search_entries")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    fiscal_year = fiscal_year_field(_("fiscal year"), db_index=True)
    department_name = models.CharField(_("department"), max_length=100, blank=True, db_index=True)
    section_names = models.CharField(_("sections"), max_length=500, blank=True)
    grade = models.CharField(_("grade"), max_length=50, blank=True, db_index=True)
    heading = models.CharField(_("heading"), max_length=500)
    body = models.TextField(_("text"))
    anchor = models.CharField(_("anchor"), max_length=50)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        ordering = ["-fiscal_year", "publication", "id"]

    def __str__(self) -> str:
        return self.heading


class Artefact(models.Model):
    """A file rendered once, when its revision was published: a download or a portal page.

    Published revisions never change, so their downloads and pages are rendered at publishing and
    served as bytes after (issue 12). The bytes live in the artefact storage under their SHA-256
    (content-addressed: a re-render that gives the same bytes writes nothing). ``publication`` is
    empty for what spans a municipality's current revisions (the index, the summary and its
    downloads): those rows are replaced at every publishing.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, null=True, blank=True, related_name="artefacts"
    )
    # What the file is: "pdf", "xlsx", "json", "csv:goals", "page:ja", "summary:pdf", "index:en".
    key = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=200, blank=True)
    rendered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("published file")
        verbose_name_plural = _("published files")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "key"],
                condition=models.Q(publication__isnull=False),
                name="uniq_artefact_per_publication",
            ),
            models.UniqueConstraint(
                fields=["municipality", "key"],
                condition=models.Q(publication__isnull=True),
                name="uniq_artefact_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.key

    @property
    def path(self) -> str:
        """Where the bytes are in the artefact storage: ``ab/cdef….pdf``."""
        extension = self.filename.rsplit(".", 1)[-1] if "." in self.filename else "bin"
        return f"{self.sha256[:2]}/{self.sha256[2:]}.{extension}"


class PublishedRollup(models.Model):
    """The achievement roll-up of a current goal-declaration revision, as published.

    Kept beside the revision (written when it is published, removed when a newer one replaces
    it) so that comparing hundreds of municipalities is one aggregate query over narrow rows,
    not a read of every revision's evaluation JSON (issue 13, the cross-city comparison).
    """

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, primary_key=True, related_name="rollup_row"
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    fiscal_year = fiscal_year_field(_("fiscal year"))
    # Only figures judged on the same scale compare: the comparison groups by its name.
    scale = models.CharField(_("grade scale"), max_length=100)
    threshold = models.CharField(_("threshold"), max_length=50)
    indicators = models.PositiveIntegerField(_("indicators"))
    graded = models.PositiveIntegerField(_("graded"))
    at_or_above = models.PositiveIntegerField(_("at or above the threshold"))
    # How many indicators got each grade: {"達成": 5, "概ね達成": 2, …}.
    grades = models.JSONField(_("grades"), default=dict)

    class Meta:
        verbose_name = _("published roll-up")
        verbose_name_plural = _("published roll-ups")
        indexes = [models.Index(fields=["fiscal_year", "scale"], name="rollup_year_scale")]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.at_or_above}/{self.graded}"
