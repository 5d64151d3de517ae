"""中間ヒアリング (the mid-year hearing, サマーヒアリング): where each goal stands half-way through the year.

A round of kind ``mid_year`` asks the sections responsible for the goals of some departments'
declarations. Per goal, the section reports a status (順調/やや遅れ/遅れ/完了), the issues, and the
expected year-end figure of each indicator (見込), which the engine grades provisionally. The
planning section keeps its hearing notes and instructions per department. At the year end the
goal's form shows what was said at mid-year, and the department's dashboard compares the two.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.core.models import TimestampedModel
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Department, Municipality
from shinchoku.plans.models import Indicator, decimal_field


class MidYearStatus(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    SLIGHTLY_BEHIND = "slightly_behind", _("slightly behind")
    BEHIND = "behind", _("behind")
    DONE = "done", _("completed")


class MidYearReport(TimestampedModel):
    """One goal at mid-year, as its section reports it in a mid-year round."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        "workflow.CollectionRound",
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="mid_year_reports",
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="mid_year_reports"
    )
    status = models.CharField(_("status"), max_length=20, choices=MidYearStatus.choices, blank=True)
    issues = models.TextField(_("issues"), blank=True)

    class Meta:
        verbose_name = _("mid-year report")
        verbose_name_plural = _("mid-year reports")
        ordering = ["round", "goal__declaration__department__position", "goal__number"]
        constraints = [models.UniqueConstraint(fields=["round", "goal"], name="uniq_mid_year_report")]

    def __str__(self) -> str:
        return f"{self.round} · {self.goal}"


class Forecast(TimestampedModel):
    """見込: the figure an indicator is expected to reach at the year end, said at mid-year."""

    report = models.ForeignKey(
        MidYearReport, verbose_name=_("mid-year report"), on_delete=models.CASCADE, related_name="forecasts"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="forecasts"
    )
    value = decimal_field(_("expected value"))
    text = models.CharField(_("as written"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        constraints = [models.UniqueConstraint(fields=["report", "indicator"], name="uniq_forecast")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.text or self.value}"

    @property
    def municipality_id(self) -> int:
        return self.report.municipality_id


class HearingNote(TimestampedModel):
    """The planning section's notes of the hearing with one department, and its instructions."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        "workflow.CollectionRound",
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="hearing_notes",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("hearing notes"), blank=True)
    instructions = models.TextField(_("instructions"), blank=True)

    class Meta:
        verbose_name = _("hearing note")
        verbose_name_plural = _("hearing notes")
        constraints = [models.UniqueConstraint(fields=["round", "department"], name="uniq_hearing_note")]

    def __str__(self) -> str:
        return f"{self.round} · {self.department}"
