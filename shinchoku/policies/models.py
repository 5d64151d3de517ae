"""施策評価 (policy evaluation): each 施策 of the 総合計画 is evaluated every year.

The 施策 themselves are ``PlanNode`` rows of kind ``policy`` (their 政策 area is the
parent node, their 主な事業 the child nodes of kind ``project``, their indicators
``Indicator.plan_node``); they come in with the 施策体系 upload (``structure``).
Here is what the evaluation adds:

- ``PolicyOwner``: which department and section answer for a 施策 (whom a round asks);
- ``PolicySheet``: the 施策評価シート of one fiscal year, filled in through a collection
  round: the department's internal evaluation (内部評価), then the committee's
  consolidated opinion (外部評価) and the department's response to it;
- ``ProjectResult``: the cost (予算額/決算額) and result of a 主な事業 in that year;
- ``ExternalReview``: one committee member's grade and comment on a sheet assigned to them;
- ``CommitteeMeeting``: a meeting of the 外部評価委員会, with attendees and minutes.

Achievement rates and grades of the indicators are not stored: the engine computes them
(``shinchoku.evaluation``). Every write goes through ``services`` and the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.models import TimestampedModel
from shinchoku.organizations.models import Department, Municipality, Section, fiscal_year_field
from shinchoku.plans.models import Plan, PlanNode, decimal_field


class Direction(models.TextChoices):
    """今後の方向性: what the department proposes for the 施策 after evaluating it."""

    EXPAND = "expand", _("expand")
    CONTINUE = "continue", _("continue as is")
    IMPROVE = "improve", _("improve")
    REDUCE = "reduce", _("reduce")
    ABOLISH = "abolish", _("abolish")


# The words the city's reports print, whatever the language of the person who publishes.
DIRECTION_WORDS = {
    Direction.EXPAND: "拡充",
    Direction.CONTINUE: "継続",
    Direction.IMPROVE: "改善",
    Direction.REDUCE: "縮小",
    Direction.ABOLISH: "廃止",
}


class PolicyOwner(TimestampedModel):
    """The department and section that answer for a 施策 (施策の担当): a 施策評価 round asks the section."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    policy = models.OneToOneField(
        PlanNode, verbose_name=_("policy measure"), on_delete=models.CASCADE, related_name="owner"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("lead section"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("policy measure owner")
        verbose_name_plural = _("policy measure owners")

    def __str__(self) -> str:
        return f"{self.policy.label} {self.policy.title} · {self.section}"


class PolicySheet(TimestampedModel):
    """施策評価シート: one 施策 evaluated for one fiscal year."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))
    policy = models.ForeignKey(
        PlanNode, verbose_name=_("policy measure"), on_delete=models.PROTECT, related_name="sheets"
    )
    # The latest round that asked for the sheet (a round reopened for the same year takes it over).
    round = models.ForeignKey(
        "workflow.CollectionRound",
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="policy_sheets",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("lead section"), on_delete=models.PROTECT, related_name="+"
    )
    # 内部評価
    internal_grade = models.CharField(_("internal grade"), max_length=50, blank=True)
    reasons = models.TextField(_("reasons for the grade"), blank=True)
    issues = models.TextField(_("issues"), blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices, blank=True)
    # 外部評価: the committee's consolidated opinion, then the department's response to it.
    committee_grade = models.CharField(_("committee's grade"), max_length=50, blank=True)
    committee_opinion = models.TextField(_("committee's opinion"), blank=True)
    response = models.TextField(_("response to the committee's opinion"), blank=True)

    class Meta:
        verbose_name = _("policy evaluation sheet")
        verbose_name_plural = _("policy evaluation sheets")
        ordering = ["municipality", "-fiscal_year", "policy__path"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "fiscal_year"], name="uniq_policy_sheet_per_year")
        ]

    def __str__(self) -> str:
        return f"{format_fiscal_year(self.fiscal_year)} {self.policy.label} {self.policy.title}"


class ProjectResult(TimestampedModel):
    """A 主な事業 of the sheet's 施策 in its year: cost and what was done."""

    sheet = models.ForeignKey(
        PolicySheet,
        verbose_name=_("policy evaluation sheet"),
        on_delete=models.CASCADE,
        related_name="projects",
    )
    project = models.ForeignKey(
        PlanNode, verbose_name=_("project"), on_delete=models.PROTECT, related_name="project_results"
    )
    budget = decimal_field(_("budget (yen)"), null=True, blank=True)
    settlement = decimal_field(_("settled amount (yen)"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("project result")
        verbose_name_plural = _("project results")
        ordering = ["sheet", "project__path"]
        constraints = [models.UniqueConstraint(fields=["sheet", "project"], name="uniq_project_result")]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.project.title}"

    @property
    def municipality_id(self) -> int:
        return self.sheet.municipality_id


class ExternalReview(TimestampedModel):
    """A committee member's evaluation of one sheet: the row exists once the sheet is assigned to them."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    sheet = models.ForeignKey(
        PolicySheet,
        verbose_name=_("policy evaluation sheet"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("external review")
        verbose_name_plural = _("external reviews")
        ordering = ["sheet", "evaluator__last_name", "evaluator__username"]
        constraints = [models.UniqueConstraint(fields=["sheet", "evaluator"], name="uniq_external_review")]

    def __str__(self) -> str:
        name = self.evaluator.get_full_name() or self.evaluator.username
        return f"{self.sheet} · {name}"


class CommitteeMeeting(TimestampedModel):
    """A meeting of the 外部評価委員会 for a fiscal year's evaluation."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+")
    fiscal_year = fiscal_year_field(_("fiscal year evaluated"))
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    attendees = models.TextField(_("attendees"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    sheets = models.ManyToManyField(
        PolicySheet, verbose_name=_("sheets discussed"), blank=True, related_name="meetings"
    )

    class Meta:
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        ordering = ["municipality", "-fiscal_year", "held_on", "id"]

    def __str__(self) -> str:
        return self.title
