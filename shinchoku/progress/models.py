"""Guideline progress (seed 004): yearly rows and result/plan entries of a 指針's initiatives.

An initiative is a ``PlanNode`` of kind ``initiative`` in a guideline plan. For each
fiscal year it has one or more rows (a classification code and the policy that
goes with it), and each row has bullets: results of the year and plans for the next.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.core.models import TimestampedModel
from shinchoku.organizations.models import Section, fiscal_year_field
from shinchoku.plans.models import Classification, PlanNode


class InitiativeRow(TimestampedModel):
    """One classification row of an initiative in the report of ``fiscal_year``."""

    initiative = models.ForeignKey(
        PlanNode, verbose_name=_("initiative"), on_delete=models.CASCADE, related_name="progress_rows"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"), help_text=_("The year whose results the row reports."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    classification = models.ForeignKey(
        Classification, verbose_name=_("classification (区分)"), on_delete=models.PROTECT, related_name="rows"
    )
    policy = models.TextField(_("policy (対応方針)"), blank=True)

    class Meta:
        verbose_name = _("initiative row")
        verbose_name_plural = _("initiative rows")
        ordering = ["initiative__path", "fiscal_year", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "fiscal_year", "position"], name="uniq_initiative_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative.title} {self.fiscal_year} [{self.classification.code}]"


class ProgressEntry(TimestampedModel):
    """A bullet (●): what was done in a year (result) or what is planned for a year (plan)."""

    class Kind(models.TextChoices):
        RESULT = "result", _("result")
        PLAN = "plan", pgettext_lazy("progress entry", "plan")

    row = models.ForeignKey(
        InitiativeRow, verbose_name=_("row"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    fiscal_year = fiscal_year_field(_("fiscal year"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["row", "kind", "position"]
        constraints = [
            models.UniqueConstraint(fields=["row", "kind", "position"], name="uniq_progress_entry_position")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class EntryResponsible(models.Model):
    """Who is responsible for an entry, in document order: a section or a body outside the city hall."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, related_name="responsibles")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body_name = models.CharField(
        _("outside body"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 市野球協会学童部, when not a section."),
    )

    class Meta:
        verbose_name = _("responsible party")
        verbose_name_plural = _("responsible parties")
        ordering = ["entry", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(section__isnull=False) & Q(body_name=""))
                | (Q(section__isnull=True) & ~Q(body_name="")),
                name="responsible_is_section_or_body",
            ),
            models.UniqueConstraint(fields=["entry", "position"], name="uniq_entry_responsible_position"),
        ]

    def __str__(self) -> str:
        return str(self.section) if self.section_id else self.body_name
