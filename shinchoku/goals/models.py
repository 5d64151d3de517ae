"""Goal declarations (目標宣言) of department heads and their goals (取組) — seed 000's document."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.models import TimestampedModel
from shinchoku.organizations.models import Department, Municipality, Section, fiscal_year_field
from shinchoku.plans.models import Indicator


class GoalDeclaration(TimestampedModel):
    """A department head's declaration of goals for one fiscal year."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="goal_declarations",
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="goal_declarations"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    declarer_position = models.CharField(_("declarer's position"), max_length=100)
    declarer_name = models.CharField(_("declarer's name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("goal declaration")
        verbose_name_plural = _("goal declarations")
        ordering = ["municipality", "-fiscal_year", "department__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "department"], name="uniq_goal_declaration_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{format_fiscal_year(self.fiscal_year)} {self.declarer_position}の目標宣言"


class Goal(TimestampedModel):
    """One goal (取組) of a declaration, with the texts of each column of the report."""

    declaration = models.ForeignKey(
        GoalDeclaration, verbose_name=_("goal declaration"), on_delete=models.CASCADE, related_name="goals"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    number_inferred = models.BooleanField(
        _("number inferred"), default=False, help_text=_("The number was missing in the source and inferred.")
    )
    title = models.CharField(_("title"), max_length=300)
    sections: models.ManyToManyField[Section, GoalSection] = models.ManyToManyField(
        Section, verbose_name=_("responsible sections"), through="GoalSection", related_name="goals"
    )
    content = models.TextField(_("content (取組内容)"), blank=True)
    target_text = models.TextField(_("target (達成目標)"), blank=True)
    result_text = models.TextField(_("result (取組結果)"), blank=True)
    direction_text = models.TextField(_("direction (今後の取組の方向性)"), blank=True)
    status_text = models.TextField(_("achievement status (目標達成状況)"), blank=True)
    stated_grade = models.CharField(
        _("grade as stated"),
        max_length=50,
        blank=True,
        help_text=_("The grade written in the document, if any."),
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), blank=True, related_name="goals"
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["declaration", "number"]
        constraints = [models.UniqueConstraint(fields=["declaration", "number"], name="uniq_goal_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class GoalSection(models.Model):
    """A responsible section of a goal, in the order the document names them."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE)
    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("responsible section")
        verbose_name_plural = _("responsible sections")
        ordering = ["goal", "position"]
        constraints = [models.UniqueConstraint(fields=["goal", "section"], name="uniq_goal_section")]

    def __str__(self) -> str:
        return str(self.section)
